package dev.capnp.rpc.internal;

import java.util.concurrent.CompletableFuture;

/** {@link CallResult#of}: a promise and a pipeline that are two objects. */
final class CallResultPair implements CallResult {
  private final CompletableFuture<Results> promise;
  private final PipelineHook pipeline;

  CallResultPair(CompletableFuture<Results> promise, PipelineHook pipeline) {
    this.promise = promise;
    this.pipeline = pipeline;
  }

  @Override
  public CompletableFuture<Results> promise() {
    return promise;
  }

  @Override
  public PipelineHook pipeline() {
    return pipeline;
  }
}
