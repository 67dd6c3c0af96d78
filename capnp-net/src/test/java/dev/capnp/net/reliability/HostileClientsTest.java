package dev.capnp.net.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.hostile.RawFrames;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.Serialize;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attacks on a real server vat in its own JVM with a 64 MiB heap (and 64 MiB of direct memory),
 * plain TCP, its timeouts shortened to 2 s through {@code --capnp-*} options, all other limits at
 * their defaults. After each attack a fresh client must be served promptly, the server's heap
 * (after a GC) must stay well under its limit, its file descriptors must return to their
 * baseline, and its log must not show an OutOfMemoryError. The long versions of these attacks
 * are in {@code scripts/soak.sh}.
 */
class HostileClientsTest {
  /** Live heap the server may use after an attack (its -Xmx is 64 MiB). */
  static final long HEAP_BOUND = 40L << 20;
  /** What a stalled flood may have written at most (limits + loopback socket buffers). */
  static final long STALLED_BELOW = 96L << 20;
  /** Far above what the limits and the kernels' socket buffers can absorb. */
  static final long FLOOD_CAP = 256L << 20;

  static ServerProcess server;
  static int baselineFds;

  @BeforeAll
  static void start() throws Exception {
    server = ServerProcess.start("64m", false, List.of("--capnp-secret-key-file", "",
        "--capnp-listen-address", "tcp:127.0.0.1:0", "--capnp-disable-tls",
        "--capnp-first-message-timeout", "2s", "--capnp-frame-timeout", "2s"));
    server.freshClientStats(30); // warm up (loads the classes a connection needs)
    baselineFds = server.openFds();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      assertThat(server.stop()).as("exit status of the server; its log:\n%s",
          String.join("\n", server.log())).isZero();
    }
  }

  /** A fresh client is served, the heap is bounded, no OutOfMemoryError was logged. */
  static Map<String, Long> assertHealthy(String after) throws Exception {
    assertThat(server.process().isAlive()).as("server alive after " + after).isTrue();
    Map<String, Long> stats = server.freshClientStats(20);
    System.out.println("server after " + after + ": " + stats);
    assertThat(stats.get("heapUsed")).as("server heap used after %s (%s)", after, stats)
        .isLessThan(HEAP_BOUND);
    assertThat(server.log()).as("server log after " + after)
        .noneMatch(l -> l.contains("OutOfMemoryError") || l.contains("OutOfDirectMemoryError"));
    return stats;
  }

  /** Waits (up to 20 s) until the server's open fds are back to their baseline. */
  static void assertFdsBackToBaseline(String after) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int fds = server.openFds();
    while (fds > baselineFds + 2 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      fds = server.openFds();
    }
    assertThat(fds).as("server fds after %s (baseline %s)", after, baselineFds)
        .isLessThanOrEqualTo(baselineFds + 2);
  }

  /** The server's log since {@code mark} is short: bounded lines, bounded in number. */
  static void assertLogBounded(int mark, int maxLines) {
    List<String> lines = server.logSince(mark);
    assertThat(lines).as("server log lines").hasSizeLessThanOrEqualTo(maxLines)
        .allSatisfy(l -> assertThat(l.length()).as(l).isLessThan(400));
  }

  @Test
  void aClientFloodingCallsWithoutReadingIsStalled() throws Exception {
    int mark = server.logSize();
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(64 << 10);
      s.setSendBufferSize(64 << 10);
      s.connect(new InetSocketAddress("127.0.0.1", server.port()));
      Flood flood = new Flood(s.getOutputStream(), "x".repeat(100));
      flood.start();
      long written = flood.awaitStall();
      assertThat(written).as("bytes the flooding client could write").isLessThan(STALLED_BELOW);
      // while the flood is held (its connection open, its replies unread) others are served
      Map<String, Long> held = assertHealthy("a flood without reading (held)");
      System.out.println("flood stalled after " + written + " bytes; server while held: " + held);
      // the server stopped reading from the flood; it did not drop it (nor run out of memory)
      assertThat(held.get("conns")).as("connections open while the flood is held (%s)",
          server.logSince(mark)).isEqualTo(2);
      assertThat(server.logSince(mark)).as("server log").noneMatch(l -> l.contains("Dropped"));
      // once the client reads, the server reads again: every call written is answered
      flood.stop = true;
      s.setSoTimeout(30_000);
      InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int last = 0;
      while (flood.isAlive() || last < flood.lastQuestion) {
        assertThat(System.nanoTime()).as("all calls answered in time").isLessThan(deadline);
        Rpc.Message.Reader m = Serialize.read(in).getRoot(Rpc.Message.FACTORY);
        assertThat(m.isAbort()).as("aborted").isFalse();
        if (m.isReturn()) {
          last = Math.max(last, m.getReturn().getAnswerId());
        }
      }
      assertThat(flood.failure).as("flood writer").isNull();
    }
    assertHealthy("a flood without reading (closed)");
    assertFdsBackToBaseline("a flood without reading");
  }

  /**
   * Writes a bootstrap and then pings, each with its Finish, in batches, blocking, never
   * reading, until {@link #stop} or {@link #FLOOD_CAP} bytes.
   */
  static final class Flood extends Thread {
    private final OutputStream out;
    private final String text;
    volatile long written;
    volatile int lastQuestion;
    volatile boolean stop;
    volatile Throwable failure;

    Flood(OutputStream out, String text) {
      super("flood");
      setDaemon(true);
      this.out = out;
      this.text = text;
    }

    @Override
    public void run() {
      try {
        Raw.write(out, RawFrames.bootstrap(0));
        int q = 1;
        while (!stop && written < FLOOD_CAP) {
          ByteBuffer[] parts = new ByteBuffer[128];
          for (int i = 0; i < parts.length; i += 2) {
            parts[i] = RawFrames.ping(q, 0, text);
            parts[i + 1] = RawFrames.finish(q++);
          }
          ByteBuffer batch = RawFrames.concat(parts);
          out.write(batch.array(), 0, batch.remaining());
          written += batch.remaining();
          lastQuestion = q - 1;
        }
        out.flush();
      } catch (Throwable e) {
        failure = e;
      }
    }

    /** Waits until nothing more is written for 3 s (or the cap or a failure); the bytes. */
    long awaitStall() throws InterruptedException {
      long seen = -1;
      long since = System.nanoTime();
      while (isAlive() && System.nanoTime() - since < TimeUnit.SECONDS.toNanos(3)) {
        Thread.sleep(100);
        if (written != seen) {
          seen = written;
          since = System.nanoTime();
        }
      }
      if (failure != null) {
        throw new AssertionError("the server dropped the flood after " + written + " bytes",
            failure);
      }
      return written;
    }
  }

  @Test
  void stalledAndTrickledFramesAreDropped() throws Exception {
    int mark = server.logSize();
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        Socket s = new Socket("127.0.0.1", server.port());
        stalled.add(s);
        OutputStream out = s.getOutputStream();
        Raw.write(out, RawFrames.bootstrap(0)); // a complete first message, then ...
        if (i % 2 == 0) {
          out.write(new byte[] {0, 0, 0, 0}); // ... half a frame header
        } else {
          out.write(new byte[] {0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}); // 1 of 100
        }
        out.flush();
      }
      try (Socket trickle = new Socket("127.0.0.1", server.port())) {
        OutputStream out = trickle.getOutputStream();
        Raw.write(out, RawFrames.bootstrap(0));
        out.write(new byte[] {0, 0, 0, 0, 100, 0, 0, 0});
        // 8 bytes every 200 ms: never idle, but the frame is not complete within 2 s
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean dropped = false;
        for (int i = 0; i < 99 && !dropped && System.nanoTime() < deadline; i++) {
          try {
            out.write(new byte[8]);
            out.flush();
          } catch (IOException e) {
            dropped = true;
            break;
          }
          dropped = Raw.closedByServer(trickle, System.nanoTime()
              + TimeUnit.MILLISECONDS.toNanos(200));
        }
        assertThat(dropped).as("the trickling connection was dropped").isTrue();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      for (Socket s : stalled) {
        assertThat(Raw.closedByServer(s, deadline)).as("a stalled frame was dropped").isTrue();
      }
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
    assertHealthy("stalled frames");
    assertFdsBackToBaseline("stalled frames");
    assertLogBounded(mark, 60);
  }

  @Test
  void silentConnectionsAreClosedAfterTheFirstMessageTimeout() throws Exception {
    int mark = server.logSize();
    List<Socket> silent = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        silent.add(new Socket("127.0.0.1", server.port()));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (Socket s : silent) {
        assertThat(Raw.closedByServer(s, deadline)).as("a silent connection was closed")
            .isTrue();
      }
    } finally {
      for (Socket s : silent) {
        s.close();
      }
    }
    assertHealthy("300 silent connections");
    assertFdsBackToBaseline("300 silent connections");
    // one line each for at most 20 of them per 10 s, the rest summarised
    assertLogBounded(mark, 60);
  }

  /**
   * A raw client pipelines a capability returned by a slow call into the params of a second
   * call ({@code receiverAnswer}) and finishes the first call before its Return, as libcapnp
   * does: the second call must succeed, not fail "canceled".
   */
  @Test
  void anEarlyFinishDoesNotCancelAnAnswerWhosePipelineIsInUse() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(20_000);
      Raw.write(s.getOutputStream(), RawFrames.concat(
          RawFrames.bootstrap(0),
          Raw.call(1, 0, TargetServer.SLOW_CAP, "a", -1),
          Raw.call(2, 0, TargetServer.USE, "x", 1),
          Raw.finish(1)));
      assertThat(Raw.awaitReturn(s.getInputStream(), 2)).isEqualTo("used:slow:ax");
      Raw.write(s.getOutputStream(), Raw.finish(2));
    }
    assertHealthy("an early Finish");
  }
}
