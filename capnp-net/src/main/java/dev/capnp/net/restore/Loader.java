package dev.capnp.net.restore;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.ServiceId;
import dev.capnp.net.SturdyRef;
import dev.capnp.rpc.Capability;
import java.util.concurrent.CompletionStage;

/**
 * Loads services on demand for a {@link RestorerTable#ofLoader loader-backed table} (the seed's
 * {@code Restorer.LOADER}), typically from a database such as a {@code FileStore}.
 *
 * <p>The loader only ever sees the SHA-256 digest of the requested service ID, so the time a
 * lookup takes cannot reveal how much of a valid secret a client guessed, and a store keyed by
 * digest never holds the secrets themselves.
 */
public interface Loader {
  /**
   * The sturdy URI of the service {@code id} of this vat (holds the secret ID).
   *
   * @param id the service ID
   * @return the URI
   */
  CapnpUri makeSturdy(ServiceId id);

  /**
   * Loads the service whose ID has SHA-256 {@code digest}. {@code self} is a sturdy ref to that
   * service (connecting goes through the table; its URI is {@link #makeSturdy}), for services
   * that answer {@code Persistent.save}. Complete with a capability (ownership passes to the
   * table), or fail with an {@link dev.capnp.rpc.RpcException}: usually
   * {@link dev.capnp.net.Restorer#unknownServiceId()} when nothing is stored under the digest.
   * Must not block the calling thread (run slow work on an executor and return its stage).
   *
   * @param self a sturdy ref to the service being loaded
   * @param digest the SHA-256 digest of the service ID
   * @return a stage completed with a new handle the table owns
   */
  CompletionStage<Capability> load(SturdyRef self, ServiceId.DigestKey digest);
}
