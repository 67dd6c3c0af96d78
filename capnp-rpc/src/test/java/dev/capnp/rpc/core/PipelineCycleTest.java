package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.runtime.AnyPointer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A call answered by a tail call on its own pipelined result waits on itself: it must fail with
 * a cycle error, not recurse until the stack overflows (found by the RPC state-machine fuzzer).
 */
class PipelineCycleTest extends TestSupport.LoopTest {

  @Test
  void tailCallOnOwnPipelinedResultFailsAsACycle() {
    Recorder server = new Recorder("server");
    AtomicReference<CallContext<AnyPointer.Reader, AnyPointer.Builder>> held =
        new AtomicReference<>();
    CompletableFuture<Void> answer = new CompletableFuture<>();
    server.handler = ctx -> {
      if (held.get() == null) {
        held.set(ctx);
        return answer;
      }
      return TestSupport.echo(ctx, "second");
    };
    long before = Capability.liveReferenceCount();
    Capability cap = Capability.of(server);
    ResponsePromise<AnyPointer.Reader, Pipeline> p = call(cap, "first").send();
    Capability own = p.getPipelinedCap(1);
    loop.runPending();
    assertThat(held.get()).isNotNull();
    CompletionStage<Void> tail = held.get().tailCall(call(own, "loop"));
    tail.whenComplete((v, e) -> answer.complete(null));
    loop.runPending();
    assertThat(p).isCompletedExceptionally();
    assertThat(p.handle((r, e) -> e.getMessage()).join()).contains("cycle");
    ResponsePromise<AnyPointer.Reader, Pipeline> viaOwn = call(own, "after").send();
    loop.runPending();
    assertThat(viaOwn).isCompletedExceptionally();
    own.close();
    cap.close();
    loop.runPending();
    assertThat(server.log).containsExactly("first");
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(before);
  }
}
