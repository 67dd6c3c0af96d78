package dev.capnp.schemac;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the native {@code capnp compile -o-}. Tests that need it are skipped when it is not on
 * the PATH, unless {@code CAPNP_INTEROP_REQUIRED} is set (then they fail).
 */
final class NativeCapnp {
  private static Boolean available;

  private NativeCapnp() {}

  static void assumeAvailable() {
    if (available == null) {
      try {
        Process p = new ProcessBuilder("capnp", "--version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        available = p.waitFor() == 0;
      } catch (IOException e) {
        available = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        available = false;
      }
    }
    if (!available && System.getenv("CAPNP_INTEROP_REQUIRED") != null) {
      throw new AssertionError("capnp is not on the PATH but CAPNP_INTEROP_REQUIRED is set");
    }
    assumeTrue(available, "capnp is not on the PATH");
  }

  /** The error lines of {@code capnp compile -o-} on a file that must fail, run in {@code cwd}. */
  static List<String> errors(Path cwd, Path file) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("capnp", "compile", "-o-", file.toString())
        .directory(cwd.toFile());
    builder.environment().put("PWD", cwd.toString());
    Process p = builder.start();
    p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() == 0) {
      throw new AssertionError("capnp compile accepted " + file);
    }
    return err.lines().filter(l -> !l.isBlank()).toList();
  }

  /** The framed request of {@code capnp compile -o-}, run in {@code cwd}. */
  static byte[] compile(Path cwd, List<Path> importPath, List<Path> srcPrefixes, List<Path> files)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("capnp", "compile", "-o-"));
    for (Path dir : importPath) {
      command.add("-I" + dir);
    }
    for (Path prefix : srcPrefixes) {
      command.add("--src-prefix=" + prefix);
    }
    for (Path file : files) {
      command.add(file.toString());
    }
    ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile());
    builder.environment().put("PWD", cwd.toString());
    Process p = builder.start();
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
      try {
        return p.getErrorStream().readAllBytes();
      } catch (IOException e) {
        return new byte[0];
      }
    });
    byte[] out = p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new AssertionError("capnp compile failed: "
          + new String(err.join(), StandardCharsets.UTF_8));
    }
    return out;
  }
}
