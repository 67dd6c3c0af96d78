package dev.capnp.rpc.internal;

import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import java.util.concurrent.CompletableFuture;

/** What starting a call yields: the promised results and a pipeline over them. */
public final class CallResult {
  public final CompletableFuture<Results> promise;
  public final PipelineHook pipeline;

  public CallResult(CompletableFuture<Results> promise, PipelineHook pipeline) {
    this.promise = promise;
    this.pipeline = pipeline;
  }

  /** A failed call. */
  public static CallResult broken(EventLoop loop, RpcException e) {
    return new CallResult(CompletableFuture.failedFuture(e), PipelineHook.broken(loop, e));
  }
}
