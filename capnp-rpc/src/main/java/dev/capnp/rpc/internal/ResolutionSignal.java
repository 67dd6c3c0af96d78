package dev.capnp.rpc.internal;

import dev.capnp.rpc.Capability;
import java.util.concurrent.CompletableFuture;

/**
 * The next resolution of one promise hook: fired once, when {@link ClientHook#getResolved()}
 * becomes non-null. Unlike a {@link CompletableFuture}, a listener can be removed again, so a
 * waiter that goes away (a stopped {@link Capability#whenBroken()} watch, a cancelled
 * {@link Capability#whenResolved()}, a released cross-loop bridge) leaves nothing behind on a
 * promise that may stay unresolved for a long time.
 *
 * <p>Threading: confined to the loop of the promise hook that owns it. {@link #add},
 * cancelling a listener and {@link #fire} run there only; listeners run there, inside
 * {@link #fire} (or inside {@link #add} once fired). The exception is {@link #future()}, for internal callers that
 * wait on the resolution for as long as the promise lives (an export's {@code Resolve}, a pin):
 * it may be asked for from any thread and completes on the loop.
 */
public final class ResolutionSignal {
  private boolean fired;
  private final ListenerList<Void> listeners = new ListenerList<>();
  /** Made on demand by {@link #future()} (guarded by this). */
  private CompletableFuture<Void> future;

  /**
   * Registers {@code action} to run when the promise resolves; if it has resolved already, runs
   * it now and returns {@code null}.
   */
  public ListenerList.Listener add(Runnable action) {
    if (fired) {
      action.run();
      return null;
    }
    return listeners.add(v -> action.run());
  }

  /**
   * A future completing when the signal fires (completed already if it has). Its dependents
   * cannot be removed: only for waits that last as long as the promise may.
   */
  public CompletableFuture<Void> future() {
    synchronized (this) {
      if (future == null) {
        future = new CompletableFuture<>();
        if (fired) {
          future.complete(null);
        }
      }
      return future;
    }
  }

  /**
   * Fires the signal (once; later calls do nothing): the {@link #future()} completes, then each
   * listener is removed and run. A listener removed by an earlier one does not run; one added
   * meanwhile runs at once (see {@link #add}).
   */
  public void fire() {
    CompletableFuture<Void> f;
    synchronized (this) {
      if (fired) {
        return;
      }
      fired = true;
      f = future;
    }
    if (f != null) {
      f.complete(null);
    }
    listeners.fireAll(null, "a resolution listener");
  }

  /** Whether the signal has fired. */
  public boolean hasFired() {
    return fired;
  }

  /** How many waits are registered: listeners, and dependents of the future (a leak diagnostic). */
  public int waiters() {
    CompletableFuture<Void> f;
    synchronized (this) {
      f = future;
    }
    return listeners.size() + (f == null ? 0 : f.getNumberOfDependents());
  }
}
