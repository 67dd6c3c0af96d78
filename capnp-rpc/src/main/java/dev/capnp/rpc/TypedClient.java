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

  /** Wraps {@code capability}, taking ownership of that handle. */
  protected TypedClient(Capability capability) {
    this.capability = capability;
  }

  /** The underlying handle (borrowed: do not close it; use {@link #close()}). */
  public final Capability capability() {
    return capability;
  }

  /** A typed request (called by generated methods). */
  protected final <P, R, L> Request<P, R, L> newCall(long interfaceId, int methodId,
      PointerFactory<P, ?> params, PointerFactory<?, R> results, Function<Pipeline, L> pipeline) {
    return capability.newCall(interfaceId, methodId, params, results, pipeline);
  }

  /** Releases this reference. */
  @Override
  public void close() {
    capability.close();
  }

  /** See {@link Capability#whenBroken()}. */
  public CompletableFuture<RpcException> whenBroken() {
    return capability.whenBroken();
  }

  /** See {@link Capability#whenResolved()}. */
  public CompletableFuture<Void> whenResolved() {
    return capability.whenResolved();
  }

  /** See {@link Capability#problem()}. */
  public RpcException problem() {
    return capability.problem();
  }

  /** See {@link Capability#isSameAs(Capability)}. */
  public boolean isSameAs(TypedClient other) {
    return capability.isSameAs(other.capability);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(" + capability + ")";
  }
}
