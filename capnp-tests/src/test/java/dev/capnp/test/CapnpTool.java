package dev.capnp.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs the reference {@code capnp} tool on the comprehensive test schema. */
final class CapnpTool {
  static final Path SCHEMA_DIR = Path.of("src/test/capnp");
  static final Path TEST_SCHEMA = SCHEMA_DIR.resolve("test.capnp");
  /** Where the Maven plugin extracted {@code /capnp/java.capnp}. */
  static final Path INCLUDE_DIR = Path.of("target/capnp-include");

  private CapnpTool() {}

  /** {@code capnp encode [--packed] test.capnp TYPE < text}. */
  static byte[] encode(String type, String text, boolean packed) {
    return run(command("encode", type, packed), text.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code capnp decode [--packed] test.capnp TYPE < message}. */
  static String decode(String type, byte[] message, boolean packed) {
    return new String(run(command("decode", type, packed), message), StandardCharsets.UTF_8);
  }

  /** Reads a text fixture from {@code src/test/resources/text}. */
  static String fixture(String name) {
    try {
      return Files.readString(Path.of("src/test/resources/text", name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> command(String verb, String type, boolean packed) {
    List<String> command = new ArrayList<>();
    command.add("capnp");
    command.add(verb);
    if (packed) {
      command.add("--packed");
    }
    command.add("-I" + INCLUDE_DIR);
    command.add("-I" + SCHEMA_DIR);
    command.add(TEST_SCHEMA.toString());
    command.add(type);
    return command;
  }

  static byte[] run(List<String> command, byte[] stdin) {
    try {
      Process process = new ProcessBuilder(command).start();
      CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
      try (OutputStream in = process.getOutputStream()) {
        in.write(stdin);
      }
      int exit = process.waitFor();
      if (exit != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " failed (exit " + exit + "): "
                + new String(err.join(), StandardCharsets.UTF_8));
      }
      return out.join();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
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
