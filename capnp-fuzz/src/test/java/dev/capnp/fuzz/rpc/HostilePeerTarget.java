package dev.capnp.fuzz.rpc;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.StructList;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Fuzz target 3: a raw, hostile peer against one vat that also serves a well-behaved
 * connection.
 *
 * <p>Input: a sequence of steps, each chosen by one byte, with ids and sizes from the following
 * bytes. The hostile peer sends {@code Bootstrap}, {@code Call} (to exports, promised answers,
 * with cap tables of every descriptor kind, capability indexes in and out of range),
 * {@code Finish}, {@code Return} (results, exception, canceled, resultsSentElsewhere,
 * takeFromOtherQuestion; for the vat's real questions or invented ones), {@code Resolve},
 * {@code Release} (any count), {@code Disembargo} (every context), {@code Unimplemented}, unknown
 * and obsolete messages, {@code Abort}, floods of bootstraps and calls without Finish, huge cap
 * tables, and end of stream. The vat's service echoes capabilities, calls back the capabilities it
 * is given (so the vat asks the hostile peer questions), hangs forever, or fails.
 *
 * <p>Oracles, after every step: no exception escapes onto the event loop; both of the vat's
 * connections satisfy {@link RpcConnection#checkInvariants()}; when the hostile connection is
 * aborted its reason is a protocol reason (never {@link RpcConnection#INTERNAL_ERROR}) and its
 * tables are empty. At the end: the well-behaved connection still answers a call correctly; once
 * everything is closed every table is empty and {@link Capability#liveReferenceCount()} is back
 * to its value before the run.
 */
final class HostilePeerTarget {
  static final long IFACE = 0x9f1c2d3e4a5b6c7dL;
  static final StructSize PARAMS = new StructSize(0, 4);
  /** Small limits so that floods reach them quickly. */
  static final ConnectionLimits LIMITS = ConnectionLimits.DEFAULT.withMaxAnswers(48)
      .withMaxImports(48).withMaxExports(48).withMaxCapTableEntries(200)
      .withMaxBytesInFlight(16 * 1024);

  private final FuzzInput in;
  private final EventLoop loop;
  private final InMemoryTransport[] hostileWires = InMemoryTransport.pair(true);
  private final InMemoryTransport[] goodWires = InMemoryTransport.pair(true);
  private final RpcConnection hostile;
  private final RpcConnection vatGood;
  private final RpcConnection clientGood;
  /** Messages the vat sent to the hostile peer. */
  private final List<MessageReader> received = new ArrayList<>();
  /** Question ids the vat asked the hostile peer (from its Calls and Bootstraps). */
  private final List<Integer> vatQuestions = new ArrayList<>();
  /** Export ids the vat announced to the hostile peer. */
  private final List<Integer> vatExports = new ArrayList<>();
  private boolean peerClosed;

  private HostilePeerTarget(byte[] data, EventLoop loop) {
    this.in = new FuzzInput(data);
    this.loop = loop;
    Capability boot = Capability.of(new VatService(), loop);
    hostile = RpcConnection.create(loop, hostileWires[0], boot.dup(), "vat-hostile", LIMITS);
    vatGood = RpcConnection.create(loop, goodWires[0], boot.dup(), "vat-good");
    clientGood = RpcConnection.create(loop, goodWires[1], null, "good-client");
    boot.close();
    hostileWires[1].start(new MessageTransport.Receiver() {
      @Override
      public void onMessage(MessageReader message) {
        received.add(message);
        note(message);
      }

      @Override
      public void onClosed(Throwable cause) {
        // the vat aborted or closed; checked through the connection
      }
    });
  }

  /** Runs one input. */
  static void run(byte[] data) {
    long liveBefore = Capability.liveReferenceCount();
    EventLoop loop = EventLoop.manual();
    try {
      new HostilePeerTarget(data, loop).runSteps();
    } finally {
      loop.close();
    }
    long live = Capability.liveReferenceCount();
    if (live > liveBefore) {
      throw new AssertionError("capability references leaked: " + (live - liveBefore)
          + " more live than before the run");
    }
  }

  private void runSteps() {
    int steps = 0;
    while (in.more() && steps++ < 400) {
      step(in.next(16));
      pump();
      check();
    }
    // the well-behaved connection must still work
    goodCall();
    // end of the hostile stream: everything it held is freed
    hostileWires[1].close();
    pump();
    check();
    if (!hostile.tablesEmpty()) {
      throw new AssertionError("hostile connection closed but tables not empty:\n"
          + hostile.dumpTables());
    }
    if (!vatGood.tablesEmpty() || !clientGood.tablesEmpty()) {
      throw new AssertionError("good connection tables not empty:\n" + vatGood.dumpTables()
          + clientGood.dumpTables());
    }
    vatGood.close();
    clientGood.close();
    pump();
    if (loop.uncaughtExceptions() != 0) {
      throw new AssertionError(loop.uncaughtExceptions() + " uncaught exceptions on the loop");
    }
  }

  private void check() {
    if (loop.uncaughtExceptions() != 0) {
      throw new AssertionError(loop.uncaughtExceptions() + " uncaught exceptions on the loop");
    }
    for (RpcConnection c : new RpcConnection[] {hostile, vatGood, clientGood}) {
      String bad = c.checkInvariants();
      if (bad != null) {
        throw new AssertionError("invariant violated on " + c + ": " + bad);
      }
    }
    RpcException reason = hostile.disconnectReason();
    if (reason != null && reason.getReason() != null
        && reason.getReason().startsWith(RpcConnection.INTERNAL_ERROR)) {
      throw new AssertionError("hostile connection aborted by a defect: " + reason);
    }
    if (vatGood.disconnectReason() != null || clientGood.disconnectReason() != null) {
      throw new AssertionError("the good connection was lost: " + vatGood.disconnectReason()
          + " / " + clientGood.disconnectReason());
    }
  }

  private void pump() {
    for (int i = 0; i < 1000; i++) {
      int n = hostileWires[0].deliverAll() + goodWires[0].deliverAll() + goodWires[1].deliverAll()
          + loop.runPending() + hostileWires[1].deliverAll();
      if (n == 0) {
        return;
      }
    }
    throw new AssertionError("the vat did not settle");
  }

  private void goodCall() {
    try (Capability bs = clientGood.bootstrap()) {
      Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = bs.newCall(IFACE, 0);
      r.getParams().initAs(AnyStruct.factory(PARAMS)).getPointer(0)
          .setAs(Text.FACTORY, new Text.Reader("ping"));
      ResponsePromise<AnyPointer.Reader, Pipeline> p = r.send();
      pump();
      if (!p.isDone()) {
        throw new AssertionError("the good connection did not answer");
      }
      try (Response<AnyPointer.Reader> resp = p.join()) {
        String text = resp.get().getAs(AnyStruct.FACTORY).getPointer(0).getAs(Text.FACTORY)
            .toString();
        if (!text.equals("echo:ping")) {
          throw new AssertionError("the good connection answered " + text);
        }
      }
    }
    pump();
  }

  // ================================================================== the peer's messages

  private void note(MessageReader m) {
    Rpc.Message.Reader msg = m.getRoot(Rpc.Message.FACTORY);
    switch (msg.which()) {
      case CALL:
        vatQuestions.add(msg.getCall().getQuestionId());
        noteCaps(msg.getCall().getParams().getCapTable());
        break;
      case BOOTSTRAP:
        vatQuestions.add(msg.getBootstrap().getQuestionId());
        break;
      case RETURN:
        if (msg.getReturn().isResults()) {
          noteCaps(msg.getReturn().getResults().getCapTable());
        }
        break;
      case RESOLVE:
        if (msg.getResolve().isCap()) {
          noteCap(msg.getResolve().getCap());
        }
        break;
      default:
        break;
    }
  }

  private void noteCaps(StructList.Reader<Rpc.CapDescriptor.Reader> caps) {
    for (int i = 0; i < caps.size(); i++) {
      noteCap(caps.get(i));
    }
  }

  private void noteCap(Rpc.CapDescriptor.Reader d) {
    if (d.isSenderHosted()) {
      vatExports.add(d.getSenderHosted());
    } else if (d.isSenderPromise()) {
      vatExports.add(d.getSenderPromise());
    }
  }

  /** A small id, a known one, or (rarely) any 32-bit value. */
  private int id(List<Integer> known) {
    int how = in.next(8);
    if (how < 3 && !known.isEmpty()) {
      return known.get(in.next(known.size()));
    }
    if (how == 7) {
      return (in.next(256) << 24) | (in.next(256) << 16) | (in.next(256) << 8) | in.next(256);
    }
    return in.next(8);
  }

  private int peerId() {
    return id(List.of());
  }

  private void send(java.util.function.Consumer<Rpc.Message.Builder> build) {
    if (peerClosed) {
      return;
    }
    MessageBuilder mb = new MessageBuilder();
    build.accept(mb.initRoot(Rpc.Message.FACTORY));
    hostileWires[1].send(mb);
  }

  private void step(int op) {
    switch (op) {
      case 0:
        send(m -> m.initBootstrap().setQuestionId(peerId()));
        break;
      case 1:
        sendCall(peerId(), in.next(6), in.next(4));
        break;
      case 2: {
        int q = peerId();
        boolean release = in.next(2) == 1;
        send(m -> {
          Rpc.Finish.Builder f = m.initFinish();
          f.setQuestionId(q);
          f.setReleaseResultCaps(release);
        });
        break;
      }
      case 3:
        sendReturn();
        break;
      case 4:
        sendResolve();
        break;
      case 5: {
        int id = id(vatExports);
        int count = in.next(4) == 0 ? -1 : in.next(4);
        send(m -> {
          Rpc.Release.Builder r = m.initRelease();
          r.setId(id);
          r.setReferenceCount(count);
        });
        break;
      }
      case 6:
        sendDisembargo();
        break;
      case 7:
        // deliver nothing new: lets the vat's effects settle (pump runs after every step)
        break;
      case 8: {
        int n = 1 + in.next(64);
        int base = in.next(4) * 64;
        for (int i = 0; i < n; i++) {
          int q = base + i;
          send(m -> m.initBootstrap().setQuestionId(q));
        }
        break;
      }
      case 9: {
        int n = 1 + in.next(64);
        int base = 16 + in.next(4) * 64;
        int method = in.next(6);
        for (int i = 0; i < n; i++) {
          sendCall(base + i, method, 0);
        }
        break;
      }
      case 10:
        sendCall(peerId(), in.next(6), 100 + in.next(400));
        break;
      case 11:
        goodCall();
        break;
      case 12:
        sendUnknown();
        break;
      case 13:
        if (in.next(4) == 0) {
          send(m -> m.initAbort().setReason("hostile abort"));
        }
        break;
      case 14:
        if (in.next(4) == 0) {
          hostileWires[1].close();
          peerClosed = true;
        }
        break;
      default:
        sendUnimplemented();
        break;
    }
  }

  private void writeTarget(Rpc.MessageTarget.Builder t) {
    if (in.next(3) == 0) {
      Rpc.PromisedAnswer.Builder pa = t.initPromisedAnswer();
      pa.setQuestionId(peerId());
      int n = in.next(3);
      if (n > 0) {
        StructList.Builder<Rpc.PromisedAnswer.Op.Builder> ops = pa.initTransform(n);
        for (int i = 0; i < n; i++) {
          if (in.next(4) == 0) {
            ops.get(i).setNoop();
          } else {
            ops.get(i).setGetPointerField((short) in.next(5));
          }
        }
      }
    } else {
      t.setImportedCap(id(vatExports));
    }
  }

  private void writeDescriptor(Rpc.CapDescriptor.Builder d) {
    switch (in.next(7)) {
      case 0:
        d.setNone();
        break;
      case 1:
      case 2:
        d.setSenderHosted(peerId());
        break;
      case 3:
        d.setSenderPromise(peerId());
        break;
      case 4:
        d.setReceiverHosted(id(vatExports));
        break;
      case 5: {
        Rpc.PromisedAnswer.Builder pa = d.initReceiverAnswer();
        pa.setQuestionId(peerId());
        if (in.next(2) == 1) {
          pa.initTransform(1).get(0).setGetPointerField((short) in.next(4));
        }
        break;
      }
      default:
        d.initThirdPartyHosted().setVineId(peerId());
        break;
    }
  }

  /** Cap table of {@code n} descriptors; content pointers 1..3 name indexes (maybe out of range). */
  private void writePayload(Rpc.Payload.Builder p, int n, String text) {
    AnyStruct.Builder s = p.getContent().initAs(AnyStruct.factory(PARAMS));
    s.getPointer(0).setAs(Text.FACTORY, new Text.Reader(text));
    for (int i = 1; i < 4; i++) {
      int how = in.next(4);
      if (how == 1 || how == 2) {
        s.getPointer(i).setCapabilityIndex(in.next(Math.max(1, n + 2)));
      } else if (how == 3) {
        s.getPointer(i).setCapabilityIndex(in.next(1 << 16));
      }
    }
    if (n > 0) {
      StructList.Builder<Rpc.CapDescriptor.Builder> caps = p.initCapTable(n);
      for (int i = 0; i < n; i++) {
        writeDescriptor(caps.get(i));
      }
    }
  }

  private void sendCall(int questionId, int method, int caps) {
    boolean yourself = in.next(6) == 0;
    send(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(questionId);
      c.setInterfaceId(in.next(8) == 0 ? 0x1234L : IFACE);
      c.setMethodId((short) method);
      writeTarget(c.initTarget());
      if (yourself) {
        c.initSendResultsTo().setYourself();
      }
      writePayload(c.initParams(), caps, "hostile");
    });
  }

  private void sendReturn() {
    int answerId = id(vatQuestions);
    int kind = in.next(6);
    boolean releaseParams = in.next(2) == 1;
    send(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(answerId);
      r.setReleaseParamCaps(releaseParams);
      switch (kind) {
        case 0:
        case 1:
          writePayload(r.initResults(), in.next(4), "result");
          break;
        case 2: {
          Rpc.Exception.Builder e = r.initException();
          e.setReason("hostile failure");
          e.setType(Rpc.Exception.Type.values()[in.next(4)]);
          break;
        }
        case 3:
          r.setCanceled();
          break;
        case 4:
          r.setResultsSentElsewhere();
          break;
        default:
          r.setTakeFromOtherQuestion(peerId());
          break;
      }
    });
  }

  private void sendResolve() {
    int promiseId = peerId();
    boolean cap = in.next(3) != 0;
    send(m -> {
      Rpc.Resolve.Builder r = m.initResolve();
      r.setPromiseId(promiseId);
      if (cap) {
        writeDescriptor(r.initCap());
      } else {
        r.initException().setReason("hostile broken promise");
      }
    });
  }

  private void sendDisembargo() {
    int kind = in.next(4);
    int embargoId = peerId();
    send(m -> {
      Rpc.Disembargo.Builder d = m.initDisembargo();
      writeTarget(d.initTarget());
      switch (kind) {
        case 0:
          d.initContext().setSenderLoopback(embargoId);
          break;
        case 1:
          d.initContext().setReceiverLoopback(embargoId);
          break;
        case 2:
          d.initContext().initAccept(0);
          break;
        default:
          // (0.9.2's `provide @4` is gone from master's schema: a Level 3 embargo id instead)
          d.initContext().setAccept(java.nio.ByteBuffer.allocate(4).putInt(embargoId).array());
          break;
      }
    });
  }

  private void sendUnknown() {
    int kind = in.next(5);
    int q = peerId();
    send(m -> {
      switch (kind) {
        case 0:
          m.initProvide().setQuestionId(q);
          break;
        case 1:
          m.initAccept().setQuestionId(q);
          break;
        case 2:
          m.initJoin().setQuestionId(q);
          break;
        case 3:
          m.initObsoleteSave().setAs(Text.FACTORY, new Text.Reader("x"));
          break;
        default:
          m.initObsoleteDelete().setAs(Text.FACTORY, new Text.Reader("y"));
          break;
      }
    });
  }

  /** Echoes one of the vat's own messages back as Unimplemented (or an invented one). */
  private void sendUnimplemented() {
    if (!received.isEmpty() && in.next(2) == 0) {
      MessageReader m = received.get(in.next(received.size()));
      Rpc.Message.Reader orig = m.getRoot(Rpc.Message.FACTORY);
      send(b -> b.setUnimplemented(orig));
      return;
    }
    int kind = in.next(3);
    int q = id(vatQuestions);
    send(b -> {
      Rpc.Message.Builder inner = b.initUnimplemented();
      switch (kind) {
        case 0:
          inner.initBootstrap().setQuestionId(q);
          break;
        case 1: {
          Rpc.Call.Builder c = inner.initCall();
          c.setQuestionId(q);
          c.initTarget().setImportedCap(q);
          break;
        }
        default: {
          Rpc.Resolve.Builder r = inner.initResolve();
          r.setPromiseId(q);
          r.initCap().setSenderHosted(id(vatExports));
          break;
        }
      }
    });
  }

  // ============================================================================ the vat

  /** The vat's service: method 0 echo, 1 call back the first capability, 2 hang, 3 fail. */
  private static final class VatService extends Server {
    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      if (interfaceId != IFACE) {
        return unknownInterface(interfaceId);
      }
      AnyStruct.Reader params = ctx.getParams().getAs(AnyStruct.FACTORY);
      switch (methodId) {
        case 0: {
          AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(PARAMS));
          AnyPointer.Reader text = params.getPointer(0);
          out.getPointer(0).setAs(Text.FACTORY, new Text.Reader("echo:"
              + (text.isNull() ? "" : text.getAs(Text.FACTORY).toString())));
          for (int i = 1; i < params.pointerCount() && i < 4; i++) {
            AnyPointer.Reader p = params.getPointer(i);
            if (!p.isNull()) {
              out.getPointer(i).set(p);
            }
          }
          ctx.releaseParams();
          return done();
        }
        case 1:
        case 4: {
          AnyPointer.Reader p = params.pointerCount() > 1 ? params.getPointer(1) : null;
          if (p == null || p.isNull() || !p.isCapability()) {
            throw RpcException.failed("no capability to call back");
          }
          Capability cap = Capability.fromPointer(p);
          Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = cap.newCall(IFACE, 0);
          AnyStruct.Builder s = r.getParams().initAs(AnyStruct.factory(PARAMS));
          s.getPointer(0).setAs(Text.FACTORY, new Text.Reader("callback"));
          cap.writeTo(s.getPointer(1));
          cap.close();
          ctx.releaseParams();
          if (methodId == 1) {
            return ctx.tailCall(r);
          }
          return r.send().thenAccept(Response::close);
        }
        case 2:
          return new CompletableFuture<>();
        case 3:
          throw RpcException.failed("this method fails");
        default:
          return unknownMethod(interfaceId, methodId);
      }
    }
  }
}
