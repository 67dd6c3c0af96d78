package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.core.TestSupport.TwoVats;
import dev.capnp.runtime.AnyPointer;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Waits on the next resolution of a promise must not outlive the waiter: a stopped
 * {@code whenBroken()} watch, a cancelled {@code whenResolved()} and a released cross-loop bridge
 * leave nothing registered on a promise that may stay unresolved for a long time (a local
 * promise, an import of the peer's promise). With many short-lived waiters, anything left would
 * pile up until the promise resolves.
 *
 * <p>The number of registered waits is read through the package-private diagnostic
 * {@code ClientHook.resolutionWaiters()} (by reflection, on the promise's own loop).
 */
class ResolutionWaitLeakTest {
  private static final int ROUNDS = 500;

  /** whenBroken() watches on a local promise, cancelled or closed with their handle. */
  @Test
  void stoppedWatchesOnALocalPromiseLeaveNothingRegistered() {
    EventLoop loop = EventLoop.manual();
    try {
      CompletableFuture<Capability> never = new CompletableFuture<>();
      try (Capability p = Capability.promise(never)) {
        loop.runPending();
        int before = waiters(p);
        int refs = refs(p);
        for (int i = 0; i < ROUNDS; i++) {
          CompletableFuture<RpcException> f = p.whenBroken();
          loop.runPending();
          assertThat(f.cancel(false)).isTrue();
          loop.runPending();
          Capability d = p.dup();
          CompletableFuture<RpcException> g = d.whenBroken();
          loop.runPending();
          d.close();
          loop.runPending();
          assertThat(g).isNotDone();
        }
        assertThat(waiters(p))
            .as("waits on the promise after %d cancelled and %d closed watches", ROUNDS, ROUNDS)
            .isLessThanOrEqualTo(before + 1);
        assertThat(refs(p)).as("references to %s", p).isEqualTo(refs);
        CompletableFuture<RpcException> live = p.whenBroken();
        loop.runPending();
        never.complete(Capability.broken(RpcException.failed("promise broke")));
        loop.runPending();
        assertThat(live).as("a watch still registered fires").isDone();
        assertThat(live.join().getMessage()).contains("promise broke");
      }
      loop.runPending();
    } finally {
      loop.close();
    }
  }

  /** Cancelling whenResolved() drops its wait (and its reference) at once. */
  @Test
  void cancelledWhenResolvedOnALocalPromiseLeavesNothingRegistered() {
    EventLoop loop = EventLoop.manual();
    try {
      CompletableFuture<Capability> never = new CompletableFuture<>();
      try (Capability p = Capability.promise(never)) {
        loop.runPending();
        int before = waiters(p);
        int refs = refs(p);
        for (int i = 0; i < ROUNDS; i++) {
          CompletableFuture<Void> f = p.whenResolved();
          loop.runPending();
          assertThat(f.cancel(false)).isTrue();
          loop.runPending();
        }
        assertThat(waiters(p))
            .as("waits on the promise after %d cancelled whenResolved()", ROUNDS)
            .isLessThanOrEqualTo(before + 1);
        assertThat(refs(p)).as("references to %s", p).isEqualTo(refs);
        // cancelled before the loop got to it
        CompletableFuture<Void> early = p.whenResolved();
        early.cancel(false);
        CompletableFuture<Void> live = p.whenResolved();
        loop.runPending();
        assertThat(waiters(p)).isLessThanOrEqualTo(before + 1);
        Recorder server = new Recorder("server");
        never.complete(Capability.of(server));
        loop.runPending();
        assertThat(live).as("a wait still registered completes").isDone();
        assertThat(early).isCancelled();
      }
      loop.runPending();
    } finally {
      loop.close();
    }
  }

  /**
   * The same for a promise imported from the peer (the peer's bootstrap is its own promise):
   * watches and waits that went away leave nothing on the import.
   */
  @Test
  void stoppedWaitsOnAnImportedPromiseLeaveNothingRegistered() {
    EventLoop loop = EventLoop.manual();
    CompletableFuture<Capability> never = new CompletableFuture<>();
    try (TwoVats v = new TwoVats(null, Capability.promise(never))) {
      try (Capability bs = v.client.bootstrap()) {
        v.pump();
        assertThat(bs.whenResolved()).as("the import is still a promise").isNotDone();
        v.pump();
        int before = waiters(bs);
        for (int i = 0; i < ROUNDS; i++) {
          CompletableFuture<RpcException> f = bs.whenBroken();
          CompletableFuture<Void> r = bs.whenResolved();
          v.pump();
          f.cancel(false);
          r.cancel(false);
          v.pump();
        }
        assertThat(waiters(bs))
            .as("waits on the imported promise after %d cancelled watches and waits", ROUNDS)
            .isLessThanOrEqualTo(before + 1);
        CompletableFuture<RpcException> live = bs.whenBroken();
        v.pump();
        never.complete(Capability.broken(RpcException.failed("peer promise broke")));
        v.pump();
        assertThat(live).as("a watch still registered fires").isDone();
        assertThat(live.join().getMessage()).contains("peer promise broke");
      }
      v.assertClean();
    } finally {
      loop.close();
    }
  }

  /**
   * An export of a promise waits for its resolution to send the Resolve; an export the peer
   * released drops that wait (before: one wait per export until the promise resolved).
   */
  @Test
  void releasedExportsOfAPromiseLeaveNothingRegistered() {
    EventLoop loop = EventLoop.manual();
    CompletableFuture<Capability> never = new CompletableFuture<>();
    Capability p = Capability.promise(never);
    try (TwoVats v = new TwoVats(null, p.dup())) {
      v.pump();
      int before = waiters(p);
      for (int i = 0; i < ROUNDS; i++) {
        try (Capability bs = v.client.bootstrap()) {
          v.pump();
        }
        v.pump();
      }
      assertThat(waiters(p))
          .as("waits on the exported promise after %d released exports", ROUNDS)
          .isLessThanOrEqualTo(before + 1);
      try (Capability bs = v.client.bootstrap()) {
        v.pump();
        CompletableFuture<Void> resolved = bs.whenResolved();
        never.complete(Capability.broken(RpcException.failed("exported promise broke")));
        v.pump();
        assertThat(resolved).as("a live export still sends its Resolve").isDone();
        assertThat(bs.problem()).isNotNull();
      }
      p.close(); // (before the leak check: its resolution was made during the scenario)
      v.pump();
      v.assertClean();
    } finally {
      loop.close();
    }
  }

  /**
   * Bridges from another loop to a promise wait for its resolution on the promise's loop;
   * releasing them must drop that wait. One bridge kept open still follows the resolution.
   */
  @Test
  void releasedBridgesToAPromiseLeaveNothingRegistered() throws Exception {
    EventLoop app = EventLoop.start("resolution-leak-app");
    EventLoop home = EventLoop.start("resolution-leak-home");
    CompletableFuture<Capability> never = new CompletableFuture<>();
    try {
      Capability p = on(home, () -> Capability.promise(never));
      try {
        int before = on(home, () -> waiters(p));
        for (int i = 0; i < ROUNDS; i++) {
          // a promise of the app loop resolved to the home promise: it reaches it through a bridge
          Capability viaApp = on(app, () -> Capability.promise(
              CompletableFuture.completedFuture(p.dup())));
          settle(app, home);
          viaApp.close();
          settle(app, home);
        }
        assertThat(on(home, () -> waiters(p)))
            .as("waits on the promise after %d released bridges", ROUNDS)
            .isLessThanOrEqualTo(before + 1);
        try (Capability kept = on(app, () -> Capability.promise(
            CompletableFuture.completedFuture(p.dup())))) {
          CompletableFuture<Void> resolved = kept.whenResolved();
          settle(app, home);
          assertThat(resolved).isNotDone();
          Recorder server = new Recorder("server");
          never.complete(Capability.of(server, home));
          resolved.get(20, TimeUnit.SECONDS);
          try (Response<AnyPointer.Reader> r = call(kept, "hello").send()
              .get(20, TimeUnit.SECONDS)) {
            assertThat(text(r.get(), 0)).isEqualTo("got:hello");
          }
        }
      } finally {
        p.close();
      }
      settle(app, home);
      for (EventLoop l : List.of(app, home)) {
        assertThat(on(l, l::uncaughtExceptions)).as("uncaught exceptions on " + l).isZero();
      }
    } finally {
      app.close();
      home.close();
    }
  }

  /** Runs {@code task} on {@code loop} and waits for its value. */
  private static <T> T on(EventLoop loop, Supplier<T> task) throws Exception {
    return loop.submit(task).get(20, TimeUnit.SECONDS);
  }

  /** Waits until the tasks already posted to the loops (and those they post) have run. */
  private static void settle(EventLoop... loops) throws Exception {
    for (int round = 0; round < 3; round++) {
      for (EventLoop l : loops) {
        l.submit(() -> null).get(20, TimeUnit.SECONDS);
      }
    }
  }

  /** The reference count {@code c.toString()} shows. */
  private static int refs(Capability c) {
    Matcher m = Pattern.compile("refs=(\\d+)").matcher(c.toString());
    assertThat(m.find()).as("reference count in %s", c).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /**
   * How many waits are registered on the next resolution of the promise {@code c} leads to now
   * (its most resolved hook); call on that hook's loop.
   */
  static int waiters(Capability c) {
    try {
      Method hook = Capability.class.getDeclaredMethod("hook");
      hook.setAccessible(true);
      Class<?> hookClass = Class.forName("dev.capnp.rpc.internal.ClientHook");
      Method shorten = hookClass.getDeclaredMethod("shorten", hookClass);
      shorten.setAccessible(true);
      Object s = shorten.invoke(null, hook.invoke(c));
      Method signal = hookClass.getDeclaredMethod("resolutionSignal");
      signal.setAccessible(true);
      assertThat(signal.invoke(s)).as("%s is still an unresolved promise", c).isNotNull();
      Method waiters = hookClass.getDeclaredMethod("resolutionWaiters");
      waiters.setAccessible(true);
      return (Integer) waiters.invoke(s);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
