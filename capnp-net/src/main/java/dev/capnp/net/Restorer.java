package dev.capnp.net;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Turns a service ID (the bootstrap object ID a client sent) into a live capability. The vat
 * calls it on its event loop for every incoming {@code Bootstrap}. Implementations must look IDs
 * up by digest ({@link ServiceId#digestKey()} / {@link ServiceId#matches}), never by raw bytes.
 * Tables, single-service and loader-backed restorers live in {@code dev.capnp.net.restore}.
 */
@FunctionalInterface
public interface Restorer {
  /** The error for an unknown ID (spec section 5). */
  String UNKNOWN_SERVICE_ID = "Unknown persistent service ID";

  /**
   * The capability named by {@code id}; ownership of the returned handle passes to the caller.
   * Fail with an {@link RpcException} to answer the client with it; any other failure is
   * reported to the client as {@code "Internal error restoring object"}.
   *
   * @param id the requested service ID
   * @return a stage completed with a new handle the caller owns
   */
  CompletionStage<Capability> restore(ServiceId id);

  /** The restorer of a vat that offers nothing: every ID fails "This vat has no restorer". */
  Restorer NONE = id -> CompletableFuture.failedFuture(
      RpcException.failed("This vat has no restorer"));

  /**
   * A completed failure with {@link #UNKNOWN_SERVICE_ID}.
   *
   * @return a future failed with {@link #UNKNOWN_SERVICE_ID}
   */
  static CompletableFuture<Capability> unknownServiceId() {
    return CompletableFuture.failedFuture(RpcException.failed(UNKNOWN_SERVICE_ID));
  }
}
