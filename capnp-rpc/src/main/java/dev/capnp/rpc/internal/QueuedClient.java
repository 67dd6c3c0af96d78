package dev.capnp.rpc.internal;

import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A local promise capability: calls queue until {@link #resolve(ClientHook)} names the target,
 * then they are delivered in order and later calls go straight through. Also serves as the
 * embargo queue of a remote promise that resolved to a local object.
 */
public final class QueuedClient extends ClientHook {
  private final String what;
  /** The resolution; volatile so that other loops may follow it (see CrossLoopClient.bind). */
  private volatile ClientHook target;
  private ArrayDeque<Pending> pending = new ArrayDeque<>();
  /** Fires (on the loop) when {@link #target} is set. */
  private final ResolutionSignal resolution = new ResolutionSignal();
  private boolean destroyed;
  /** For a pipelined capability: the pipeline it waits on (null otherwise). */
  public QueuedPipeline owner;

  public QueuedClient(EventLoop loop, String what) {
    super(loop);
    this.what = what;
  }

  @Override
  public CallResult call(CallParams params) {
    assert loop.inLoop() : "called off its loop: " + this;
    if (target != null) {
      return target.call(params);
    }
    Pending p = new Pending(params, loop);
    p.pipeline.queuedIn = this;
    pending.add(p);
    return p;
  }

  /** Once resolved, the target's way (queued calls need their promise: the default). */
  @Override
  public void callForResults(CallParams params,
      java.util.function.BiConsumer<Results, Throwable> listener) {
    assert loop.inLoop() : "called off its loop: " + this;
    if (target != null) {
      target.callForResults(params, listener);
    } else {
      callForResultsViaPromise(this, params, listener);
    }
  }

  /** Whether the promise has resolved. */
  public boolean isResolved() {
    return target != null;
  }

  /**
   * Resolves to {@code t}, taking ownership of that reference. A capability of another loop is
   * reached through a {@link CrossLoopClient}.
   */
  public void resolve(ClientHook t) {
    if (target != null) {
      t.release();
      return;
    }
    assert loop.inLoop() : "resolved off its loop: " + this;
    // released before it resolved: the target is released below. (Released while resolving, by
    // a call forwarded or a listener fired below, destroy() releases it: not twice.)
    boolean releasedBefore = destroyed;
    t = CrossLoopClient.bind(loop, t);
    ClientHook s = ClientHook.shorten(t);
    if (s == this) {
      t.release();
      t = new BrokenClient(loop,
          RpcException.failed("Attempt to create a cycle detected: promise resolved to itself"));
    } else if (waitsOnMe(s)) {
      t.release();
      t = new BrokenClient(loop, RpcException.failed("Attempt to create a cycle detected:"
          + " promise resolved to the result of a call queued on itself"));
    }
    target = t;
    ArrayDeque<Pending> q = pending;
    pending = null;
    for (Pending p : q) {
      p.forwardTo(t);
    }
    resolution.fire();
    if (releasedBefore) {
      target.release();
    }
  }

  /**
   * Whether {@code h} is a pipelined capability whose answer (transitively) comes from a call
   * queued on this promise: resolving to it would make the promise wait on itself (e.g. a tail
   * call on the caller's own pipelined result), which would recurse forever.
   */
  private boolean waitsOnMe(ClientHook h) {
    for (int i = 0; i < 10000 && h instanceof QueuedClient; i++) {
      QueuedClient q = (QueuedClient) h;
      if (q.target != null || q.owner == null || q.owner.isResolved()
          || q.owner.queuedIn == null) {
        return false;
      }
      if (q.owner.queuedIn == this) {
        return true;
      }
      h = q.owner.queuedIn;
    }
    return false;
  }

  @Override
  public ClientHook getResolved() {
    return target;
  }

  @Override
  public ResolutionSignal resolutionSignal() {
    return target == null ? resolution : null;
  }

  @Override
  public RpcException brokenReason() {
    return target == null ? null : target.brokenReason();
  }

  @Override
  public Object brand() {
    return null;
  }

  @Override
  public void destroy() {
    destroyed = true;
    if (target != null) {
      target.release();
    }
  }

  @Override
  public String describe() {
    // may run on any thread (Capability.toString): read each field once, the promise may be
    // resolving meanwhile
    ClientHook t = target;
    if (t != null) {
      return "resolved(" + what + " -> " + t.describe() + ")";
    }
    ArrayDeque<Pending> p = pending;
    return p == null ? "promise(" + what + ", resolving)"
        : "promise(" + what + ", " + p.size() + " queued)";
  }

  /** A call waiting for the resolution. */
  private static final class Pending implements CallResult {
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

    public final CallParams params;
    public final CompletableFuture<Results> promise = new CompletableFuture<>();
    public final QueuedPipeline pipeline;

    public Pending(CallParams params, EventLoop loop) {
      this.params = params;
      this.pipeline = new QueuedPipeline(loop);
    }

    public void forwardTo(ClientHook t) {
      if (promise.isCancelled()) {
        params.release();
        pipeline.resolve(PipelineHook.broken(pipeline.loop, RpcException.failed("canceled")));
        return;
      }
      CallResult r = t.call(params);
      link(r, promise, pipeline);
    }
  }

  /** Connects a started call to the promise and pipeline handed out earlier. */
  public static void link(CallResult r, CompletableFuture<Results> promise,
      QueuedPipeline pipeline) {
    pipeline.resolve(r.pipeline());
    r.promise().whenComplete((res, e) -> {
      if (e != null) {
        promise.completeExceptionally(e);
      } else if (!promise.complete(res)) {
        res.release();
      }
    });
    promise.whenComplete((res, e) -> {
      if (promise.isCancelled()) {
        r.promise().cancel(false);
      }
    });
  }
}
