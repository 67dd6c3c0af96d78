package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.internal.ApiAccess;
import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.HookCapTable;
import dev.capnp.rpc.internal.Results;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/**
 * Our side as the caller (issue 12): the question entries of finished plain calls serve later
 * questions. What may outlive an entry (the caller's promise of the core, a kept
 * {@link Response} or {@link ResponsePromise}) must never act on, or see, a later call.
 */
class QuestionReuseTest extends RawPeerTestBase {

  private List<Integer> finishes() {
    List<Integer> ids = new ArrayList<>();
    for (MessageReader m : received) {
      Rpc.Message.Reader msg = m.getRoot(Rpc.Message.FACTORY);
      if (msg.isFinish()) {
        ids.add(msg.getFinish().getQuestionId());
      }
    }
    return ids;
  }

  /** A call made on the hook itself (below the API): its {@code CallResult} as the core gives it. */
  private CallResult hookCall(ClientHook hook, String msg) {
    CallParams p = CallParams.outgoing(TestSupport.IFACE, (short) 0);
    p.builder().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
        .setAs(Text.FACTORY, new Text.Reader(msg));
    CallResult cr = hook.call(p);
    run();
    return cr;
  }

  /**
   * A cancel of the caller's promise that reaches the loop after its call finished and the
   * entry serves a later call (the promise obtruded with a cancellation, from the caller's own
   * code) must not cancel the later call: no Finish for it before its Return, and it gets its
   * own results. Fails without the generation check of the caller's promise.
   */
  @Test
  void aLateCancelOfAFinishedCallsPromiseLeavesTheLaterCallAlone() {
    Capability peerCap = bootstrapAnswered();
    ClientHook hook = ClientHook.shorten(ApiAccess.get().takeHook(peerCap));
    CallResult first = hookCall(hook, "a");
    int q1 = lastCallId();
    peerReturnsText(q1, "one");
    Results r1 = TestSupport.get(first.promise());
    assertThat(TestSupport.text(r1.content(), 0)).isEqualTo("one");
    r1.release();
    first.pipeline().release();
    run();
    assertThat(finishes()).containsExactly(q1);
    received.clear();

    CallResult second = hookCall(hook, "b");
    int q2 = lastCallId();
    assertThat(q2).isEqualTo(q1); // (the id is free again; the entry may be the same)
    // the first call's promise, long done, is made canceled; its cancel hook runs on the loop
    first.promise().obtrudeException(new CancellationException("late"));
    run();
    assertThat(finishes()).as("no Finish for the later call before its Return").isEmpty();
    peerReturnsText(q2, "two");
    Results r2 = TestSupport.get(second.promise());
    assertThat(TestSupport.text(r2.content(), 0)).isEqualTo("two");
    r2.release();
    second.pipeline().release();
    run();
    assertThat(finishes()).containsExactly(q2);
    hook.release();
    run();
    assertThat(conn.disconnectReason()).isNull();
  }

