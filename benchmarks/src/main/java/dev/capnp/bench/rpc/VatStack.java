package dev.capnp.bench.rpc;

import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.rpc.Capability;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * capnp-net vats: the server vat listens on TCP loopback (TLS off or on) or a Unix socket and
 * serves the echo service under {@code derivedId("main")}, as the seed's benchmark does; the
 * client vat imports the printed sturdy URI. The service runs on the server vat's loop unless
 * {@code -Dbench.serviceLoop=default} puts it on the shared default loop (cross-loop bridging).
 */
final class VatStack implements Stack {
  @Override
  public Served serve(String transport) throws Exception {
    VatConfig.Builder config = VatConfig.builder();
    Path socketDir = null;
    switch (transport) {
      case "tcp" -> config.listenAddress(NetAddress.tcp("127.0.0.1", 0)).tls(false);
      case "tls" -> config.listenAddress(NetAddress.tcp("127.0.0.1", 0)).tls(true);
      case "unix" -> {
        socketDir = Files.createTempDirectory("echo-bench");
        config.listenAddress(NetAddress.unix(socketDir.resolve("echo.sock").toString()))
            .tls(false);
      }
      default -> throw new IllegalArgumentException("unknown transport " + transport);
    }
    VatConfig built = config.build();
    ServiceId id = built.derivedId("main");
    Vat vat = Vat.create(built, null);
    // The service lives on the vat's own loop (no thread hop per call); with
    // -Dbench.serviceLoop=default it lives on the shared default loop instead, and every call
    // is bridged there and back (to measure what cross-loop bridging costs).
    Capability service = "default".equals(System.getProperty("bench.serviceLoop", "vat"))
        ? Capability.of(new EchoServer()) : Capability.of(new EchoServer(), vat.loop());
    SingleRestorer restorer = new SingleRestorer(id, service);
    vat.setRestorer(restorer);
    String uri = vat.sturdyUri(id).toString();
    Path dirToDelete = socketDir;
    return new Served() {
      @Override
      public String address() {
        return uri;
      }

      @Override
      public void close() throws java.io.IOException {
        vat.close();
        restorer.close();
        if (dirToDelete != null) {
          Files.deleteIfExists(dirToDelete.resolve("echo.sock"));
          Files.deleteIfExists(dirToDelete);
        }
      }
    };
  }

  @Override
  public Connected connect(String transport, String address) throws Exception {
    Vat client = Vat.client();
    Capability echo;
    try {
      echo = client.importRef(address).connect().get();
    } catch (Exception e) {
      client.close();
      throw e;
    }
    return new Connected() {
      @Override
      public Capability echo() {
        return echo;
      }

      @Override
      public void close() {
        echo.close();
        client.close();
      }
    };
  }
}
