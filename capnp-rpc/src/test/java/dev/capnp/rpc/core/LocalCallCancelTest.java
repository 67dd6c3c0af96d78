package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.internal.ApiAccess;
import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.Results;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The callee side of a local call with fewer objects per call (issue 12, branch zalloc5): the
 * call's promise is its own call result and reports the caller's cancel by overriding the
 * completing methods (no {@code whenComplete} per call), and {@link CallContext#whenCanceled()}
 * is made on first use. The cancel must still reach the server, whenever it asks.
 */
class LocalCallCancelTest extends TestSupport.LoopTest {
  private final List<CallContext<AnyPointer.Reader, AnyPointer.Builder>> held = new ArrayList<>();

  private Recorder hanging() {
    Recorder server = new Recorder("server");
    server.handler = ctx -> {
      held.add(ctx);
      return new CompletableFuture<>(); // never completes
    };
    return server;
  }

  /** A call on the hook itself (below the API), as a connection delivers one. */
  private static CallResult hookCall(ClientHook hook, String msg) {
    CallParams p = CallParams.outgoing(TestSupport.IFACE, (short) 0);
    p.builder().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
        .setAs(Text.FACTORY, new Text.Reader(msg));
    return hook.call(p);
  }

  /**
   * A handler that asks for {@code whenCanceled()} only after the cancel gets a completed
   * stage (made then, already complete); one that asked before sees it complete at the cancel.
   * Fails when the promise's cancel override is dropped (the cancel then reaches nobody).
   */
  @Test
  void theCancelReachesWhenCanceledAskedBeforeOrAfterIt() {
    Recorder server = hanging();
    Capability cap = Capability.of(server);
    ResponsePromise<AnyPointer.Reader, Pipeline> before = call(cap, "before").send();
    ResponsePromise<AnyPointer.Reader, Pipeline> after = call(cap, "after").send();
    loop.runPending();
    assertThat(server.log).containsExactly("before", "after");
    CompletionStage<Void> early = held.get(0).whenCanceled();
    assertThat(early.toCompletableFuture()).isNotDone();
    assertThat(held.get(0).isCanceled()).isFalse();

    before.cancel(false);
    after.cancel(false);
    loop.runPending();
    assertThat(early.toCompletableFuture()).isCompletedWithValue(null);
    assertThat(held.get(0).isCanceled()).isTrue();
    assertThat(held.get(1).isCanceled()).isTrue();
    CompletionStage<Void> late = held.get(1).whenCanceled();
    assertThat(late.toCompletableFuture()).isCompletedWithValue(null);
    assertThat(held.get(1).whenCanceled()).isSameAs(late);
    cap.close();
    loop.runPending();
    assertThat(server.released).as("the canceled calls let go of the server").isTrue();
  }

  /**
   * Below the API: the local call's result is its promise (one object), and completing that
   * promise with a {@code CancellationException} (as a caller's bridge does) is the caller's
   * cancel: the handler sees it and the call releases the server at once. Fails without the
   * merge (a pair per call), and when {@code completeExceptionally} does not report the cancel.
   */
  @Test
  void aLocalCallsResultIsItsPromiseAndItsCancellationReachesTheServer() {
    Recorder server = hanging();
    Capability cap = Capability.of(server);
    ClientHook hook = ClientHook.shorten(ApiAccess.get().takeHook(cap));
    CallResult cr = hookCall(hook, "a");
    loop.runPending();
    assertThat((Object) cr.promise()).isSameAs(cr);
    assertThat(server.log).containsExactly("a");
    hook.release();
    loop.runPending();
    assertThat(server.released).as("the running call holds the server").isFalse();

    CompletableFuture<Results> promise = cr.promise();
    assertThat(promise.completeExceptionally(new CancellationException("caller gone")))
        .isTrue();
    loop.runPending();
    assertThat(held.get(0).isCanceled()).isTrue();
    assertThat(held.get(0).whenCanceled().toCompletableFuture()).isCompletedWithValue(null);
    assertThat(server.released).as("the canceled call let go of the server").isTrue();
    cr.pipeline().release();
  }

  /**
   * A call that completed is not canceled by a cancellation forced on its promise afterwards
   * (as with the {@code whenComplete} callback before: only the completion that ends the
   * promise counts), and a plain handler that completed at once answers its caller.
   */
  @Test
  void aCancellationForcedAfterTheAnswerIsNoCancel() {
    Recorder server = new Recorder("server");
    List<CallContext<AnyPointer.Reader, AnyPointer.Builder>> seen = new ArrayList<>();
    server.handler = ctx -> {
      seen.add(ctx);
      return TestSupport.echo(ctx, "done");
    };
    Capability cap = Capability.of(server);
    ClientHook hook = ClientHook.shorten(ApiAccess.get().takeHook(cap));
    CallResult cr = hookCall(hook, "a");
    loop.runPending();
    assertThat(cr.promise()).isDone();
    Results r = cr.promise().join();
    assertThat(TestSupport.text(r.content(), 0)).isEqualTo("done");
    r.release();
    cr.promise().obtrudeException(new CancellationException("late"));
    loop.runPending();
    assertThat(seen.get(0).isCanceled()).isFalse();
    assertThat(seen.get(0).whenCanceled().toCompletableFuture()).isNotDone();
    cr.pipeline().release();
    hook.release();
    loop.runPending();
    assertThat(server.released).isTrue();
  }
}
