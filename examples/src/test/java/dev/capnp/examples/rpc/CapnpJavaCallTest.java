package dev.capnp.examples.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.persist.CapFile;
import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.tool.CapnpJava;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code capnp-java call} against the example servers (the calculator and the echo store). */
@Timeout(120)
class CapnpJavaCallTest {
  private static final String CALCULATOR = Path.of("src/main/capnp/calculator.capnp").toString();
  private static final String ECHO = Path.of("src/main/capnp/echo.capnp").toString();

  @TempDir
  Path dir;
  private Vat calcVat;
  private SingleRestorer calcRestorer;
  private EchoStoreServer echoServer;
  private final ByteArrayOutputStream echoPrinted = new ByteArrayOutputStream();
  private String calcCap;
  private String echoUri;

  /** What one run of the tool printed and returned. */
  private record Run(int status, String out, String err) {
  }

  @BeforeEach
  void startServers() {
    VatConfig calc = VatConfig.builder()
        .listenAddress(NetAddress.unix(dir.resolve("calc.sock").toString())).build();
    ServiceId id = calc.derivedId("calculator");
    calcVat = Vat.create(calc, null);
    calcRestorer = new SingleRestorer(id, CalculatorService.create(calcVat.loop()).capability());
    calcVat.setRestorer(calcRestorer);
    calcCap = dir.resolve("calc.cap").toString();
    CapFile.save(Path.of(calcCap), calcVat.sturdyUri(id));

    echoServer = EchoStoreServer.start(VatConfig.builder()
        .listenAddress(NetAddress.tcp("127.0.0.1", 0)).build(), dir.resolve("store"), 0,
        new PrintStream(echoPrinted, true, StandardCharsets.UTF_8));
    echoUri = echoServer.echoUri().toString();
  }

  @AfterEach
  void stopServers() {
    calcVat.close();
    calcRestorer.close();
    echoServer.close();
  }

  private static Run call(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] full = new String[args.length + 1];
    full[0] = "call";
    System.arraycopy(args, 0, full, 1, args.length);
    int status = CapnpJava.run(full, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void oneCallPrintsItsResultsAsText() {
    assertThat(call(ECHO, echoUri, "Echo.ping(msg = \"hello\")"))
        .isEqualTo(new Run(0, "(reply = \"echo:hello\")\n", ""));
  }

  @Test
  void pipelinedCallsThroughANamedFieldOrTheOnlyCapability() {
    Run named = call(CALCULATOR, calcCap,
        "Calculator.evaluate(expression = (literal = 123)).value.read()");
    assertThat(named).isEqualTo(new Run(0, "# Calculator.evaluate\n"
        + "( value = <external capability> )\n"
        + "# Calculator.Value.read\n"
        + "(value = 123)\n", ""));
    Run implicit = call(CALCULATOR, calcCap,
        "Calculator.getOperator(op = multiply).call(params = [6, 7])");
    assertThat(implicit.status()).isZero();
    assertThat(implicit.out()).endsWith("# Calculator.Function.call\n(value = 42)\n");
  }

  @Test
  void callsOnTheEchoStoreCreateAndUseALogger() {
    Run run = call(ECHO, echoUri, "Echo.createLogger(label = \"Carol\").log(msg = \"via call\")");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(echoPrinted.toString(StandardCharsets.UTF_8)).contains("Carol: \"via call\"");
  }

  @Test
  void errorsAreClearAndExitWithStatusOne() {
    assertThat(call(CALCULATOR, calcCap, "Calculator.nope()"))
        .isEqualTo(new Run(1, "", "capnp-java: error: Calculator has no method nope"
            + " (its methods: evaluate, defFunction, getOperator)\n"));
    assertThat(call(CALCULATOR, calcCap, "Calculator.evaluate(expression = (literl = 1))").err())
        .startsWith("capnp-java: error: parameters of Calculator.evaluate: ")
        .contains("'literl'");
    assertThat(call(CALCULATOR, calcCap, "Calculator.evaluate(expression = (literal = 1"
        + ")).nothing.read()").err())
        .isEqualTo("capnp-java: error: the results of Calculator.evaluate have no field nothing"
            + " (its fields: value)\n");
    assertThat(call(ECHO, echoUri, "Echo.ping(msg = \"x\").reply.read()").err())
        .contains("field reply of the results of Echo.ping is not a struct or a capability");
    assertThat(call(ECHO, echoUri, "Echo.ping(msg = \"x\").read()").err())
        .contains("the results of Echo.ping hold no capability field");
    assertThat(call(ECHO, echoUri, "Echo.heartbeat(msg = \"no callback\")").err())
        .isEqualTo("capnp-java: error: Echo.heartbeat failed: Failed: No callback parameter!\n");
    assertThat(call(ECHO, dir.resolve("none.cap").toString(), "Echo.ping()").err())
        .isEqualTo("capnp-java: error: File \"" + dir.resolve("none.cap")
            + "\" does not exist\n");
    assertThat(call(ECHO, echoUri, "Nope.ping()").err())
        .startsWith("capnp-java: error: no interface Nope in the schema");
    assertThat(call(ECHO, echoUri, "Callback").status()).isEqualTo(1);
  }
}
