package dev.capnp.tool;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the reference {@code capnp compile -o-} to turn a {@code .capnp} file into a serialized
 * {@code CodeGeneratorRequest}. The executable is the system property {@code capnp.executable}
 * if set, else {@code $CAPNP}, else {@code capnp} on the {@code PATH}.
 */
final class SchemaCompiler {
  private SchemaCompiler() {}

  /** Compiles {@code schema} and returns the framed CodeGeneratorRequest message. */
  static byte[] compile(Path schema, List<Path> importPaths) {
    String capnp = System.getProperty("capnp.executable",
        System.getenv().getOrDefault("CAPNP", "capnp"));
    List<String> command = new ArrayList<>();
    command.add(capnp);
    command.add("compile");
    command.add("-o-");
    for (Path dir : importPaths) {
      command.add("-I" + dir);
    }
    command.add("-I" + BundledImports.directory());
    command.add(schema.toString());
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new ToolException("cannot run '" + capnp + "' (" + e.getMessage()
          + "); the Cap'n Proto compiler is needed to read schemas: apt-get install capnproto");
    }
    try {
      process.getOutputStream().close();
      CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
      byte[] out = readAll(process.getInputStream());
      int rc = process.waitFor();
      if (rc != 0) {
        String message = String.join("; ",
            new String(stderr.join(), StandardCharsets.UTF_8).strip().lines().toList());
        throw new ToolException("capnp compile failed for " + schema
            + (message.isEmpty() ? " (exit code " + rc + ")" : ": " + message));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ToolException("interrupted while running capnp compile");
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
