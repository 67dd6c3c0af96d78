package dev.capnp.rpc;

/**
 * Receives the outcome of a call sent with {@link Request#send(ResponseListener)}, once, on the
 * event loop of the capability called (the thread that completes the call).
 *
 * <p>The response is the listener's only while {@link #onComplete} runs: it is released when the
 * listener returns, so read what you need from it there. Readers of the results and
 * capabilities taken with {@link Response#getCap} stay valid afterwards.
 *
 * @param <R> results reader type
 */
@FunctionalInterface
public interface ResponseListener<R> {
  /**
   * The call completed.
   *
   * @param response the response, or null if the call failed
   * @param failure why the call failed, or null if it returned results
   */
  void onComplete(Response<R> response, RpcException failure);
}
