package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capnp.net.SecretKey;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The TLS implementation of the vats (issue 12, benchmarks/README.md "TLS: OpenSSL where it
 * loads"): OpenSSL where Netty's BoringSSL loads, the JDK's otherwise, and the two speak to
 * each other: the same certificates, key pins, client certificates and Level 3 ALPN.
 */
class TlsProviderTest {
  private static final SecretKey SERVER_KEY = SecretKey.generate();
  private static final SecretKey CLIENT_KEY = SecretKey.generate();

  @Test
  void vatsUseOpenSslWhereItLoads() {
    assumeTrue(System.getProperty("capnp.net.tlsProvider") == null,
        "the provider is chosen by -Dcapnp.net.tlsProvider in this run");
    // the linux-x86_64 BoringSSL is a dependency of capnp-net: on this platform it must load
    if (isLinuxX64() && !Boolean.getBoolean("io.netty.handler.ssl.noOpenSsl")) {
      assertThat(OpenSsl.isAvailable()).as("BoringSSL loads: %s", OpenSsl.unavailabilityCause())
          .isTrue();
    }
    assertThat(Tls.provider())
        .isEqualTo(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
    assertThat(new Tls(SERVER_KEY).serverContext().isServer()).isTrue();
  }

  @Test
  void theProviderCanBeChosen() {
    assertThat(Tls.chooseProvider("jdk")).isEqualTo(SslProvider.JDK);
    if (OpenSsl.isAvailable()) {
      assertThat(Tls.chooseProvider("openssl")).isEqualTo(SslProvider.OPENSSL);
      assertThat(Tls.chooseProvider("auto")).isEqualTo(SslProvider.OPENSSL);
    } else {
      assertThatThrownBy(() -> Tls.chooseProvider("openssl"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("OpenSSL cannot be used here");
      assertThat(Tls.chooseProvider("auto")).isEqualTo(SslProvider.JDK);
    }
    assertThatThrownBy(() -> Tls.chooseProvider("boringssl"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("capnp.net.tlsProvider must be auto, jdk or openssl: boringssl");
  }

  @ParameterizedTest(name = "server {0}, client {1}")
  @CsvSource({"OPENSSL, OPENSSL", "OPENSSL, JDK", "JDK, OPENSSL", "JDK, JDK"})
  void aClientPinsTheServerAndShowsItsCertificate(SslProvider server, SslProvider client)
      throws Exception {
    assumeOpenSslIfUsed(server, client);
    Tls serverTls = new Tls(SERVER_KEY, true, server);
    Tls clientTls = new Tls(CLIENT_KEY, true, client);
    SSLEngine s = serverTls.serverContext().newEngine(ByteBufAllocator.DEFAULT);
    SSLEngine c = clientTls.clientContext(new Tls.PinningTrustManager(SERVER_KEY.digest()))
        .newEngine(ByteBufAllocator.DEFAULT);
    try {
      handshake(c, s);
      assertThat(s instanceof ReferenceCountedOpenSslEngine).isEqualTo(server == SslProvider.OPENSSL);
      assertThat(c instanceof ReferenceCountedOpenSslEngine).isEqualTo(client == SslProvider.OPENSSL);
      assertThat(c.getSession().getProtocol()).isEqualTo("TLSv1.3");
      assertThat(c.getApplicationProtocol()).isEqualTo(Tls.LEVEL3_ALPN);
      assertThat(s.getApplicationProtocol()).isEqualTo(Tls.LEVEL3_ALPN);
      // the server sees the client's own certificate: the key that identifies the peer vat
      assertThat(s.getSession().getPeerCertificates()[0].getPublicKey())
          .isEqualTo(CLIENT_KEY.publicKey());
      assertThat(c.getSession().getPeerCertificates()[0].getPublicKey())
          .isEqualTo(SERVER_KEY.publicKey());
    } finally {
      ReferenceCountUtil.release(s);
      ReferenceCountUtil.release(c);
    }
  }

  @ParameterizedTest(name = "server {0}, client {1}")
  @CsvSource({"OPENSSL, OPENSSL", "JDK, OPENSSL", "OPENSSL, JDK"})
  void aServerWithAnotherKeyIsRefused(SslProvider server, SslProvider client) throws Exception {
    assumeOpenSslIfUsed(server, client);
    Tls serverTls = new Tls(SERVER_KEY, false, server);
    Tls clientTls = new Tls(CLIENT_KEY, false, client);
    Tls.PinningTrustManager pin = new Tls.PinningTrustManager(CLIENT_KEY.digest());
    SSLEngine s = serverTls.serverContext().newEngine(ByteBufAllocator.DEFAULT);
    SSLEngine c = clientTls.clientContext(pin).newEngine(ByteBufAllocator.DEFAULT);
    try {
      assertThatThrownBy(() -> handshake(c, s)).isInstanceOf(SSLException.class);
      assertThat(pin.failure()).isEqualTo("Server's public key fingerprint "
          + SERVER_KEY.digest() + " does not match the expected " + CLIENT_KEY.digest());
    } finally {
      ReferenceCountUtil.release(s);
      ReferenceCountUtil.release(c);
    }
  }

  private static void assumeOpenSslIfUsed(SslProvider a, SslProvider b) {
    assumeTrue(a == SslProvider.JDK && b == SslProvider.JDK || OpenSsl.isAvailable(),
        "OpenSSL is not available here");
  }

  private static boolean isLinuxX64() {
    String arch = System.getProperty("os.arch");
    return System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")
        && (arch.equals("amd64") || arch.equals("x86_64"));
  }

  /** Runs a handshake between two engines in memory, delegated tasks inline. */
  private static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    client.setUseClientMode(true);
    server.setUseClientMode(false);
    int size = Math.max(client.getSession().getPacketBufferSize(),
        server.getSession().getPacketBufferSize()) * 4;
    ByteBuffer toServer = ByteBuffer.allocate(size);
    ByteBuffer toClient = ByteBuffer.allocate(size);
    ByteBuffer appIn = ByteBuffer.allocate(size);
    ByteBuffer empty = ByteBuffer.allocate(0);
    client.beginHandshake();
    server.beginHandshake();
    for (int step = 0; step < 200; step++) {
      boolean clientDone = done(client);
      boolean serverDone = done(server);
      if (clientDone && serverDone && toServer.position() == 0 && toClient.position() == 0) {
        return;
      }
      step(client, empty, toServer, toClient, appIn);
      step(server, empty, toClient, toServer, appIn);
    }
    throw new AssertionError("the handshake did not finish: client "
        + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
  }

  private static boolean done(SSLEngine e) {
    SSLEngineResult.HandshakeStatus h = e.getHandshakeStatus();
    return h == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
        || h == SSLEngineResult.HandshakeStatus.FINISHED;
  }

  /** One turn of {@code e}: writes what it has into {@code out}, reads what {@code in} holds. */
  private static void step(SSLEngine e, ByteBuffer empty, ByteBuffer out, ByteBuffer in,
      ByteBuffer appIn) throws SSLException {
    runTasks(e);
    e.wrap(empty, out);
    runTasks(e);
    in.flip();
    while (in.hasRemaining()) {
      SSLEngineResult r = e.unwrap(in, appIn);
      runTasks(e);
      if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesConsumed() == 0) {
        break;
      }
    }
    in.compact();
    appIn.clear();
  }

  private static void runTasks(SSLEngine e) {
    Runnable task;
    while ((task = e.getDelegatedTask()) != null) {
      task.run();
    }
  }
}
