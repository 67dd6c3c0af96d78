package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.EchoApi.Callback;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.persist.FileStore;
import dev.capnp.net.persist.Persistence;
import dev.capnp.net.restore.NamedServices;
import dev.capnp.rpc.Capability;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server of the tutorial's last part, one running instance:
 *
 * <ul>
 *   <li><b>Hosting multiple sturdy refs</b>: the echo service ({@code "main"}) and the service's
 *       logger ({@code "logger"}) each have a sturdy URI, their IDs derived from the vat's key
 *       (stable across restarts with the same key file); {@link NamedServices} is the restorer.
 *   <li><b>The Persistence API</b>: the service's logger answers {@code Persistent.save} with its
 *       own URI, so a client holding it (from {@code getLogger}) can ask for its sturdy ref.
 *   <li><b>Creating and persisting sturdy refs dynamically</b>: {@code createLogger(label)} saves
 *       a new logger in a {@link LoggerDb} (a {@link FileStore}) under a new random ID and returns
 *       it live; the table loads such loggers on demand, also after a restart.
 * </ul>
 */
public final class EchoStoreServer implements AutoCloseable {
  private final Vat vat;
  private final NamedServices services;
  private final LoggerDb db;

  private EchoStoreServer(Vat vat, NamedServices services, LoggerDb db) {
    this.vat = vat;
    this.services = services;
    this.db = db;
  }

  /**
   * Starts serving.
   *
   * @param config the vat's configuration (with a listen address; with a key file for sturdy
   *     refs that survive a restart)
   * @param storeDir the store of created loggers (created if missing)
   * @param delayMillis the pause between heartbeats
   * @param out where the loggers print
   * @return the running server
   */
  public static EchoStoreServer start(VatConfig config, Path storeDir, long delayMillis,
      PrintStream out) {
    try {
      Files.createDirectories(storeDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the store \"" + storeDir + "\": "
          + e.getMessage(), e);
    }
    Vat vat = Vat.create(config, null);
    try {
      LoggerDb db = new LoggerDb(new FileStore(storeDir), vat::sturdyUri, vat.loop(), out);
      NamedServices services = NamedServices.serve(vat, db);
      // The service's logger: persistent, and also handed out by the echo service's getLogger.
      ServiceId loggerId = services.id("logger");
      Capability logger = Persistence.withSturdyRef(services.table().sturdyRef(loggerId),
          Capability.of(new PrintingCallback("Service log: ", out), vat.loop()));
      services.add("logger", logger.dup());
      EchoService echo = new EchoService(delayMillis, new Callback.Client(logger),
          label -> services.restore(db.saveNew(label)).thenApply(Callback.Client::new));
      services.add("main", echo);
      return new EchoStoreServer(vat, services, db);
    } catch (RuntimeException e) {
      vat.close();
      throw e;
    }
  }

  /**
   * The echo service's sturdy URI.
   *
   * @return the URI of {@code "main"}
   */
  public CapnpUri echoUri() {
    return services.sturdyUri("main");
  }

  /**
   * The service logger's sturdy URI.
   *
   * @return the URI of {@code "logger"}
   */
  public CapnpUri loggerUri() {
    return services.sturdyUri("logger");
  }

  /**
   * The serving vat.
   *
   * @return the vat
   */
  public Vat vat() {
    return vat;
  }

  /**
   * The logger database.
   *
   * @return the database of created loggers
   */
  public LoggerDb db() {
    return db;
  }

  /** Stops serving: closes the vat (its connections end) and releases the services. */
  @Override
  public void close() {
    vat.close();
    services.close();
  }
}
