package dev.capnp.rpc.internal;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import java.util.concurrent.CompletableFuture;

/**
 * A capability that belongs to another event loop, as seen from this one.
 *
 * <p>Threading rule: a {@link ClientHook}'s state is confined to its own loop. Handles
 * ({@link Capability}) respect that by posting work to the hook's loop, but the protocol core
 * also calls hooks directly: a connection delivers calls to the capabilities it exported, a
 * promise forwards its queued calls to its resolution, a pipeline hands out the capabilities of
 * results. When such a hook comes from another loop (a service created on the main thread and
 * served by a vat whose connections run on a Netty thread; a promise of one vat resolved to a
 * capability of another), it is wrapped in this bridge at the point where it enters the other
 * loop's state, by {@link #bind}. The places that do so are: exports
 * ({@code ExportTable.writeDescriptor}), capabilities read out of results
 * ({@link Results#capAt}), promise resolution ({@link QueuedClient#resolve}) and tail calls.
 *
 * <p>The bridge lives on the loop that uses it ({@link #loop}). Each call is posted to the
 * target's loop; the results, the capabilities pipelined on them and cancellation travel back
 * and forth the same way. E-order holds because each loop runs its queue in FIFO order. The
 * bridge to a promise is itself a promise: when the target resolves it resolves too, after a
 * local embargo that keeps E-order (see {@link #targetResolved}), so that exports of it send
 * {@code Resolve} and paths are shortened as within one loop. A bridge to a settled capability
 * is settled; if its target breaks, {@link #brokenReason()} says so and
 * {@link Capability#whenBroken()} completes.
 */
public final class CrossLoopClient extends ClientHook {
  /** The capability on its own loop (one reference, owned; released on that loop). */
  public final ClientHook target;
  /** The foreign hook this bridge was made for (its key in the loop's bridges; no reference). */
  private final ClientHook key;
  /** Whether the target was an unresolved promise when it was bridged. */
  private final boolean promise;
  /** Settled bridges: watches {@link #target} on its loop for breakage; else null. */
  private final BrokenWatch watch;
  /** Settled bridges: the target's failure once known (written there, read anywhere). */
  private volatile RpcException broken;
  /**
   * Settled bridges: fires (on this loop) when the target is known to be broken; watchers of
   * this bridge listen to it. Else null.
   */
  private final BreakSignal brokenSignal;
  /** Promise bridges: what calls go to once the target has resolved (a hook of this loop). */
  private volatile ClientHook resolved;
  /** Promise bridges: fires on this loop when {@link #resolved} is set; else null. */
  private final ResolutionSignal resolution;
  /**
   * Promise bridges, on the target's loop only: the registration on the next resolution of the
   * target (its most resolved hook), cancelled when the bridge is destroyed.
   */
  private ListenerList.Listener targetWaitListener;
  private volatile boolean destroyed;

  private CrossLoopClient(EventLoop loop, ClientHook key, ClientHook target, boolean promise) {
    super(loop);
    this.key = key;
    this.target = target;
    this.promise = promise;
    if (promise) {
      this.watch = null;
      this.brokenSignal = null;
      this.resolution = new ResolutionSignal();
    } else {
      this.resolution = null;
      this.brokenSignal = new BreakSignal();
      // the watch lives on the target's loop and is stopped (its listener removed from the
      // target's signal, e.g. its connection's) when this bridge is destroyed
      this.watch = new BrokenWatch(target.loop);
      watch.future.thenAccept(r -> {
        broken = r;
        loop.execute(() -> brokenSignal.fire(r));
      });
    }
  }

  /** Starts following the target on its loop (its resolution, or its breakage). */
  private void start() {
    if (promise) {
      target.loop.execute(this::awaitTargetResolution);
    } else {
      target.loop.execute(() -> watch.watch(target));
    }
  }

