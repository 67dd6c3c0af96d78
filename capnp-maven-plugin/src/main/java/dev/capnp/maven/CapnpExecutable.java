package dev.capnp.maven;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.maven.plugin.MojoExecutionException;

/**
 * Runs the reference {@code capnp} schema compiler to parse {@code .capnp} files into a
 * {@code CodeGeneratorRequest} ({@code capnp compile -o-}).
 */
final class CapnpExecutable {
  static final String INSTALL_HINT =
      "Install the Cap'n Proto tool (Debian/Ubuntu: 'apt-get install capnproto'; macOS: 'brew install"
          + " capnp'; see https://capnproto.org/install.html) or set <capnpExecutable> /"
          + " -Dcapnp.executable=PATH.";

  private final String executable;

  CapnpExecutable(String executable) {
    this.executable = executable;
  }

  /**
   * Parses {@code schemas} and returns the encoded {@code CodeGeneratorRequest}.
   *
   * @param srcPrefix stripped from file names so that generated names are relative to it
   */
  byte[] compile(List<File> schemas, List<File> importPaths, File srcPrefix)
      throws MojoExecutionException {
    List<String> command = new ArrayList<>();
    command.add(executable);
    command.add("compile");
    command.add("-o-");
    command.add("--src-prefix=" + srcPrefix.getAbsolutePath());
    for (File dir : importPaths) {
      command.add("-I" + dir.getAbsolutePath());
    }
    for (File schema : schemas) {
      command.add(schema.getAbsolutePath());
    }
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new MojoExecutionException(
          "Cannot run the Cap'n Proto compiler '" + executable + "': " + e.getMessage() + ". "
              + INSTALL_HINT,
          e);
    }
    try {
      process.getOutputStream().close();
      CompletableFuture<byte[]> stderr =
          CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
      byte[] request = readAll(process.getInputStream());
      int exit = process.waitFor();
      String errors = new String(stderr.join(), java.nio.charset.StandardCharsets.UTF_8).strip();
      if (exit != 0) {
        throw new MojoExecutionException(
            "capnp compile failed (exit " + exit + ")" + (errors.isEmpty() ? "" : ":\n" + errors));
      }
      return request;
    } catch (IOException e) {
      throw new MojoExecutionException("Error talking to '" + executable + "': " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new MojoExecutionException("Interrupted while running capnp", e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