  /**
   * Many calls in a row through recycled entries: each caller gets its own results, kept
   * responses and promises of earlier calls keep theirs, and each question is finished once.
   */
  @Test
  void keptResponsesAndPromisesKeepTheirOwnCallsAcrossRecycledQuestions() {
    Capability peerCap = bootstrapAnswered();
    List<ResponsePromise<AnyPointer.Reader, dev.capnp.rpc.Pipeline>> promises = new ArrayList<>();
    List<Response<AnyPointer.Reader>> kept = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      var p = TestSupport.call(peerCap, "m" + i).send();
      run();
      int q = lastCallId();
      peerReturnsText(q, "r" + i);
      promises.add(p);
      Response<AnyPointer.Reader> r = TestSupport.get(p.toCompletableFuture());
      if (i % 2 == 0) {
        kept.add(r);
      } else {
        r.close();
      }
      // a kept promise canceled later changes nothing (it is done)
      assertThat(promises.get(0).cancel(true)).isFalse();
      run();
    }
    for (int i = 0; i < kept.size(); i++) {
      assertThat(TestSupport.text(kept.get(i).get(), 0)).isEqualTo("r" + (2 * i));
      assertThat(TestSupport.text(TestSupport.get(promises.get(2 * i).toCompletableFuture())
          .get(), 0)).isEqualTo("r" + (2 * i));
      kept.get(i).close();
    }
    // every question finished exactly once, after its Return
    assertThat(finishes()).hasSize(40);
    peerCap.close();
    run();
    assertThat(conn.disconnectReason()).isNull();
  }

  /**
   * Results received without capabilities share one empty table, which takes none: nobody's
   * capabilities can reach another call's results through it. Fails when such results get a
   * writable table.
   */
  @Test
  void resultsWithoutCapabilitiesShareATableThatTakesNone() {
    Capability peerCap = bootstrapAnswered();
    ClientHook hook = ClientHook.shorten(ApiAccess.get().takeHook(peerCap));
    CallResult first = hookCall(hook, "a");
    peerReturnsText(lastCallId(), "one");
    Results r1 = TestSupport.get(first.promise());
    assertThat(r1.caps.size()).isZero();
    TestSupport.Recorder x = new TestSupport.Recorder("x");
    ClientHook h = ApiAccess.get().takeHook(Capability.of(x));
    assertThatThrownBy(() -> r1.caps.add(h)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("takes none");
    h.release();
    r1.release();
    first.pipeline().release();
    CallResult second = hookCall(hook, "b");
    peerReturnsText(lastCallId(), "two");
    Results r2 = TestSupport.get(second.promise());
    assertThat(r2.caps.size()).isZero();
    assertThat(r2.capAt(new short[] {0}, loop).brokenReason()).isNotNull();
    r2.release();
    second.pipeline().release();
    hook.release();
    run();
    assertThat(conn.disconnectReason()).isNull();
  }

  /**
   * The direct completion listener of the caller's promise (what a {@code ResponsePromise}
   * uses instead of {@code whenComplete}) runs exactly once: not again when the promise is
   * obtruded later, and a second listener is refused. Fails when the listener is not taken
   * when it runs.
   */
  @Test
  void theCallersDirectListenerRunsOnce() {
    Capability peerCap = bootstrapAnswered();
    ClientHook hook = ClientHook.shorten(ApiAccess.get().takeHook(peerCap));
    CallResult cr = hookCall(hook, "a");
    List<String> seen = new ArrayList<>();
    assertThat(cr.pipeline().listenOnce(cr.promise(), (r, e) -> seen.add(
        r != null ? TestSupport.text(r.content(), 0) : "failed:" + e))).isTrue();
    assertThat(cr.pipeline().listenOnce(cr.promise(), (r, e) -> seen.add("second"))).isFalse();
    assertThat(seen).isEmpty();
    peerReturnsText(lastCallId(), "one");
    assertThat(seen).containsExactly("one");
    Results r = TestSupport.get(cr.promise());
    cr.promise().obtrudeValue(r);
    cr.promise().obtrudeException(new IllegalStateException("late"));
    assertThat(seen).containsExactly("one");
    assertThat(cr.pipeline().listenOnce(cr.promise(), (x, e) -> seen.add("after"))).isFalse();
    r.release();
    cr.pipeline().release();
    hook.release();
    run();
    assertThat(conn.disconnectReason()).isNull();
  }

  /** A canceled call's direct listener hears the cancellation, once. */
  @Test
  void aCanceledCallsDirectListenerHearsItOnce() {
    Capability peerCap = bootstrapAnswered();
    ClientHook hook = ClientHook.shorten(ApiAccess.get().takeHook(peerCap));
    CallResult cr = hookCall(hook, "a");
    int q = lastCallId();
    List<Throwable> seen = new ArrayList<>();
    assertThat(cr.pipeline().listenOnce(cr.promise(), (r, e) -> seen.add(e))).isTrue();
    assertThat(cr.promise().cancel(false)).isTrue();
    cr.promise().completeExceptionally(new IllegalStateException("again"));
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0)).isInstanceOf(CancellationException.class);
    cr.pipeline().release();
    run();
    assertThat(finishes()).containsExactly(q);
    peerReturnsText(q, "late"); // (released unread)
    hook.release();
    run();
    assertThat(conn.disconnectReason()).isNull();
  }
}
