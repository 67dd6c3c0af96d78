package dev.capnp.rpc;

import dev.capnp.rpc.internal.BrokenClient;
import dev.capnp.rpc.internal.BrokenWatch;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.CrossLoopClient;
import dev.capnp.rpc.internal.ListenerList;
import dev.capnp.rpc.internal.QueuedClient;
import dev.capnp.rpc.internal.ResolutionSignal;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.PointerFactory;
import java.lang.ref.Cleaner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reference-counted handle to a capability (local server, promise, remote import, pipelined
 * answer or broken reference). Each handle is one reference: {@link #close()} releases it,
 * {@link #dup()} makes another. Use try-with-resources to scope a reference. A handle that is
 * garbage collected without being closed is released by a {@link Cleaner} with a warning
 * (naming where it was created when {@code -Dcapnp.rpc.debug=true}). Using a closed handle
 * throws {@link IllegalStateException}.
 *
 * <p>Handles are safe to use from any thread; the work happens on the capability's
 * {@link EventLoop}.
 */
public final class Capability implements AutoCloseable {
  static final Logger LOG = LoggerFactory.getLogger(Capability.class);
  static final Cleaner CLEANER = Cleaner.create();
  static final boolean DEBUG = Boolean.getBoolean("capnp.rpc.debug");

  private final Ref ref;
  private final Cleaner.Cleanable cleanable;

  /** Wraps an owned hook reference. */
  Capability(ClientHook owned) {
    this.ref = new Ref(owned, DEBUG ? new Throwable("capability created here") : null);
    this.cleanable = CLEANER.register(this, ref);
  }

  /** The state shared with the cleaner (must not refer to the handle). */
  private static final class Ref implements Runnable {
    volatile ClientHook hook;
    final Throwable createdAt;
    /** {@link #whenBroken()} watches started through this handle (guarded by {@code this}). */
    private java.util.ArrayList<BrokenWatch> watches;

    Ref(ClientHook hook, Throwable createdAt) {
      this.hook = hook;
      this.createdAt = createdAt;
    }

    /** Registers a watch; {@code false} if the handle is already released. */
    synchronized boolean addWatch(BrokenWatch w) {
      if (hook == null) {
        return false;
      }
      if (watches == null) {
        watches = new java.util.ArrayList<>(1);
      }
      watches.add(w);
      return true;
    }

    /** Forgets a watch that has completed or was cancelled. */
    synchronized void removeWatch(BrokenWatch w) {
      if (watches != null) {
        watches.remove(w);
      }
    }

    /** Stops every watch of this handle (they drop their references and never complete). */
    void stopWatches() {
      java.util.ArrayList<BrokenWatch> w;
      synchronized (this) {
        w = watches;
        watches = null;
      }
      if (w != null) {
        for (BrokenWatch bw : w) {
          bw.stop();
        }
      }
    }

    @Override
    public void run() {
      stopWatches();
      ClientHook h = hook;
      if (h != null) {
        hook = null;
        if (createdAt != null) {
          LOG.warn("capability {} was never closed; releasing it", h, createdAt);
        } else {
          LOG.warn("capability {} was never closed; releasing it"
              + " (run with -Dcapnp.rpc.debug=true to see where it was created)", h);
        }
        h.release();
      }
    }
  }

  /**
   * How many capability references (internal hooks) are alive in this JVM: a leak diagnostic for
   * tests (compare before and after a scenario once everything is released).
   *
   * @return the number of live capability references in this JVM
   */
  public static long liveReferenceCount() {
    return ClientHook.LIVE.get();
  }

  /**
   * A capability served by {@code server} on the current (or default) event loop.
   *
   * @param server the object that handles the calls
   * @return a new handle; the caller owns it
   */
  public static Capability of(Server server) {
    return new Capability(server.hook(EventLoop.currentOrDefault()));
  }

  /**
   * A capability served by {@code server} on {@code loop}.
   *
   * @param server the object that handles the calls
   * @param loop the event loop the calls run on
   * @return a new handle; the caller owns it
   */
  public static Capability of(Server server, EventLoop loop) {
    return new Capability(server.hook(loop));
  }

  /**
   * A broken capability: every call fails with {@code reason}.
   *
   * @param reason the exception every call fails with
   * @return a new broken handle
   */
  public static Capability broken(RpcException reason) {
    return new Capability(new BrokenClient(EventLoop.currentOrDefault(), reason));
  }

  /**
   * The null capability (broken, "null capability").
   *
   * @return a new handle to the null capability
   */
  public static Capability nullCapability() {
    return new Capability(BrokenClient.nullCap(EventLoop.currentOrDefault()));
  }

  /**
   * A local promise: calls queue until {@code target} completes, then go to the capability it
   * yields (this takes ownership of that handle); a failure breaks the promise.
   *
   * @param target completes with the capability the promise resolves to, or fails to break it
   * @return a new promise handle; the caller owns it
   */
  public static Capability promise(CompletionStage<Capability> target) {
    EventLoop loop = EventLoop.currentOrDefault();
    QueuedClient q = new QueuedClient(loop, "local");
    q.addRef();
    target.whenComplete((c, e) -> loop.run(() -> {
      ClientHook h;
      if (e != null) {
        h = new BrokenClient(loop, RpcException.of(e));
      } else if (c == null) {
        h = BrokenClient.nullCap(loop);
      } else {
        h = c.takeHook();
      }
      q.resolve(h);
      q.release();
    }));
    return new Capability(q);
  }

  /**
   * The capability a capability pointer refers to, as a new handle (the null capability for a
   * null pointer). Used by generated code for interface-typed fields.
   *
   * @param pointer a capability pointer (or a null pointer) of a message being read
   * @return a new handle; the caller owns it
   */
  public static Capability fromPointer(AnyPointer.Reader pointer) {
    if (pointer.isNull()) {
      return nullCapability();
    }
    Object c = pointer.getCapability();
    if (c == null) {
      return broken(RpcException.failed("Invalid capability index!"));
    }
    return new Capability(((ClientHook) c).addRef());
  }

  /**
   * Writes this capability into a capability pointer of a message being built (the message's
   * cap table takes its own reference; this handle stays open).
   *
   * @param pointer the pointer to set, in a message with a cap table
   */
  public void writeTo(AnyPointer.Builder pointer) {
    pointer.setCapability(hook());
  }

  /** The hook (borrowed); throws if released. */
  ClientHook hook() {
    ClientHook h = ref.hook;
    if (h == null) {
      throw new IllegalStateException("capability handle already released");
    }
    return h;
  }

  /** Takes the hook out of this handle (closing the handle without releasing the reference). */
  ClientHook takeHook() {
    ClientHook h = hook();
    synchronized (ref) {
      ref.hook = null;
    }
    cleanable.clean();
    return h;
  }

  /**
   * A new handle to the same capability (one more reference).
   *
   * @return a new handle; the caller owns it
   */
  public Capability dup() {
    return new Capability(hook().addRef());
  }

  /**
   * Whether this handle was closed.
   *
   * @return {@code true} once {@link #close()} was called on this handle
   */
  public boolean isReleased() {
    return ref.hook == null;
  }

  /** Releases this reference. Closing twice is an error. */
  @Override
  public void close() {
    ClientHook h = hook();
    synchronized (ref) {
      ref.hook = null;
    }
    ref.stopWatches();
    cleanable.clean();
    h.release();
  }

  /**
   * An untyped request to {@code interfaceId.methodId}.
   *
   * @param interfaceId the 64-bit id of the method's interface
   * @param methodId the method's ordinal within its interface
   * @return a new request with empty params, not yet sent
   */
  public Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> newCall(long interfaceId,
      int methodId) {
    return newCall(interfaceId, methodId, AnyPointer.FACTORY, AnyPointer.FACTORY, p -> p);
  }

  /**
   * A typed request (used by generated clients): params built with {@code params}, results read
   * with {@code results}, pipeline wrapped by {@code pipeline}.
   *
   * @param <P> the params builder type
   * @param <R> the results reader type
   * @param <L> the typed pipeline type
   * @param interfaceId the 64-bit id of the method's interface
   * @param methodId the method's ordinal within its interface
   * @param params builds the params pointer as {@code P}
   * @param results reads the results pointer as {@code R}
   * @param pipeline wraps the untyped pipeline as {@code L}
   * @return a new request with empty params, not yet sent
   */
  public <P, R, L> Request<P, R, L> newCall(long interfaceId, int methodId,
      PointerFactory<P, ?> params, PointerFactory<?, R> results, Function<Pipeline, L> pipeline) {
    return new Request<>(hook().addRef(), interfaceId, (short) methodId, params, results,
        pipeline);
  }

  /**
   * Completes (with the reason) when this capability becomes broken: it is or resolves to a
   * broken capability, or its connection is lost. Never completes for a healthy local object.
   * The watch belongs to this handle: once the handle is closed it holds no reference and the
   * future never completes. Cancelling the future stops the watch, leaving nothing registered
   * (the handle stays open): watches need not pile up on a long-lived handle or connection.
   *
   * @return a future completed with the reason the capability broke
   */
  public CompletableFuture<RpcException> whenBroken() {
    ClientHook h = hook().addRef();
    BrokenWatch w = new BrokenWatch(h.loop);
    if (!ref.addWatch(w)) {
      h.release();
      throw new IllegalStateException("capability handle already released");
    }
    // done (broken) or cancelled: the handle forgets the watch, which drops its registrations
    Ref r = ref;
    w.future.whenComplete((x, e) -> {
      r.removeWatch(w);
      w.stop();
    });
    h.loop.run(() -> {
      w.watch(h);
      h.release();
    });
    return w.future;
  }

  /**
   * Completes when this capability is settled: not (or no longer) a promise. A broken
   * capability is settled too. The wait holds its own reference until then; cancelling the
   * future drops both the wait and the reference (the handle stays open), so waits need not pile
   * up on a long-unresolved promise.
   *
   * @return a future completed once the capability is settled
   */
  public CompletableFuture<Void> whenResolved() {
    ResolvedWait w = new ResolvedWait(hook().addRef());
    EventLoop loop = w.loop;
    w.future.whenComplete((v, e) -> {
      if (w.future.isCancelled()) {
        loop.run(w::finish);
      }
    });
    loop.run(w::check);
    return w.future;
  }

  /**
   * One {@link #whenResolved()}: follows the promise's resolutions (registered on one
   * {@link ResolutionSignal} at a time) until the capability is settled. State confined to the
   * capability's loop.
   */
  private static final class ResolvedWait {
    final CompletableFuture<Void> future = new CompletableFuture<>();
    final EventLoop loop;
    /** The reference waited on, until settled or cancelled. */
    private ClientHook owned;
    /** The registration on the resolution waited for. */
    private ListenerList.Listener listener;

    ResolvedWait(ClientHook owned) {
      this.owned = owned;
      this.loop = owned.loop;
    }

    /** Looks again (on the loop): completes if settled, else waits for the next resolution. */
    void check() {
      listener = null;
      ClientHook o = owned;
      if (o == null) {
        return;
      }
      if (future.isDone()) {
        finish(); // cancelled before the loop got here
        return;
      }
      ResolutionSignal more = ClientHook.shorten(o).demandResolution();
      if (more == null) {
        finish();
        future.complete(null);
        return;
      }
      ListenerList.Listener l = more.add(this::check);
      if (l != null) {
        listener = l;
      }
    }

    /** Drops the registration and the reference (on the loop; harmless twice). */
    void finish() {
      ListenerList.Listener.cancel(listener);
      listener = null;
      ClientHook o = owned;
      if (o != null) {
        owned = null;
        o.release();
      }
    }
  }

  /**
   * The reason this capability is broken now, or {@code null}.
   *
   * @return the reason, or {@code null} if the capability is not broken
   */
  public RpcException problem() {
    return ClientHook.shorten(hook()).brokenReason();
  }

  /**
   * A reference to this capability that does not keep it alive (this handle is unaffected): for
   * caches that hand out the same capability while anyone uses it and must notice when the last
   * user lets go (the seed's {@code when_released}).
   *
   * @return a weak reference to this capability
   */
  public Weak weak() {
    return new Weak(hook());
  }

  /**
   * A non-owning reference to a capability (see {@link Capability#weak()}). The capability is
   * released once every handle and every internal holder (an export to a peer, a message's cap
   * table, a pending call) has let go of it.
   */
  public static final class Weak {
    private final ClientHook hook;

    Weak(ClientHook hook) {
      this.hook = hook;
    }

    /**
     * A new handle to the capability, or {@code null} once its last reference is released.
     *
     * @return a new handle the caller owns, or {@code null} once the capability is released
     */
    public Capability get() {
      return hook.tryAddRef() ? new Capability(hook) : null;
    }

    /**
     * Completes (on the capability's event loop) once its last reference has been released;
     * at once if that has already happened.
     *
     * @return a future completed once the last reference is released
     */
    public CompletableFuture<Void> whenReleased() {
      return hook.whenReleased();
    }

    @Override
    public String toString() {
      return "Capability.Weak(" + hook + ")";
    }
  }

  /**
   * Whether both handles currently lead to the same target (after following promises).
   *
   * @param other another handle, still open
   * @return {@code true} if both lead to the same target now
   */
  public boolean isSameAs(Capability other) {
    return CrossLoopClient.identity(hook()) == CrossLoopClient.identity(other.hook());
  }

  @Override
  public String toString() {
    ClientHook h = ref.hook;
    if (h == null) {
      return "Capability(released)";
    }
    return "Capability(refs=" + h.refCount() + ", " + h.describe() + ")";
  }
}
