package dev.capnp.compiler;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the reference {@code capnp} tool on the test schemas in src/test/capnp. */
final class TestSchemas {
  static final Path SCHEMA_DIR = Path.of("src/test/capnp").toAbsolutePath();
  static final Path JAVA_CAPNP_DIR = Path.of("../capnp-runtime/src/main/resources")
      .toAbsolutePath().normalize();

  private TestSchemas() {}

  static boolean capnpAvailable() {
    try {
      Process p = new ProcessBuilder("capnp", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static void assumeCapnp() {
    assumeTrue(capnpAvailable(), "the capnp tool is not installed");
  }

  /** {@code capnp compile -o- files...} run in src/test/capnp. */
  static byte[] compile(String... files) {
    List<String> cmd = new ArrayList<>(List.of("capnp", "compile", "-I", JAVA_CAPNP_DIR.toString(),
        "-o-"));
    cmd.addAll(List.of(files));
    return run(cmd, null);
  }

  /** {@code capnp decode --short schema type} on {@code message}. */
  static String decode(String schema, String type, byte[] message) {
    return new String(run(List.of("capnp", "decode", "--short", "-I", JAVA_CAPNP_DIR.toString(),
        schema, type), message), StandardCharsets.UTF_8).strip();
  }

  static byte[] run(List<String> cmd, byte[] stdin) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(SCHEMA_DIR.toFile());
      pb.environment().put("PWD", SCHEMA_DIR.toString());
      Process p = pb.start();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread errPump = new Thread(() -> pump(p.getErrorStream(), err));
      errPump.start();
      try (OutputStream in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin);
        }
      }
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        errPump.join();
        throw new AssertionError(String.join(" ", cmd) + " failed: "
            + err.toString(StandardCharsets.UTF_8));
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void pump(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException e) {
      // the process died; its exit status reports the failure
    }
  }
}
