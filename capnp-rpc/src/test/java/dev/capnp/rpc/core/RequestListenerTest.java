package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.core.TestSupport.TwoVats;
import dev.capnp.runtime.AnyPointer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code Request.send(ResponseListener)}: the call's outcome handed to a listener, once, on the
 * loop; the response is the listener's while it runs, and what it took from it stays valid.
 */
class RequestListenerTest extends TestSupport.LoopTest {

  @Test
  void overAConnectionTheListenerGetsTheResponseAndKeepsWhatItTook() {
    Recorder service = new Recorder("service");
    Recorder local = new Recorder("local");
    try (TwoVats v = new TwoVats(null, Capability.of(service))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      v.trace.clear();
      Capability mine = Capability.of(local);
      List<String> texts = new ArrayList<>();
      List<Response<AnyPointer.Reader>> lent = new ArrayList<>();
      List<Capability> taken = new ArrayList<>();
      call(bs, "echo", mine).send((response, failure) -> {
        assertThat(failure).isNull();
        texts.add(text(response.get(), 0));
        lent.add(response);
        taken.add(response.getCap(1));
      });
      assertThat(texts).isEmpty(); // (not before the Return)
      v.pump();
      assertThat(texts).containsExactly("got:echo");
      // the response was released when the listener returned; what it took is its own
      assertThatThrownBy(() -> lent.get(0).get()).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("listener returned");
      lent.get(0).close(); // (harmless)
      assertThat(taken.get(0).isSameAs(mine)).isTrue();
      taken.get(0).close();
      mine.close();
      bs.close();
      v.assertClean();
      assertThat(local.released).isTrue();
    }
  }

  @Test
  void aPlainCallOverAConnectionSendsTheSameMessages() {
    Recorder service = new Recorder("service");
    try (TwoVats v = new TwoVats(null, Capability.of(service))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      v.trace.clear();
      List<String> texts = new ArrayList<>();
      for (String m : new String[] {"a", "b", "c"}) {
        call(bs, m).send((response, failure) -> texts.add(text(response.get(), 0)));
        v.pump();
      }
      assertThat(texts).containsExactly("got:a", "got:b", "got:c");
      // as with send(): a Call and a Return that says noFinishNeeded, nothing else
      assertThat(v.trace).containsExactly("c->s call:0->import:0", "s->c return:0:results",
          "c->s call:0->import:0", "s->c return:0:results", "c->s call:0->import:0",
          "s->c return:0:results");
      bs.close();
      v.assertClean();
    }
  }

  /** Sent from a thread that is not the loop's: the call is posted; the listener runs on the loop. */
  @Test
  void sentFromAnotherThreadTheListenerRunsOnTheLoop() throws Exception {
    Recorder service = new Recorder("service");
    try (TwoVats v = new TwoVats(null, Capability.of(service))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      List<String> seen = new ArrayList<>();
      Thread caller = new Thread(() -> call(bs, "far").send((response, failure) ->
          seen.add(text(response.get(), 0) + " on " + Thread.currentThread().getName())));
      caller.start();
      caller.join();
      assertThat(seen).isEmpty(); // (posted to the loop, not run on the caller's thread)
      v.pump();
      assertThat(seen).containsExactly("got:far on " + Thread.currentThread().getName());
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void aLocalCapabilityAnswersTheListenerToo() {
    Recorder service = new Recorder("service");
    Capability cap = Capability.of(service);
    List<String> texts = new ArrayList<>();
    call(cap, "here").send((response, failure) -> texts.add(text(response.get(), 0)));
    loop.runPending();
    assertThat(texts).containsExactly("got:here");
    cap.close();
    loop.runPending();
    assertThat(service.released).isTrue();
  }

  /**
   * A listener that throws is logged: the local call that completed it, and the capability,
   * go on. Fails when the exception reaches the call's completion.
   */
  @Test
  void aThrowingListenerLeavesALocalCapabilityAlone() {
    Recorder service = new Recorder("service");
    Capability cap = Capability.of(service);
    List<String> texts = new ArrayList<>();
    call(cap, "one").send((response, failure) -> {
      texts.add(text(response.get(), 0));
      throw new IllegalStateException("listener bug");
    });
    loop.runPending();
    call(cap, "two").send((response, failure) -> texts.add(text(response.get(), 0)));
    loop.runPending();
    assertThat(texts).containsExactly("got:one", "got:two");
    cap.close();
    loop.runPending();
    assertThat(service.released).isTrue();
  }

  @Test
  void failuresReachTheListenerAsRpcExceptions() {
    try (TwoVats v = new TwoVats(null,
        Capability.broken(RpcException.failed("test-error")))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      List<RpcException> failures = new ArrayList<>();
      call(bs, "ping").send((response, failure) -> {
        assertThat(response).isNull();
        failures.add(failure);
      });
      v.pump();
      assertThat(failures).hasSize(1);
      assertThat(failures.get(0)).hasMessageContaining("test-error");
      bs.close();
      v.assertClean();
    }
  }
}
