package dev.capnp.rpc.core;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** Shared helpers for the core protocol tests: an untyped test interface and two-vat setups. */
final class TestSupport {
  static final long IFACE = 0x9f1c2d3e4a5b6c7dL;
  static final StructSize PARAMS = new StructSize(0, 4);

  private TestSupport() {
  }

  /** A request {@code msg} with capability arguments in pointers 1.. */
  static Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> call(Capability target,
      String msg, Capability... caps) {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = target.newCall(IFACE, 0);
    AnyStruct.Builder s = r.getParams().initAs(AnyStruct.factory(PARAMS));
    s.getPointer(0).setAs(Text.FACTORY, new Text.Reader(msg));
    for (int i = 0; i < caps.length; i++) {
      if (caps[i] != null) {
        caps[i].writeTo(s.getPointer(i + 1));
      }
    }
    return r;
  }

  /** The value of a completed future (fails at once, never blocks, if it is not done). */
  static <T> T get(java.util.concurrent.CompletableFuture<T> f) {
    if (!f.isDone()) {
      throw new AssertionError("future not completed: " + f);
    }
    return f.join();
  }

  /** Text at pointer {@code i} of a struct pointer. */
  static String text(AnyPointer.Reader p, int i) {
    AnyPointer.Reader f = p.getAs(AnyStruct.FACTORY).getPointer(i);
    return f.isNull() ? null : f.getAs(Text.FACTORY).toString();
  }

  /**
   * A test object: records the message of every call it receives and answers with a handler
   * (default: echo — results pointer 0 = "got:" + msg, pointers 1.. = the capabilities received).
   */
  static class Recorder extends Server {
    final String name;
    final List<String> log = new ArrayList<>();
    Function<CallContext<AnyPointer.Reader, AnyPointer.Builder>, CompletionStage<Void>> handler;
    boolean released;

    Recorder(String name) {
      this.name = name;
    }

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      if (interfaceId != IFACE) {
        return unknownInterface(interfaceId);
      }
      String msg = text(ctx.getParams(), 0);
      log.add(msg);
      if (handler != null) {
        return handler.apply(ctx);
      }
      return echo(ctx, "got:" + msg);
    }

    @Override
    protected void onRelease() {
      released = true;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Copies the params' capabilities into the results after a text reply. */
  static CompletionStage<Void> echo(CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx,
      String reply) {
    AnyStruct.Reader in = ctx.getParams().getAs(AnyStruct.FACTORY);
    AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(PARAMS));
    out.getPointer(0).setAs(Text.FACTORY, new Text.Reader(reply));
    for (int i = 1; i < in.pointerCount() && i < 4; i++) {
      AnyPointer.Reader p = in.getPointer(i);
      if (!p.isNull()) {
        out.getPointer(i).set(p);
      }
    }
    ctx.releaseParams();
    return Server.done();
  }

  /** The calling thread's manual loop (create one with {@code EventLoop.manual()} first). */
  static EventLoop currentManualLoop() {
    EventLoop l = EventLoop.current();
    if (l == null) {
      throw new IllegalStateException("create the test's EventLoop.manual() first");
    }
    return l;
  }

  /** Base class: every test gets a fresh manual loop owned by its thread. */
  abstract static class LoopTest {
    EventLoop loop;

    @org.junit.jupiter.api.BeforeEach
    void newLoop() {
      loop = EventLoop.manual();
    }

    @org.junit.jupiter.api.AfterEach
    void closeLoop() {
      loop.runPending();
      loop.close();
    }
  }

  /** Two vats connected by a manual in-memory pair on one manual loop. */
  static final class TwoVats implements AutoCloseable {
    final EventLoop loop = currentManualLoop();
    final InMemoryTransport[] wires = InMemoryTransport.pair(true);
    final RpcConnection client;
    final RpcConnection server;
    final List<String> trace = new ArrayList<>();
    /** Live capability hooks before the scenario (the bootstrap handles are counted below). */
    long liveBefore = Capability.liveReferenceCount();
    /** Whether {@link #close()} checks that every reference made since was released. */
    boolean checkLeaks = true;

    TwoVats(Capability clientBootstrap, Capability serverBootstrap) {
      // the connections own (and finally release) the bootstrap handles made before us
      liveBefore -= (clientBootstrap == null ? 0 : 1) + (serverBootstrap == null ? 0 : 1);
      client = RpcConnection.create(loop, wires[0], clientBootstrap, "client");
      server = RpcConnection.create(loop, wires[1], serverBootstrap, "server");
    }

