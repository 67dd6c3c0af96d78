package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.internal.ApiAccess;
import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.Results;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Our side as the caller of {@code ClientHook.callForResults} (issue 12): a call whose caller
 * wants only its outcome gets it through a listener, without a promise or pipeline, and the
 * question's entry reuses the results object of its last Return when nobody holds it. What the
 * listener kept (a content reader, results it held) must never see a later call.
 */
class ResultsForListenerTest extends RawPeerTestBase {

  /** What a listener saw: the results (as given), the text read in it, or the failure. */
  private static final class Seen implements BiConsumer<Results, Throwable> {
    final List<Results> results = new ArrayList<>();
    final List<String> texts = new ArrayList<>();
    final List<AnyPointer.Reader> contents = new ArrayList<>();
    final List<Throwable> failures = new ArrayList<>();
    boolean hold;
    RuntimeException toThrow;

    @Override
    public void accept(Results r, Throwable e) {
      if (e != null) {
        failures.add(e);
      } else {
        results.add(r);
        // the typed read without the AnyPointer reader (the only read of held results, whose
        // payload reader must then stay theirs)
        String t = r.contentAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
            .getAs(Text.FACTORY).toString();
        texts.add(t);
        if (hold) {
          r.hold();
        } else {
          AnyPointer.Reader c = r.content();
          contents.add(c);
          assertThat(TestSupport.text(c, 0)).isEqualTo(t);
        }
      }
      if (toThrow != null) {
        throw toThrow;
      }
    }
  }

  private void call(ClientHook hook, String msg, BiConsumer<Results, Throwable> listener) {
    CallParams p = CallParams.outgoing(TestSupport.IFACE, (short) 0);
    p.builder().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
        .setAs(Text.FACTORY, new Text.Reader(msg));
    hook.callForResults(p, listener);
    run();
  }

  private void peerReturnsException(int answerId, String reason) {
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(answerId);
      r.setReleaseParamCaps(false);
      r.initException().setReason(reason);
    });
  }

  @Test
  void theListenerGetsTheResultsWhichAreReleasedWhenItReturns() {
    ClientHook hook = ClientHook.shorten(ApiAccess.get().takeHook(bootstrapAnswered()));
    Seen seen = new Seen();
    call(hook, "a", seen);
    int q = lastCallId();
    assertThat(received.get(received.size() - 1).getRoot(Rpc.Message.FACTORY).getCall()
        .getAllowThirdPartyTailCall()).isFalse();
    peerReturnsText(q, "one");
    assertThat(seen.texts).containsExactly("one");
    assertThat(seen.results.get(0).isReleased()).isTrue();
    assertThat(receivedSummaries()).contains("finish:" + q);
    hook.release();
    run();
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  /**
   * The entry's next Return reuses the results nobody holds; a content reader the listener
   * made still reads its own call's results afterwards. Fails if the results are not reused,
   * or if their content reader is moved with them.
   */
  @Test
  void theNextReturnReusesResultsNobodyHoldsButNotTheirContentReader() {
    ClientHook hook = ClientHook.shorten(ApiAccess.get().takeHook(bootstrapAnswered()));
    Seen seen = new Seen();
    call(hook, "a", seen);
    int q1 = lastCallId();
    peerReturnsText(q1, "one");
    // kept for the entry's next Return, the results no longer point into this one's message
    // (a large reply is not pinned while the entry waits)
    assertThat(seen.results.get(0).contentAs(AnyStruct.FACTORY).pointerCount()).isZero();
    call(hook, "b", seen);
    int q2 = lastCallId();
    assertThat(q2).isEqualTo(q1);
    peerReturnsText(q2, "two");
    assertThat(seen.texts).containsExactly("one", "two");
    assertThat(seen.results.get(1)).isSameAs(seen.results.get(0));
    assertThat(TestSupport.text(seen.contents.get(0), 0)).isEqualTo("one");
    assertThat(TestSupport.text(seen.contents.get(1), 0)).isEqualTo("two");
    hook.release();
    run();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  /**
   * Results the listener holds stay its own: the next Return gets new results, and the held
   * ones still read their call's content until released. Fails without the holders check.
   */
  @Test
  void heldResultsAreNeverUsedAgain() {
    ClientHook hook = ClientHook.shorten(ApiAccess.get().takeHook(bootstrapAnswered()));
    Seen seen = new Seen();
    seen.hold = true;
    call(hook, "a", seen);
    int q1 = lastCallId();
    peerReturnsText(q1, "one");
    Results held = seen.results.get(0);
    assertThat(held.isReleased()).isFalse();
    seen.hold = false;
    call(hook, "b", seen);
    peerReturnsText(lastCallId(), "two");
    call(hook, "c", seen);
    peerReturnsText(lastCallId(), "three");
    assertThat(seen.texts).containsExactly("one", "two", "three");
    assertThat(seen.results.get(1)).isNotSameAs(held);
    assertThat(seen.results.get(2)).isNotSameAs(held);
    assertThat(held.contentAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
        .getAs(Text.FACTORY).toString()).isEqualTo("one");
    held.unhold();
    assertThat(held.isReleased()).isTrue();
    hook.release();
    run();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  @Test
  void failuresReachTheListener() {
    ClientHook hook = ClientHook.shorten(ApiAccess.get().takeHook(bootstrapAnswered()));
    Seen seen = new Seen();
    call(hook, "a", seen);
    peerReturnsException(lastCallId(), "no such thing");
    assertThat(seen.failures).hasSize(1);
    assertThat(seen.failures.get(0)).isInstanceOf(RpcException.class)
        .hasMessageContaining("no such thing");
    // a call outstanding when the connection ends fails with it
    call(hook, "b", seen);
    wires[1].close();
    run();
    assertThat(seen.failures).hasSize(2);
    assertThat(seen.results).isEmpty();
    // and a call after the end fails at once
    call(hook, "c", seen);
    assertThat(seen.failures).hasSize(3);
    hook.release();
  }

  /** A listener that throws is the caller's bug, not the peer's: the connection goes on. */
  @Test
  void aThrowingListenerLeavesTheConnectionAlone() {
    ClientHook hook = ClientHook.shorten(ApiAccess.get().takeHook(bootstrapAnswered()));
    Seen seen = new Seen();
    seen.toThrow = new IllegalStateException("listener bug");
    call(hook, "a", seen);
    peerReturnsText(lastCallId(), "one");
    assertThat(seen.texts).containsExactly("one");
    assertThat(conn.disconnectReason()).isNull();
    seen.toThrow = null;
    call(hook, "b", seen);
    peerReturnsText(lastCallId(), "two");
    assertThat(seen.texts).containsExactly("one", "two");
    hook.release();
    run();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }
}
