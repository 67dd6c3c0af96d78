package dev.capnp.rpc;

import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.CrossLoopClient;
import dev.capnp.rpc.internal.ListenablePromise;
import dev.capnp.rpc.internal.PipelineHook;
import dev.capnp.rpc.internal.QueuedClient;
import dev.capnp.rpc.internal.QueuedPipeline;
import dev.capnp.rpc.internal.Results;
import dev.capnp.rpc.internal.ResultsAllocator;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.PointerFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The context of one call to a local server (see {@link CallContext}).
 *
 * <p>The params of a call received from a peer may be recycled by the connection for a later
 * call once this call completed and released them ({@link CallParams#generation()}): every use
 * of {@link #params} that may come after that (the application may keep this context) first
 * checks {@link #paramsGone()}.
 */
final class CallContextImpl implements CallContext<AnyPointer.Reader, AnyPointer.Builder> {
  final LocalClient hook;
  final CallParams params;
  /** The generation of {@link #params} this call was given. */
  private final int paramsGeneration;
  private final long interfaceId;
  private final short methodId;
  final EventLoop loop;
  /** The promise handed to the caller (and the call result: see {@link ContextPromise}). */
  final ContextPromise promise = new ContextPromise();
  final QueuedPipeline pipeline;
  private ResultsAllocator.ResultsBuilder results;
  private boolean tailCalled;
  private volatile boolean finished; // (read by getResults on any thread)
  private boolean started;
  private boolean releasedOnCancel;
  private volatile boolean canceled;
  /**
   * What {@link #whenCanceled()} returns: made by its first call (most calls never ask), and
   * completed by the cancel, whichever comes first (both volatile: see {@link #whenCanceled()}).
   */
  private volatile CompletableFuture<Void> cancelFuture;
  /** For a streaming call: told (on the loop) when the handler is done, with its failure. */
  java.util.function.Consumer<Throwable> whenHandlerDone;

  CallContextImpl(LocalClient hook, CallParams params) {
    this.hook = hook;
    this.params = params;
    this.paramsGeneration = params.generation();
    this.interfaceId = params.interfaceId;
    this.methodId = params.methodId;
    this.loop = hook.loop;
    this.pipeline = new QueuedPipeline(loop);
    hook.addRef();
  }

  /**
   * The caller's promise of this call's results, which also is what {@link LocalClient#call}
   * returns (the promise and {@link #pipeline}) and the task that admits the call on the
   * server's loop: one object for the three (issue 12). Its cancellation (from any thread:
   * {@code cancel}, or a first completion with a {@code CancellationException}) is the call's
   * cancel, reported by overriding the completing methods rather than by a {@code whenComplete}
   * callback per call: it runs once, at the completion that cancels. Whoever started the call
   * may hear its completion through {@link #listenOnce} (a connection delivering a peer's call,
   * a local {@link Request}), without a {@code whenComplete} stage either.
   */
  final class ContextPromise extends ListenablePromise implements CallResult, Runnable {
    /** This promise. */
    @Override
    public CompletableFuture<Results> promise() {
      return this;
    }

    /** The call's pipeline ({@link CallContextImpl#pipeline}). */
    @Override
    public PipelineHook pipeline() {
      return pipeline;
    }

    /** Admits the call on the server's loop (posted there by {@link LocalClient#call}). */
    @Override
    public void run() {
      hook.admit(CallContextImpl.this);
    }

    /** Cancels the call (if this completes the promise): see {@link #callerCanceled()}. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean wasDone = isDone(); // (cancel also returns true if canceled before)
      boolean done = super.cancel(mayInterruptIfRunning);
      if (!wasDone && done) {
        callerCanceled();
      }
      return done;
    }

    /** Fails the promise; a {@code CancellationException} cancels the call. */
    @Override
    public boolean completeExceptionally(Throwable ex) {
      boolean done = super.completeExceptionally(ex);
      if (done && isCancelled()) {
        callerCanceled();
      }
      return done;
    }

    /** Forces a failure; a cancellation of a promise not done yet cancels the call. */
    @Override
    public void obtrudeException(Throwable ex) {
      boolean wasDone = isDone();
      super.obtrudeException(ex);
      if (!wasDone && isCancelled()) {
        callerCanceled();
      }
    }
  }

  /**
   * The caller canceled (any thread; once): {@link #isCanceled()} says so, the
   * {@link #whenCanceled()} stage completes if it was made, and the call lets go of what it
   * holds on the loop ({@link #releaseCanceled()}).
   */
  private void callerCanceled() {
    canceled = true;
    CompletableFuture<Void> f = cancelFuture;
    if (f != null) {
      f.complete(null);
    }
    loop.run(this::releaseCanceled);
  }

  /**
   * The caller canceled the call while its handler runs: release what the call holds (params,
   * results so far, the server reference) now, as C++ does when it drops the call's promise,
   * instead of waiting for a handler that may never complete. The handler's eventual completion
   * is ignored.
   */
  private void releaseCanceled() {
    if (!started || finished) {
      return; // not started: start() sees the cancellation; finished: nothing is held
    }
    finished = true;
    releasedOnCancel = true;
    releaseOwnParams();
    if (results != null) {
      results.caps.releaseAll();
    }
    pipeline.resolve(PipelineHook.broken(loop, RpcException.failed("canceled")));
    hook.release();
  }

  /**
   * Runs the handler (on the loop, or hands it to the blocking executor); with a non-null
   * {@code failWith} the call fails with it instead (a broken stream).
   */
  void start(RpcException failWith) {
    started = true;
    if (promise.isCancelled()) {
      finished = true;
      releaseOwnParams();
      pipeline.resolve(PipelineHook.broken(loop, RpcException.failed("canceled")));
      hook.release();
      handlerDone(null);
      return;
    }
    if (failWith != null) {
      finish(failWith);
    } else if (hook.server.isBlocking(interfaceId, methodId)) {
      params.escaped = true; // (the handler uses them on another thread: never recycled)
      BlockingExecutor.INSTANCE.execute(() -> loop.runAsHome(() ->
          invoke().whenComplete((v, e) -> loop.execute(() -> finish(e)))));
    } else {
      CompletionStage<Void> s = invoke();
      // a handler that completed already with a plain future (Server.done(), the usual case)
      // finishes now, without a callback, its stage and a second lambda per call; a subclass
      // of CompletableFuture may not answer isDone (minimal stages throw), so plain ones only
      if (s.getClass() == CompletableFuture.class && s.toCompletableFuture().isDone()
          && !s.toCompletableFuture().isCompletedExceptionally() && loop.inLoop()) {
        finish(null);
      } else {
        s.whenComplete((v, e) -> loop.run(() -> finish(e)));
      }
    }
  }

  private void handlerDone(Throwable e) {
    java.util.function.Consumer<Throwable> d = whenHandlerDone;
    if (d != null) {
      whenHandlerDone = null;
      d.accept(e);
    }
  }

  private CompletionStage<Void> invoke() {
    try {
      CompletionStage<Void> s = hook.server.dispatch(interfaceId, methodId, this);
      return s == null ? Server.done() : s;
    } catch (RuntimeException | Error e) {
      if (EventLoop.isFatal(e)) {
        loop.fatal(e); // out of memory in a handler: the vat cannot go on (it shuts down)
      }
      return CompletableFuture.failedFuture(e);
    }
  }

  private void finish(Throwable e) {
    try {
      finishUnsafe(e);
    } catch (RuntimeException x) {
      Capability.LOG.error("completing a call failed", x);
      if (!promise.isDone()) {
        promise.completeExceptionally(RpcException.of(x));
      }
    }
    handlerDone(e);
  }

  private void finishUnsafe(Throwable e) {
    if (finished) {
      if (releasedOnCancel && results != null) {
        results.caps.releaseAll(); // written by the handler after the cancellation
      }
      return;
    }
    finished = true;
    releaseOwnParams();
    if (tailCalled) {
      if (e != null && !promise.isDone()) {
        promise.completeExceptionally(RpcException.of(e));
      }
      hook.release();
      return;
    }
    if (e != null) {
      RpcException ex = RpcException.of(e);
      pipeline.resolve(PipelineHook.broken(loop, ex));
      if (results != null) {
        results.caps.releaseAll();
      }
      promise.completeExceptionally(ex);
    } else {
      if (results == null) {
        results = allocateResults();
      }
      Results r = results.toResults();
      pipeline.resolve(r); // (no resolved pipeline object per call)
      if (!promise.complete(r)) {
        r.release();
      }
    }
    hook.release();
  }

  @Override
  public long interfaceId() {
    return interfaceId;
  }

  @Override
  public int methodId() {
    return methodId;
  }

  /**
   * Whether {@link #params} now belong to a later call (recycled by the connection after this
   * call completed and released them): then they are released as far as this call goes.
   */
  private boolean paramsGone() {
    return params.generation() != paramsGeneration;
  }

  /** Releases the params, unless they are a later call's by now (on the loop). */
  private void releaseOwnParams() {
    if (!paramsGone()) {
      params.release();
    }
  }

  /** A results builder from this call's allocator (plain if the params are gone). */
  private ResultsAllocator.ResultsBuilder allocateResults() {
    // (a canceled handler still running: its params may be a later call's by now, whose
    // allocator is not this call's)
    return paramsGone() ? ResultsAllocator.PLAIN.allocate() : params.resultsAllocator.allocate();
  }

  @Override
  public AnyPointer.Reader getParams() {
    checkParams();
    return params.content();
  }

  /** The params read as {@code factory}'s type (no {@code AnyPointer} reader for received ones). */
  <T> T getParamsAs(dev.capnp.runtime.PointerFactory<?, T> factory) {
    checkParams();
    return params.contentAs(factory);
  }

  private void checkParams() {
    if (paramsGone() || params.isReleased()) {
      throw new IllegalStateException("params already released");
    }
  }

  @Override
  public void releaseParams() {
    loop.run(this::releaseOwnParams);
  }

  @Override
  public AnyPointer.Builder getResults() {
    if (finished && !releasedOnCancel) {
      // (a canceled handler may still build its results: they are released when it finishes)
      throw new IllegalStateException("the call has completed: its results can no longer be "
          + "used (their memory may be a later call's)");
    }
    if (results == null) {
      results = allocateResults();
    }
    return results.content;
  }

  @Override
  public AnyPointer.Builder initResults() {
    AnyPointer.Builder b = getResults();
    b.clear();
    return b;
  }

  @Override
  public CompletionStage<Void> tailCall(Request<?, ?, ?> request) {
    ClientHook requested = request.takeTarget();
    CallParams p = request.params;
    if (!paramsGone()) {
      // (the tail call shares our results allocator, an answer of the connection: never
      // recycled)
      params.escaped = true;
      p.tailCallFrom = params.answerConnection;
      p.allowThirdPartyTailCall = params.allowThirdPartyTailCall;
      p.resultsAllocator = params.resultsAllocator;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.run(() -> {
      tailCalled = true;
      releaseOwnParams();
      if (results != null) {
        results.caps.releaseAll();
        results = null;
      }
      ClientHook t = CrossLoopClient.bind(loop, requested);
      CallResult cr;
      try {
        cr = t.call(p);
      } catch (RuntimeException e) {
        cr = CallResult.broken(loop, RpcException.of(e));
      }
      t.release();
      QueuedClient.link(cr, promise, pipeline);
      done.complete(null);
    });
    return done;
  }

  @Override
  public boolean isCanceled() {
    return canceled;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Made at the first call; a cancel on another thread at the same time completes it either
   * way: this writes the stage then reads {@link #canceled}, the cancel writes
   * {@link #canceled} then reads the stage (both volatile), so at least one of them sees the
   * other's write.
   */
  @Override
  public CompletionStage<Void> whenCanceled() {
    CompletableFuture<Void> f = cancelFuture;
    if (f == null) {
      CompletableFuture<Void> made = new CompletableFuture<>();
      f = (CompletableFuture<Void>) CANCEL_FUTURE.compareAndExchange(this, null, made);
      if (f == null) {
        f = made;
      }
    }
    if (canceled) {
      f.complete(null);
    }
    return f;
  }

  private static final java.lang.invoke.VarHandle CANCEL_FUTURE;

  static {
    try {
      CANCEL_FUTURE = java.lang.invoke.MethodHandles.lookup().findVarHandle(
          CallContextImpl.class, "cancelFuture", CompletableFuture.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Override
  public <P2, R2> CallContext<P2, R2> typed(PointerFactory<?, P2> p, PointerFactory<R2, ?> r) {
    return new TypedCallContext<>(this, p, r);
  }
}
