package dev.capnp.rpc.internal;

import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import java.util.concurrent.CompletableFuture;

/**
 * What starting a call yields: the promised results and a pipeline over them. An interface so
 * that one object can be all three (issue 12: the protocol core's question pipeline is its own
 * promise and its own call result, {@code RpcPipeline}); other callers pair a promise and a
 * pipeline with {@link #of}. Each is read once by whoever started the call, on the caller's
 * loop.
 */
public interface CallResult {
  /**
   * The promise of the call's results (completes on the callee's loop, or the caller's).
   *
   * @return the promise of the results
   */
  CompletableFuture<Results> promise();

  /**
   * The pipeline over the results: the caller owns one reference, released by
   * {@link PipelineHook#release()}.
   *
   * @return the pipeline over the results
   */
  PipelineHook pipeline();

  /**
   * Registers {@code listener} to run once when {@link #promise()} completes, as
   * {@code whenComplete} would call it but without a stage object per call (issue 12); false if
   * this call result cannot (then use {@code promise().whenComplete(listener)}). By default the
   * pipeline's {@link PipelineHook#listenOnce}; a {@link ListenablePromise} that is its own call
   * result takes it itself. One listener per call: whoever started the call.
   *
   * @param listener called with the results or the failure
   * @return whether the listener was registered
   */
  default boolean listenOnce(java.util.function.BiConsumer<Results, Throwable> listener) {
    return pipeline().listenOnce(promise(), listener);
  }

  /**
   * A call result of {@code promise} and {@code pipeline}.
   *
   * @param promise the promise of the results
   * @param pipeline the pipeline over them
   * @return the pair, as a call result
   */
  static CallResult of(CompletableFuture<Results> promise, PipelineHook pipeline) {
    return new CallResultPair(promise, pipeline);
  }

  /**
   * A failed call.
   *
   * @param loop the loop of the broken pipeline's capabilities
   * @param e why the call failed
   * @return a call result whose promise failed with {@code e} and whose capabilities are broken
   */
  static CallResult broken(EventLoop loop, RpcException e) {
    return of(CompletableFuture.failedFuture(e), PipelineHook.broken(loop, e));
  }
}
