package dev.capnp.tool;

import dev.capnp.schemac.CapnpCompiler;
import dev.capnp.schemac.SchemaCompileException;
import dev.capnp.schemac.SchemaError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Turns a {@code .capnp} file into a serialized {@code CodeGeneratorRequest}: with the schema
 * compiler written in Java ({@code capnp-schema-compiler}, no native tool), or, when the system
 * property {@code capnp.executable} or {@code $CAPNP} names one, by running that
 * {@code capnp compile -o-}. Both give the same request.
 */
final class SchemaCompiler {
  private SchemaCompiler() {}

  /** Compiles {@code schema} and returns the framed CodeGeneratorRequest message. */
  static byte[] compile(Path schema, List<Path> importPaths) {
    String capnp = System.getProperty("capnp.executable", System.getenv("CAPNP"));
    if (capnp == null) {
      return compileInJava(schema, importPaths);
    }
    return compileNatively(capnp, schema, importPaths);
  }

  private static byte[] compileInJava(Path schema, List<Path> importPaths) {
    try {
      return CapnpCompiler.builder().importPath(importPaths).build()
          .compileToBytes(List.of(schema));
    } catch (SchemaCompileException e) {
      throw new ToolException("cannot compile " + schema + ": " + e.errors().stream()
          .map(SchemaError::toString).collect(Collectors.joining("; ")));
    } catch (UncheckedIOException e) {
      throw new ToolException("cannot read " + schema + ": " + e.getCause().getMessage());
    }
  }

  private static byte[] compileNatively(String capnp, Path schema, List<Path> importPaths) {
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
