package dev.capnp.examples.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.examples.rpc.CalculatorApi.Calculator;
import dev.capnp.examples.rpc.EchoApi.Callback;
import dev.capnp.examples.rpc.EchoApi.Echo;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs the RPC examples: in one process, over a vat pair, and with child processes. */
@Timeout(120)
class RpcExamplesTest {
  @TempDir
  Path dir;

  @Test
  void calculatorInOneProcess() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (EventLoop loop = EventLoop.start("calc-test")) {
      Calculator.Client calc = CalculatorService.create(loop);
      try (calc) {
        new CalculatorClient(calc, new PrintStream(out, true, StandardCharsets.UTF_8), loop)
            .runAll();
      }
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("f(12, 34) + g(21) = 5478.0", "pow(2, 4 + 5) = 512.0");
  }

  @Test
  void pingsFromABlockingThreadFromTheLoopAndWithAListener() throws Exception {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      LoopCallsMain.main(new String[] {"200"});
    } finally {
      System.setOut(saved);
    }
    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .anyMatch(l -> l.startsWith("blocking thread: "))
        .anyMatch(l -> l.startsWith("from the loop: "))
        .anyMatch(l -> l.startsWith("with a listener: "));
  }

  @Test
  void carolCallsBobsLoggerDirectlyWithTheHandoffAndThroughAliceWithout() {
    // 4 heartbeats: Carol calls Bob's logger 12 times; through Alice, Alice receives each call
    // and each return (24 messages and more); with the handoff, fewer than one per logger call
    long direct = HandoffMain.run(true, 4);
    long proxied = HandoffMain.run(false, 4);
    assertThat(proxied).isGreaterThanOrEqualTo(24);
    assertThat(direct).isLessThan(12);
  }

  @Test
  void echoWithCallbacksOverTls() {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    PrintStream gotStream = new PrintStream(got, true, StandardCharsets.UTF_8);
    VatConfig config = VatConfig.builder()
        .listenAddress(NetAddress.unix(dir.resolve("echo.sock").toString())).build();
    ServiceId id = config.derivedId("main");
    try (Vat server = Vat.create(config, null);
        SingleRestorer restorer = new SingleRestorer(id,
            EchoService.create(0, server.loop()).capability());
        Vat client = Vat.client()) {
      server.setRestorer(restorer);
      CapnpUri uri = server.sturdyUri(id);
      assertThat(uri.toString()).startsWith("capnp://sha-256:");
      client.importRef(uri).withCapSync(cap -> {
        try (Echo.Client echo = new Echo.Client(cap.dup());
            Callback.Client callback = new Callback.Client(
                Capability.of(new PrintingCallback("got ", gotStream), client.loop()))) {
          assertThat(EchoClient.ping(echo, "foo")).isEqualTo("echo:foo");
          EchoClient.heartbeat(echo, "beat", callback);
        }
        return null;
      });
    }
    assertThat(got.toString(StandardCharsets.UTF_8).lines())
        .containsExactly("got \"beat\"", "got \"beat\"", "got \"beat\"");
  }

  @Test
  void theDemoClientCallsPassesACallbackAndPipelines() {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    VatConfig config = VatConfig.builder()
        .listenAddress(NetAddress.tcp("127.0.0.1", 0)).build();
    ServiceId id = config.derivedId("main");
    String address;
    try (Vat server = Vat.create(config, null);
        SingleRestorer restorer = new SingleRestorer(id,
            EchoService.create(0, server.loop()).capability())) {
      server.setRestorer(restorer);
      address = server.boundAddress().toString();
      new EchoDemoClientMain(new PrintStream(got, true, StandardCharsets.UTF_8))
          .run(server.sturdyUri(id));
    }
    List<String> lines = got.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0)).startsWith("client: connecting to " + address
        + ", expecting the server key sha-256:");
    assertThat(lines.subList(1, lines.size())).containsExactly(
        "client: connected over TLS; the server proved it holds that key",
        "client: ping(\"hello\") returned \"echo:hello\"",
        "client: heartbeat(\"tick\", callback): handing the server a capability to an object"
            + " in this process",
        "client:   the server called our callback with \"tick\"",
        "client:   the server called our callback with \"tick\"",
        "client:   the server called our callback with \"tick\"",
        "client: heartbeat returned",
        "client: sent getLogger() and log(...) on its future result, in one round trip",
        "client: log(...) on the server's logger returned (see the server's output)",
        "client: heartbeat without a callback failed as expected: Failed: No callback parameter!",
        "client: done");
  }

  @Test
  void theDemoClientSaysWhenTheUriIsInsecure() {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    VatConfig config = VatConfig.builder().tls(false)
        .listenAddress(NetAddress.unix(dir.resolve("plain.sock").toString())).build();
    ServiceId id = config.derivedId("main");
    try (Vat server = Vat.create(config, null);
        SingleRestorer restorer = new SingleRestorer(id,
            EchoService.create(0, server.loop()).capability())) {
      server.setRestorer(restorer);
      new EchoDemoClientMain(new PrintStream(got, true, StandardCharsets.UTF_8))
          .run(server.sturdyUri(id));
    }
    assertThat(got.toString(StandardCharsets.UTF_8).lines().limit(2)).containsExactly(
        "client: connecting to unix:" + dir.resolve("plain.sock")
            + " without TLS (an insecure URI)",
        "client: connected");
  }

  @Test
  void theDemosTwoProcessesTalk() throws Exception {
    // what ./demo.sh runs: EchoServerMain and EchoDemoClientMain, each in its own JVM
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    Path capFile = dir.resolve("echo.cap");
    Path serverOut = dir.resolve("server.out");
    Process server = new ProcessBuilder(List.of(java, "-cp", classpath,
        EchoServerMain.class.getName(), "--until-stdin-closes", "--delay-ms", "10",
        "--capnp-secret-key-file", dir.resolve("key.pem").toString(),
        "--capnp-listen-address", "tcp:127.0.0.1:0", "--cap-file", capFile.toString()))
        .redirectErrorStream(true).redirectOutput(serverOut.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!(Files.exists(capFile) && Files.size(capFile) > 0) && server.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(capFile).as("cap file written; server said:%n%s", Files.readString(serverOut))
          .isNotEmptyFile();
      Process client = new ProcessBuilder(List.of(java, "-cp", classpath,
          EchoDemoClientMain.class.getName(), capFile.toString()))
          .redirectErrorStream(true).start();
      String clientOut = new String(client.getInputStream().readAllBytes(),
          StandardCharsets.UTF_8);
      assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(client.exitValue()).as(clientOut).isZero();
      assertThat(clientOut).contains("client: ping(\"hello\") returned \"echo:hello\"",
          "client:   the server called our callback with \"tick\"", "client: done");
    } finally {
      server.getOutputStream().close();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
    assertThat(server.exitValue()).isZero();
    assertThat(Files.readString(serverOut))
        .contains("[server] Received \"hello from a pipelined call\"")
        .doesNotContain("] WARN ", "] ERROR ");
  }

  @Test
  void calcDirectOverAChildsStdinAndStdout() throws Exception {
    assertThat(CalcDirectMain.parent()).isZero();
  }

  @Test
  void calcServerInAnotherProcess() throws Exception {
    // the child logs through the test classpath's recording provider: "[thread] LEVEL name - msg"
    Path serverLog = dir.resolve("server.err");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process server = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        CalcMain.class.getName(), "serve", "--capnp-secret-key-file",
        dir.resolve("key.pem").toString(), "--capnp-listen-address",
        "unix:" + dir.resolve("calc.socket"), "--until-stdin-closes"))
        .redirectError(serverLog.toFile()).start();
    try {
      BufferedReader lines = new BufferedReader(
          new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String uri = null;
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("capnp://")) {
          uri = line;
          break;
        }
      }
      assertThat(uri).as("the server printed its URI").isNotNull();
      assertThat(dir.resolve("key.pem")).exists();
      try (Vat client = Vat.client()) {
        double product = client.importRef(uri).withCapSync(cap -> {
          try (Calculator.Client calc = new Calculator.Client(cap.dup())) {
            return new CalculatorClient(calc, System.out, client.loop()).multiply(21, 2);
          }
        });
        assertThat(product).isEqualTo(42.0);
      }
    } finally {
      server.getOutputStream().close();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
    assertThat(server.exitValue()).isZero();
    String log = Files.readString(serverLog);
    assertThat(log.lines().filter(l -> l.contains("] WARN ") || l.contains("] ERROR ")))
        .as("warnings logged by the server process:%n%s", log).isEmpty();
    assertThat(log).as("SLF4J's own warnings (no or several providers)").doesNotContain("SLF4J");
  }
}
