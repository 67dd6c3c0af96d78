package dev.capnp.bench.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The C++ twin {@code interop/build/echo-bench} for the smoke tests: built once with
 * {@code make -C interop}, and a way to run a command to its end.
 */
final class CxxEchoBench {
  private CxxEchoBench() {}

  /** A finished command: its exit code and its output (stdout and stderr together). */
  record Finished(int exitCode, String output) {}

  /**
   * Builds {@code interop/build/echo-bench} and returns its path; aborts the calling test (or,
   * with {@code CAPNP_INTEROP_REQUIRED=1}, fails it) when the C++ toolchain or libcapnp-dev is
   * missing.
   */
  static Path build() throws Exception {
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
    Path echoBench = interop.resolve("build/echo-bench");
    assertThat(Files.isExecutable(echoBench)).as(echoBench + " built").isTrue();
    return echoBench;
  }

  /** Runs {@code command} (stdin closed) to its end, at most {@code timeoutSeconds}. */
  static Finished run(List<String> command, long timeoutSeconds) throws Exception {
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
