package dev.capnp.rpc;

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
 * ({@code RpcConnection.writeDescriptor}), capabilities read out of results
 * ({@link Results#capAt}), promise resolution ({@link QueuedClient#resolve}) and tail calls.
 *
 * <p>The bridge lives on the loop that uses it ({@link #loop}). Each call is posted to the
 * target's loop; the results, the capabilities pipelined on them and cancellation travel back
 * and forth the same way. E-order holds because each loop runs its queue in FIFO order. The
 * bridge is settled (not a promise); if its target breaks, {@link #brokenReason()} says so and
 * {@link Capability#whenBroken()} completes.
 */
final class CrossLoopClient extends ClientHook {
  /** The capability on its own loop (one reference, owned). */
  final ClientHook target;
  /** Watches {@link #target} on its loop for breakage; touched on the target's loop. */
  private final BrokenWatch watch;
  /** The target's failure once known (written on the target's loop, read anywhere). */
  private volatile RpcException broken;
  /** Completes on this bridge's loop when the target is known to be broken. */
  private final CompletableFuture<RpcException> brokenFuture = new CompletableFuture<>();

  private CrossLoopClient(EventLoop loop, ClientHook target) {
    super(loop);
    this.target = target;
    this.watch = new BrokenWatch(target.loop);
    watch.future.thenAccept(r -> {
      broken = r;
      loop.execute(() -> brokenFuture.complete(r));
    });
    target.loop.execute(() -> watch.watch(target));
  }

  /**
   * {@code owned} as a hook usable on {@code loop}: itself when it belongs to {@code loop}, else
   * wrapped in a bridge (or unwrapped, for a bridge that leads back to {@code loop}). Takes over
   * the reference and returns an owned one.
   */
  static ClientHook bind(EventLoop loop, ClientHook owned) {
    if (owned == null || owned.loop == loop) {
      return owned;
    }
    if (owned instanceof CrossLoopClient && ((CrossLoopClient) owned).target.loop == loop) {
      ClientHook t = ((CrossLoopClient) owned).target.addRef();
      owned.release();
      return t;
    }
    if (owned instanceof BrokenClient) {
      RpcException reason = ((BrokenClient) owned).reason;
      owned.release();
      return new BrokenClient(loop, reason);
    }
    return new CrossLoopClient(loop, owned);
  }

  /**
   * The hook that decides the identity of {@code h}: promises followed and bridges unwrapped (no
   * reference change).
   */
  static ClientHook identity(ClientHook h) {
    for (int i = 0; i < 1000; i++) {
      h = ClientHook.shorten(h);
      if (!(h instanceof CrossLoopClient)) {
        return h;
      }
      h = ((CrossLoopClient) h).target;
    }
    return h;
  }

  @Override
  CallResult call(CallParams params) {
    assert loop.inLoop() : "called off its loop: " + this;
    // the target's side must not build its results into, or redirect them to, an answer of
    // this loop's connection: it gets plain results, which come back as a value
    params.tailCallOf = null;
    params.answerConnection = null;
    params.resultsAllocator = ResultsAllocator.PLAIN;
    BridgedCall c = new BridgedCall(this);
    ClientHook t = target.addRef();
    target.loop.execute(() -> c.start(t, params));
    return new CallResult(c.promise, c.pipeline);
  }

  @Override
  RpcException brokenReason() {
    return broken;
  }

  @Override
  CompletableFuture<RpcException> whenSettledBroken() {
    return brokenFuture;
  }

  @Override
  void destroy() {
    watch.stop();
    target.release();
  }

  @Override
  String describe() {
    return "cross-loop(" + target.loop + ": " + target.describe() + ")";
  }

  /**
   * One call through the bridge. The caller's side (on the bridge's loop) holds {@link #promise}
   * and {@link #pipeline}; the target's side (on the target's loop) holds {@link #remote}, the
   * call as the target started it. Results are handed over to the caller's loop, which owns
   * them from then on; the target's loop never reads them again.
   */
  private static final class BridgedCall {
    final EventLoop home;
    final EventLoop away;
    final CompletableFuture<Results> promise = new CompletableFuture<>();
    final BridgedPipeline pipeline = new BridgedPipeline(this);
    /** The call on the target's loop (touched there only). */
    private CallResult remote;
    /** Whether {@link #remote} settled (target's loop only). */
    private boolean remoteDone;
    /** Pipelined takes sent to the target's loop and not yet answered (home loop only). */
    private int takesInFlight;
    /** Results held for takes in flight when they arrived (home loop only). */
    private Results heldForTakes;

    BridgedCall(CrossLoopClient bridge) {
      this.home = bridge.loop;
      this.away = bridge.target.loop;
      promise.whenComplete((r, e) -> {
        if (promise.isCancelled()) {
          away.execute(this::cancelRemote);
        }
      });
    }

    /** Starts the call on the target's loop. */
    void start(ClientHook t, CallParams params) {
      CallResult r;
      try {
        r = t.call(params);
      } catch (RuntimeException e) {
        r = CallResult.broken(away, RpcException.of(e));
      }
      t.release();
      remote = r;
      r.promise.whenComplete((res, e) -> {
        remoteDone = true;
        home.execute(() -> arrived(res, e));
      });
    }

    /** The results (or failure) reached the caller's loop. */
    private void arrived(Results res, Throwable e) {
      if (e != null) {
        promise.completeExceptionally(RpcException.of(e));
        return;
      }
      if (takesInFlight > 0) {
        res.hold();
        heldForTakes = res;
      }
      if (!promise.complete(res)) {
        res.release();
      }
    }

    private void cancelRemote() {
      if (remote != null) {
        remote.promise.cancel(false);
      }
    }

    /**
     * Takes a pipelined capability for the caller: answered by the target's pipeline while the
     * call runs there, from the handed-over results once it has returned.
     */
    ClientHook take(short[] ops) {
      if (promise.isDone()) {
        return capFromArrived(ops);
      }
      QueuedClient q = new QueuedClient(home, "cross-loop pipelined");
      q.addRef();
      takesInFlight++;
      away.execute(() -> {
        if (remoteDone || remote == null) {
          // the results were (or the failure was) posted to the caller's loop before this
          home.execute(() -> answerTake(q, capFromArrived(ops)));
        } else {
          ClientHook h = remote.pipeline.getPipelinedCap(ops);
          home.execute(() -> answerTake(q, h));
        }
      });
      return q;
    }

    private void answerTake(QueuedClient q, ClientHook h) {
      q.resolve(h);
      q.release();
      if (--takesInFlight == 0 && heldForTakes != null) {
        Results r = heldForTakes;
        heldForTakes = null;
        r.unhold();
      }
    }

    private ClientHook capFromArrived(short[] ops) {
      Results r;
      try {
        r = promise.join();
      } catch (RuntimeException e) {
        return new BrokenClient(home, RpcException.of(e));
      }
      return r.capAt(ops, home);
    }

    void releasePipeline() {
      away.execute(() -> {
        if (remote != null) {
          remote.pipeline.release();
        }
      });
    }
  }

  /** The caller's pipeline of a {@link BridgedCall}. */
  private static final class BridgedPipeline extends PipelineHook {
    private final BridgedCall call;
    private boolean released;

    BridgedPipeline(BridgedCall call) {
      this.call = call;
    }

    @Override
    ClientHook getPipelinedCap(short[] ops) {
      return call.take(ops);
    }

    @Override
    void release() {
      if (!released) {
        released = true;
        call.releasePipeline();
      }
    }
  }
}
