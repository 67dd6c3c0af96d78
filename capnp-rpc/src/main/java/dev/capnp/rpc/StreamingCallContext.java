package dev.capnp.rpc;

import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.PointerFactory;
import java.util.concurrent.CompletionStage;

/**
 * What the handler of a streaming method ({@code -> stream}) sees of one call: the params and
 * cancellation; there are no results to fill and no tail calls. The server runs the streaming
 * calls to one object one at a time, in order (later calls to the object wait until the
 * handler's stage completes), and a failed streaming call fails every later call to the object:
 * return a stage that completes when the write is really done, and fail it to break the stream.
 *
 * @param <P> params reader type
 */
public final class StreamingCallContext<P> {
  private final CallContext<P, ?> context;

  private StreamingCallContext(CallContext<P, ?> context) {
    this.context = context;
  }

  /**
   * The streaming view of an untyped call context (used by generated servers).
   *
   * @param <P> the typed params
   * @param context the untyped context of the call
   * @param params reads the params pointer as {@code P}
   * @return a streaming view of {@code context}
   */
  public static <P> StreamingCallContext<P> of(
      CallContext<AnyPointer.Reader, AnyPointer.Builder> context, PointerFactory<?, P> params) {
    return new StreamingCallContext<>(context.typed(params, AnyPointer.FACTORY));
  }

  /**
   * The interface id of the call.
   *
   * @return the 64-bit id of the interface the method belongs to
   */
  public long interfaceId() {
    return context.interfaceId();
  }

  /**
   * The method ordinal of the call.
   *
   * @return the method's ordinal within its interface
   */
  public int methodId() {
    return context.methodId();
  }

  /**
   * The params; throws {@link IllegalStateException} after {@link #releaseParams()}.
   *
   * @return the call's params
   */
  public P getParams() {
    return context.getParams();
  }

  /** Releases the params (and their capabilities) early. */
  public void releaseParams() {
    context.releaseParams();
  }

  /**
   * Whether the caller has canceled the call.
   *
   * @return {@code true} once the caller has canceled the call
   */
  public boolean isCanceled() {
    return context.isCanceled();
  }

  /**
   * Completes when the caller cancels.
   *
   * @return a stage completed when the caller cancels; never completed otherwise
   */
  public CompletionStage<Void> whenCanceled() {
    return context.whenCanceled();
  }
}
