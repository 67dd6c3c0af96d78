package dev.capnp.rpc;

import java.util.concurrent.CompletableFuture;

/** What starting a call yields: the promised results and a pipeline over them. */
final class CallResult {
  final CompletableFuture<Results> promise;
  final PipelineHook pipeline;

  CallResult(CompletableFuture<Results> promise, PipelineHook pipeline) {
    this.promise = promise;
    this.pipeline = pipeline;
  }

  /** A failed call. */
  static CallResult broken(EventLoop loop, RpcException e) {
    return new CallResult(CompletableFuture.failedFuture(e), PipelineHook.broken(loop, e));
  }
}
