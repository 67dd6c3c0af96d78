package dev.capnp.net.restore;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.Restorer;
import dev.capnp.net.ServiceId;
import dev.capnp.net.SturdyRef;
import dev.capnp.net.Vat;
import dev.capnp.net.persist.Persistence;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Server;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Several services on one vat, each under a name, without writing a restorer: the vat's
 * restorer becomes a {@link RestorerTable} where each service's ID is derived from the vat's
 * secret key and its name ({@code VatConfig.derivedId(name)}), so with a key file the sturdy
 * URIs stay the same across restarts.
 *
 * <pre>{@code
 * try (Vat vat = Vat.create(config, null);
 *     NamedServices services = NamedServices.serve(vat)) {
 *   CapFile.save(Path.of("admin.cap"), services.add("admin", new AdminService()));
 *   CapFile.save(Path.of("user.cap"), services.add("user", new UserService()));
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #serve(Vat, Loader)} also loads services the table does not hold (the seed's
 * "creating and persisting sturdy refs dynamically"). Thread-safe.
 */
public final class NamedServices implements Restorer, AutoCloseable {
  private final Vat vat;
  private final RestorerTable table;
  private final Map<String, ServiceId> ids = new LinkedHashMap<>();

  private NamedServices(Vat vat, RestorerTable table) {
    this.vat = vat;
    this.table = table;
  }

  /**
   * Makes an empty set of named services the restorer of {@code vat} (which must listen: a
   * client-only vat has no sturdy URIs).
   *
   * @param vat the serving vat
   * @return the services, empty
   * @throws IllegalArgumentException if {@code vat} does not listen
   */
  public static NamedServices serve(Vat vat) {
    requireServing(vat);
    NamedServices services = new NamedServices(vat, RestorerTable.create(vat::sturdyUri));
    vat.setRestorer(services);
    return services;
  }

  /**
   * Like {@link #serve(Vat)}, and IDs that are neither named nor cached are asked of
   * {@code loader} (whose {@code makeSturdy} should be {@code vat::sturdyUri}).
   *
   * @param vat the serving vat
   * @param loader loads services on demand, e.g. from a {@code FileStore}
   * @return the services, empty
   * @throws IllegalArgumentException if {@code vat} does not listen
   */
  public static NamedServices serve(Vat vat, Loader loader) {
    requireServing(vat);
    NamedServices services = new NamedServices(vat, RestorerTable.ofLoader(loader));
    vat.setRestorer(services);
    return services;
  }

  private static void requireServing(Vat vat) {
    if (Objects.requireNonNull(vat, "vat").boundAddress() == null) {
      throw new IllegalArgumentException(
          "Named services need a vat that listens (give its VatConfig a listen address)");
    }
  }

  /**
   * Serves {@code cap} under {@code name}; ownership of the handle passes to these services.
   *
   * @param name the service's name, unique on this vat
   * @param cap the service
   * @return the service's sturdy URI (save it with {@code CapFile.save} or print it)
   * @throws IllegalArgumentException if the name is empty or already used (the handle is closed
   *     then)
   */
  public CapnpUri add(String name, Capability cap) {
    return register(name, cap, false);
  }

  /**
   * Serves {@code server} under {@code name}, on the vat's event loop (so network calls reach it
   * with no thread hand-off).
   *
   * @param name the service's name, unique on this vat
   * @param server the service's implementation
   * @return the service's sturdy URI
   * @throws IllegalArgumentException if the name is empty or already used
   */
  public CapnpUri add(String name, Server server) {
    return add(name, Capability.of(server, vat.loop()));
  }

  /**
   * Serves {@code cap} under {@code name} and answers {@code Persistent.save} on it with its own
   * sturdy URI (the seed's {@code Persistence.with_sturdy_ref}): a client holding a live
   * reference can ask for the URI to reconnect later.
   *
   * @param name the service's name, unique on this vat
   * @param cap the service (ownership passes)
   * @return the service's sturdy URI
   * @throws IllegalArgumentException if the name is empty or already used
   */
  public CapnpUri addPersistent(String name, Capability cap) {
    return register(name, cap, true);
  }

  private CapnpUri register(String name, Capability cap, boolean persistent) {
    Objects.requireNonNull(cap, "cap");
    ServiceId id;
    try {
      id = newId(name);
    } catch (RuntimeException e) {
      cap.close();
      throw e;
    }
    try {
      table.add(id, persistent ? Persistence.withSturdyRef(table.sturdyRef(id), cap) : cap);
    } catch (RuntimeException e) { // the table is closed (it closed the handle)
      synchronized (this) {
        ids.remove(name);
      }
      throw e;
    }
    return vat.sturdyUri(id);
  }

  private synchronized ServiceId newId(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("A service name must not be empty");
    }
    if (ids.containsKey(name)) {
      throw new IllegalArgumentException("A service named \"" + name + "\" is already served");
    }
    ServiceId id = vat.config().derivedId(name);
    ids.put(name, id);
    return id;
  }

  /**
   * The ID a name has on this vat (whether or not it is served).
   *
   * @param name a service name
   * @return the ID derived from the vat's key and {@code name}
   */
  public ServiceId id(String name) {
    return vat.config().derivedId(name);
  }

  /**
   * The sturdy URI of the service named {@code name}.
   *
   * @param name a service name
   * @return its URI
   * @throws IllegalArgumentException if no service has that name
   */
  public CapnpUri sturdyUri(String name) {
    return vat.sturdyUri(servedId(name));
  }

  /**
   * A sturdy ref to the service named {@code name}, restored through these services (no
   * network), e.g. for {@code Persistence.withSturdyRef}.
   *
   * @param name a service name
   * @return the sturdy ref
   * @throws IllegalArgumentException if no service has that name
   */
  public SturdyRef sturdyRef(String name) {
    return table.sturdyRef(servedId(name));
  }

  private synchronized ServiceId servedId(String name) {
    ServiceId id = ids.get(name);
    if (id == null) {
      throw new IllegalArgumentException("No service named \"" + name + "\" (served: "
          + String.join(", ", ids.keySet()) + ")");
    }
    return id;
  }

  /**
   * The underlying table, to add services under IDs of your own (e.g. generated ones).
   *
   * @return the restorer table of these services
   */
  public RestorerTable table() {
    return table;
  }

  @Override
  public CompletionStage<Capability> restore(ServiceId id) {
    return table.restore(id);
  }

  /** Releases every named service (clients holding references keep them). */
  @Override
  public void close() {
    table.close();
  }

  @Override
  public synchronized String toString() {
    return "NamedServices(" + String.join(", ", ids.keySet()) + ")";
  }
}