  /**
   * {@code owned} as a hook usable on {@code loop}: itself when it belongs to {@code loop};
   * otherwise the most resolved hook it leads to when that one belongs to {@code loop} (a
   * promise of another loop that resolved back here, a bridge leading back here); otherwise a
   * bridge to it. Takes over the reference and returns an owned one.
   *
   * <p>Following another loop's promises from here is safe because a promise's resolution is
   * published once, through a volatile field, and never changes; a promise that resolves just
   * after the look is followed by the bridge itself.
   */
  public static ClientHook bind(EventLoop loop, ClientHook owned) {
    if (owned == null || owned.loop == loop) {
      return owned;
    }
    // a bridge already made for this hook is kept: calls through it may still be on their way,
    // and a shorter route found now could overtake them
    CrossLoopClient known = ApiAccess.get().bridges(loop).get(owned);
    if (known != null && known.tryAddRef()) {
      owned.release();
      return known;
    }
    // a consistent look at the other loop's hook: the most resolved one, and whether it is a
    // promise (if it resolved between the two questions, look again)
    ClientHook s;
    boolean isPromise;
    do {
      s = ClientHook.shorten(owned);
      isPromise = s.resolutionSignal() != null;
    } while (!isPromise && s.getResolved() != null);
    ClientHook bound;
    if (s.loop == loop) {
      bound = s.addRef();
    } else if (s instanceof CrossLoopClient && ((CrossLoopClient) s).target.loop == loop) {
      bound = ((CrossLoopClient) s).target.addRef();
    } else if (s instanceof BrokenClient) {
      bound = new BrokenClient(loop, ((BrokenClient) s).reason);
    } else {
      bound = bridgeTo(loop, owned, s, isPromise);
    }
    owned.release();
    return bound;
  }

  /**
   * The bridge from {@code loop} to {@code s} (borrowed), the most resolved hook of
   * {@code key} (borrowed): one per key while it is alive.
   */
  private static ClientHook bridgeTo(EventLoop loop, ClientHook key, ClientHook s,
      boolean isPromise) {
    CrossLoopClient[] made = new CrossLoopClient[1];
    CrossLoopClient b = ApiAccess.get().bridges(loop).compute(key, (k, old) -> {
      if (old != null && old.tryAddRef()) {
        return old;
      }
      made[0] = new CrossLoopClient(loop, key, s.addRef(), isPromise);
      return made[0];
    });
    if (made[0] != null) {
      made[0].start();
    }
    return b;
  }

  /**
   * The hook that decides the identity of {@code h}: promises followed and bridges unwrapped (no
   * reference change).
   */
  public static ClientHook identity(ClientHook h) {
    for (int i = 0; i < 1000; i++) {
      h = ClientHook.shorten(h);
      if (!(h instanceof CrossLoopClient)) {
        return h;
      }
      h = ((CrossLoopClient) h).target;
    }
    return h;
  }

  /**
   * Promise bridges, on the target's loop: waits until the target is settled (the wait is
   * removed by {@link #releaseTarget} if the bridge goes first).
   */
  private void awaitTargetResolution() {
    targetWaitListener = null;
    if (destroyed) {
      return;
    }
    ClientHook s = ClientHook.shorten(target);
    ResolutionSignal more = s.resolutionSignal();
    if (more != null) {
      // (the hooks the target leads to are of its loop, like the signal)
      ListenerList.Listener l = more.add(this::awaitTargetResolution);
      if (l != null) {
        targetWaitListener = l;
      }
      return;
    }
    RpcException b = s.brokenReason();
    if (b != null) {
      loop.execute(() -> targetResolved(new BrokenClient(loop, b), null, null));
      return;
    }
    ClientHook direct = s.addRef();
    // the loop the target's loop forwards calls to from now on
    EventLoop via = s instanceof CrossLoopClient ? ((CrossLoopClient) s).target.loop : s.loop;
    loop.execute(() -> targetResolved(null, direct, via));
  }

  /**
   * Promise bridges, on this loop: the target has resolved. Calls this bridge already sent to
   * the target's loop travel on from there to the resolution; later calls must not overtake
   * them, so they wait in a local embargo until a marker has followed the same path (this loop,
   * the target's loop, the resolution's loop, back here). Each loop runs its tasks in order, so
   * the marker arrives after every earlier call has been delivered.
   */
  private void targetResolved(ClientHook brokenReplacement, ClientHook direct, EventLoop via) {
    if (destroyed) {
      // (the bridge was released while the resolution was on its way here)
      if (direct != null) {
        direct.release();
      }
      if (brokenReplacement != null) {
        brokenReplacement.release();
      }
      return;
    }
    if (brokenReplacement != null) {
      resolved = brokenReplacement;
      resolution.fire();
      return;
    }
    QueuedClient embargo = new QueuedClient(loop, "cross-loop embargo");
    embargo.addRef(); // the marker's
    resolved = embargo;
    resolution.fire();
    target.loop.execute(() -> via.execute(() -> loop.execute(() -> {
      embargo.resolve(direct);
      embargo.release();
    })));
  }

