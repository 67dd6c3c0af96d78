package dev.capnp.rpc.internal;

import java.util.concurrent.CompletableFuture;

/**
 * {@link CallResult#of}: a promise and a pipeline that are two objects.
 *
 * @param promise the call's promise
 * @param pipeline the call's pipeline
 */
record CallResultPair(CompletableFuture<Results> promise, PipelineHook pipeline)
    implements CallResult {}
