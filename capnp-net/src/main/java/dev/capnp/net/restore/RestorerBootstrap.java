package dev.capnp.net.restore;

import dev.capnp.net.Restorer;
import dev.capnp.net.ServiceId;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Text;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a peer's {@code Bootstrap} messages with a {@link Restorer} (spec section 5).
 *
 * <ul>
 *   <li>The service ID is the {@code deprecatedObjectId}, a Text holding the raw ID bytes (any
 *       byte, not necessarily UTF-8); a null pointer is the empty ID (what C++ clients and
 *       sturdy refs without a service ID send).
 *   <li>A restore that is already complete answers with its capability or, on failure, with a
 *       {@code Return.exception}; one still running answers with a promise that resolves (or
 *       breaks) when the restore completes.
 *   <li>An {@link RpcException} from the restorer reaches the client unchanged; cancellation
 *       becomes {@code "Cancelled"} and any other exception {@code "Internal error restoring
 *       object"} (logged here, never shown to the client).
 *   <li>With no restorer ({@link #of of(null)}) every request fails "This vat has no restorer".
 * </ul>
 */
public final class RestorerBootstrap implements RpcConnection.BootstrapFactory {
  private static final Logger LOG = LoggerFactory.getLogger(RestorerBootstrap.class);
  /** The text sent for restorer failures that are not {@link RpcException}s. */
  public static final String INTERNAL_ERROR = "Internal error restoring object";

  private final Restorer restorer;

  private RestorerBootstrap(Restorer restorer) {
    this.restorer = restorer == null ? Restorer.NONE : restorer;
  }

  /**
   * A bootstrap factory serving {@code restorer} (null: the vat has no restorer).
   *
   * @param restorer the restorer; {@code null} if the vat has none
   * @return the factory
   */
  public static RestorerBootstrap of(Restorer restorer) {
    return new RestorerBootstrap(restorer);
  }

  /**
   * The service ID carried by a Bootstrap's {@code deprecatedObjectId} (null or a null pointer:
   * the empty ID).
   *
   * @param objectId the {@code deprecatedObjectId} pointer; may be {@code null}
   * @return the service ID
   * @throws RpcException if the pointer is not a Text
   */
  public static ServiceId serviceIdOf(AnyPointer.Reader objectId) {
    if (objectId == null || objectId.isNull()) {
      return ServiceId.EMPTY;
    }
    if (!objectId.isList()) {
      throw RpcException.failed("Bootstrap deprecatedObjectId is not a Text");
    }
    Text.Reader t = objectId.getAs(Text.FACTORY);
    return ServiceId.of(t.toArray());
  }

  /**
   * The Text written as {@code deprecatedObjectId} for {@code id} (raw bytes), or null for the
   * empty ID (which must be left unset).
   *
   * @param id the service ID
   * @return the Text, or {@code null} for the empty ID
   */
  public static Text.Reader objectIdOf(ServiceId id) {
    return id.isEmpty() ? null : new Text.Reader(id.toBytes());
  }

  @Override
  public Capability bootstrap(AnyPointer.Reader objectId) {
    CompletableFuture<Capability> result = restore(serviceIdOf(objectId));
    if (!result.isDone()) {
      return Capability.promise(result);
    }
    try {
      return result.join();
    } catch (CompletionException e) {
      throw (RpcException) e.getCause();
    }
  }

  /**
   * Asks the restorer for {@code id}; a failure completes the result with the exception a
   * client sees ({@link #clientError}). Used for bootstraps and for sturdy refs a vat restores
   * locally.
   *
   * @param id the service ID
   * @return a future completed with a new handle the caller owns
   */
  public CompletableFuture<Capability> restore(ServiceId id) {
    CompletionStage<Capability> s;
    try {
      s = restorer.restore(id);
      if (s == null) {
        throw new IllegalStateException("restorer " + restorer + " returned null");
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(clientError(e));
    }
    CompletableFuture<Capability> out = new CompletableFuture<>();
    s.whenComplete((cap, err) -> {
      if (err != null) {
        out.completeExceptionally(clientError(err));
      } else if (!out.complete(cap) && cap != null) {
        cap.close();
      }
    });
    return out;
  }

  /**
   * The restorer this factory serves.
   *
   * @return the restorer
   */
  public Restorer restorer() {
    return restorer;
  }

  /**
   * The exception a client sees for a restore failure {@code t}.
   *
   * @param t the restore failure
   * @return the exception the client sees
   */
  public static RpcException clientError(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof RpcException) {
      return (RpcException) t;
    }
    if (t instanceof CancellationException) {
      return RpcException.failed("Cancelled");
    }
    LOG.error("Uncaught exception restoring object", t);
    return RpcException.failed(INTERNAL_ERROR);
  }

  @Override
  public String toString() {
    return "RestorerBootstrap(" + restorer + ")";
  }
}
