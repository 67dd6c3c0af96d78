package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.hostile.RawFrames;
import dev.capnp.net.proto.Level3;
import dev.capnp.net.testlog.NoWarnings;
import dev.capnp.net.transport.Tls;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.TextList;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code VatHello} exchange on the wire, against a raw TLS client: a vat's first message on
 * a connection that negotiated {@code capnp-java-level3} is its hello (announcing its address),
 * a bad hello from the peer is ignored with one warning and the connection goes on, and a
 * client that does not offer the ALPN name sees no hello at all.
 */
class HelloExchangeTest {
  private static final SecretKey CLIENT_KEY = SecretKey.generate();
  private final List<Vat> vats = new ArrayList<>();

  @AfterEach
  void closeAll() {
    vats.forEach(Vat::close);
  }

  private Vat server() {
    Vat v = Vat.create(VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0)).build(),
        new HandoffParty("alice"));
    vats.add(v);
    return v;
  }

  /** A TLS socket to {@code v} with a client certificate, offering {@code alpn} (if any). */
  private static SSLSocket dial(Vat v, String... alpn) throws Exception {
    X509Certificate cert = new Tls(CLIENT_KEY).certificate();
    char[] pw = "pw".toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("vat", CLIENT_KEY.privateKey(), pw, new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), new TrustManager[] {new Tls.PinningTrustManager(v.digest())},
        null);
    NetAddress.Tcp at = (NetAddress.Tcp) v.boundAddress();
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(at.host(), at.port());
    s.setSoTimeout(20_000);
    SSLParameters p = s.getSSLParameters();
    p.setApplicationProtocols(alpn);
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  private static void write(OutputStream out, ByteBuffer frame) throws Exception {
    out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
    out.flush();
  }

  private static ByteBuffer hello(String... addresses) {
    MessageBuilder m = new MessageBuilder(64);
    TextList.Builder list = m.initRoot(Level3.VatHello.FACTORY).initAddresses(addresses.length);
    for (int i = 0; i < addresses.length; i++) {
      list.set(i, addresses[i]);
    }
    return Serialize.toByteBuffer(m);
  }

  /** The answer to {@code Bootstrap(0)}: a Return for question 0 (the connection works). */
  private static void bootstrapAnswered(InputStream in) throws Exception {
    MessageReader r = Serialize.read(in);
    Rpc.Message.Reader m = r.getRoot(Rpc.Message.FACTORY);
    assertThat(m.which()).isEqualTo(Rpc.Message.Which.RETURN);
    assertThat(m.getReturn().getAnswerId()).isZero();
  }

  @Test
  void aVatSaysHelloFirstAndIgnoresABadAnnouncement() throws Exception {
    NoWarnings.expect("Ignored the address announcement", 1);
    Vat v = server();
    try (SSLSocket s = dial(v, Tls.LEVEL3_ALPN)) {
      assertThat(s.getApplicationProtocol()).isEqualTo(Tls.LEVEL3_ALPN);
      InputStream in = s.getInputStream();
      // the vat's first message: where it listens (a local address, to a local peer)
      Level3.VatHello.Reader hello = Serialize.read(in).getRoot(Level3.VatHello.FACTORY);
      assertThat(hello.getAddresses().size()).isEqualTo(1);
      assertThat(hello.getAddresses().get(0).toString()).isEqualTo(v.boundAddress().toString());
      // ours names nine addresses: refused as a whole, the connection goes on
      String[] nine = new String[9];
      java.util.Arrays.fill(nine, "tcp:192.0.2.1:7000");
      write(s.getOutputStream(), hello(nine));
      write(s.getOutputStream(), RawFrames.bootstrap(0));
      bootstrapAnswered(in);
      assertThat(NoWarnings.await("Ignored the address announcement", 1, 20_000)).isEqualTo(1);
      assertThat(NoWarnings.count("invalid VatHello.addresses: 9 addresses, at most 8"))
          .isEqualTo(1);
    }
  }

  @Test
  void aClientWithoutTheAlpnNameSeesNoHello() throws Exception {
    Vat v = server();
    try (SSLSocket s = dial(v)) {
      assertThat(s.getApplicationProtocol()).isEmpty();
      write(s.getOutputStream(), RawFrames.bootstrap(0));
      // the first message is the Return: no hello before it
      bootstrapAnswered(s.getInputStream());
    }
    try (SSLSocket s = dial(v, "h2", "something-else")) {
      assertThat(s.getApplicationProtocol()).isEmpty();
      write(s.getOutputStream(), RawFrames.bootstrap(0));
      bootstrapAnswered(s.getInputStream());
    }
  }
}
