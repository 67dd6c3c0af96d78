package dev.capnp.rpc.internal;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * The engine behind a capability: a local server, a promise, an import, a pipelined answer, a
 * broken reference. Reference counted (each {@link Capability} handle and each internal holder
 * owns one reference). All methods except {@link #addRef()}/{@link #release()} run on the
 * hook's event loop: a hook's state, and the signals it hands out ({@link #resolutionSignal()},
 * {@link #settledBreakSignal()}), are touched only there. (The few reads other loops make while
 * following a promise's resolution, see {@link CrossLoopClient#bind}, go through volatile
 * fields.)
 */
public abstract class ClientHook {
  /** Hooks created and not yet fully released, JVM-wide (a leak diagnostic). */
  public static final java.util.concurrent.atomic.AtomicLong LIVE =
      new java.util.concurrent.atomic.AtomicLong();
  public final EventLoop loop;
  private final AtomicInteger refs = new AtomicInteger(1);
  /** Completed once destroyed, for {@link Capability.Weak#whenReleased()} (guarded by this). */
  private CompletableFuture<Void> released;
  private boolean destroyed;

  public ClientHook(EventLoop loop) {
    this.loop = loop;
    LIVE.incrementAndGet();
  }

  /** Adds a reference and returns this hook. */
  public final ClientHook addRef() {
    int n;
    do {
      n = refs.get();
      if (n <= 0) {
        throw new IllegalStateException("capability already released: " + describe());
      }
    } while (!refs.compareAndSet(n, n + 1));
    return this;
  }

  /** Adds a reference unless the hook is already released; whether it did. */
  public final boolean tryAddRef() {
    int n;
    do {
      n = refs.get();
      if (n <= 0) {
        return false;
      }
    } while (!refs.compareAndSet(n, n + 1));
    return true;
  }

  /** Drops a reference; the last one destroys the hook on its loop. */
  public final void release() {
    int n = refs.decrementAndGet();
    if (n == 0) {
      LIVE.decrementAndGet();
      if (loop.inLoop()) {
        destroyAndNotify();
      } else {
        loop.execute(this::destroyAndNotify);
      }
    } else if (n < 0) {
      throw new IllegalStateException("capability released too often: " + describe());
    }
  }

  private void destroyAndNotify() {
    try {
      destroy();
    } finally {
      CompletableFuture<Void> f;
      synchronized (this) {
        destroyed = true;
        f = released;
      }
      if (f != null) {
        f.complete(null);
      }
    }
  }

  /** Completes (on the loop) once the last reference is gone and the hook is destroyed. */
  public final synchronized CompletableFuture<Void> whenReleased() {
    if (released == null) {
      released = new CompletableFuture<>();
      if (destroyed) {
        released.complete(null);
      }
    }
    return released;
  }

  /** The current reference count. */
  public final int refCount() {
    return refs.get();
  }

  /** Whether the hook still has references. */
  public final boolean isLive() {
    return refs.get() > 0;
  }

  /** Starts a call (on the loop). Takes ownership of {@code params}. */
  public abstract CallResult call(CallParams params);

  /**
   * Starts a call whose caller wants only its outcome, no promise and no pipeline (on the
   * loop; takes ownership of {@code params}): {@code listener} runs once, with the results or
   * the failure, on the thread that completes the call (this hook's loop for a call over a
   * connection). The results are the listener's only while it runs: they are released when it
   * returns, unless it {@link Results#hold()}s them (then {@link Results#unhold()} once done).
   * What the listener read from them (readers, capabilities it took) stays valid.
   *
   * <p>A capability of a connection answers it without a promise, a pipeline or a results
   * object per call (issue 12: the protocol core allocates nothing for such a call). By
   * default, {@link #call} with its pipeline released at once.
   *
   * @param params the call's params
   * @param listener called once with the results or the failure
   */
  public void callForResults(CallParams params, BiConsumer<Results, Throwable> listener) {
    callForResultsViaPromise(this, params, listener);
  }

  /**
   * {@link #callForResults} through {@code target}'s {@link #call}: the default, and the way of
   * a connection's capability for the calls that need a promise (streaming, tail calls).
   *
   * @param target the capability called
   * @param params the call's params
   * @param listener called once with the results or the failure
   */
  public static void callForResultsViaPromise(ClientHook target, CallParams params,
      BiConsumer<Results, Throwable> listener) {
    CallResult cr;
    try {
      cr = target.call(params);
    } catch (RuntimeException e) {
      cr = CallResult.broken(target.loop, RpcException.of(e));
    }
    cr.pipeline().release();
    BiConsumer<Results, Throwable> once = (r, e) -> {
      try {
        listener.accept(r, e);
      } finally {
        if (r != null) {
          r.unhold();
        }
      }
    };
    if (!cr.listenOnce(once)) {
      cr.promise().whenComplete(once);
    }
  }

  /** The hook this one now forwards to (a resolved promise), or {@code null}. */
  public ClientHook getResolved() {
    return null;
  }

  /**
   * For an unresolved promise, the signal that fires when {@link #getResolved()} becomes
   * non-null; {@code null} for a settled hook (or a promise that has resolved). The signal is
   * confined to this hook's loop: waiters add their listener there and remove it when they go
   * away (see {@link ResolutionSignal}), so that nothing piles up on a long-unresolved promise.
   *
   * <p>Implementations read only state published safely (final or volatile fields), so that
   * whether a hook is still a promise may be asked from any thread ({@link CrossLoopClient#bind});
   * using the signal is for the loop only.
   */
  public ResolutionSignal resolutionSignal() {
    return null;
  }

  /**
   * {@link #resolutionSignal()} for a waiter that wants the resolution to happen (a
   * {@link Capability#whenResolved()}): a promise that resolves only on demand starts resolving
   * now. The one such hook is a deferred third-party capability (Level 3), which starts its
   * handoff, as a call would (rpc.c++'s {@code whenMoreResolved} does the same). Other waiters
   * (a {@link Capability#whenBroken()} watch, an export following a promise) use
   * {@link #resolutionSignal()} and start nothing. Called on the loop.
   *
   * @return the signal of the next resolution, or {@code null} for a settled hook
   */
  public ResolutionSignal demandResolution() {
    return resolutionSignal();
  }

  /**
   * For unresolved promises, a future completing (on the loop) when {@link #getResolved()}
   * becomes non-null; {@code null} for settled hooks. Its dependents stay until the promise
   * resolves: a waiter that may go away earlier uses {@link #resolutionSignal()} instead.
   */
  public final CompletableFuture<Void> whenMoreResolved() {
    ResolutionSignal s = resolutionSignal();
    return s == null ? null : s.future();
  }

  /**
   * How many waits are registered on this promise's next resolution (0 for a settled hook); a
   * leak diagnostic for tests. Called on the loop.
   */
  public final int resolutionWaiters() {
    ResolutionSignal s = resolutionSignal();
    return s == null ? 0 : s.waiters();
  }

  /** The reason this hook is broken, or {@code null}. */
  public RpcException brokenReason() {
    return null;
  }

  /**
   * For a settled hook that may still break later (an import or pipelined answer, whose
   * connection can be lost; a bridge to a capability of another loop): the signal that fires
   * with the reason when it breaks; otherwise {@code null}. The signal is confined to this
   * hook's loop (add and remove listeners there, see {@link BreakSignal}) and may be shared by
   * many hooks and outlive this one (a connection's), so a watcher must remove its listener
   * when it goes away. Called on the loop.
   */
  public BreakSignal settledBreakSignal() {
    return null;
  }

  /** The connection this hook points into, or {@code null} for local hooks. */
  public Object brand() {
    return null;
  }

  /** Called once on the loop when the last reference is dropped. */
  public void destroy() {
  }

  /** A short description for {@code toString()} and dumps. */
  public abstract String describe();

  /** Follows resolved promises to the most resolved hook (no reference change). */
  public static ClientHook shorten(ClientHook h) {
    ClientHook n;
    while ((n = h.getResolved()) != null) {
      h = n;
    }
    return h;
  }

  @Override
  public String toString() {
    return describe() + "#" + refs.get();
  }
}
