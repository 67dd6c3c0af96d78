package dev.capnp.bench.rpc;

import static dev.capnp.bench.rpc.CxxEchoBench.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.bench.rpc.CxxEchoBench.Finished;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Smoke test (not a measurement) of {@link RpcBench}, the Vat-stack benchmark of
 * {@code compare-cxx.sh}, against its C++ twin {@code interop/build/echo-bench} (built with
 * {@code make -C interop}): every workload in a few calls, Java client to C++ server and C++
 * client to Java server. Skipped when the C++ toolchain or libcapnp-dev is missing, unless
 * {@code CAPNP_INTEROP_REQUIRED=1}.
 */
class RpcBenchCxxSmokeTest {
  private static final String RESULT_FIELDS = " calls=\\d+ seconds=[0-9.]+ calls_per_s=\\d+"
      + " median_us=[0-9.]+ p99_us=[0-9.]+ mib_per_s=\\S+ first1000_ms=\\S+ first20000_ms=\\S+"
      + "(?: alloc_b_per_call=\\S+ cpu_us_per_call=\\S+)?$"; // (the last two: Java's only)
  private static Path echoBench;

  @BeforeAll
  static void buildCxxBench() throws Exception {
    echoBench = CxxEchoBench.build();
  }

  /** workload, caller, transport, warm-up, calls. */
  @ParameterizedTest(name = "java {0} {1} -> cxx server, {2}")
  @CsvSource({
      "ping, blocking, tcp, 5, 20",
      "ping, loop, unix, 5, 20",
      "inflight, loop, tcp, 100, 300",
      "inflight, blocking, unix, 0, 1000",
      "blob, blocking, tcp, 1, 3",
      "blob, loop, unix, 0, 3",
  })
  void javaClientToCxxServer(String workload, String caller, String transport, int warmup,
      int calls) throws Exception {
    Process server = new ProcessBuilder(echoBench.toString(), "--serve", "--transport", transport)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      String line = new BufferedReader(
          new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertThat(line).as("echo-bench server's first line").startsWith("ADDRESS " + transport
          + ":");
      RpcBench.Options o = RpcBench.Options.parse(new String[] {"--connect", line.substring(8),
          "--workload", workload, "--caller", caller, "--warmup", String.valueOf(warmup),
          "--calls", String.valueOf(calls)});
      String result = RpcBench.client(o, new BufferedReader(new StringReader(""))).line();
      assertThat(result).matches("^RESULT impl=java workload=" + workload + " caller=" + caller
          + " transport=" + transport + RESULT_FIELDS);
      assertThat(result)
          .containsPattern(" alloc_b_per_call=([0-9]+|-) cpu_us_per_call=([0-9.]+|-)$");
      checkFields(result, workload, warmup, calls);
    } finally {
      server.getOutputStream().close(); // the server exits when its stdin closes
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
    assertThat(server.exitValue()).as("echo-bench server exit code").isZero();
  }

  /** workload, transport, warm-up, calls. */
  @ParameterizedTest(name = "cxx {0} -> java server, {1}")
  @CsvSource({
      "ping, tcp, 5, 20",
      "ping, unix, 0, 20",
      "inflight, tcp, 0, 1000",
      "inflight, unix, 100, 300",
      "blob, tcp, 1, 3",
      "blob, unix, 0, 3",
  })
  void cxxClientToJavaServer(String workload, String transport, int warmup, int calls)
      throws Exception {
    try (RpcBench.Served served = RpcBench.startServer(transport)) {
      assertThat(served.address).startsWith(transport + ":");
      Finished client = run(List.of(echoBench.toString(), "--connect", served.address,
          "--workload", workload, "--caller", "loop", "--warmup", String.valueOf(warmup),
          "--calls", String.valueOf(calls)), 120);
      assertThat(client.exitCode()).as("echo-bench client exit code; output:\n" + client.output())
          .isZero();
      String result = client.output().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
          .orElseThrow(() -> new AssertionError("no RESULT line in:\n" + client.output()));
      assertThat(result).matches("^RESULT impl=cxx workload=" + workload
          + " caller=loop transport=" + transport + RESULT_FIELDS);
      checkFields(result, workload, warmup, calls);
    }
  }

  /** The --sync handshake of the Java client's process: READY, a line, RESULT, a line, exit. */
  @Test
  void syncHandshake() throws Exception {
    try (RpcBench.Served served = RpcBench.startServer("tcp")) {
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), RpcBench.class.getName(),
          "--connect", served.address, "--workload", "ping", "--warmup", "10", "--calls", "10",
          "--sync"));
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try {
        BufferedReader out = new BufferedReader(
            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("READY");
        p.getOutputStream().write('\n');
        p.getOutputStream().flush();
        assertThat(out.readLine()).startsWith("RESULT impl=java workload=ping caller=blocking");
        assertThat(p.waitFor(300, TimeUnit.MILLISECONDS)).as("waits for the last line").isFalse();
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
      } finally {
        p.destroyForcibly();
      }
    }
  }

  private static void checkFields(String result, String workload, int warmup, int calls) {
    assertThat(result).contains(" calls=" + calls + " ");
    if (workload.equals("blob")) {
      assertThat(result).containsPattern(" mib_per_s=[0-9.]+ ");
    } else {
      assertThat(result).contains(" mib_per_s=- ");
    }
    if (warmup == 0 && calls >= 1000) {
      assertThat(result).containsPattern(" first1000_ms=[0-9.]+ first20000_ms=-( |$)");
    } else if (warmup > 0) {
      assertThat(result).containsPattern(" first1000_ms=- first20000_ms=-( |$)");
    }
  }
}