    /** Delivers all messages and runs all tasks until nothing is left. */
    void pump() {
      for (int i = 0; i < 10000; i++) {
        boolean any = false;
        for (int side = 0; side < 2; side++) {
          for (MessageReader m : wires[side].pending()) {
            trace.add((side == 0 ? "s->c " : "c->s ") + summary(m));
          }
          any |= wires[side].deliverAll() > 0;
        }
        any |= loop.runPending() > 0;
        if (!any) {
          return;
        }
      }
      throw new AssertionError("pump did not settle");
    }

    /** Delivers one message to the given side (0 = client, 1 = server) and runs its effects. */
    boolean step(int side) {
      List<MessageReader> p = wires[side].pending();
      if (p.isEmpty()) {
        return false;
      }
      trace.add((side == 0 ? "s->c " : "c->s ") + summary(p.get(0)));
      wires[side].deliverOne();
      loop.runPending();
      return true;
    }

    /** Summaries of messages waiting for the given side. */
    List<String> waiting(int side) {
      List<String> r = new ArrayList<>();
      for (MessageReader m : wires[side].pending()) {
        r.add(summary(m));
      }
      return r;
    }

    void assertClean() {
      pump();
      String dump = client.dumpTables() + server.dumpTables();
      if (!client.tablesEmpty() || !server.tablesEmpty()) {
        throw new AssertionError("tables not empty:\n" + dump + "\ntrace:\n"
            + String.join("\n", trace));
      }
    }

    @Override
    public void close() {
      pump();
      client.close();
      server.close();
      pump();
      if (checkLeaks) {
        // the bootstrap handles passed in were created before liveBefore was taken
        long live = Capability.liveReferenceCount();
        if (live > liveBefore) {
          throw new AssertionError("capability references leaked: " + (live - liveBefore)
              + " more live than before the scenario");
        }
      }
    }
  }

  /** A one-line summary of an RPC message, e.g. {@code call:3->import:0}. */
  static String summary(MessageReader m) {
    Rpc.Message.Reader msg = m.getRoot(Rpc.Message.FACTORY);
    switch (msg.which()) {
      case CALL: {
        Rpc.Call.Reader c = msg.getCall();
        return "call:" + c.getQuestionId() + "->" + target(c.getTarget())
            + (c.getSendResultsTo().isYourself() ? " (yourself)" : "");
      }
      case RETURN: {
        Rpc.Return.Reader r = msg.getReturn();
        String w;
        switch (r.which()) {
          case RESULTS:
            w = "results";
            break;
          case EXCEPTION:
            w = "exception:" + r.getException().getReason();
            break;
          case CANCELED:
            w = "canceled";
            break;
          case TAKE_FROM_OTHER_QUESTION:
            w = "take-from-other:" + r.getTakeFromOtherQuestion();
            break;
          case RESULTS_SENT_ELSEWHERE:
            w = "sent-elsewhere";
            break;
          default:
            w = r.which().toString();
        }
        return "return:" + r.getAnswerId() + ":" + w;
      }
      case FINISH:
        return "finish:" + msg.getFinish().getQuestionId();
      case BOOTSTRAP:
        return "bootstrap:" + msg.getBootstrap().getQuestionId();
      case RESOLVE:
        return "resolve:" + msg.getResolve().getPromiseId()
            + (msg.getResolve().isException() ? ":exception" : ":cap");
      case RELEASE:
        return "release:" + msg.getRelease().getId() + "x" + msg.getRelease().getReferenceCount();
      case DISEMBARGO: {
        Rpc.Disembargo.Reader d = msg.getDisembargo();
        return "disembargo-" + (d.getContext().isSenderLoopback() ? "request" : "reply")
            + "->" + target(d.getTarget());
      }
      case ABORT:
        return "abort:" + msg.getAbort().getReason();
      case UNIMPLEMENTED:
        return "unimplemented";
      default:
        return msg.which().toString().toLowerCase();
    }
  }

  private static String target(Rpc.MessageTarget.Reader t) {
    if (t.isImportedCap()) {
      return "import:" + t.getImportedCap();
    }
    Rpc.PromisedAnswer.Reader pa = t.getPromisedAnswer();
    StringBuilder sb = new StringBuilder("answer:" + pa.getQuestionId());
    for (int i = 0; i < pa.getTransform().size(); i++) {
      sb.append('.').append(pa.getTransform().get(i).getGetPointerField());
    }
    return sb.toString();
  }
}
