package dev.capnp.rpc;

import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.runtime.AnyPointer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Base class of capability implementations. Generated {@code Foo.Server} classes override
 * {@link #dispatch} with a switch over their methods; untyped servers override it directly.
 * Handlers run on the event loop and must not block unless the server is {@link Blocking} (or
 * {@link #isBlocking} says so), in which case they run on a virtual thread (JDK 21+) or a pool.
 *
 * <p>A server may be wrapped in many {@link Capability} handles; {@link #onRelease()} runs when
 * the last reference is gone.
 */
public abstract class Server {
  private LocalClient hook;
  private final boolean blockingClass = getClass().isAnnotationPresent(Blocking.class);

  /** Creates a server. */
  protected Server() {
  }

  /**
   * Handles one call: read {@code context.getParams()}, fill {@code context.getResults()}, and
   * return a stage that completes when the results are ready (or fails with the error to return).
   * The default answers "Unknown interface".
   *
   * @param interfaceId the 64-bit id of the called method's interface
   * @param methodId the method's ordinal within its interface
   * @param context the call's params and results
   * @return a stage completed when the results are ready
   */
  protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
      CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
    return unknownInterface(interfaceId);
  }

  /**
   * Whether calls to this method run off the event loop (default: the {@link Blocking} mark).
   *
   * @param interfaceId the 64-bit id of the method's interface
   * @param methodId the method's ordinal within its interface
   * @return {@code true} if calls to the method run off the event loop
   */
  protected boolean isBlocking(long interfaceId, int methodId) {
    return blockingClass;
  }

  /**
   * Whether the method is a streaming one ({@code -> stream}; generated servers answer this).
   * While a streaming call to this object runs, later calls to it wait (so a stream is processed
   * one call at a time, in order); once one fails, every later call to the object fails with the
   * same exception.
   *
   * @param interfaceId the 64-bit id of the method's interface
   * @param methodId the method's ordinal within its interface
   * @return {@code true} if the method is a streaming one
   */
  protected boolean isStreaming(long interfaceId, int methodId) {
    return false;
  }

  /** Called on the event loop when the last reference to this server is released. */
  protected void onRelease() {
  }

  /**
   * An already completed stage, for handlers that finish at once.
   *
   * @return a completed stage
   */
  public static CompletionStage<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * A failed stage reporting an unknown interface.
   *
   * @param interfaceId the 64-bit id of the unknown interface
   * @return a stage failed with an {@code UNIMPLEMENTED} {@link RpcException}
   */
  public static CompletionStage<Void> unknownInterface(long interfaceId) {
    return CompletableFuture.failedFuture(
        RpcException.unimplemented("Unknown interface " + Long.toUnsignedString(interfaceId)));
  }

  /**
   * A failed stage reporting an unknown method.
   *
   * @param interfaceId the 64-bit id of the method's interface
   * @param methodId the unknown method's ordinal
   * @return a stage failed with an {@code UNIMPLEMENTED} {@link RpcException}
   */
  public static CompletionStage<Void> unknownMethod(long interfaceId, int methodId) {
    return CompletableFuture.failedFuture(RpcException.unimplemented(
        "Unknown method " + Long.toUnsignedString(interfaceId) + "." + methodId));
  }

  /** The local hook for this server, creating one if none is live. */
  synchronized ClientHook hook(EventLoop loop) {
    if (hook != null) {
      try {
        return hook.addRef();
      } catch (IllegalStateException released) {
        hook = null;
      }
    }
    hook = new LocalClient(loop, this);
    return hook;
  }

  synchronized void hookDestroyed(LocalClient h) {
    if (hook == h) {
      hook = null;
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName();
  }
}
