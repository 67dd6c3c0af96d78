package dev.capnp.net.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.Echo;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.testlog.LogRecorder;
import dev.capnp.net.testlog.NoWarnings;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Peers that connect and stall: say nothing, stop in a frame header, trickle a frame, stall in
 * the TLS handshake, or send garbage instead of TLS; and more connections than the vat allows.
 * Each is dropped (or refused) after its timeout with one bounded, rate-limited log line, and the
 * vat keeps serving others. The timeouts are shortened here; the defaults are 30 s (first
 * message) and 60 s (frame).
 */
class StalledPeersTest {
  private final List<Vat> vats = new ArrayList<>();

  @AfterEach
  void close() {
    vats.forEach(Vat::close);
  }

  private Vat server(boolean tls, VatConfig.Builder b) {
    Vat v = Vat.create(b.tls(tls).listenAddress(NetAddress.tcp("127.0.0.1", 0)).build(),
        id -> CompletableFuture.completedFuture(Capability.of(new Echo("e:"))));
    vats.add(v);
    return v;
  }

  private static int port(Vat v) {
    return ((NetAddress.Tcp) v.boundAddress()).port();
  }

  /** Waits up to 10 s for the server to close {@code s}; true if it did. */
  private static boolean closedByServer(Socket s) throws Exception {
    s.setSoTimeout(10_000);
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // drain an Abort, if any
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset
    }
  }

  private static void assertServes(Vat server) throws Exception {
    try (Vat client = Vat.client()) {
      CapnpUri uri = server.sturdyUri(ServiceId.ofPublic("any"));
      try (Capability cap = client.importRef(uri).connect().get(10, TimeUnit.SECONDS)) {
        assertThat(Echo.ping(cap, "ok")).isEqualTo("e:ok");
      }
    }
  }

  @Test
  void silentAndHalfHeaderConnectionsAreDroppedAfterTheFirstMessageTimeout() throws Exception {
    NoWarnings.expect("no complete message within 1 s", 2);
    Vat v = server(false, VatConfig.builder().firstMessageTimeout(Duration.ofSeconds(1)));
    try (Socket silent = new Socket("127.0.0.1", port(v));
        Socket oneByte = new Socket("127.0.0.1", port(v))) {
      oneByte.getOutputStream().write(0);
      long start = System.nanoTime();
      assertThat(closedByServer(silent)).isTrue();
      assertThat(closedByServer(oneByte)).isTrue();
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(8));
    }
    assertThat(NoWarnings.await("no complete message within 1 s", 2, 5000)).isEqualTo(2);
    assertServes(v);
  }

  @Test
  void aFrameThatIsNotCompletedInTimeDropsTheConnection() throws Exception {
    // a frame that says 100 words follow, and only some of them, trickled
    assertATrickledFrameIsDropped(100, 8);
  }

  /**
   * After a complete Bootstrap (so the first-message timeout is satisfied), a frame that says
   * {@code words} words follow and then trickles three pieces of {@code piece} bytes, 100 ms
   * apart, must drop the connection after the 300 ms frame timeout and leave the vat serving.
   */
  private void assertATrickledFrameIsDropped(int words, int piece) throws Exception {
    NoWarnings.expect("Incomplete frame: not completed within 300 ms", 1);
    Vat v = server(false, VatConfig.builder().frameTimeout(Duration.ofMillis(300)));
    try (Socket s = new Socket("127.0.0.1", port(v))) {
      OutputStream out = s.getOutputStream();
      java.nio.ByteBuffer boot = RawFrames.bootstrap(0);
      out.write(boot.array(), boot.arrayOffset(), boot.remaining());
      out.write(new byte[] {0, 0, 0, 0, (byte) words, (byte) (words >>> 8),
          (byte) (words >>> 16), (byte) (words >>> 24)});
      for (int i = 0; i < 3; i++) {
        out.write(new byte[piece]);
        out.flush();
        Thread.sleep(100);
      }
      assertThat(closedByServer(s)).isTrue();
    }
    assertThat(NoWarnings.await("Incomplete frame", 1, 5000)).isEqualTo(1);
    assertServes(v);
  }

  @Test
  void aLargeFrameThatIsNotCompletedInTimeDropsTheConnection() throws Exception {
    // a frame of 80 KiB is gathered in its own array once a quarter of it has arrived: its
    // timer must still run from its first bytes (each piece is more than a quarter)
    assertATrickledFrameIsDropped(10_000, 20_000);
  }

  @Test
  void aStalledTlsHandshakeIsDroppedAndGarbageIsLoggedInOneBoundedLine() throws Exception {
    NoWarnings.expect("TLS handshake with", 1);
    NoWarnings.expect("no complete message within 2 s", 1);
    Vat v = server(true, VatConfig.builder().firstMessageTimeout(Duration.ofSeconds(2)));
    int mark = LogRecorder.mark();
    try (Socket stalled = new Socket("127.0.0.1", port(v));
        Socket garbage = new Socket("127.0.0.1", port(v))) {
      byte[] junk = new byte[4096];
      new Random(1).nextBytes(junk);
      junk[0] = 0x47; // not a TLS record type
      garbage.getOutputStream().write(junk);
      assertThat(closedByServer(garbage)).isTrue();
      assertThat(closedByServer(stalled)).isTrue();
    }
    assertThat(NoWarnings.await("TLS handshake with", 1, 5000)).isEqualTo(1);
    assertThat(NoWarnings.await("no complete message", 1, 5000)).isEqualTo(1);
    assertThat(LogRecorder.since(mark)).allSatisfy(e ->
        assertThat(e.message().length()).as(e.message()).isLessThan(400));
    assertServes(v);
  }

  @Test
  void repeatedFailuresAreRateLimitedAndSummarised() throws Exception {
    Vat v = server(true, VatConfig.builder());
    int mark = LogRecorder.mark();
    for (int i = 0; i < 30; i++) {
      try (Socket s = new Socket("127.0.0.1", port(v))) {
        byte[] junk = new byte[4096];
        new Random(i).nextBytes(junk);
        junk[0] = 0x47;
        s.getOutputStream().write(junk);
        closedByServer(s);
      }
    }
    NoWarnings.await("TLS handshake with", 20, 5000);
    long lines = LogRecorder.since(mark).stream()
        .filter(e -> e.message().contains("TLS handshake with")).count();
    long bytes = LogRecorder.since(mark).stream().mapToLong(e -> e.message().length()).sum();
    assertThat(lines).as("handshake failures logged one by one").isEqualTo(20);
    assertThat(bytes).as("bytes logged for 30 garbage connections").isLessThan(8_000);
    NoWarnings.expect("TLS handshake with", 20);
    v.close(); // writes the summary of the other 10
    assertThat(LogRecorder.since(mark)).anyMatch(e -> e.message().equals(
        "... and 10 more rejected or dropped connections in the last 10 s (not logged one by one)"));
    NoWarnings.expect("more rejected or dropped connections", 1);
  }

  @Test
  void connectionsBeyondTheLimitAreRefused() throws Exception {
    NoWarnings.expect("Refused connection from", 1);
    Vat v = server(false, VatConfig.builder().maxConnections(2));
    try (Socket a = new Socket("127.0.0.1", port(v));
        Socket b = new Socket("127.0.0.1", port(v));
        Socket c = new Socket("127.0.0.1", port(v))) {
      assertThat(closedByServer(c)).isTrue();
      assertThat(v.metrics().connectionsRefused()).isEqualTo(1);
    }
    assertThat(NoWarnings.await("Refused connection from", 1, 5000)).isEqualTo(1);
  }

  @Test
  void aBootstrapThatIsNeverAnsweredBreaksTheCapabilityAndIsFinished() throws Exception {
    try (java.nio.channels.ServerSocketChannel mute =
        java.nio.channels.ServerSocketChannel.open()) {
      mute.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = ((InetSocketAddress) mute.getLocalAddress()).getPort();
      Vat c = Vat.create(VatConfig.builder().connectTimeout(Duration.ofMillis(500)).build(),
          null);
      vats.add(c);
      CompletableFuture<Capability> f = c.importRef(CapnpUri.parse(
          "capnp://insecure@127.0.0.1:" + port + "/")).connect();
      try (java.nio.channels.SocketChannel peer = mute.accept();
          Capability cap = f.get(10, TimeUnit.SECONDS)) {
        RpcException e = cap.whenBroken().get(10, TimeUnit.SECONDS);
        assertThat(e.getReason()).isEqualTo("No answer to the bootstrap within 500 ms");
        // the peer saw Bootstrap(0), then Finish(0)
        java.io.DataInputStream in = new java.io.DataInputStream(
            java.nio.channels.Channels.newInputStream(peer));
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          dev.capnp.runtime.MessageReader m = dev.capnp.runtime.Serialize.read(
              (java.io.InputStream) in);
          seen.add(m.getRoot(dev.capnp.rpc.proto.Rpc.Message.FACTORY).which().toString());
        }
        assertThat(seen).containsExactly("BOOTSTRAP", "FINISH");
      }
    }
  }

  @Test
  void aConnectToAPeerThatNeverCompletesTlsTimesOut() throws Exception {
    try (ServerSocket mute = new ServerSocket()) {
      mute.bind(new InetSocketAddress("127.0.0.1", 0));
      Vat c = Vat.create(VatConfig.builder().connectTimeout(Duration.ofMillis(500)).build(),
          null);
      vats.add(c);
      CapnpUri uri = CapnpUri.parse("capnp://" + dev.capnp.net.SecretKey.generate().digest()
          + "@127.0.0.1:"
          + mute.getLocalPort() + "/");
      long start = System.nanoTime();
      assertThatThrownBy(() -> c.importRef(uri).connect().get(20, TimeUnit.SECONDS))
          .cause().isInstanceOf(RpcException.class)
          .hasMessageContaining("127.0.0.1:" + mute.getLocalPort());
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }
  }
}
