package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Server;
import dev.capnp.runtime.AnyPointer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Capability#weak()}: a non-owning reference and its release notification. */
class WeakCapabilityTest {
  private static final class Nothing extends Server {
    boolean released;

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
      return done();
    }

    @Override
    protected void onRelease() {
      released = true;
    }
  }

  @Test
  void weakReferenceGivesTheSameCapabilityUntilTheLastReleaseThenNotifies() {
    EventLoop loop = EventLoop.manual();
    try {
      Nothing server = new Nothing();
      Capability a = Capability.of(server, loop);
      Capability.Weak weak = a.weak();
      CompletableFuture<Void> released = weak.whenReleased();
      Capability b = weak.get();
      assertThat(b).isNotNull();
      assertThat(b.isSameAs(a)).as("the same capability").isTrue();
      a.close();
      loop.runPending();
      assertThat(released).as("one reference left").isNotDone();
      assertThat(server.released).isFalse();
      b.close();
      loop.runPending();
      assertThat(released).as("last reference released").isDone();
      assertThat(server.released).isTrue();
      assertThat(weak.get()).as("nothing to revive").isNull();
      assertThat(weak.whenReleased()).as("asked after the release").isDone();
    } finally {
      loop.close();
    }
  }

  @Test
  void releaseFromAnotherThreadNotifiesOnTheLoop() throws Exception {
    EventLoop loop = EventLoop.start("weak-test");
    try {
      Capability a = Capability.of(new Nothing(), loop);
      Capability.Weak weak = a.weak();
      CompletableFuture<Boolean> onLoop = weak.whenReleased().thenApply(v -> loop.inLoop());
      a.close();
      assertThat(onLoop.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(weak.get()).isNull();
    } finally {
      loop.close();
    }
  }
}
