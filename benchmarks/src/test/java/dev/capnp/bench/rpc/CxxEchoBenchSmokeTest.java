package dev.capnp.bench.rpc;

import static dev.capnp.bench.rpc.CxxEchoBench.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.bench.rpc.CxxEchoBench.Finished;
import dev.capnp.bench.rpc.EchoBenchApi.Echo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Smoke test (not a measurement) of the echo benchmark across implementations: the C++ twin
 * {@code interop/build/echo-bench} (built with {@code make -C interop}) exchanges a few pings
 * with this module's {@link RawSocketStack}, as client of a Java server and as server of a Java
 * client. Skipped when the C++ toolchain or libcapnp-dev is missing, unless
 * {@code CAPNP_INTEROP_REQUIRED=1}.
 */
class CxxEchoBenchSmokeTest {
  private static final int PINGS = 50;
  private static Path echoBench;

  @BeforeAll
  static void buildCxxBench() throws Exception {
    echoBench = CxxEchoBench.build();
  }

  @Test
  void cxxClientTalksToJavaServer() throws Exception {
    try (Stack.Served served = new RawSocketStack().serve("tcp")) {
      Finished client = run(List.of(echoBench.toString(), "client", served.address(),
          "--calls", String.valueOf(PINGS), "--warmup", "0", "--in-flight", "4"), 120);
      assertThat(client.exitCode()).as("echo-bench client exit code; output:\n" + client.output())
          .isZero();
      assertThat(client.output()).containsPattern(
          "(?m)^echo cxx tcp processes=2: " + PINGS + " calls in .* calls/s, median round trip");
    }
  }

  @Test
  void javaClientTalksToCxxServer() throws Exception {
    Process server = new ProcessBuilder(echoBench.toString(), "server", "tcp")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      String line = new BufferedReader(
          new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertThat(line).as("echo-bench server's first line").startsWith("ADDRESS tcp:");
      try (Stack.Connected c = new RawSocketStack().connect("tcp", line.substring(8));
          Echo.Client echo = new Echo.Client(c.echo().dup())) {
        var request = echo.pingRequest();
        request.getParams().setMsg("hello");
        try (var response = request.send().get(60, TimeUnit.SECONDS)) {
          assertThat(response.get().getReply().toString()).isEqualTo("echo:hello");
        }
        EchoBench.Result r = EchoBench.run(echo, PINGS, 4);
        assertThat(r.calls()).isEqualTo(PINGS);
      }
    } finally {
      server.getOutputStream().close(); // the server exits when its stdin closes
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
    assertThat(server.exitValue()).as("echo-bench server exit code").isZero();
  }
}