  /** Once resolved to a hook of this loop, its way; else the default. */
  @Override
  public void callForResults(CallParams params,
      java.util.function.BiConsumer<Results, Throwable> listener) {
    assert loop.inLoop() : "called off its loop: " + this;
    ClientHook r = resolved;
    if (r != null) {
      r.callForResults(params, listener);
    } else {
      callForResultsViaPromise(this, params, listener);
    }
  }

  @Override
  public CallResult call(CallParams params) {
    assert loop.inLoop() : "called off its loop: " + this;
    ClientHook r = resolved;
    if (r != null) {
      return r.call(params);
    }
    // the target's side must not build its results into, or redirect them to, an answer of
    // this loop's connection: it gets plain results, which come back as a value; and the
    // params go to another loop: never recycled by a connection of this one
    params.escaped = true;
    params.tailCallFrom = null;
    params.answerConnection = null;
    params.resultsAllocator = ResultsAllocator.PLAIN;
    BridgedCall c = new BridgedCall(this);
    ClientHook t = target.addRef();
    target.loop.execute(() -> c.start(t, params));
    return c;
  }

  @Override
  public ClientHook getResolved() {
    return resolved;
  }

  @Override
  public ResolutionSignal resolutionSignal() {
    return promise && resolved == null ? resolution : null;
  }

  @Override
  public RpcException brokenReason() {
    ClientHook r = resolved;
    return r != null ? r.brokenReason() : broken;
  }

  @Override
  public BreakSignal settledBreakSignal() {
    return brokenSignal;
  }

  @Override
  public void destroy() {
    destroyed = true;
    ApiAccess.get().bridges(loop).remove(key, this);
    ClientHook r = resolved;
    if (r != null) {
      r.release();
    }
    if (watch != null) {
      watch.stop();
    }
    // released on its own loop, after any task of this bridge already posted there
    target.loop.execute(this::releaseTarget);
  }

  /**
   * On the target's loop, once the bridge is destroyed: drops the wait on the target's
   * resolution (a promise may outlive many bridges to it) and the reference.
   */
  private void releaseTarget() {
    ListenerList.Listener.cancel(targetWaitListener);
    targetWaitListener = null;
    target.release();
  }

  @Override
  public String describe() {
    ClientHook r = resolved;
    if (r != null) {
      return "resolved(cross-loop -> " + r.describe() + ")";
    }
    return (promise ? "cross-loop promise(" : "cross-loop(") + target.loop + ": "
        + target.describe() + ")";
  }

  /**
   * One call through the bridge. The caller's side (on the bridge's loop) holds {@link #promise}
   * and {@link #pipeline}; the target's side (on the target's loop) holds {@link #remote}, the
   * call as the target started it. Results are handed over to the caller's loop, which owns
   * them from then on; the target's loop never reads them.
   *
   * <p>Capabilities pipelined on the call are answered on the caller's loop from the handed-over
   * results: calls made on them before the results arrive wait there. (Asking the target's
   * pipeline instead would save that wait but would give a second path to the same capability,
   * next to the one through the results, and calls on the two paths could overtake each other.)
   */
  private static final class BridgedCall implements CallResult {
    /** The call's promise (this is its own call result: no pair per call). */
    @Override
    public CompletableFuture<Results> promise() {
      return promise;
    }

    /** The call's pipeline. */
    @Override
    public PipelineHook pipeline() {
      return pipeline;
    }

    public final EventLoop home;
    public final EventLoop away;
    public final CompletableFuture<Results> promise = new CompletableFuture<>();
    public final BridgedPipeline pipeline = new BridgedPipeline(this);
    /** The call on the target's loop (touched there only). */
    private CallResult remote;
    /**
     * The capability handed out for each pointer path (one reference each, the map's, until the
     * pipeline is released; home loop only): every take of a path gets the same one, so calls
     * through it cannot overtake each other by taking different routes.
     */
    private java.util.HashMap<String, ClientHook> taken;
    /** The capabilities of paths taken before the results arrived (one reference each). */
    private java.util.HashMap<String, Waiting> waiting;
    private boolean pipelineReleased;

