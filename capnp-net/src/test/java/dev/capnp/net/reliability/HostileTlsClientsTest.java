package dev.capnp.net.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bad TLS against a real TLS server vat in its own JVM (64 MiB heap, first-message timeout
 * shortened to 2 s): connections that send garbage instead of a ClientHello, that stop in the
 * middle of a TLS record, or that say nothing. All are closed; the server logs one bounded line
 * for at most 20 of them (per 10 s) and a summary of the others, never a payload dump; and it
 * still serves a fresh TLS client with a bounded heap.
 */
class HostileTlsClientsTest {
  @Test
  void badTlsIsDroppedWithABoundedLog() throws Exception {
    try (ServerProcess server = ServerProcess.start("64m", false, List.of(
        "--capnp-secret-key-file", "", "--capnp-listen-address", "tcp:127.0.0.1:0",
        "--capnp-first-message-timeout", "2s"))) {
      server.freshClientStats(30); // warm up
      int mark = server.logSize();
      List<Socket> attackers = new ArrayList<>();
      try {
        for (int i = 0; i < 50; i++) {
          Socket s = new Socket("127.0.0.1", server.port());
          attackers.add(s);
          OutputStream out = s.getOutputStream();
          if (i < 30) {
            byte[] junk = new byte[4096]; // random bytes, not a TLS record
            new Random(i).nextBytes(junk);
            junk[0] = 0x47;
            out.write(junk);
          } else if (i < 40) {
            // a handshake record header announcing 512 bytes, and 16 of them
            out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00});
            out.write(new byte[16]);
          } // else: silent
          out.flush();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Socket s : attackers) {
          assertThat(Raw.closedByServer(s, deadline)).as("a bad TLS connection was closed")
              .isTrue();
        }
      } finally {
        for (Socket s : attackers) {
          s.close();
        }
      }
      Map<String, Long> stats = server.freshClientStats(30);
      assertThat(stats.get("heapUsed")).as("heap used (%s)", stats)
          .isLessThan(HostileClientsTest.HEAP_BOUND);
      List<String> attackLog = server.logSince(mark);
      long chars = attackLog.stream().mapToLong(l -> l.length() + 1).sum();
      assertThat(attackLog).as("lines logged for 50 bad TLS connections")
          .hasSizeLessThanOrEqualTo(45)
          .allSatisfy(l -> assertThat(l.length()).as(l).isLessThan(400));
      assertThat(chars).as("characters logged for 50 bad TLS connections").isLessThan(12_000);
      assertThat(server.stop()).as("exit status").isZero();
      // the rest are summarised (at the latest when the vat closes)
      assertThat(server.logSince(mark)).as("server log").anyMatch(l -> l.matches(
          ".*\\.\\.\\. and \\d+ more rejected or dropped connections in the last 10 s.*"));
      assertThat(server.log()).noneMatch(l -> l.contains("OutOfMemoryError"));
    }
  }
}
