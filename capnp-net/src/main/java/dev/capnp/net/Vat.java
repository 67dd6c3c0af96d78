package dev.capnp.net;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * A vat on the network: one {@link EventLoop}, an optional listening socket (TCP or Unix, TLS
 * on or off), a {@link Restorer} answering incoming bootstraps, and a table of outgoing
 * connections shared per peer key (spec section 7).
 *
 * <pre>
 * try (Vat server = Vat.create(config, restorer)) {
 *   CapnpUri uri = server.sturdyUri(id);              // capnp://sha-256:...@host:port/SID
 * }
 * try (Vat client = Vat.client()) {
 *   client.importRef(uri).withCap(cap -> ...);        // connects (shared), releases after
 * }
 * </pre>
 */
public final class Vat implements AutoCloseable {
  private final VatConfig config;
  private final EventLoop loop;
  private volatile Restorer restorer;

  private Vat(VatConfig config, Restorer restorer) {
    this.config = config;
    this.restorer = restorer == null ? Restorer.NONE : restorer;
    this.loop = EventLoop.start("capnp-vat");
  }

  /**
   * A vat serving {@code restorer} at {@code config.listenAddress()} (if any), bound when this
   * returns.
   */
  public static Vat create(VatConfig config, Restorer restorer) {
    return new Vat(config, restorer);
  }

  /** A client-only vat with an ephemeral key (TLS to servers that use it). */
  public static Vat client() {
    return create(VatConfig.clientOnly(), null);
  }

  /** The configuration. */
  public VatConfig config() {
    return config;
  }

  /** The event loop owning every connection of this vat. */
  public EventLoop loop() {
    return loop;
  }

  /** This vat's key fingerprint (also used by clients that have TLS on). */
  public AuthDigest digest() {
    return config.secretKey().digest();
  }

  /** The address actually bound (port 0 resolved), or null for a client-only vat. */
  public NetAddress boundAddress() {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Replaces the restorer answering incoming bootstraps. */
  public void setRestorer(Restorer r) {
    this.restorer = r == null ? Restorer.NONE : r;
  }

  /** The restorer answering incoming bootstraps. */
  public Restorer restorer() {
    return restorer;
  }

  /** The sturdy URI of {@code id}: public (or bound) address and this vat's digest. */
  public CapnpUri sturdyUri(ServiceId id) {
    return config.sturdyUri(id);
  }

  /** A sturdy ref to {@code id} in this vat (restored locally, without networking). */
  public SturdyRef sturdyRef(ServiceId id) {
    return importRef(sturdyUri(id));
  }

  /** A sturdy ref for a {@code capnp://} URI (nothing is connected until it is used). */
  public SturdyRef importRef(String uri) {
    return importRef(CapnpUri.parse(uri));
  }

  /** A sturdy ref for {@code uri}. */
  public SturdyRef importRef(CapnpUri uri) {
    return new SturdyRef() {
      @Override
      public CompletableFuture<Capability> connect() {
        return Vat.this.connect(uri);
      }

      @Override
      public CapnpUri uri() {
        return uri;
      }

      @Override
      public String toString() {
        return "SturdyRef(" + uri.address() + ", " + uri.auth() + ")";
      }
    };
  }

  /** Connects (or reuses a connection) and restores {@code uri}'s service. */
  public CompletableFuture<Capability> connect(CapnpUri uri) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("not yet implemented"));
  }

  /**
   * Runs a connection over an existing byte stream (e.g. a child process's stdin/stdout); this
   * vat's restorer answers the peer's bootstraps. Use {@link RpcConnection#bootstrap()} for the
   * peer's.
   */
  public RpcConnection connectStream(InputStream in, OutputStream out, String name) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Stops listening, aborts every connection and stops the loop. */
  @Override
  public void close() {
    loop.close();
  }
}
