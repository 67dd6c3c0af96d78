package dev.capnp.rpc.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RateLimitedLog;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.internal.ApiAccess;
import dev.capnp.rpc.internal.BreakSignal;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.StructSize;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The protocol core alone, without a transport or a driver: messages go in through
 * {@link RpcProtocol#handle}, what it sends is read from its {@link Outbox}, and each table's
 * entries are checked to walk through the lifecycle written at the top of their class.
 */
class ProtocolCoreTest {
  private static final long IFACE = 0x1234L;

  private final EventLoop loop = EventLoop.manual();
  private final List<Rpc.Message.Reader> sent = new ArrayList<>();
  private final List<Runnable> later = new ArrayList<>();
  private final List<Runnable> timers = new ArrayList<>();
  private RpcException ended;
  private final List<CallContext<AnyPointer.Reader, AnyPointer.Builder>> held = new ArrayList<>();
  private final RpcProtocol core;

  ProtocolCoreTest() {
    Outbox outbox = new Outbox() {
      @Override
      public void send(MessageBuilder message, boolean isReturn) {
        sent.add(new MessageReader(message.getSegmentsForOutput()).getRoot(Rpc.Message.FACTORY));
      }

      @Override
      public void later(Runnable action) {
        later.add(action);
      }

      @Override
      public Runnable schedule(Runnable action, long delayMillis) {
        timers.add(action);
        return () -> timers.remove(action);
      }

      @Override
      public void ended(RpcException reason) {
        ended = reason;
      }
    };
    Capability service = Capability.of(new Server() {
      @Override
      protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
          CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
        held.add(ctx); // answered by the test
        return new CompletableFuture<>();
      }
    }, loop);
    ConnectionDelivery delivery = new ConnectionDelivery(loop);
    core = new RpcProtocol(delivery, outbox, id -> service.dup(), "core", new BreakSignal(),
        new RateLimitedLog(org.slf4j.LoggerFactory.getLogger(ProtocolCoreTest.class), "t", 5,
            1000));
    delivery.attach(core);
  }

  @AfterEach
  void tablesEndEmpty() {
    assertThat(core.invariantViolation()).isNull();
  }

  private void receive(Consumer<Rpc.Message.Builder> build) {
    MessageBuilder mb = new MessageBuilder();
    build.accept(mb.initRoot(Rpc.Message.FACTORY));
    core.handle(new MessageReader(mb.getSegmentsForOutput()));
    loop.runPending();
  }

  private Rpc.Message.Reader lastSent() {
    return sent.get(sent.size() - 1);
  }

  @Test
  void ourQuestion_awaitingReturn_done() {
    ClientHook cap = core.bootstrap(null, 0);
    assertThat(lastSent().isBootstrap()).isTrue();
    QuestionTable.Question q = core.questions.find(0);
    assertThat(q.state).isEqualTo(QuestionTable.State.AWAITING_RETURN);

    receive(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(0);
      Rpc.Payload.Builder p = r.initResults();
      p.getContent().setCapabilityIndex(0);
      p.initCapTable(1).get(0).setSenderHosted(7);
    });
    // the pipelined capability resolved to the import, so nothing names the question any more:
    // Finish, and the question is done; the capability is now import 7
    assertThat(q.state).isEqualTo(QuestionTable.State.DONE);
    assertThat(core.questions.find(0)).isNull();
    assertThat(lastSent().isFinish()).isTrue();
    assertThat(lastSent().getFinish().getQuestionId()).isEqualTo(0);
    assertThat(core.imports.find(7).state).isEqualTo(ImportTable.State.HOSTED);

    cap.release();
    loop.runPending();
    assertThat(lastSent().isRelease()).isTrue();
    assertThat(lastSent().getRelease().getId()).isEqualTo(7);
    assertThat(core.tablesEmpty()).isTrue();
  }

  @Test
  void ourQuestion_canceledBeforeReturn_thenDone() {
    ClientHook cap = core.bootstrap(null, 1000);
    QuestionTable.Question q = core.questions.find(0);
    assertThat(timers).hasSize(1);
    timers.get(0).run(); // no answer in time: the caller gives up, Finish before any Return
    loop.runPending();
    assertThat(lastSent().isFinish()).isTrue();
    assertThat(q.state).isEqualTo(QuestionTable.State.CANCELED);
    assertThat(cap.brokenReason().getReason()).startsWith("No answer to the bootstrap within");
    cap.release();
    assertThat(core.questions.find(0)).isSameAs(q); // the id stays taken until the Return

    receive(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(0);
      r.setCanceled();
    });
    assertThat(q.state).isEqualTo(QuestionTable.State.DONE);
    assertThat(core.tablesEmpty()).isTrue();
  }

  @Test
  void theirQuestion_running_returned_done_andTheExportLifecycle() {
    receive(m -> m.initBootstrap().setQuestionId(3));
    // a bootstrap completes at once: Return with the exported service
    Rpc.Return.Reader ret = lastSent().getReturn();
    assertThat(ret.getAnswerId()).isEqualTo(3);
    int exportId = ret.getResults().getCapTable().get(0).getSenderHosted();
    assertThat(core.answers.find(3).state).isEqualTo(AnswerTable.State.RETURNED);
    assertThat(core.exports.find(exportId).state).isEqualTo(ExportTable.State.HOSTED);

    receive(m -> {
      Rpc.Finish.Builder f = m.initFinish();
      f.setQuestionId(3);
      f.setReleaseResultCaps(false); // (the default, true, would release the export)
    });
    assertThat(core.answers.find(3)).isNull();
    assertThat(core.exports.find(exportId).refcount).isEqualTo(1);

    receive(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(4);
      c.setInterfaceId(IFACE);
      c.initTarget().setImportedCap(exportId);
      c.initParams();
    });
    AnswerTable.Answer a = core.answers.find(4);
    assertThat(a.state).isEqualTo(AnswerTable.State.RUNNING);
    assertThat(held).hasSize(1);

    // Finish before the Return: the call (whose pipeline nobody named) is canceled, and the
    // Return that ends it says so
    receive(m -> m.initFinish().setQuestionId(4));
    assertThat(lastSent().isReturn()).isTrue();
    assertThat(lastSent().getReturn().isCanceled()).isTrue();
    assertThat(a.state).isEqualTo(AnswerTable.State.DONE);
    assertThat(core.answers.find(4)).isNull();

    receive(m -> {
      Rpc.Release.Builder r = m.initRelease();
      r.setId(exportId);
      r.setReferenceCount(1);
    });
    assertThat(core.exports.find(exportId)).isNull();
    assertThat(core.tablesEmpty()).isTrue();
  }

  /**
   * Crossed tail calls (Call.sendResultsTo.yourself, Return.takeFromOtherQuestion): our tail
   * call is answered by the peer with takeFromOtherQuestion naming the peer's own tail call to
   * us. The results our question takes over are nobody's on this side (our answer already said
   * takeFromOtherQuestion): they are released, capabilities included. (Found by the RPC state
   * fuzzer: the capability in those results leaked.)
   */
  @Test
  void resultsTakenOverByOurTailCallAreReleased() {
    StructSize params = new StructSize(0, 1);
    boolean[] resultReleased = new boolean[1];
    Capability tailCaller = Capability.of(new Server() {
      @Override
      protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
          CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
        AnyPointer.Reader p0 = ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(0);
        if (!p0.isNull()) {
          try (Capability next = Capability.fromPointer(p0)) {
            return ctx.tailCall(next.newCall(IFACE, 0));
          }
        }
        // no capability to tail-call: answer with a fresh capability of ours
        try (Capability fresh = Capability.of(new Server() {
          @Override
          protected void onRelease() {
            resultReleased[0] = true;
          }
        }, loop)) {
          fresh.writeTo(ctx.getResults().initAs(AnyStruct.factory(params)).getPointer(0));
        }
        return CompletableFuture.completedFuture(null);
      }
    }, loop);
    long liveBefore = Capability.liveReferenceCount();
    ClientHook hook = ApiAccess.get().takeHook(tailCaller.dup());
    MessageBuilder descriptor = new MessageBuilder();
    int exportId = core.exports.writeDescriptor(hook,
        descriptor.initRoot(Rpc.CapDescriptor.FACTORY));
    hook.release();

    // the peer calls the object with one of its own capabilities: the object tail-calls it
    receive(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(1);
      c.setInterfaceId(IFACE);
      c.initTarget().setImportedCap(exportId);
      Rpc.Payload.Builder p = c.initParams();
      p.getContent().initAs(AnyStruct.factory(params)).getPointer(0).setCapabilityIndex(0);
      p.initCapTable(1).get(0).setSenderHosted(9);
    });
    Rpc.Call.Reader tail = sent.get(0).getCall();
    assertThat(tail.getSendResultsTo().isYourself()).isTrue();
    assertThat(sent.get(1).getReturn().isTakeFromOtherQuestion()).isTrue();
    int ourQuestion = tail.getQuestionId();

    // the peer tail-calls back into the object, which answers with a capability of its own
    receive(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(2);
      c.setInterfaceId(IFACE);
      c.initTarget().setImportedCap(exportId);
      c.initSendResultsTo().setYourself();
      c.initParams().getContent().initAs(AnyStruct.factory(params));
    });
    assertThat(lastSent().getReturn().isResultsSentElsewhere()).isTrue();

    // ... and answers our tail call with those results
    receive(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(ourQuestion);
      r.setTakeFromOtherQuestion(2);
    });
    receive(m -> m.initFinish().setQuestionId(1));
    receive(m -> m.initFinish().setQuestionId(2));
    receive(m -> {
      Rpc.Release.Builder r = m.initRelease();
      r.setId(exportId);
      r.setReferenceCount(1);
    });
    assertThat(resultReleased[0]).as("the capability in the taken-over results is released")
        .isTrue();
    assertThat(core.tablesEmpty()).isTrue();
    tailCaller.close();
    loop.runPending();
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(liveBefore - 1);
  }

  @Test
  void aProtocolErrorEndsTheConnectionAndEmptiesTheTables() {
    receive(m -> m.initBootstrap().setQuestionId(0));
    receive(m -> m.initBootstrap().setQuestionId(0)); // question 0 is still in use
    assertThat(lastSent().isAbort()).isTrue();
    assertThat(lastSent().getAbort().getReason().toString())
        .isEqualTo("questionId 0 is already in use");
    assertThat(ended).isNotNull();
    assertThat(core.tablesEmpty()).isTrue();
  }
}
