package dev.capnp.net.scenarios;

import dev.capnp.net.NetAddress;
import dev.capnp.net.Restorer;
import dev.capnp.net.SecretKey;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * The suite's setup: a server vat listening on a Unix socket (TLS on or off) whose restorer
 * answers the empty service ID with one service, and a client-only vat. Keys are generated once
 * per JVM, as the seed's test does.
 */
final class Vats implements AutoCloseable {
  static final long TIMEOUT_SECONDS = 20;
  private static SecretKey serverKey;
  private static SecretKey clientKey;

  final Path socket;
  final boolean tls;
  final Capability service;
  Vat server;
  final Vat client;

  private Vats(Path socket, boolean tls, Capability service, Restorer restorer) {
    this.socket = socket;
    this.tls = tls;
    this.service = service;
    this.server = Vat.create(serverConfig(socket, tls), restorer);
    try {
      assumeNetworking(server);
    } catch (RuntimeException | Error e) {
      server.close();
      if (service != null) {
        service.close();
      }
      throw e;
    }
    this.client = Vat.create(VatConfig.builder().secretKey(clientKey()).build(), null);
  }

  /**
   * Skips the scenario while capnp-net's vats cannot listen yet (the skeleton's methods throw
   * {@link UnsupportedOperationException}); once they can, every scenario runs.
   */
  static void assumeNetworking(Vat listening) {
    try {
      listening.boundAddress();
    } catch (UnsupportedOperationException e) {
      Assumptions.abort("capnp-net: Vat networking is not implemented yet (" + e.getMessage()
          + ")");
    }
  }

  /** Vats whose server offers {@code service} (owned by the result) at the empty service ID. */
  static Vats start(Path dir, boolean tls, Capability service) {
    return new Vats(dir.resolve("server.sock"), tls, service, single(ServiceId.EMPTY, service));
  }

  /** Vats whose server answers with {@code restorer}. */
  static Vats start(Path dir, boolean tls, Restorer restorer) {
    return new Vats(dir.resolve("server.sock"), tls, null, restorer);
  }

  static synchronized SecretKey serverKey() {
    if (serverKey == null) {
      serverKey = SecretKey.generate();
    }
    return serverKey;
  }

  static synchronized SecretKey clientKey() {
    if (clientKey == null) {
      clientKey = SecretKey.generate();
    }
    return clientKey;
  }

  static VatConfig serverConfig(Path socket, boolean tls) {
    return VatConfig.builder().secretKey(serverKey())
        .listenAddress(NetAddress.unix(socket.toString())).tls(tls).build();
  }

  /** The seed's {@code Restorer.single}: {@code id} gives a new reference to {@code cap}. */
  static Restorer single(ServiceId id, Capability cap) {
    return requested -> requested.matches(id) ? CompletableFuture.completedFuture(cap.dup())
        : Restorer.unknownServiceId();
  }

  /** Restarts the server vat at the same address with the same key and restorer. */
  void restartServer() {
    Restorer r = server.restorer();
    server.close();
    server = Vat.create(serverConfig(socket, tls), r);
  }

  /** The client's live reference to the server's service (the seed's {@code get_bootstrap}). */
  Capability bootstrap() {
    return await(client.importRef(server.sturdyUri(ServiceId.EMPTY)).connect());
  }

  /** Waits for {@code f}; failures are rethrown as the {@link RpcException} (or unchecked). */
  static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(c);
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out after " + TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The failure of {@code f} as an {@link RpcException} (fails if {@code f} succeeds). */
  static RpcException failure(CompletableFuture<?> f) {
    try {
      Object v = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (v instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // best effort
        }
      }
      throw new AssertionError("expected a failure, got " + v);
    } catch (ExecutionException e) {
      return RpcException.of(e.getCause());
    } catch (TimeoutException | InterruptedException e) {
      throw new AssertionError("no result after " + TIMEOUT_SECONDS + " s", e);
    }
  }

  @Override
  public void close() {
    client.close();
    server.close();
    if (service != null) {
      service.close();
    }
  }
}
