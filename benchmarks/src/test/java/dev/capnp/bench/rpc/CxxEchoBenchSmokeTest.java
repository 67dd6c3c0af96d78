package dev.capnp.bench.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.bench.rpc.EchoBenchApi.Echo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
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
    Path interop = Path.of(System.getProperty("user.dir")).resolve("../interop").normalize();
    boolean required = "1".equals(System.getenv("CAPNP_INTEROP_REQUIRED"));
    String failure = null;
    try {
      Finished make = run(List.of("make", "-s", "-C", interop.toString(), "all"), 600);
      if (make.exitCode() != 0) {
        failure = "make -C " + interop + " exited with " + make.exitCode() + ":\n"
            + make.output();
      }
    } catch (IOException e) {
      failure = "cannot run make: " + e.getMessage();
    }
    if (failure != null) {
      if (required) {
        throw new IllegalStateException(failure);
      }
      Assumptions.abort("C++ echo-bench not built (needs make, g++, pkg-config, capnp,"
          + " libcapnp-dev): " + failure);
    }
    echoBench = interop.resolve("build/echo-bench");
    assertThat(Files.isExecutable(echoBench)).as(echoBench + " built").isTrue();
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

  private record Finished(int exitCode, String output) {}

  private static Finished run(List<String> command, long timeoutSeconds) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command + " did not finish in " + timeoutSeconds + " s");
    }
    return new Finished(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
