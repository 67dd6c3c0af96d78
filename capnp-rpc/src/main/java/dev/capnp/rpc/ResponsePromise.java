package dev.capnp.rpc;

import dev.capnp.rpc.internal.BrokenClient;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.PipelineHook;
import dev.capnp.rpc.internal.QueuedClient;
import dev.capnp.rpc.internal.Results;
import dev.capnp.runtime.PointerFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The promised response of a call, also usable as a pipeline: {@link #getPipelinedCap(int...)}
 * and {@link #pipeline()} give capabilities from the results before they arrive. Cancelling the
 * promise ({@link #cancel(boolean)}) tells the callee (a remote call sends {@code Finish}) unless
 * pipelined capabilities still use the question.
 *
 * <p>Completions happen on the event loop. The {@link Response} must be closed to release the
 * capabilities it holds.
 *
 * <p>A thread that waits with {@link #get()}, {@link #get(long, TimeUnit)} or {@link #join()}
 * (also through {@link Await}) runs the loop itself while it waits when the loop allows it (a
 * vat's loop, see {@link EventLoop#driven}): it writes the call and reads the reply itself, so
 * a call costs no thread hand-off. Waiting from inside a task of an event loop is as wrong as
 * ever (it never runs the loop).
 *
 * <p>Capabilities taken from the pipeline are independent of the {@link Response}: taken before
 * the response is closed (from any thread, even when the take reaches the loop after the close),
 * they resolve to the returned capability and stay usable after the close. Closing the response
 * releases the results' references, so a capability taken from the pipeline after that is broken
 * (the call's references are released deterministically, not when this promise is collected).
 *
 * <p>What a caller may keep: this promise, its {@link Response} and capabilities taken from its
 * pipeline are this call's for as long as they are kept, on any thread. A connection recycles
 * the protocol's own state of a finished call (its question entry) for later calls, but never
 * these objects, and what they still reach of that state is checked against the call it was
 * made for (a late cancel of a finished call's promise does nothing to a later call).
 *
 * @param <R> results reader type
 * @param <L> pipeline type
 */
public final class ResponsePromise<R, L> extends CompletableFuture<Response<R>> {
  final EventLoop loop;
  private final PointerFactory<?, R> resultsFactory;
  private final Function<Pipeline, L> pipelineFactory;
  private PipelineHook pipeline;
  private CompletableFuture<Results> inner;
  private Results results;
  private final PipelineHold hold = new PipelineHold(this);

  ResponsePromise(EventLoop loop, PointerFactory<?, R> resultsFactory,
      Function<Pipeline, L> pipelineFactory) {
    this.loop = loop;
    this.resultsFactory = resultsFactory;
    this.pipelineFactory = pipelineFactory;
  }

  /** Connects the started call (on the loop). */
  void attach(CallResult cr) {
    pipeline = cr.pipeline();
    inner = cr.promise();
    // Already canceled or past its deadline (by another thread, before this task ran)? Not
    // here: that cancel() or abandon() posted its cancelInner to the loop after this task, and after the takes of pipelined capabilities
    // the same thread made before canceling (posted in order too). Those takes must find the
    // pipeline and keep the question alive, as a take on the loop would: canceling here would
    // finish the question under them and break them.
    // the hold is the completion callback (no lambda, and over a connection no whenComplete
    // stage either: the question's pipeline calls it directly; issue 12)
    if (!cr.listenOnce(hold)) {
      inner.whenComplete(hold);
    }
  }

  /** The call's outcome arrived (on the loop): completes this promise with a Response. */
  private void arrived(Results res, Throwable e) {
    if (e != null) {
      completeExceptionally(RpcException.of(e));
    } else if (isDone()) {
      res.release(); // canceled: nobody will read these results
    } else {
      results = res;
      hold.attach(res);
      if (!complete(new Response<>(res, resultsFactory, loop, hold))) {
        res.release();
      }
    }
    PipelineHook p = pipeline;
    if (p != null) {
      pipeline = null;
      p.release();
    }
  }

  /**
   * The pipeline's own hold on the arrived results, so that a capability taken from the pipeline
   * on another thread (the take is posted to the loop) still finds the results when the response
   * was closed meanwhile. The hold ends when the response is closed and no take is in flight.
   */
  static final class PipelineHold implements java.util.function.BiConsumer<Results, Throwable> {
    /**
     * The promise to complete when the call's outcome arrives (this hold is its completion
     * callback); cleared then, so that a response's leak watch, which holds this hold, does
     * not keep the response reachable through its promise.
     */
    private ResponsePromise<?, ?> owner;
    private Results results;
    private int takesInFlight;
    private boolean responseClosed;
    private boolean dropped;

    PipelineHold(ResponsePromise<?, ?> owner) {
      this.owner = owner;
    }

    /** The call's outcome (once, on the loop): handed to the promise. */
    @Override
    public void accept(Results res, Throwable e) {
      ResponsePromise<?, ?> o = owner;
      owner = null;
      if (o != null) {
        o.arrived(res, e);
      }
    }

    /** Takes the hold on arrived results (on the loop). */
    void attach(Results res) {
      res.hold();
      synchronized (this) {
        results = res;
      }
    }

    /** A take was posted to the loop (any thread). */
    synchronized void beginTake() {
      takesInFlight++;
    }

    /** A posted take has run (on the loop). */
    void endTake() {
      synchronized (this) {
        if (--takesInFlight > 0 || !responseClosed) {
          return;
        }
      }
      drop();
    }

    /** The response was closed or collected (on the loop). */
    void responseClosed() {
      synchronized (this) {
        responseClosed = true;
        if (takesInFlight > 0) {
          return;
        }
      }
      drop();
    }

    private void drop() {
      Results r;
      synchronized (this) {
        if (dropped || results == null) {
          return;
        }
        dropped = true;
        r = results;
      }
      r.unhold();
    }
  }

  /**
   * Waits for the response, running the call's event loop meanwhile when it can (see the class
   * comment).
   *
   * @return the response
   * @throws InterruptedException if interrupted while waiting
   * @throws ExecutionException if the call failed
   */
  @Override
  public Response<R> get() throws InterruptedException, ExecutionException {
    if (!isDone()) {
      loop.driveWhileWaiting(this, false, 0, true);
    }
    return super.get();
  }

  /**
   * Waits at most {@code timeout} for the response, running the call's event loop meanwhile
   * when it can (see the class comment).
   *
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return the response
   * @throws InterruptedException if interrupted while waiting
   * @throws ExecutionException if the call failed
   * @throws TimeoutException if the response did not arrive in time
   */
  @Override
  public Response<R> get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (isDone()) {
      return super.get();
    }
    long nanos = unit.toNanos(timeout);
    long deadline = System.nanoTime() + nanos;
    loop.driveWhileWaiting(this, true, deadline, true);
    return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /**
   * Waits for the response, running the call's event loop meanwhile when it can (see the class
   * comment).
   *
   * @return the response
   */
  @Override
  public Response<R> join() {
    if (!isDone()) {
      loop.driveWhileWaiting(this, false, 0, false);
    }
    return super.join();
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean r = super.cancel(mayInterruptIfRunning);
    if (r) {
      loop.run(() -> {
        if (inner != null) {
          cancelInner();
        }
      });
    }
    return r;
  }

  /**
   * Fails this promise with {@code reason} if it has not completed yet, and tells the callee as
   * {@link #cancel(boolean)} does (a remote call sends {@code Finish}). Returns whether this
   * call failed it.
   */
  boolean abandon(RpcException reason) {
    boolean r = completeExceptionally(reason);
    if (r) {
      loop.run(() -> {
        if (inner != null) {
          cancelInner();
        }
      });
    }
    return r;
  }

  private void cancelInner() {
    inner.cancel(false);
    PipelineHook p = pipeline;
    if (p != null) {
      pipeline = null;
      p.release();
    }
  }

  /**
   * The typed pipeline over the promised results.
   *
   * @return the typed pipeline
   */
  public L pipeline() {
    return pipelineFactory.apply(new Pipeline(this, new short[0]));
  }

  /**
   * The capability at a pointer path of the promised results (a new handle).
   *
   * @param pointerPath the pointer indexes from the results struct down to the capability
   * @return a new handle; the caller owns it
   */
  public Capability getPipelinedCap(int... pointerPath) {
    short[] ops = new short[pointerPath.length];
    for (int i = 0; i < ops.length; i++) {
      ops[i] = (short) pointerPath[i];
    }
    return pipelinedCap(ops);
  }

  Capability pipelinedCap(short[] ops) {
    if (loop.inLoop()) {
      return new Capability(pipelinedHook(ops));
    }
    QueuedClient q = new QueuedClient(loop, "pipelined");
    q.addRef();
    hold.beginTake();
    loop.execute(() -> {
      q.resolve(pipelinedHook(ops));
      q.release();
      hold.endTake();
    });
    return new Capability(q);
  }

  private ClientHook pipelinedHook(short[] ops) {
    if (pipeline != null) {
      return pipeline.getPipelinedCap(ops);
    }
    if (results != null) {
      if (results.isReleased()) {
        return new BrokenClient(loop, RpcException.failed("pipelined capability taken after the"
            + " call's Response was closed (take pipelined capabilities before closing it)"));
      }
      return results.capAt(ops, loop);
    }
    if (isCompletedExceptionally()) {
      try {
        join();
      } catch (RuntimeException e) {
        return new BrokenClient(loop, RpcException.of(e));
      }
    }
    return new BrokenClient(loop, RpcException.failed("no pipeline"));
  }
}
