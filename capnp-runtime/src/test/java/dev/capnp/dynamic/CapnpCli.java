package dev.capnp.dynamic;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs the reference {@code capnp} tool for cross-checks. */
final class CapnpCli {
  private CapnpCli() {}

  /** The test schema on disk. */
  static Path testSchema() {
    try {
      return Path.of(CapnpCli.class.getResource("dyntest.capnp").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs capnp with the given arguments and stdin; returns stdout or throws with stderr. */
  static byte[] run(byte[] stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add("capnp");
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).start();
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
      CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin);
      }
      int rc = p.waitFor();
      if (rc != 0) {
        throw new CapnpFailure(command + " failed: " + new String(err.join(), StandardCharsets.UTF_8));
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
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The CodeGeneratorRequest for the test schema. */
  static byte[] compile() {
    return run(new byte[0], "compile", "-o-", testSchema().toString());
  }

  /** {@code capnp encode [--packed]}. */
  static byte[] encode(String type, String text, boolean packed) {
    List<String> args = new ArrayList<>(List.of("encode"));
    if (packed) {
      args.add("--packed");
    }
    args.add(testSchema().toString());
    args.add(type);
    return run(text.getBytes(StandardCharsets.UTF_8), args.toArray(new String[0]));
  }

  /** {@code capnp decode [--packed] [--short]}. */
  static String decode(String type, byte[] message, boolean packed, boolean oneLine) {
    return new String(decodeBytes(type, message, packed, oneLine), StandardCharsets.UTF_8);
  }

  /** {@code capnp decode [--packed] [--short]}, the exact output bytes. */
  static byte[] decodeBytes(String type, byte[] message, boolean packed, boolean oneLine) {
    List<String> args = new ArrayList<>(List.of("decode"));
    if (packed) {
      args.add("--packed");
    }
    if (oneLine) {
      args.add("--short");
    }
    args.add(testSchema().toString());
    args.add(type);
    return run(message, args.toArray(new String[0]));
  }

  /** The capnp tool reported an error. */
  static final class CapnpFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CapnpFailure(String message) {
      super(message);
    }
  }
}
