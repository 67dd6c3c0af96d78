package dev.capnp.examples.rpc;

import dev.capnp.net.VatOptions;
import dev.capnp.net.persist.CapFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * The tutorial's last server ({@link EchoStoreServer}): writes {@code echo.cap} and
 * {@code logger.cap} to {@code --cap-dir}, keeps created loggers in {@code --store}, then runs
 * until killed (or, with {@code --until-stdin-closes}, until its standard input ends). Restart it
 * with the same {@code --capnp-secret-key-file} and {@code --store} and every sturdy ref it gave
 * out still works.
 * <pre>
 * EchoStoreServerMain --capnp-secret-key-file key.pem --capnp-listen-address tcp:localhost:7000
 * </pre>
 */
@CommandLine.Command(name = "echo-store-server", mixinStandardHelpOptions = true,
    description = "Serve the echo service, its logger and loggers created on demand.")
public final class EchoStoreServerMain implements Callable<Integer> {
  @CommandLine.Mixin
  VatOptions capnp;

  @CommandLine.Option(names = "--store", defaultValue = "store",
      description = "Directory of the created loggers (default: ${DEFAULT-VALUE}).")
  Path store;

  @CommandLine.Option(names = "--cap-dir", defaultValue = ".",
      description = "Where to write echo.cap and logger.cap (default: ${DEFAULT-VALUE}).")
  Path capDir;

  @CommandLine.Option(names = "--delay-ms", defaultValue = "1000",
      description = "Pause between heartbeats (default: ${DEFAULT-VALUE}).")
  long delayMillis;

  @CommandLine.Option(names = "--until-stdin-closes",
      description = "Stop when standard input ends (for scripts and tests).")
  boolean untilStdinCloses;

  @Override
  public Integer call() throws Exception {
    try (EchoStoreServer server =
        EchoStoreServer.start(capnp.toConfig(), store, delayMillis, System.out)) {
      Path echoCap = capDir.resolve("echo.cap");
      Path loggerCap = capDir.resolve("logger.cap");
      CapFile.save(echoCap, server.echoUri());
      CapFile.save(loggerCap, server.loggerUri());
      System.out.println("Wrote \"" + echoCap + "\" and \"" + loggerCap + "\".");
      System.out.flush();
      if (untilStdinCloses) {
        while (System.in.read() >= 0) {
          // wait for the end of standard input
        }
      } else {
        Thread.currentThread().join();
      }
    }
    return 0;
  }

  /**
   * Entry point.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new EchoStoreServerMain()).execute(args));
  }
}
