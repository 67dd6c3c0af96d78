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
  /**
   * The interface id of the call.
   *
   * @return the 64-bit id of the interface the method belongs to
   */
  long interfaceId();

  /**
   * The method ordinal of the call.
   *
   * @return the method's ordinal within its interface
   */
  int methodId();

  /**
   * The params; throws {@link IllegalStateException} after {@link #releaseParams()}.
   *
   * @return the call's params
   */
  P getParams();

  /** Releases the params (and their capabilities) early. */
  void releaseParams();

  /**
   * The results, initialised on first use. They belong to the call: the builder and anything
   * read from it must not be used once the call has completed (the stage the handler returned
   * is done). For a call from a remote peer they are built in the {@code Return} message
   * itself, whose memory the connection may reuse for a later call's results after the peer's
   * {@code Finish}; keep a copy of what must outlive the call.
   *
   * @return the results being built
   * @throws IllegalStateException once the call has completed (a context kept past its call)
   */
  R getResults();

  /**
   * Re-initialises the results.
   *
   * @return the new, empty results
   */
  R initResults();

  /**
   * Makes this call's results be those of {@code request} (which is sent now); return the
   * returned stage from the handler. Over a connection this becomes a protocol tail call.
   *
   * @param request the call whose results become this call's results; sent by this method
   * @return a stage that completes when the tail call's results are in place
   */
  CompletionStage<Void> tailCall(Request<?, ?, ?> request);

  /**
   * Whether the caller has canceled the call (the result will be discarded).
   *
   * @return {@code true} once the caller has canceled the call
   */
  boolean isCanceled();

  /**
   * Completes when the caller cancels.
   *
   * @return a stage completed when the caller cancels; never completed otherwise
   */
  CompletionStage<Void> whenCanceled();

  /**
   * A typed view of this context.
   *
   * @param <P2> the typed params
   * @param <R2> the typed results builder
   * @param params reads the params pointer as {@code P2}
   * @param results builds the results pointer as {@code R2}
   * @return a typed view of this same call
   */
  <P2, R2> CallContext<P2, R2> typed(PointerFactory<?, P2> params, PointerFactory<R2, ?> results);
}
