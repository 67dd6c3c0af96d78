package dev.capnp.net.reliability;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.Vat;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.Text;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link TargetServer} in its own JVM: started with the test class path, a heap limit and
 * {@code --capnp-*} options; its standard error (the log) is kept for the tests to check.
 */
public final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final CompletableFuture<String> uri = new CompletableFuture<>();
  private final List<String> log = new ArrayList<>();
  private long logChars;

  private ServerProcess(Process process) {
    this.process = process;
  }

  /**
   * Starts a server with {@code -Xmx<heap>} (and as much direct memory) and {@code args}; waits
   * (up to 60 s) until it listens. With {@code echoLog}, its log is copied to this process's
   * standard error as well.
   */
  public static ServerProcess start(String heap, boolean echoLog, List<String> args)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.add("-XX:MaxDirectMemorySize=" + heap);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(TargetServer.class.getName());
    cmd.addAll(args);
    ServerProcess s = new ServerProcess(new ProcessBuilder(cmd).start());
    s.pump(echoLog);
    try {
      s.uri.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      s.process.destroyForcibly();
      throw new IllegalStateException("the server did not start: " + s.log(), e);
    }
    return s;
  }

  private void pump(boolean echoLog) {
    Thread out = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("URI ")) {
            uri.complete(line.substring(4).trim());
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      uri.completeExceptionally(new IllegalStateException("no URI line"));
    }, "server-stdout");
    Thread err = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (this) {
            log.add(line);
            logChars += line.length() + 1;
          }
          if (echoLog) {
            System.err.println("[server] " + line);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "server-stderr");
    out.setDaemon(true);
    err.setDaemon(true);
    out.start();
    err.start();
  }

  /** The sturdy URI of the server's service. */
  public CapnpUri uri() {
    return CapnpUri.parse(uri.join());
  }

  /** The server's TCP port. */
  public int port() {
    return ((NetAddress.Tcp) uri().address()).port();
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  /** The server's log lines so far. */
  public synchronized List<String> log() {
    return new ArrayList<>(log);
  }

  /** Characters logged so far (lines plus newlines). */
  public synchronized long logChars() {
    return logChars;
  }

  /** Log lines from index {@code from} on. */
  public synchronized List<String> logSince(int from) {
    return new ArrayList<>(log.subList(Math.min(from, log.size()), log.size()));
  }

  public synchronized int logSize() {
    return log.size();
  }

  /** Open file descriptors of the server process, from /proc. */
  public int openFds() {
    String[] fds = new java.io.File("/proc/" + process.pid() + "/fd").list();
    return fds == null ? -1 : fds.length;
  }

  /**
   * Asks the server (from a fresh client vat) for its {@link TargetServer#stats stats}; also
   * checks that the fresh client is served a ping. Fails if either takes over {@code seconds}.
   */
  public Map<String, Long> freshClientStats(int seconds) throws Exception {
    try (Vat client = Vat.client()) {
      try (Capability cap = client.importRef(uri()).connect().get(seconds, TimeUnit.SECONDS)) {
        String pong = call(cap, TargetServer.PING, "fresh", seconds);
        if (!pong.equals("e:fresh")) {
          throw new AssertionError("unexpected ping answer " + pong);
        }
        return parseStats(call(cap, TargetServer.STATS, "", seconds));
      }
    }
  }

  /** Calls {@code method} of the target service with {@code text}; returns its text answer. */
  public static String call(Capability cap, int method, String text, int seconds)
      throws Exception {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r =
        cap.newCall(TargetServer.INTERFACE, method);
    r.getParams().initAs(AnyStruct.factory(TargetServer.TWO_PTRS)).getPointer(0)
        .setAs(Text.FACTORY, new Text.Reader(text));
    try (Response<AnyPointer.Reader> res = r.send().get(seconds, TimeUnit.SECONDS)) {
      return res.get().getAs(AnyStruct.FACTORY).getPointer(0).getAs(Text.FACTORY).toString();
    }
  }

  static Map<String, Long> parseStats(String s) {
    Map<String, Long> m = new HashMap<>();
    for (String kv : s.trim().split(" +")) {
      int i = kv.indexOf('=');
      m.put(kv.substring(0, i), Long.parseLong(kv.substring(i + 1)));
    }
    return m;
  }

  /** Closes its standard input and waits up to 20 s for it to exit; returns its exit status. */
  public int stop() throws Exception {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      return -1;
    }
    return process.exitValue();
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      stop();
    }
  }
}
