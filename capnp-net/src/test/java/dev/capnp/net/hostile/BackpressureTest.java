package dev.capnp.net.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Echo;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.ConnectionLimits;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Peers that never read what they are sent: a client flooding a server with calls (each with its
 * Finish) and a server flooding a client with bootstraps. Without backpressure the receiving vat
 * reads everything and queues the replies without bound (in the first report: ~680k queued
 * messages, then OutOfMemoryError); with it the vat stops reading from that peer, so the flood
 * stalls after about the limits plus the kernels' socket buffers, and other peers are served.
 */
class BackpressureTest {
  /** Far above what the limits and the kernels' socket buffers can absorb. */
  private static final long FLOOD_CAP = 768L << 20;
  /**
   * What a stalled flood may have written at most: the limits plus the loopback socket buffers,
   * which the kernel grows to tens of MiB (measured: 35-102 MiB on a loaded 2-core machine).
   */
  private static final long STALLED_BELOW = 256L << 20;
  private static final ConnectionLimits SMALL = ConnectionLimits.DEFAULT
      .withMaxQueuedIncomingBytes(256 << 10).withMaxQueuedReplyBytes(256 << 10);

  private Vat vat;

  @AfterEach
  void close() {
    if (vat != null) {
      vat.close();
    }
  }

  @Test
  void aClientThatNeverReadsItsRepliesIsStoppedAndOthersAreServed() throws Exception {
    vat = Vat.create(VatConfig.builder().tls(false).listenAddress(NetAddress.tcp("127.0.0.1", 0))
        .connectionLimits(SMALL).build(), id -> CompletableFuture.completedFuture(
            Capability.of(new Echo("e:"))));
    int port = ((NetAddress.Tcp) vat.boundAddress()).port();
    try (SocketChannel flood = SocketChannel.open()) {
      smallBuffers(flood);
      flood.connect(new InetSocketAddress("127.0.0.1", port));
      String text = "x".repeat(1000);
      long written = flood(flood, 0, q -> RawFrames.concat(RawFrames.ping(q, 0, text),
          RawFrames.finish(q)), RawFrames.bootstrap(0));
      assertThat(written).as("bytes the flooding client could write")
          .isLessThan(STALLED_BELOW);
      // the vat still serves others while that peer is held
      try (Vat client = Vat.client()) {
        CapnpUri uri = vat.sturdyUri(ServiceId.ofPublic("any"));
        try (Capability cap = client.importRef(uri).connect().get(10, TimeUnit.SECONDS)) {
          assertThat(Echo.ping(cap, "fresh")).isEqualTo("e:fresh");
        }
      }
    }
  }

  @Test
  void aClientThatReadsNoneOfItsRepliesIsDroppedAfterTheStallTimeout() throws Exception {
    dev.capnp.net.testlog.NoWarnings.expect("the peer read none of its replies for 1 s", 1);
    vat = Vat.create(VatConfig.builder().tls(false).listenAddress(NetAddress.tcp("127.0.0.1", 0))
        .connectionLimits(SMALL).replyStallTimeout(java.time.Duration.ofSeconds(1)).build(),
        id -> CompletableFuture.completedFuture(Capability.of(new Echo("e:"))));
    int port = ((NetAddress.Tcp) vat.boundAddress()).port();
    try (SocketChannel flood = SocketChannel.open()) {
      smallBuffers(flood);
      flood.connect(new InetSocketAddress("127.0.0.1", port));
      String text = "x".repeat(1000);
      boolean ended;
      try {
        flood(flood, 0, q -> RawFrames.concat(RawFrames.ping(q, 0, text), RawFrames.finish(q)),
            RawFrames.bootstrap(0));
        // the flood stalled for 3 s: the server has given up on this peer by now; what it
        // had sent can still be read, then the stream ends
        flood.configureBlocking(true);
        flood.socket().setSoTimeout(10_000);
        java.io.InputStream in = flood.socket().getInputStream();
        byte[] buf = new byte[65536];
        while (in.read(buf) >= 0) {
          // drain
        }
        ended = true;
      } catch (java.net.SocketTimeoutException e) {
        ended = false; // still open and silent: the server keeps holding it
      } catch (IOException e) {
        ended = true; // reset by the server while we were still writing
      }
      assertThat(ended).as("the server closed the connection").isTrue();
    }
  }

  @Test
  void aServerThatNeverReadsItsRepliesIsStoppedByTheClient() throws Exception {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.setOption(StandardSocketOptions.SO_RCVBUF, 64 << 10);
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
      vat = Vat.create(VatConfig.builder().tls(false).connectionLimits(SMALL).build(), null);
      CompletableFuture<Capability> cap = vat.importRef(CapnpUri.parse(
          "capnp://insecure@127.0.0.1:" + port + "/")).connect();
      try (SocketChannel peer = listener.accept()) {
        smallBuffers(peer);
        // every Bootstrap the client vat answers (with an exception: it serves nothing) is a
        // Return the peer never reads
        long written = flood(peer, 1, q -> RawFrames.concat(RawFrames.bootstrap(q),
            RawFrames.finish(q)), null);
        assertThat(written).as("bytes the flooding server could write")
            .isLessThan(STALLED_BELOW);
      }
      cap.get(10, TimeUnit.SECONDS).close();
    }
  }

  /** Fixed small socket buffers on the flooding side, so the kernel absorbs little of the flood. */
  private static void smallBuffers(SocketChannel ch) throws IOException {
    ch.setOption(StandardSocketOptions.SO_RCVBUF, 64 << 10);
    ch.setOption(StandardSocketOptions.SO_SNDBUF, 64 << 10);
  }

  interface Frames {
    ByteBuffer next(int questionId);
  }

  /**
   * Writes {@code first} and then frames of questions numbered from {@code firstQuestion + 1}
   * without ever reading, until the peer has accepted nothing for 3 seconds or
   * {@link #FLOOD_CAP} bytes are written; returns the bytes written.
   */
  private static long flood(SocketChannel ch, int firstQuestion, Frames frames, ByteBuffer first)
      throws IOException, InterruptedException {
    if (first != null) {
      while (first.hasRemaining()) {
        ch.write(first);
      }
    }
    ch.configureBlocking(false);
    long written = 0;
    int q = firstQuestion + 1;
    ByteBuffer batch = null;
    long stalledSince = 0;
    while (written < FLOOD_CAP) {
      if (batch == null || !batch.hasRemaining()) {
        ByteBuffer[] parts = new ByteBuffer[64];
        for (int i = 0; i < parts.length; i++) {
          parts[i] = frames.next(q++);
        }
        batch = RawFrames.concat(parts);
      }
      int n = ch.write(batch);
      written += n;
      if (n > 0) {
        stalledSince = 0;
      } else if (stalledSince == 0) {
        stalledSince = System.nanoTime();
      } else if (System.nanoTime() - stalledSince > TimeUnit.SECONDS.toNanos(3)) {
        return written;
      } else {
        Thread.sleep(5);
      }
    }
    return written;
  }
}
