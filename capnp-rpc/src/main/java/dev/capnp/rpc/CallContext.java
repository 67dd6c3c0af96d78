package dev.capnp.rpc;

import dev.capnp.runtime.PointerFactory;
import java.util.concurrent.CompletionStage;

/**
 * What a server handler sees of one call: the params, the results to fill, tail calls and
 * cancellation. Untyped contexts have {@code P = AnyPointer.Reader}, {@code R = AnyPointer.Builder};
 * {@link #typed} gives the view generated servers use.
 *
 * @param <P> params reader type
 * @param <R> results builder type
 */
public interface CallContext<P, R> {
  /** The interface id of the call. */
  long interfaceId();

  /** The method ordinal of the call. */
  int methodId();

  /** The params; throws {@link IllegalStateException} after {@link #releaseParams()}. */
  P getParams();

  /** Releases the params (and their capabilities) early. */
  void releaseParams();

  /** The results, initialised on first use. */
  R getResults();

  /** Re-initialises the results. */
  R initResults();

  /**
   * Makes this call's results be those of {@code request} (which is sent now); return the
   * returned stage from the handler. Over a connection this becomes a protocol tail call.
   */
  CompletionStage<Void> tailCall(Request<?, ?, ?> request);

  /** Whether the caller has canceled the call (the result will be discarded). */
  boolean isCanceled();

  /** Completes when the caller cancels. */
  CompletionStage<Void> whenCanceled();

  /** A typed view of this context. */
  <P2, R2> CallContext<P2, R2> typed(PointerFactory<?, P2> params, PointerFactory<R2, ?> results);
}
