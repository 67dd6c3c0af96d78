package dev.capnp.net.restore;

import dev.capnp.net.Restorer;
import dev.capnp.net.ServiceId;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A restorer for a vat hosting one service (the seed's {@code Restorer.single}): the ID it was
 * made with gives a new reference to the capability, any other ID fails with
 * {@value Restorer#UNKNOWN_SERVICE_ID}. IDs are compared by SHA-256 digest in constant time, so
 * timing reveals nothing about the secret.
 *
 * <p>The restorer owns its capability handle; {@link #close()} releases it.
 */
public final class SingleRestorer implements Restorer, AutoCloseable {
  private final ServiceId id;
  private final Capability cap;

  /**
   * Serves {@code cap} (ownership passes to the restorer) under {@code id}.
   *
   * @param id the service ID
   * @param cap the service; ownership passes to the restorer
   */
  public SingleRestorer(ServiceId id, Capability cap) {
    if (id == null || cap == null) {
      throw new IllegalArgumentException("SingleRestorer needs a service ID and a capability");
    }
    this.id = id;
    this.cap = cap;
  }

  @Override
  public CompletionStage<Capability> restore(ServiceId requested) {
    if (!id.matches(requested)) {
      return Restorer.unknownServiceId();
    }
    try {
      return CompletableFuture.completedFuture(cap.dup());
    } catch (IllegalStateException released) {
      return CompletableFuture.failedFuture(RpcException.failed("Restorer already closed"));
    }
  }

  /** Releases the restorer's reference to the capability. */
  @Override
  public void close() {
    cap.close();
  }

  @Override
  public String toString() {
    return "SingleRestorer(" + id + " -> " + cap + ")";
  }
}