    public BridgedCall(CrossLoopClient bridge) {
      this.home = bridge.loop;
      this.away = bridge.target.loop;
      promise.whenComplete((r, e) -> {
        if (promise.isCancelled()) {
          away.execute(this::cancelRemote);
        }
      });
    }

    /** Starts the call on the target's loop. */
    public void start(ClientHook t, CallParams params) {
      CallResult r;
      try {
        r = t.call(params);
      } catch (RuntimeException e) {
        r = CallResult.broken(away, RpcException.of(e));
      }
      t.release();
      remote = r;
      r.promise().whenComplete((res, e) -> home.execute(() -> arrived(res, e)));
    }

    /** The results (or failure) reached the caller's loop. */
    private void arrived(Results res, Throwable e) {
      boolean taken = e == null && !promise.isDone();
      if (e != null) {
        promise.completeExceptionally(RpcException.of(e));
      }
      // pipelined capabilities resolve before anyone sees the results (the caller's answer
      // may describe the same capabilities to its peer as soon as the promise completes)
      resolveWaiting(res, e);
      if (e == null && (!taken || !promise.complete(res))) {
        res.release();
      }
    }

    private void resolveWaiting(Results res, Throwable e) {
      java.util.HashMap<String, Waiting> w = waiting;
      waiting = null;
      if (w == null) {
        return;
      }
      for (Waiting wt : w.values()) {
        QueuedClient q = wt.cap;
        if (e != null) {
          q.resolve(new BrokenClient(home, RpcException.of(e)));
        } else {
          q.resolve(res.capAt(wt.ops, home));
        }
        q.release(); // the waiting map's
      }
    }

    private void cancelRemote() {
      if (remote != null) {
        remote.promise().cancel(false);
      }
    }

    /** A pipelined capability for the caller (see the class comment). */
    public ClientHook take(short[] ops) {
      String key = java.util.Arrays.toString(ops); // as RpcPipeline keys its paths
      ClientHook known = taken == null ? null : taken.get(key);
      if (known != null) {
        return known.addRef();
      }
      ClientHook h;
      if (pipelineReleased && !promise.isDone()) {
        return new BrokenClient(home, RpcException.failed("pipeline already released"));
      }
      if (promise.isDone()) {
        try {
          h = promise.join().capAt(ops, home);
        } catch (RuntimeException e) {
          return new BrokenClient(home, RpcException.of(e));
        }
      } else {
        QueuedClient q = new QueuedClient(home, "cross-loop pipelined");
        q.addRef(); // the waiting map's, until the results arrive
        if (waiting == null) {
          waiting = new java.util.HashMap<>();
        }
        waiting.put(key, new Waiting(ops, q));
        h = q;
      }
      if (pipelineReleased) {
        return h;
      }
      if (taken == null) {
        taken = new java.util.HashMap<>();
      }
      taken.put(key, h);
      return h.addRef();
    }

    public void releasePipeline() {
      pipelineReleased = true;
      if (taken != null) {
        for (ClientHook h : taken.values()) {
          h.release();
        }
        taken = null;
      }
      away.execute(() -> {
        if (remote != null) {
          remote.pipeline().release();
        }
      });
    }
  }

  /** A pipelined capability waiting for the results of a {@link BridgedCall}. */
  private static final class Waiting {
    public final short[] ops;
    public final QueuedClient cap;

    public Waiting(short[] ops, QueuedClient cap) {
      this.ops = ops;
      this.cap = cap;
    }
  }

  /** The caller's pipeline of a {@link BridgedCall}. */
  private static final class BridgedPipeline implements PipelineHook {
    private final BridgedCall call;
    private boolean released;

    public BridgedPipeline(BridgedCall call) {
      this.call = call;
    }

    @Override
    public ClientHook getPipelinedCap(short[] ops) {
      return call.take(ops);
    }

    @Override
    public void release() {
      if (!released) {
        released = true;
        call.releasePipeline();
      }
    }
  }
}
