package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.core.TestSupport.TwoVats;
import dev.capnp.runtime.AnyPointer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A tail call sent back to the caller ({@code sendResultsTo.yourself}, answered with
 * {@code Return.takeFromOtherQuestion}) belongs to whoever takes its results: the caller once
 * the takeFromOtherQuestion arrived, nobody if the tail-calling call was canceled first. Either
 * way canceling must reach the tail call; before, it ran on with its question held forever (found
 * by the RPC state-machine fuzzer: such calls forwarded around a cross-vat promise cycle grew
 * the tables without bound).
 */
class TailCallOwnershipTest extends TestSupport.LoopTest {

  /** The client's service: every call hangs until canceled (and records the cancellation). */
  private static Recorder hanging(CompletableFuture<Void> canceled) {
    Recorder r = new Recorder("client-service");
    r.handler = ctx -> {
      ctx.whenCanceled().whenComplete((v, e) -> canceled.complete(null));
      return new CompletableFuture<>();
    };
    return r;
  }

  @Test
  void cancelingTheCallerCancelsTheTailCallItTookOver() {
    CompletableFuture<Void> tailCanceled = new CompletableFuture<>();
    Recorder server = new Recorder("server");
    AtomicReference<Capability> back = new AtomicReference<>();
    server.handler = ctx -> ctx.tailCall(call(back.get(), "tail"));
    try (TwoVats v = new TwoVats(Capability.of(hanging(tailCanceled), loop),
        Capability.of(server, loop))) {
      back.set(v.server.bootstrap());
      Capability cap = v.client.bootstrap();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(cap, "first").send();
      v.pump();
      assertThat(p).isNotDone();
      // the server's tail question ended as soon as the client took the call over
      assertThat(v.server.tableSizes()[0]).as("server questions besides the bootstrap")
          .isEqualTo(1);
      p.cancel(false);
      v.pump();
      assertThat(tailCanceled).isDone();
      back.get().close();
      cap.close();
      v.assertClean();
    }
  }

  @Test
  void aTailCallMadeAfterTheCallWasCanceledIsCanceled() {
    CompletableFuture<Void> tailCanceled = new CompletableFuture<>();
    // (the Finish arrives before the tail call's handler starts: it never runs)
    Recorder server = new Recorder("server");
    AtomicReference<CallContext<AnyPointer.Reader, AnyPointer.Builder>> held =
        new AtomicReference<>();
    server.handler = ctx -> {
      held.set(ctx);
      return new CompletableFuture<>();
    };
    try (TwoVats v = new TwoVats(Capability.of(hanging(tailCanceled), loop),
        Capability.of(server, loop))) {
      Capability back = v.server.bootstrap();
      Capability cap = v.client.bootstrap();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(cap, "first").send();
      v.pump();
      p.cancel(false);
      v.pump();
      // the handler does not look at isCanceled() and tail-calls anyway: nobody will ever
      // take these results, so the tail question must not stay open
      held.get().tailCall(call(back, "late tail"));
      v.pump();
      assertThat(v.trace).contains("s->c finish:0"); // Finish follows the tail call at once
      back.close();
      cap.close();
      v.assertClean();
    }
  }
}
