package dev.capnp.rpc.interop;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The process machinery shared by the non-Java interop peers ({@link CppPeers}, {@link RustPeers}):
 * runs build tools, starts a peer server (which prints {@code PORT n} and serves until its stdin
 * closes) and runs a peer client (which prints {@code PASS name} / {@code FAIL name: why}).
 */
final class PeerProcesses {
  private static final long CLIENT_TIMEOUT_SECONDS = 300;

  private PeerProcesses() {}

  /**
   * Resolves the outcome of building a set of peers: returns {@code peers} when built, else
   * skips the calling test with {@code unavailable} as the reason, or fails it when
   * {@code CAPNP_INTEROP_REQUIRED=1} (CI).
   */
  static <T> T availableOrSkip(T peers, String what, String unavailable, boolean[] warned) {
    if (peers != null) {
      return peers;
    }
    String message = what + " unavailable: " + unavailable;
    if ("1".equals(System.getenv("CAPNP_INTEROP_REQUIRED"))) {
      throw new IllegalStateException(message + " (CAPNP_INTEROP_REQUIRED=1)");
    }
    if (!warned[0]) {
      warned[0] = true;
      System.err.println("WARNING: skipping the tests that need them. " + message);
    }
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }

  /** The repository's {@code interop/} directory, found upwards from the working directory. */
  static Path findInteropDir() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("interop/Makefile"))) {
        return d.resolve("interop");
      }
    }
    throw new IllegalStateException("no interop/Makefile in " + dir + " or any parent directory");
  }

  /** Fails with {@link ToolMissing} unless {@code command} runs and exits with 0. */
  static void requireTool(String what, String... command) throws ToolMissing {
    Finished finished;
    try {
      finished = run(List.of(command), 60);
    } catch (UncheckedIOException e) {
      throw new ToolMissing(what + " not found");
    }
    if (finished.exitCode != 0) {
      throw new ToolMissing(what + " not found (`" + String.join(" ", command) + "` exited with "
          + finished.exitCode + ")");
    }
  }

  /** The scenario names a peer client binary knows ({@code CLIENT --list}), in its order. */
  static List<String> scenarios(String client) {
    Finished list = run(List.of(client, "--list"), 60);
    if (list.exitCode != 0) {
      throw new IllegalStateException(client + " --list failed:\n" + list.output);
    }
    return list.output.lines().filter(l -> !l.isBlank()).toList();
  }

  /** Starts a peer server binary on a free loopback port (it prints {@code PORT n}). */
  static Server startServer(String server) {
    ProcessBuilder builder = new ProcessBuilder(server, "127.0.0.1:0");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + server, e);
    }
    StreamCollector stderr = StreamCollector.start(process.getErrorStream());
    BufferedReader stdout = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    try {
      line = stdout.readLine();
    } catch (IOException e) {
      process.destroyForcibly();
      throw new UncheckedIOException("reading the port of " + server, e);
    }
    if (line == null || !line.startsWith("PORT ")) {
      process.destroyForcibly();
      throw new IllegalStateException(server + " did not print its port (got " + line
          + "); stderr:\n" + stderr.text());
    }
    return new Server(process, Integer.parseInt(line.substring(5).trim()), stderr);
  }

  /**
   * Runs a peer client binary against {@code 127.0.0.1:port} with the given scenarios (none: all)
   * and waits for it to end.
   */
  static ClientRun runClient(String client, int port, String... scenarios) {
    List<String> command = new ArrayList<>();
    command.add(client);
    command.add("127.0.0.1:" + port);
    Collections.addAll(command, scenarios);
    Finished finished = run(command, CLIENT_TIMEOUT_SECONDS);
    return new ClientRun(finished.exitCode, finished.output);
  }

  /** A running peer server; {@link #close()} ends it (it exits when its stdin closes). */
  static final class Server implements AutoCloseable {
    private final Process process;
    private final int port;
    private final StreamCollector stderr;

    Server(Process process, int port, StreamCollector stderr) {
      this.process = process;
      this.port = port;
      this.stderr = stderr;
    }

    /** The loopback port it listens on. */
    int port() {
      return port;
    }

    /** What the server wrote to stderr so far (warnings about failed connections, crashes). */
    String stderr() {
      return stderr.text();
    }

    @Override
    public void close() {
      try {
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The outcome of one peer client run: exit code, output, and each scenario's verdict. */
  static final class ClientRun {
    final int exitCode;
    final String output;
    /** Scenario name -> null when it passed, else the failure text. Missing: it did not run. */
    final Map<String, String> verdicts = new LinkedHashMap<>();

    ClientRun(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
      for (String line : output.lines().toList()) {
        if (line.startsWith("PASS ")) {
          verdicts.put(line.substring(5).trim(), null);
        } else if (line.startsWith("FAIL ")) {
          int colon = line.indexOf(':');
          String name = colon < 0 ? line.substring(5).trim() : line.substring(5, colon).trim();
          verdicts.put(name, colon < 0 ? "failed" : line.substring(colon + 1).trim());
        }
      }
    }

    /** Whether the scenario ran and passed. */
    boolean passed(String scenario) {
      return verdicts.containsKey(scenario) && verdicts.get(scenario) == null;
    }
  }

  record Finished(int exitCode, String output) {}

  static Finished run(List<String> command, long timeoutSeconds) {
    return run(command, null, timeoutSeconds);
  }

  /** Runs {@code command} in {@code directory} (null: the current one), stdin closed. */
  static Finished run(List<String> command, Path directory, long timeoutSeconds) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (directory != null) {
      builder.directory(directory.toFile());
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0), e);
    }
    StreamCollector output = StreamCollector.start(process.getInputStream());
    try {
      process.getOutputStream().close();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(String.join(" ", command) + " did not finish within "
            + timeoutSeconds + " s; output:\n" + output.text());
      }
      output.join();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    }
    return new Finished(process.exitValue(), output.text());
  }

  /** Reads a process's output stream on a daemon thread so the process never blocks on it. */
  static final class StreamCollector {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Thread thread;

    private StreamCollector(InputStream in) {
      thread = new Thread(() -> {
        byte[] buffer = new byte[8192];
        try (in) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            synchronized (bytes) {
              bytes.write(buffer, 0, n);
            }
          }
        } catch (IOException e) {
          // The process ended; keep what was read.
        }
      }, "interop-output");
      thread.setDaemon(true);
    }

    static StreamCollector start(InputStream in) {
      StreamCollector collector = new StreamCollector(in);
      collector.thread.start();
      return collector;
    }

    void join() throws InterruptedException {
      thread.join(10_000);
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }

  /** A build tool or library is not installed. */
  static final class ToolMissing extends Exception {
    private static final long serialVersionUID = 1L;

    ToolMissing(String message) {
      super(message);
    }
  }
}
