package dev.capnp.rpc;

import dev.capnp.runtime.PointerFactory;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Base class of generated typed clients ({@code Foo.Client}): owns one {@link Capability}
 * reference and adds typed request methods.
 */
public abstract class TypedClient implements AutoCloseable {
  private final Capability capability;

  /**
   * Wraps {@code capability}, taking ownership of that handle.
   *
   * @param capability the handle this client owns from now on
   */
  protected TypedClient(Capability capability) {
    this.capability = capability;
  }

  /**
   * The underlying handle (borrowed: do not close it; use {@link #close()}).
   *
   * @return the underlying handle, owned by this client
   */
  public final Capability capability() {
    return capability;
  }

  /**
   * A typed request (called by generated methods).
   *
   * @param <P> the params builder type
   * @param <R> the results reader type
   * @param <L> the typed pipeline type
   * @param interfaceId the 64-bit id of the method's interface
   * @param methodId the method's ordinal within its interface
   * @param params builds the params pointer as {@code P}
   * @param results reads the results pointer as {@code R}
   * @param pipeline wraps the untyped pipeline as {@code L}
   * @return a new request with empty params, not yet sent
   */
  protected final <P, R, L> Request<P, R, L> newCall(long interfaceId, int methodId,
      PointerFactory<P, ?> params, PointerFactory<?, R> results, Function<Pipeline, L> pipeline) {
    return capability.newCall(interfaceId, methodId, params, results, pipeline);
  }

  /** Releases this reference. */
  @Override
  public void close() {
    capability.close();
  }

  /**
   * See {@link Capability#whenBroken()}.
   *
   * @return a future completed with the reason the capability broke
   */
  public CompletableFuture<RpcException> whenBroken() {
    return capability.whenBroken();
  }

  /**
   * See {@link Capability#whenResolved()}.
   *
   * @return a future completed once the capability is settled
   */
  public CompletableFuture<Void> whenResolved() {
    return capability.whenResolved();
  }

  /**
   * See {@link Capability#problem()}.
   *
   * @return the reason, or {@code null} if the capability is not broken
   */
  public RpcException problem() {
    return capability.problem();
  }

  /**
   * See {@link Capability#isSameAs(Capability)}.
   *
   * @param other another client, still open
   * @return {@code true} if both lead to the same target now
   */
  public boolean isSameAs(TypedClient other) {
    return capability.isSameAs(other.capability);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(" + capability + ")";
  }
}
