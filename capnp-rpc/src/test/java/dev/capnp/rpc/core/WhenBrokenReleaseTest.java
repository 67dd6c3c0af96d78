package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.core.TestSupport.TwoVats;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A {@code whenBroken()} watch belongs to its handle: closing the handle drops the watch and the
 * reference it held, and the future never completes (seed "Broken ref 4").
 */
class WhenBrokenReleaseTest extends TestSupport.LoopTest {

  @Test
  void closingThePromiseDropsTheWatch() {
    long before = Capability.liveReferenceCount();
    CompletableFuture<Capability> target = new CompletableFuture<>();
    Capability promise = Capability.promise(target);
    Capability other = promise.dup();
    CompletableFuture<RpcException> problem = promise.whenBroken();
    loop.runPending();
    assertThat(other.toString()).as("handles + resolver + watch").contains("refs=4");
    promise.close();
    loop.runPending();
    assertThat(other.toString()).as("the watch dropped its reference").contains("refs=2");
    other.close();
    assertThat(problem).isNotDone();
    target.complete(Capability.broken(RpcException.failed("Test")));
    loop.runPending();
    assertThat(problem).as("released, not called after the promise broke").isNotDone();
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(before);
  }

  @Test
  void closingFromAnotherThreadDropsTheWatch() throws Exception {
    long before = Capability.liveReferenceCount();
    CompletableFuture<Capability> target = new CompletableFuture<>();
    Capability promise = Capability.promise(target);
    CompletableFuture<CompletableFuture<RpcException>> problem = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      problem.complete(promise.whenBroken());
      promise.close();
    });
    t.start();
    t.join();
    loop.runPending();
    target.complete(Capability.broken(RpcException.failed("Test")));
    loop.runPending();
    assertThat(problem.join()).isNotDone();
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(before);
  }

  @Test
  void aWatchOnAnOpenHandleStillFires() {
    CompletableFuture<Capability> target = new CompletableFuture<>();
    try (Capability promise = Capability.promise(target)) {
      CompletableFuture<RpcException> problem = promise.whenBroken();
      Capability other = promise.dup();
      CompletableFuture<RpcException> otherProblem = other.whenBroken();
      other.close();
      loop.runPending();
      target.complete(Capability.broken(RpcException.failed("Test")));
      loop.runPending();
      assertThat(problem).isDone();
      assertThat(problem.join().getMessage()).contains("Test");
      assertThat(otherProblem).as("the closed duplicate's watch").isNotDone();
    }
  }

  @Test
  void closedImportWatchDoesNotFireOnDisconnect() {
    try (TwoVats v = new TwoVats(null, Capability.of(new Recorder("server")))) {
      Capability bs = v.client.bootstrap();
      CompletableFuture<RpcException> problem = bs.whenBroken();
      v.pump();
      bs.close();
      v.pump();
      v.client.disconnect(RpcException.disconnected("gone"));
      v.pump();
      assertThat(problem).isNotDone();
    }
  }
}
