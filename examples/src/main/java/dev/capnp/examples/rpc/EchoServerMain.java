package dev.capnp.examples.rpc;

import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.VatOptions;
import dev.capnp.net.persist.CapFile;
import dev.capnp.net.restore.SingleRestorer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * The tutorial's "Separate processes" server: serves the echo service with the seed's Cap'n
 * Proto options and writes its sturdy URI to a cap file, then runs until killed (or, with
 * {@code --until-stdin-closes}, until its standard input ends). For example:
 * <pre>
 * EchoServerMain --capnp-secret-key-file key.pem --capnp-listen-address tcp:localhost:7000
 * EchoServerMain --capnp-secret-key-file key.pem --capnp-listen-address unix:/tmp/echo.sock
 * </pre>
 */
@CommandLine.Command(name = "echo-server", mixinStandardHelpOptions = true,
    description = "Serve the echo service.")
public final class EchoServerMain implements Callable<Integer> {
  @CommandLine.Mixin
  VatOptions capnp;

  @CommandLine.Option(names = "--cap-file", defaultValue = "echo.cap",
      description = "Where to write the service's sturdy URI (default: ${DEFAULT-VALUE}).")
  Path capFile;

  @CommandLine.Option(names = "--delay-ms", defaultValue = "1000",
      description = "Pause between heartbeats (default: ${DEFAULT-VALUE}).")
  long delayMillis;

  @CommandLine.Option(names = "--until-stdin-closes",
      description = "Stop when standard input ends (for scripts and tests).")
  boolean untilStdinCloses;

  @Override
  public Integer call() throws Exception {
    VatConfig config = capnp.toConfig();
    ServiceId id = config.derivedId("main");
    try (Vat vat = Vat.create(config, null);
        SingleRestorer restorer = new SingleRestorer(id,
            EchoService.create(delayMillis, vat.loop()).capability())) { // on the vat's loop
      vat.setRestorer(restorer);
      CapFile.save(capFile, vat.sturdyUri(id));
      System.out.println("Server running. Connect using \"" + capFile + "\".");
      System.out.flush();
      return ServerLifetime.serve(vat, untilStdinCloses);
    }
  }

  /**
   * Entry point.
   *
   * @param args the command line; {@code --help} lists the options
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new EchoServerMain()).execute(args));
  }
}
