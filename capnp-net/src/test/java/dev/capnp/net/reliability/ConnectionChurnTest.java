package dev.capnp.net.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.hostile.RawFrames;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Many short connections against a real server vat in its own JVM with the default timeouts
 * (30 s first message, 60 s frame): some leave before their first message, some in the middle
 * of a frame, some after a Bootstrap. Once they are closed, nothing of them may stay in the
 * server's heap: a timer left pending for a closed connection would keep it (pipeline,
 * transport, RPC tables: about 4 KB) until the timeout, so that a peer could make the heap grow
 * with the rate at which it opens and closes connections.
 */
class ConnectionChurnTest {
  static final int CONNECTIONS = 4000;

  @Test
  void closedConnectionsDoNotStayInTheHeap() throws Exception {
    try (ServerProcess server = ServerProcess.start("64m", false, List.of(
        "--capnp-secret-key-file", "", "--capnp-listen-address", "tcp:127.0.0.1:0",
        "--capnp-disable-tls"))) {
      server.freshClientStats(30); // warm up
      Map<String, Long> before = server.freshClientStats(30);
      int baselineFds = server.openFds();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int first = t;
        Thread th = new Thread(() -> {
          try {
            for (int i = first; i < CONNECTIONS; i += 4) {
              try (Socket s = new Socket("127.0.0.1", server.port())) {
                OutputStream out = s.getOutputStream();
                switch (i % 3) {
                  case 0 -> out.write(new byte[] {0, 0}); // half a frame header, no message
                  case 1 -> {
                    Raw.write(out, RawFrames.bootstrap(0));
                    out.write(new byte[] {0, 0, 0, 0, 9, 0, 0, 0, 1}); // a frame begun
                  }
                  default -> Raw.write(out, RawFrames.bootstrap(0));
                }
                out.flush();
                if (i % 2 == 0) {
                  s.setSoLinger(true, 0); // reset
                }
              }
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }, "churn-" + t);
        threads.add(th);
        th.start();
      }
      for (Thread th : threads) {
        th.join(TimeUnit.MINUTES.toMillis(2));
      }
      assertThat(failure.get()).as("churn").isNull();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      // the check asserts on the reading that ended the wait: a second reading could catch a
      // file the server JVM opens for a moment (a class from its jar), unrelated to sockets
      long fds;
      while ((fds = server.openFds()) > baselineFds + 2 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(fds).as("server fds").isLessThanOrEqualTo(baselineFds + 2);
      Map<String, Long> after = server.freshClientStats(30);
      System.out.println("server before " + CONNECTIONS + " short connections: " + before
          + ", after: " + after);
      // (well within the 30 s first-message timeout of the first of them)
      assertThat(after.get("conns")).isEqualTo(1);
      assertThat(after.get("heapUsed") - before.get("heapUsed"))
          .as("heap kept after %d closed connections (before %s, after %s)", CONNECTIONS,
              before, after)
          .isLessThan(4L << 20);
    }
  }
}
