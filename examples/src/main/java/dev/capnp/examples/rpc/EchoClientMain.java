package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.EchoApi.Echo;
import dev.capnp.net.UriOrCapFile;
import dev.capnp.net.Vat;

/**
 * The tutorial's "Separate processes" client: {@code EchoClientMain ADDR} where ADDR is a
 * {@code capnp://} URI or a cap file written by {@link EchoServerMain}. Pings the service,
 * passes it a callback (called back three times over the network) and logs to the service's
 * logger through a pipelined reference.
 */
public final class EchoClientMain {
  private EchoClientMain() {}

  /**
   * Entry point.
   *
   * @param args one argument: the service's {@code capnp://} URI or cap file
   */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: EchoClientMain capnp://...|FILE.cap");
      System.exit(2);
    }
    try (Vat vat = Vat.client()) {
      vat.importRef(UriOrCapFile.parse(args[0])).withCapSync(cap -> {
        try (Echo.Client echo = new Echo.Client(cap.dup())) {
          EchoClient.runTutorialClient(echo, vat.loop());
        }
        return null;
      });
    }
  }
}
