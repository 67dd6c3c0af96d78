package dev.capnp.net.restore;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.Restorer;
import dev.capnp.net.ServiceId;
import dev.capnp.rpc.Capability;
import java.util.function.Function;

/**
 * Factories for the standard restorers, named like the seed's {@code Restorer} module:
 * {@code Restorers.single(id, cap)}, {@code Restorers.table(makeSturdy)},
 * {@code Restorers.ofLoader(loader)}, {@code Restorers.none()}.
 */
public final class Restorers {
  private Restorers() {
  }

  /**
   * A restorer serving only {@code cap} (ownership passes) under {@code id}.
   *
   * @param id the service ID
   * @param cap the service; ownership passes to the restorer
   * @return the restorer
   */
  public static SingleRestorer single(ServiceId id, Capability cap) {
    return new SingleRestorer(id, cap);
  }

  /**
   * An in-memory table; {@code makeSturdy} gives the URI of an ID.
   *
   * @param makeSturdy maps a service ID to its URI
   * @return the new table
   */
  public static RestorerTable table(Function<ServiceId, CapnpUri> makeSturdy) {
    return RestorerTable.create(makeSturdy);
  }

  /**
   * A table that loads unknown IDs with {@code loader}.
   *
   * @param loader loads services for unknown IDs
   * @return the new table
   */
  public static RestorerTable ofLoader(Loader loader) {
    return RestorerTable.ofLoader(loader);
  }

  /**
   * The restorer of a vat with nothing to offer ("This vat has no restorer").
   *
   * @return the restorer
   */
  public static Restorer none() {
    return Restorer.NONE;
  }
}
