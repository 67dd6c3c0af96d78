package dev.capnp.rpc.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A peer's call delivered to a local server: its completion reaches the answer through the
 * answer itself, registered as the one listener of the call's promise (issue 12: no
 * {@code whenComplete} callback, stage and future per call), on the loop or from another
 * thread.
 */
class AnswerListenerTest {
  private static final long IFACE = 0x1234L;

  private final EventLoop loop = EventLoop.manual();
  private final RecordingCore fixture;
  private final List<Rpc.Message.Reader> sent;
  private final List<CallContext<AnyPointer.Reader, AnyPointer.Builder>> held = new ArrayList<>();
  private final List<CompletableFuture<Void>> handlers = new ArrayList<>();
  private final RpcProtocol core;

  AnswerListenerTest() {
    fixture = new RecordingCore(loop, new Server() {
      @Override
      protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
          CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
        held.add(ctx);
        CompletableFuture<Void> done = new CompletableFuture<>(); // completed by the test
        handlers.add(done);
        return done;
      }
    }, AnswerListenerTest.class);
    sent = fixture.sent;
    core = fixture.core;
  }

  @AfterEach
  void tablesStayConsistent() {
    assertThat(core.invariantViolation()).isNull();
  }

  private void receive(Consumer<Rpc.Message.Builder> build) {
    fixture.receive(build);
  }

  private int bootstrapExport() {
    receive(m -> m.initBootstrap().setQuestionId(1));
    int exportId = sent.get(sent.size() - 1).getReturn().getResults().getCapTable().get(0)
        .getSenderHosted();
    receive(m -> {
      Rpc.Finish.Builder f = m.initFinish();
      f.setQuestionId(1);
      f.setReleaseResultCaps(false);
    });
    sent.clear();
    return exportId;
  }

  private void peerCalls(int questionId, int exportId) {
    receive(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(questionId);
      c.setInterfaceId(IFACE);
      c.initTarget().setImportedCap(exportId);
      c.initParams();
    });
  }

  private void answer(int call, String text) {
    held.get(call).getResults().initAs(AnyStruct.factory(new StructSize(0, 1))).getPointer(0)
        .setAs(Text.FACTORY, new Text.Reader(text));
    handlers.get(call).complete(null);
  }

  private Rpc.Return.Reader lastReturn() {
    Rpc.Message.Reader m = sent.get(sent.size() - 1);
    assertThat(m.isReturn()).as("last sent: %s", m).isTrue();
    return m.getReturn();
  }

  /**
   * The call's promise has no {@code whenComplete} dependent while it runs (the answer is its
   * listener; fails with the callback per call), and its completion on the loop, or on
   * another thread, sends the Return (from the loop).
   */
  @Test
  void theAnswerListensToItsCallAndReturnsOnTheLoopOrFromAnotherThread() throws Exception {
    int exportId = bootstrapExport();
    peerCalls(4, exportId);
    peerCalls(5, exportId);
    assertThat(held).hasSize(2);
    for (int q : new int[] {4, 5}) {
      CompletableFuture<?> running = (CompletableFuture<?>) core.answers.find(q).running;
      assertThat(running.getNumberOfDependents()).as("dependents of call %d", q).isZero();
    }

    answer(0, "four"); // (on the loop)
    loop.runPending();
    Rpc.Return.Reader r4 = lastReturn();
    assertThat(r4.getAnswerId()).isEqualTo(4);
    assertThat(r4.getResults().getContent().getAs(AnyStruct.factory(new StructSize(0, 1)))
        .getPointer(0).getAs(Text.FACTORY)).hasToString("four");

    // the call's promise completes on another thread (canceled there): the answer hears it on
    // that thread and posts the completion to the loop
    CompletableFuture<?> running5 = (CompletableFuture<?>) core.answers.find(5).running;
    Thread t = new Thread(() -> running5.cancel(false));
    t.start();
    t.join();
    assertThat(lastReturn().getAnswerId()).isEqualTo(4);
    loop.runPending();
    Rpc.Return.Reader r5 = lastReturn();
    assertThat(r5.getAnswerId()).isEqualTo(5);
    assertThat(r5.isResults()).isFalse();
    assertThat(held.get(1).isCanceled()).isTrue();
  }

  /** A Finish before the call completes cancels it through the same listener: Return canceled. */
  @Test
  void anEarlyFinishCancelsTheCallAndItsListenerReturnsCanceled() {
    int exportId = bootstrapExport();
    peerCalls(4, exportId);
    receive(m -> m.initFinish().setQuestionId(4));
    assertThat(lastReturn().getAnswerId()).isEqualTo(4);
    assertThat(lastReturn().isCanceled()).isTrue();
    assertThat(held.get(0).isCanceled()).isTrue();
    assertThat(core.answers.find(4)).isNull();
  }
}
