package dev.capnp.net.restore;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.Restorer;
import dev.capnp.net.ServiceId;
import dev.capnp.net.SturdyRef;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A restorer hosting many services, keyed by the SHA-256 digest of their service IDs (the seed's
 * {@code Restorer.Table}); secrets are never compared directly.
 *
 * <ul>
 *   <li>{@link #add} registers a service (the table holds a reference until {@link #remove},
 *       {@link #clear} or {@link #close}); restoring it gives a new reference to that same
 *       capability.
 *   <li>A table made {@link #ofLoader with a loader} asks the loader for IDs it does not hold.
 *       Parallel lookups of one ID share one load; the loaded capability is cached only while
 *       someone holds a reference to it (once every reference is released the next lookup loads
 *       again); failed loads are not cached. Every lookup gets a reference to the loader's own
 *       capability (so two restores of a live service are {@code isSameAs} each other); the
 *       table holds none itself and notices the release through {@link Capability#weak()}.
 *   <li>Anything else fails with {@value Restorer#UNKNOWN_SERVICE_ID}.
 * </ul>
 *
 * <p>Thread-safe. Restoring never blocks: results are futures.
 */
public final class RestorerTable implements Restorer, AutoCloseable {
  private final Function<ServiceId, CapnpUri> makeSturdy;
  private final Loader loader;
  private final Map<ServiceId.DigestKey, Entry> entries = new HashMap<>();
  private boolean closed;

  private RestorerTable(Function<ServiceId, CapnpUri> makeSturdy, Loader loader) {
    this.makeSturdy = Objects.requireNonNull(makeSturdy, "makeSturdy");
    this.loader = loader;
  }

  /**
   * An in-memory table (services only via {@link #add}); {@code makeSturdy} gives the URI of an
   * ID (usually the vat's {@code sturdyUri}).
   *
   * @param makeSturdy maps a service ID to its URI
   * @return the new table
   */
  public static RestorerTable create(Function<ServiceId, CapnpUri> makeSturdy) {
    return new RestorerTable(makeSturdy, null);
  }

  /**
   * A table that loads unknown IDs with {@code loader}.
   *
   * @param loader loads services for unknown IDs
   * @return the new table
   */
  public static RestorerTable ofLoader(Loader loader) {
    Objects.requireNonNull(loader, "loader");
    return new RestorerTable(loader::makeSturdy, loader);
  }

  /**
   * Registers {@code cap} under {@code id}; the table takes ownership of the handle.
   *
   * @param id the service ID
   * @param cap the service; the table takes ownership
   * @throws IllegalStateException if the ID is already in the table or the table is closed
   *     (the handle is closed then)
   */
  public void add(ServiceId id, Capability cap) {
    Objects.requireNonNull(cap, "cap");
    ServiceId.DigestKey key = id.digestKey();
    synchronized (this) {
      if (!closed && !entries.containsKey(key)) {
        entries.put(key, new Manual(cap));
        return;
      }
    }
    cap.close();
    throw new IllegalStateException(closed ? "Restorer table is closed"
        : "Service ID already in restorer table");
  }

  /**
   * Removes {@code id}: releases the table's reference of an added service, or forgets a cached
   * loaded one (its users keep their references).
   *
   * @param id the service ID
   * @throws IllegalArgumentException "Service ID not in restorer table"
   */
  public void remove(ServiceId id) {
    Entry e;
    synchronized (this) {
      e = entries.remove(id.digestKey());
    }
    if (e == null) {
      throw new IllegalArgumentException("Service ID not in restorer table");
    }
    e.dropped();
  }

  /**
   * Removes every entry, releasing the references of added services. Loaded services stay usable
   * by whoever holds them; loads in progress still answer their callers but are not cached.
   */
  public void clear() {
    List<Entry> old;
    synchronized (this) {
      old = new ArrayList<>(entries.values());
      entries.clear();
    }
    for (Entry e : old) {
      e.dropped();
    }
  }

  /** Clears the table and refuses further {@link #add}s and restores. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    clear();
  }

  /**
   * Number of entries (added, cached and loading).
   *
   * @return the number of entries
   */
  public synchronized int size() {
    return entries.size();
  }

  /**
   * The sturdy URI of {@code id} (the table's {@code makeSturdy}).
   *
   * @param id the service ID
   * @return the URI
   */
  public CapnpUri sturdyUri(ServiceId id) {
    return makeSturdy.apply(id);
  }

  /**
   * A sturdy ref to {@code id} of this table: connecting restores through the table (no
   * network); its URI is {@link #sturdyUri}.
   *
   * @param id the service ID
   * @return the sturdy ref
   */
  public SturdyRef sturdyRef(ServiceId id) {
    return new TableRef(id);
  }

  @Override
  public CompletionStage<Capability> restore(ServiceId id) {
    ServiceId.DigestKey key = id.digestKey();
    CompletableFuture<Capability> waiter = new CompletableFuture<>();
    Pending started;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(RpcException.failed("Restorer table is closed"));
      }
      Entry e = entries.get(key);
      if (e instanceof Manual) {
        return CompletableFuture.completedFuture(((Manual) e).cap.dup());
      }
      if (e instanceof Loaded) {
        Capability live = ((Loaded) e).weak.get();
        if (live != null) {
          return CompletableFuture.completedFuture(live);
        }
        // released: its notification has not removed the entry yet; load again
        entries.remove(key);
        e = null;
      }
      if (e instanceof Pending) {
        ((Pending) e).waiters.add(waiter);
        return waiter;
      }
      if (loader == null) {
        return Restorer.unknownServiceId();
      }
      started = new Pending();
      started.waiters.add(waiter);
      entries.put(key, started);
    }
    CompletionStage<Capability> load;
    try {
      load = loader.load(new TableRef(id), key);
      if (load == null) {
        throw new IllegalStateException("Loader.load returned null");
      }
    } catch (RuntimeException e) {
      load = CompletableFuture.failedFuture(e);
    }
    load.whenComplete((cap, err) -> loaded(key, started, cap, err));
    return waiter;
  }

  /** Hands a finished load to its waiters (all references are made before any is handed out). */
  private void loaded(ServiceId.DigestKey key, Pending p, Capability cap, Throwable err) {
    List<CompletableFuture<Capability>> waiters;
    List<Capability> handles = null;
    Throwable failure = err;
    if (failure == null && cap == null) {
      failure = new IllegalStateException("Loader completed with no capability");
    }
    Loaded cached = null;
    synchronized (this) {
      boolean current = entries.get(key) == p;
      waiters = new ArrayList<>(p.waiters);
      p.waiters.clear();
      if (failure != null) {
        if (current) {
          entries.remove(key);
        }
      } else {
        if (current) {
          cached = new Loaded(cap.weak());
          entries.put(key, cached);
        }
        handles = new ArrayList<>(waiters.size());
        handles.add(cap); // the loader's handle goes to the first waiter
        for (int i = 1; i < waiters.size(); i++) {
          handles.add(cap.dup());
        }
      }
    }
    for (int i = 0; i < waiters.size(); i++) {
      CompletableFuture<Capability> w = waiters.get(i);
      if (handles == null) {
        w.completeExceptionally(failure);
      } else if (!w.complete(handles.get(i))) {
        handles.get(i).close();
      }
    }
    if (handles != null && waiters.isEmpty()) {
      cap.close();
    }
    if (cached != null) {
      Loaded entry = cached;
      entry.weak.whenReleased().thenRun(() -> {
        synchronized (this) {
          if (entries.get(key) == entry) {
            entries.remove(key);
          }
        }
      });
    }
  }

  @Override
  public synchronized String toString() {
    return "RestorerTable(" + entries.size() + " entries" + (loader == null ? "" : ", loader")
        + (closed ? ", closed" : "") + ")";
  }

  /** A table entry. */
  private abstract static class Entry {
    /** Called (outside the lock) once the entry has left the table. */
    void dropped() {
    }
  }

  /** A service added with {@link #add}: the table owns one reference. */
  private static final class Manual extends Entry {
    final Capability cap;

    Manual(Capability cap) {
      this.cap = cap;
    }

    @Override
    void dropped() {
      cap.close();
    }
  }

  /** A load in progress and the lookups waiting for it. */
  private static final class Pending extends Entry {
    final List<CompletableFuture<Capability>> waiters = new ArrayList<>(2);
  }

  /** A loaded service, cached while anyone holds a reference to it (the table holds none). */
  private static final class Loaded extends Entry {
    final Capability.Weak weak;

    Loaded(Capability.Weak weak) {
      this.weak = weak;
    }
  }

  /** A sturdy ref that restores through this table. */
  private final class TableRef implements SturdyRef {
    private final ServiceId id;

    TableRef(ServiceId id) {
      this.id = id;
    }

    @Override
    public CompletableFuture<Capability> connect() {
      return restore(id).toCompletableFuture();
    }

    @Override
    public CapnpUri uri() {
      return makeSturdy.apply(id);
    }

    @Override
    public String toString() {
      return "TableRef(" + id + ")";
    }
  }
}
