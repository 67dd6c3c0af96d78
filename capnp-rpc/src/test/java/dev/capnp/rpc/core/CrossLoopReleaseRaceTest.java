package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A bridge to a promise of another loop, released while the news that its target broke is on
 * its way to the bridge's loop, must not keep the broken replacement it is handed (found by the
 * RPC state-machine fuzzer's threaded mode as one leaked reference). The two loops run on
 * executors this test drives by hand, so the interleaving is fixed.
 */
class CrossLoopReleaseRaceTest {
  private final ArrayDeque<Runnable> tasksA = new ArrayDeque<>();
  private final ArrayDeque<Runnable> tasksB = new ArrayDeque<>();
  private final EventLoop a = EventLoop.onExecutor("a", tasksA::add, Thread.currentThread());
  private final EventLoop b = EventLoop.onExecutor("b", tasksB::add, Thread.currentThread());

  private void runAll(ArrayDeque<Runnable> q) {
    Runnable r;
    while ((r = q.poll()) != null) {
      r.run();
    }
  }

  /** Creates a local promise on {@code loop} (run by draining {@code q}). */
  private Capability promiseOn(EventLoop loop, ArrayDeque<Runnable> q,
      CompletableFuture<Capability> target) {
    AtomicReference<Capability> c = new AtomicReference<>();
    loop.execute(() -> c.set(Capability.promise(target)));
    runAll(q);
    return c.get();
  }

  @Test
  void bridgeReleasedWhileItsTargetBreaksKeepsNothing() {
    long before = Capability.liveReferenceCount();
    CompletableFuture<Capability> onB = new CompletableFuture<>();
    CompletableFuture<Capability> onA = new CompletableFuture<>();
    Capability promiseB = promiseOn(b, tasksB, onB);
    Capability promiseA = promiseOn(a, tasksA, onA);
    onA.complete(promiseB.dup()); // promiseA now follows promiseB through a bridge a -> b
    runAll(tasksA);
    runAll(tasksB);
    onB.completeExceptionally(RpcException.failed("broken on b"));
    runAll(tasksB); // b tells a that the target broke: a task now waits on a
    promiseA.close(); // ... while a lets the bridge go
    promiseB.close();
    runAll(tasksA);
    runAll(tasksB);
    runAll(tasksA);
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(before);
    a.close();
    b.close();
  }
}
