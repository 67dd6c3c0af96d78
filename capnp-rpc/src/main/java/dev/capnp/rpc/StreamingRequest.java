package dev.capnp.rpc;

import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.PointerFactory;
import java.util.concurrent.CompletableFuture;

/**
 * A call of a streaming method ({@code write @0 (data :Data) -> stream;}) being prepared:
 * generated clients return one from {@code writeRequest()}. Fill {@link #getParams()}, then
 * {@link #send()}:
 * <pre>{@code
 * for (byte[] chunk : chunks) {
 *   var write = sink.writeRequest();
 *   write.getParams().setData(chunk);
 *   write.send().join();           // or compose: returns when flow control allows the next write
 * }
 * sink.doneRequest().send().join(); // a regular call: runs after every write, fails if one did
 * }</pre>
 *
 * <p>Streaming calls keep E-order with every other call to the capability; flow control only
 * decides when {@link #send()}'s future completes. Over a connection, a per-capability flow
 * controller ({@link StreamFlowControl}, configured on the {@link RpcConnection}) completes it as
 * soon as the bytes in flight fit its window, long before the call returns; for a capability in
 * this process it completes when the call has completed. The first failure of a streaming call
 * breaks the stream: later {@code send()}s fail with it, and the server fails every later call to
 * the object, so the final regular call reports it too.
 *
 * @param <P> params builder type
 */
public final class StreamingRequest<P> {
  private final Request<P, AnyPointer.Reader, Pipeline> request;

  private StreamingRequest(Request<P, AnyPointer.Reader, Pipeline> request) {
    this.request = request;
  }

  /**
   * A streaming request to {@code interfaceId.methodId} of {@code target} (used by generated
   * clients), params built with {@code params}.
   *
   * @param <P> the params builder type
   * @param target the capability to call; borrowed
   * @param interfaceId the 64-bit id of the method's interface
   * @param methodId the method's ordinal within its interface
   * @param params builds the params pointer as {@code P}
   * @return a new request with empty params, not yet sent
   */
  public static <P> StreamingRequest<P> of(Capability target, long interfaceId, int methodId,
      PointerFactory<P, ?> params) {
    return new StreamingRequest<>(
        target.newCall(interfaceId, methodId, params, AnyPointer.FACTORY, p -> p));
  }

  /**
   * The params, initialised on first use.
   *
   * @return the params builder
   */
  public P getParams() {
    return request.getParams();
  }

  /**
   * The interface id.
   *
   * @return the 64-bit id of the method's interface
   */
  public long interfaceId() {
    return request.interfaceId();
  }

  /**
   * The method ordinal.
   *
   * @return the method's ordinal within its interface
   */
  public int methodId() {
    return request.methodId();
  }

  /**
   * Sends the call (once). The future completes when the next streaming call may be sent, and
   * fails if the stream is broken (see the class comment and {@link Request#sendStreaming()}).
   *
   * @return a future completed when the next streaming call may be sent
   */
  public CompletableFuture<Void> send() {
    return request.sendStreaming();
  }

  /** Releases the request without sending it. */
  public void discard() {
    request.discard();
  }
}
