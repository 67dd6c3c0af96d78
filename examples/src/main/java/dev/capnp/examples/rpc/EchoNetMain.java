package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.EchoApi.Echo;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.restore.SingleRestorer;

/**
 * The tutorial's "Networking" step: the echo service in a server vat (ephemeral key, TLS,
 * TCP 127.0.0.1 on a free port), a client vat in the same process that imports the service's
 * sturdy URI and runs the tutorial client over the network.
 * Run: {@code EchoNetMain [delayMillis]}.
 */
public final class EchoNetMain {
  private EchoNetMain() {}

  /**
   * Entry point.
   *
   * @param args optionally the heartbeat delay in milliseconds (default 1000)
   */
  public static void main(String[] args) {
    long delay = args.length > 0 ? Long.parseLong(args[0]) : 1000;
    VatConfig config = VatConfig.builder()
        .listenAddress(NetAddress.tcp("127.0.0.1", 0))
        .build();
    ServiceId id = config.derivedId("main");
    try (Vat server = Vat.create(config, null);
        SingleRestorer restorer = new SingleRestorer(id,
            EchoService.create(delay, server.loop()).capability()); // on the vat's loop
        Vat client = Vat.client()) {
      server.setRestorer(restorer);
      CapnpUri uri = server.sturdyUri(id);
      System.out.println("Connecting to echo service at: " + uri);
      client.importRef(uri).withCapSync(cap -> {
        try (Echo.Client echo = new Echo.Client(cap.dup())) {
          EchoClient.runTutorialClient(echo, client.loop());
        }
        return null;
      });
    }
  }
}
