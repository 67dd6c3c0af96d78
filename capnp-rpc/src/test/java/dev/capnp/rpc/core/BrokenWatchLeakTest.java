package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.core.TestSupport.TwoVats;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.runtime.AnyPointer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A watch for the breakage of a settled capability (an import, whose connection may be lost; a
 * bridge to a capability of another loop) must not outlive the watcher: closing the handle that
 * made a {@code whenBroken()} watch, cancelling that watch's future, or releasing a cross-loop
 * bridge to an import leaves nothing behind on the connection. On a long-lived connection with
 * many short-lived watches, anything left would pile up until the connection ends.
 */
class BrokenWatchLeakTest {
  private static final int ROUNDS = 500;

  /** Closing handles that made watches: the connection's disconnect signal does not grow. */
  @Test
  void closedWatchesOnAnImportLeaveNothingOnTheConnection() {
    EventLoop loop = EventLoop.manual();
    try (TwoVats v = new TwoVats(null, Capability.of(new Recorder("server")));
        Capability bs = v.client.bootstrap()) {
      v.pump();
      assertThat(bs.whenResolved()).as("the bootstrap import has settled").isDone();
      int before = v.client.whenDisconnected().getNumberOfDependents();
      for (int i = 0; i < ROUNDS; i++) {
        Capability d = bs.dup();
        CompletableFuture<RpcException> f = d.whenBroken();
        loop.runPending();
        d.close();
        loop.runPending();
        assertThat(f).isNotDone();
      }
      assertThat(v.client.whenDisconnected().getNumberOfDependents())
          .as("dependents on the disconnect signal after %d closed watches", ROUNDS)
          .isLessThanOrEqualTo(before + 1);
      CompletableFuture<RpcException> live = bs.whenBroken();
      v.pump();
      v.client.disconnect(RpcException.disconnected("gone"));
      v.pump();
      assertThat(live).as("a watch still registered fires").isDone();
      assertThat(live.join().getMessage()).contains("gone");
    } finally {
      loop.close();
    }
  }

  /** Cancelling the future of a watch stops the watch, the handle staying open. */
  @Test
  void cancelledWatchesOnAnOpenHandleLeaveNothingOnTheConnection() {
    EventLoop loop = EventLoop.manual();
    try (TwoVats v = new TwoVats(null, Capability.of(new Recorder("server")))) {
      try (Capability bs = v.client.bootstrap()) {
        v.pump();
        int before = v.client.whenDisconnected().getNumberOfDependents();
        for (int i = 0; i < ROUNDS; i++) {
          CompletableFuture<RpcException> f = bs.whenBroken();
          loop.runPending();
          assertThat(f.cancel(false)).isTrue();
          loop.runPending();
        }
        assertThat(v.client.whenDisconnected().getNumberOfDependents())
            .as("dependents on the disconnect signal after %d cancelled watches", ROUNDS)
            .isLessThanOrEqualTo(before + 1);
        CompletableFuture<RpcException> live = bs.whenBroken();
        CompletableFuture<RpcException> cancelled = bs.whenBroken();
        cancelled.cancel(false);
        v.pump();
        v.server.disconnect(RpcException.disconnected("peer gone"));
        v.pump();
        assertThat(live).as("a watch still registered fires").isDone();
        assertThat(live.join().getMessage()).contains("peer gone");
        assertThat(cancelled).isCancelled();
      }
    } finally {
      loop.close();
    }
  }

  /**
   * Bridges from another loop to an import watch the import for breakage; releasing them must
   * drop that watch. One bridge kept open still learns that its import broke.
   */
  @Test
  void releasedBridgesToAnImportLeaveNothingOnTheConnection() throws Exception {
    EventLoop app = EventLoop.start("leak-app");
    EventLoop serverLoop = EventLoop.start("leak-server");
    EventLoop clientLoop = EventLoop.start("leak-client");
    RpcConnection client = null;
    RpcConnection server = null;
    try {
      InMemoryTransport[] w = InMemoryTransport.pair(false);
      server = RpcConnection.create(serverLoop, w[1], Capability.of(new Recorder("server"),
          serverLoop), "server");
      client = RpcConnection.create(clientLoop, w[0], null, "client");
      try (Capability bs = client.bootstrap()) {
        bs.whenResolved().get(20, TimeUnit.SECONDS);
        int before = client.whenDisconnected().getNumberOfDependents();
        for (int i = 0; i < ROUNDS; i++) {
          // a promise of the app loop resolved to the import: it reaches it through a bridge
          Capability viaApp = app.submit(() -> Capability.promise(
              CompletableFuture.completedFuture(bs.dup()))).get(20, TimeUnit.SECONDS);
          if (i == 0) {
            try (Response<AnyPointer.Reader> r = call(viaApp, "hello").send()
                .get(20, TimeUnit.SECONDS)) {
              assertThat(text(r.get(), 0)).as("the bridge works").isNotNull();
            }
          }
          viaApp.close();
          settle(app, clientLoop);
        }
        assertThat(client.whenDisconnected().getNumberOfDependents())
            .as("dependents on the disconnect signal after %d released bridges", ROUNDS)
            .isLessThanOrEqualTo(before + 1);
        try (Capability kept = app.submit(() -> Capability.promise(
            CompletableFuture.completedFuture(bs.dup()))).get(20, TimeUnit.SECONDS)) {
          CompletableFuture<RpcException> broken = kept.whenBroken();
          settle(app, clientLoop);
          assertThat(broken).isNotDone();
          client.disconnect(RpcException.disconnected("bridge target gone"));
          assertThat(broken.get(20, TimeUnit.SECONDS).getMessage())
              .contains("bridge target gone");
        }
      }
      server.whenDisconnected().get(20, TimeUnit.SECONDS);
      for (EventLoop l : List.of(app, serverLoop, clientLoop)) {
        assertThat(l.submit(l::uncaughtExceptions).get(20, TimeUnit.SECONDS))
            .as("uncaught exceptions on " + l).isZero();
      }
    } finally {
      if (client != null) {
        client.close();
      }
      app.close();
      serverLoop.close();
      clientLoop.close();
    }
  }

  /** Waits until the tasks already posted to the loops (and those they post) have run. */
  private static void settle(EventLoop... loops) throws Exception {
    for (int round = 0; round < 3; round++) {
      for (EventLoop l : loops) {
        l.submit(() -> null).get(20, TimeUnit.SECONDS);
      }
    }
  }
}
