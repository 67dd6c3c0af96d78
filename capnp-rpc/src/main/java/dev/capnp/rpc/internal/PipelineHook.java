package dev.capnp.rpc.internal;

import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcException;
import java.util.concurrent.CompletableFuture;

/**
 * Gives capabilities at pointer paths of results that may not have arrived yet. The caller's
 * {@link ResponsePromise} owns one reference, released by {@link #release()}. An interface so
 * that the object that is the call's promise can be its pipeline too (the protocol core's
 * {@code RpcPipeline}; issue 12).
 */
public interface PipelineHook {
  /**
   * The capability at {@code ops}, as a new reference (a promise until the results exist).
   *
   * @param ops the pointer path into the results
   * @return a new reference to the capability there
   */
  ClientHook getPipelinedCap(short[] ops);

  /**
   * Registers {@code listener} to run once when {@code promise}, this pipeline's promise of
   * results (the one its {@link CallResult} carries), completes, as {@code whenComplete} would
   * call it but without a stage object per call. Returns false if this pipeline cannot (the
   * default, or when {@code promise} is not its own or is done already): the caller then uses
   * {@code promise.whenComplete(listener)}.
   *
   * @param promise the promise of the call's results this pipeline came with
   * @param listener called with the results or the failure
   * @return whether the listener was registered
   */
  default boolean listenOnce(java.util.concurrent.CompletableFuture<Results> promise,
      java.util.function.BiConsumer<Results, Throwable> listener) {
    return false;
  }

  /** Drops the caller's hold on the pipeline. */
  default void release() {
  }

  /**
   * A pipeline whose every capability is broken with {@code e}.
   *
   * @param loop the loop of the broken capabilities
   * @param e why they are broken
   * @return the pipeline
   */
  static PipelineHook broken(EventLoop loop, RpcException e) {
    return new PipelineHook() {
      @Override
      public ClientHook getPipelinedCap(short[] ops) {
        return new BrokenClient(loop, e);
      }
    };
  }

  /**
   * A pipeline over results that exist.
   *
   * @param results the results
   * @param loop the loop of their capabilities
   * @return the pipeline
   */
  static PipelineHook resolved(Results results, EventLoop loop) {
    return new PipelineHook() {
      @Override
      public ClientHook getPipelinedCap(short[] ops) {
        return results.capAt(ops, loop);
      }
    };
  }

  /**
   * A pipeline over results that will come from {@code promise} (local calls).
   *
   * @param loop the loop of the capabilities
   * @param promise the promise of the results
   * @return the pipeline
   */
  static PipelineHook of(EventLoop loop, CompletableFuture<Results> promise) {
    return new LocalPipeline(loop, promise);
  }

  /** Pipeline of a local call: queues until the results exist. */
  final class LocalPipeline implements PipelineHook {
    private final EventLoop loop;
    private final CompletableFuture<Results> promise;

    public LocalPipeline(EventLoop loop, CompletableFuture<Results> promise) {
      this.loop = loop;
      this.promise = promise;
    }

    @Override
    public ClientHook getPipelinedCap(short[] ops) {
      if (promise.isDone()) {
        return capFrom(ops);
      }
      QueuedClient q = new QueuedClient(loop, "pipeline");
      q.addRef(); // held until resolution
      promise.whenComplete((r, e) -> {
        q.resolve(capFrom(ops));
        q.release();
      });
      return q;
    }

    private ClientHook capFrom(short[] ops) {
      Results r;
      try {
        r = promise.join();
      } catch (RuntimeException e) {
        return new BrokenClient(loop, RpcException.of(e));
      }
      return r.capAt(ops, loop);
    }
  }
}
