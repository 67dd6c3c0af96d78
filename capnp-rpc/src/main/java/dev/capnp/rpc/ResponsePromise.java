package dev.capnp.rpc;

import dev.capnp.runtime.PointerFactory;
import java.util.concurrent.CompletableFuture;
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

  ResponsePromise(EventLoop loop, PointerFactory<?, R> resultsFactory,
      Function<Pipeline, L> pipelineFactory) {
    this.loop = loop;
    this.resultsFactory = resultsFactory;
    this.pipelineFactory = pipelineFactory;
  }

  /** Connects the started call (on the loop). */
  void attach(CallResult cr) {
    pipeline = cr.pipeline;
    inner = cr.promise;
    if (isCancelled()) {
      cancelInner();
      return;
    }
    inner.whenComplete((res, e) -> {
      if (e != null) {
        completeExceptionally(RpcException.of(e));
      } else {
        results = res;
        if (!complete(new Response<>(res, resultsFactory, loop))) {
          res.release();
        }
      }
      PipelineHook p = pipeline;
      if (p != null) {
        pipeline = null;
        p.release();
      }
    });
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

  private void cancelInner() {
    inner.cancel(false);
    PipelineHook p = pipeline;
    if (p != null) {
      pipeline = null;
      p.release();
    }
  }

  /** The typed pipeline over the promised results. */
  public L pipeline() {
    return pipelineFactory.apply(new Pipeline(this, new short[0]));
  }

  /** The capability at a pointer path of the promised results (a new handle). */
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
    loop.execute(() -> {
      q.resolve(pipelinedHook(ops));
      q.release();
    });
    return new Capability(q);
  }

  private ClientHook pipelinedHook(short[] ops) {
    if (pipeline != null) {
      return pipeline.getPipelinedCap(ops);
    }
    if (results != null) {
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
