package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.EchoApi.SavedLogger;
import dev.capnp.examples.rpc.EchoApi.SavedService;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.Restorer;
import dev.capnp.net.ServiceId;
import dev.capnp.net.SturdyRef;
import dev.capnp.net.persist.FileStore;
import dev.capnp.net.persist.Persistence;
import dev.capnp.net.restore.Loader;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.runtime.MessageBuilder;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The tutorial's {@code DB}: loggers saved in a {@link FileStore} as {@code SavedService} structs,
 * loaded on demand by a loader-backed restorer table.
 *
 * <p>The store is keyed by the SHA-256 digest of each logger's service ID, never by the ID
 * itself: a copy of the store (an old backup, say) does not hold the secrets that grant access,
 * and {@link #load} only ever sees digests, so how long a lookup takes reveals nothing about a
 * guessed ID.
 */
public final class LoggerDb implements Loader {
  private final FileStore store;
  private final Function<ServiceId, CapnpUri> makeSturdy;
  private final EventLoop loop;
  private final PrintStream out;

  /**
   * A database of loggers in {@code store}.
   *
   * @param store where the loggers are saved
   * @param makeSturdy the URI of a service ID (the vat's {@code sturdyUri})
   * @param loop the loop serving the loaded loggers (the vat's)
   * @param out where the loggers print
   */
  public LoggerDb(FileStore store, Function<ServiceId, CapnpUri> makeSturdy, EventLoop loop,
      PrintStream out) {
    this.store = store;
    this.makeSturdy = makeSturdy;
    this.loop = loop;
    this.out = out;
  }

  /**
   * Saves a new logger labelled {@code label} under a new random ID.
   *
   * @param label the logger's label
   * @return its ID (the secret part of its sturdy URI)
   */
  public ServiceId saveNew(String label) {
    ServiceId id = ServiceId.generate();
    MessageBuilder message = new MessageBuilder();
    SavedService.Builder saved = message.initRoot(SavedService.FACTORY);
    saved.initLogger().setLabel(label);
    store.save(id.digest(), message);
    return id;
  }

  @Override
  public CapnpUri makeSturdy(ServiceId id) {
    return makeSturdy.apply(id);
  }

  /**
   * Loads the logger stored under {@code digest}: a {@link PrintingCallback} printing
   * {@code "<label>: <msg>"} that answers {@code Persistent.save} with {@code self}'s URI. (Reading
   * one small file is quick; a loader that queries a database should do so on an executor and
   * return its stage, since this runs on the vat's event loop.)
   */
  @Override
  public CompletionStage<Capability> load(SturdyRef self, ServiceId.DigestKey digest) {
    return store.load(digest, SavedService.FACTORY)
        .map(saved -> {
          SavedLogger.Reader logger = saved.getLogger();
          Capability printer = Capability.of(
              new PrintingCallback(logger.getLabel() + ": ", out), loop);
          return CompletableFuture.completedFuture(Persistence.withSturdyRef(self, printer));
        })
        .orElseGet(Restorer::unknownServiceId);
  }
}
