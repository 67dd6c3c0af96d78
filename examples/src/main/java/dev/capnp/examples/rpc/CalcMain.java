package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.CalculatorApi.Calculator;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.ServiceId;
import dev.capnp.net.UriOrCapFile;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.VatOptions;
import dev.capnp.net.persist.CapFile;
import dev.capnp.net.restore.SingleRestorer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * The seed's {@code calc} command across processes:
 * <pre>
 * CalcMain serve --capnp-listen-address unix:/tmp/calc.socket --capnp-secret-key-file key.pem
 * CalcMain connect capnp://sha-256:...@/tmp/calc.socket/...     (or a cap file)
 * </pre>
 * {@code serve} prints the URI to connect to (and writes it to {@code --cap-file} if given);
 * {@code connect} runs the calculator client against it.
 */
@CommandLine.Command(name = "calc", mixinStandardHelpOptions = true,
    subcommands = {CalcMain.Serve.class, CalcMain.Connect.class},
    description = "The calculator service and its client.")
public final class CalcMain {
  /** {@code calc serve}. */
  @CommandLine.Command(name = "serve", description = "Serve the calculator.")
  public static final class Serve implements Callable<Integer> {
    @CommandLine.Mixin
    VatOptions capnp;

    @CommandLine.Option(names = "--cap-file", description = "Also write the URI to this file.")
    Path capFile;

    @CommandLine.Option(names = "--until-stdin-closes",
        description = "Stop when standard input ends (for scripts and tests).")
    boolean untilStdinCloses;

    @Override
    public Integer call() throws Exception {
      VatConfig config = capnp.toConfig();
      ServiceId id = config.derivedId("main");
      try (Vat vat = Vat.create(config, null);
          SingleRestorer restorer = new SingleRestorer(id,
              CalculatorService.create(vat.loop()).capability())) { // served on the vat's loop
        vat.setRestorer(restorer);
        CapnpUri uri = vat.sturdyUri(id);
        if (capFile != null) {
          CapFile.save(capFile, uri);
        }
        System.out.println("Waiting for incoming connections at:");
        System.out.println(uri);
        System.out.flush();
        return ServerLifetime.serve(vat, untilStdinCloses);
      }
    }
  }

  /** {@code calc connect ADDR}. */
  @CommandLine.Command(name = "connect", description = "Run the client against a server.")
  public static final class Connect implements Callable<Integer> {
    @CommandLine.Parameters(paramLabel = "ADDR",
        description = "The server's capnp:// URI or a cap file.")
    String address;

    @Override
    public Integer call() {
      try (Vat vat = Vat.client()) {
        vat.importRef(UriOrCapFile.parse(address)).withCapSync(cap -> {
          try (Calculator.Client calc = new Calculator.Client(cap.dup())) {
            new CalculatorClient(calc, System.out, vat.loop()).runAll();
          }
          return null;
        });
      }
      return 0;
    }
  }

  /**
   * Entry point.
   *
   * @param args the command line; {@code --help} lists the options
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(CalcMain.class).execute(args));
  }
}
