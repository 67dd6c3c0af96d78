package dev.capnp.net;

import dev.capnp.net.testlog.NoWarnings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.Text;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VatNetworkTest {
  @TempDir
  Path dir;

  private final List<Vat> vats = new ArrayList<>();

  @AfterEach
  void closeVats() {
    for (Vat v : vats) {
      v.close();
    }
  }

  /** A restorer serving echo services named by public IDs, created on the vat's loop. */
  static final class EchoRestorer implements Restorer {
    final Map<ServiceId.DigestKey, String> prefixes = new ConcurrentHashMap<>();

    EchoRestorer add(String id, String prefix) {
      prefixes.put(ServiceId.ofPublic(id).digestKey(), prefix);
      return this;
    }

    @Override
    public CompletableFuture<Capability> restore(ServiceId id) {
      if (id.digestKey().equals(ServiceId.ofPublic("held").digestKey())) {
        return CompletableFuture.completedFuture(Capability.of(new Held()));
      }
      String p = prefixes.get(id.digestKey());
      return p == null ? Restorer.unknownServiceId()
          : CompletableFuture.completedFuture(Capability.of(new Echo(p)));
    }
  }

  /** A service ("held") whose calls never return: each keeps its answer open. */
  static final class Held extends Server {
    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      return new CompletableFuture<>();
    }
  }

  private Vat server(NetAddress listen, boolean tls) {
    return server(VatConfig.builder().listenAddress(listen).tls(tls));
  }

  private Vat server(VatConfig.Builder b) {
    Vat v = Vat.create(b.build(), new EchoRestorer().add("main", "main:").add("other", "o:"));
    vats.add(v);
    return v;
  }

  private Vat client() {
    Vat v = Vat.client();
    vats.add(v);
    return v;
  }

  private static NetAddress tcp() {
    return NetAddress.tcp("127.0.0.1", 0);
  }

  private NetAddress unix(String name) {
    return NetAddress.unix(dir.resolve(name).toString());
  }

  private static String pingVia(Vat client, CapnpUri uri, String msg) throws Exception {
    return client.importRef(uri).withCap(cap -> Echo.request(cap, msg).send().thenApply(r -> {
      try (r) {
        return r.get().getAs(AnyStruct.FACTORY).getPointer(0).getAs(Text.FACTORY).toString();
      }
    })).get(20, TimeUnit.SECONDS);
  }

  private static void eventually(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  /**
   * The server builds each Return's results in memory it reuses once the call is finished
   * (issue 12); responses the client keeps, over TCP and TLS, stay their own across many later
   * calls.
   */
  @Test
  void keptResponsesStayTheirOwnAcrossLaterCalls() throws Exception {
    for (boolean tls : new boolean[] {false, true}) {
      Vat s = server(tcp(), tls);
      Vat c = client();
      try (Capability cap = c.importRef(s.sturdyUri(ServiceId.ofPublic("main"))).connect()
          .get(20, TimeUnit.SECONDS)) {
        List<Response<AnyPointer.Reader>> kept = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          kept.add(Echo.request(cap, "kept-" + i).send().get(10, TimeUnit.SECONDS));
        }
        for (int i = 0; i < 50; i++) {
          assertThat(Echo.ping(cap, "later-" + i)).isEqualTo("main:later-" + i);
        }
        for (int i = 0; i < 5; i++) {
          try (Response<AnyPointer.Reader> r = kept.get(i)) {
            assertThat(r.get().getAs(AnyStruct.FACTORY).getPointer(0).getAs(Text.FACTORY)
                .toString()).isEqualTo("main:kept-" + i);
          }
        }
      }
    }
  }

  /**
   * Large messages (gathered in their own array by the frame decoder once a quarter of them has
   * arrived) cross TCP and Unix sockets, plain and TLS, intact in both directions, several in
   * flight at once so that frames begin and end inside reads.
   */
  @Test
  void largeMessagesCrossEveryTransportIntact() throws Exception {
    StringBuilder pattern = new StringBuilder();
    for (int i = 0; pattern.length() < (1 << 20) + 13; i++) {
      pattern.append(Integer.toString(i, 36)).append(i % 7 == 0 ? '\n' : ' ');
    }
    String big = pattern.substring(0, (1 << 20) + 13);
    String[] msgs = {big, big.substring(70_001), big.substring(5, 300_000), "small", big};
    Vat c = client();
    int n = 0;
    for (boolean tls : new boolean[] {false, true}) {
      for (NetAddress address : new NetAddress[] {tcp(), unix("large-" + n++ + ".sock")}) {
        Vat s = server(address, tls);
        try (Capability cap = c.importRef(s.sturdyUri(ServiceId.ofPublic("main"))).connect()
            .get(20, TimeUnit.SECONDS)) {
          List<CompletableFuture<Response<AnyPointer.Reader>>> sent = new ArrayList<>();
          for (String m : msgs) {
            sent.add(Echo.request(cap, m).send().toCompletableFuture());
          }
          for (int i = 0; i < msgs.length; i++) {
            try (Response<AnyPointer.Reader> r = sent.get(i).get(20, TimeUnit.SECONDS)) {
              String got = r.get().getAs(AnyStruct.FACTORY).getPointer(0).getAs(Text.FACTORY)
                  .toString();
              assertThat(got.equals("main:" + msgs[i]))
                  .as("message %d (%d chars) over %s, tls %s", i, msgs[i].length(), address, tls)
                  .isTrue();
            }
          }
        }
      }
    }
  }

  /**
   * Both ends of a Unix-socket connection that carried a 1 MiB call and its 1 MiB reply have
   * given their socket a send buffer above the system's default (issue 12: with the default, a
   * 1 MiB echo made 13 context switches per call; see {@code UnixSendBufferTest}).
   */
  @Test
  void unixConnectionsOfLargeMessagesGetALargerSendBuffer() throws Exception {
    int defaultBuffer = (int) dev.capnp.net.transport.SocketTestSupport.netCore("wmem_default");
    Vat s = server(unix("sndbuf.sock"), false);
    Vat c = client();
    String big = "x".repeat(1 << 20);
    assertThat(pingVia(c, s.sturdyUri(ServiceId.ofPublic("main")), big)).hasSize(big.length() + 5);
    for (Vat v : new Vat[] {c, s}) {
      List<io.netty.channel.Channel> chs = v.connectionChannels();
      assertThat(chs).hasSize(1);
      assertThat(chs.get(0).config().getOption(io.netty.channel.ChannelOption.SO_SNDBUF))
          .as("SO_SNDBUF of %s", v == c ? "the client" : "the server")
          .isGreaterThan(defaultBuffer);
    }
  }

  /**
   * A plain Unix-socket connection reads a large frame being gathered in reads sized by what it
   * lacks ({@code FrameSizedReadsTest}); TCP and TLS connections keep Netty's read sizes.
   */
  @Test
  void plainUnixConnectionsSizeTheirReadsForLargeFrames() throws Exception {
    int n = 0;
    for (boolean tls : new boolean[] {false, true}) {
      for (boolean unix : new boolean[] {false, true}) {
        Vat s = server(unix ? unix("reads-" + n++ + ".sock") : tcp(), tls);
        Vat c = client();
        assertThat(pingVia(c, s.sturdyUri(ServiceId.ofPublic("main")), "r")).isEqualTo("main:r");
        for (Vat v : new Vat[] {c, s}) {
          List<io.netty.channel.Channel> chs = v.connectionChannels();
          assertThat(chs).hasSize(1);
          assertThat(chs.get(0).config().getRecvByteBufAllocator()
              instanceof dev.capnp.net.transport.FrameSizedReads)
              .as("frame-sized reads, unix %s, tls %s, %s", unix, tls, v == c ? "client" : "server")
              .isEqualTo(unix && !tls);
        }
      }
    }
  }

  @Test
  void tcpInsecure() throws Exception {
    Vat s = server(tcp(), false);
    CapnpUri uri = s.sturdyUri(ServiceId.ofPublic("main"));
    assertThat(uri.toString()).startsWith("capnp://insecure@127.0.0.1:")
        .endsWith("/" + ServiceId.ofPublic("main").toBase64Url());
    assertThat(pingVia(client(), uri, "hi")).isEqualTo("main:hi");
  }

  @Test
  void tcpTls() throws Exception {
    Vat s = server(tcp(), true);
    CapnpUri uri = s.sturdyUri(ServiceId.ofPublic("main"));
    assertThat(uri.auth()).isEqualTo(s.digest());
    Vat c = client();
    assertThat(pingVia(c, uri, "secure")).isEqualTo("main:secure");
    assertThat(pingVia(c, CapnpUri.parse(uri.toString()), "again")).isEqualTo("main:again");
  }

  @Test
  void unixInsecureAndTls() throws Exception {
    Vat plain = server(unix("plain.sock"), false);
    Vat secure = server(unix("secure.sock"), true);
    Vat c = client();
    assertThat(pingVia(c, plain.sturdyUri(ServiceId.ofPublic("other")), "x")).isEqualTo("o:x");
    CapnpUri su = secure.sturdyUri(ServiceId.ofPublic("main"));
    assertThat(su.toString()).contains("@" + dir.resolve("secure.sock") + "/");
    assertThat(pingVia(c, su, "y")).isEqualTo("main:y");
  }

  @Test
  void unixSocketsWorkOverNio() throws Exception {
    Vat plain = server(VatConfig.builder().listenAddress(unix("nio-plain.sock")).tls(false)
        .nativeTransport(false));
    Vat secure = server(VatConfig.builder().listenAddress(unix("nio-secure.sock"))
        .nativeTransport(false));
    Vat c = Vat.create(VatConfig.builder().nativeTransport(false).build(), null);
    vats.add(c);
    assertThat(plain.platform().epoll()).isFalse();
    assertThat(c.platform().epoll()).isFalse();
    assertThat(pingVia(c, plain.sturdyUri(ServiceId.ofPublic("other")), "n")).isEqualTo("o:n");
    assertThat(pingVia(c, secure.sturdyUri(ServiceId.ofPublic("main")), "t")).isEqualTo("main:t");
    // and the native client against the NIO server
    assertThat(pingVia(client(), secure.sturdyUri(ServiceId.ofPublic("main")), "e"))
        .isEqualTo("main:e");
  }

  @Test
  void endOfStreamIsAnsweredWithAnAbort() throws Exception {
    Vat s = server(tcp(), false);
    NetAddress.Tcp addr = (NetAddress.Tcp) s.boundAddress();
    try (java.net.Socket sock = new java.net.Socket(addr.host(), addr.port())) {
      sock.setSoTimeout(20_000);
      eventually(() -> s.connectionCount() == 1, "the server to accept");
      sock.shutdownOutput(); // end of stream, no Abort from us
      dev.capnp.runtime.MessageReader m = dev.capnp.runtime.Serialize.tryRead(
          sock.getInputStream(), dev.capnp.runtime.ReaderOptions.DEFAULT);
      assertThat(m).as("a message before the end of stream").isNotNull();
      dev.capnp.rpc.proto.Rpc.Message.Reader msg = m.getRoot(dev.capnp.rpc.proto.Rpc.Message.FACTORY);
      assertThat(msg.which()).isEqualTo(dev.capnp.rpc.proto.Rpc.Message.Which.ABORT);
      assertThat(msg.getAbort().getType())
          .isEqualTo(dev.capnp.rpc.proto.Rpc.Exception.Type.DISCONNECTED);
      assertThat(msg.getAbort().getReason().toString()).isEqualTo("Connection closed");
      assertThat(sock.getInputStream().read()).as("then the server closes").isEqualTo(-1);
    }
    eventually(() -> s.connectionCount() == 0, "the server to drop the connection");
  }

  @Test
  void aClientVatMakesItsKeyWithoutAConnection() throws Exception {
    Path keyFile = dir.resolve("client.pem");
    Vat c = Vat.create(VatConfig.builder().secretKeyFile(keyFile).build(), null);
    vats.add(c);
    // generated on a worker thread at creation (not on the I/O thread at the first TLS use)
    eventually(() -> java.nio.file.Files.exists(keyFile), "the key file");
    assertThat(c.digest()).isEqualTo(SecretKey.loadOrCreate(keyFile).digest());
  }

  @Test
  void wrongFingerprintFailsWithoutConnection() throws Exception {
    NoWarnings.expect("TLS handshake with", 1);
    Vat s = server(tcp(), true);
    AuthDigest other = SecretKey.generate().digest();
    CapnpUri bad = new CapnpUri(other, s.boundAddress(), ServiceId.ofPublic("main"));
    Vat c = client();
    assertThatThrownBy(() -> c.importRef(bad).connect().get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(RpcException.class)
        .hasMessageContaining("does not match the expected " + other);
    assertThat(c.connectionCount()).isZero();
    assertThat(c.metrics().connectFailures()).isEqualTo(1);
    eventually(() -> s.connectionCount() == 0, "server to have no connection");
    assertThat(s.metrics().messagesReceived()).isZero();
    assertThat(NoWarnings.await("TLS handshake with", 1, 10_000)).as("the server warns once")
        .isEqualTo(1);
  }

  @Test
  void aTlsClientThatEndsItsStreamAfterTheHandshakeIsClosedAtOnce() throws Exception {
    // a peer that finishes the handshake and ends its stream without a close_notify (its
    // process exits; a flood of handshakes) held the socket until the first-message timeout
    // (30 s): the input's end came while the server's handshake was still in its tasks
    Vat s = server(tcp(), true);
    NetAddress.Tcp addr = (NetAddress.Tcp) s.boundAddress();
    SecretKey key = SecretKey.generate();
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("k", key.privateKey(), new char[0],
        new java.security.cert.Certificate[] {
            new dev.capnp.net.transport.Tls(key).certificate()});
    javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
        javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {
        new dev.capnp.net.transport.Tls.PinningTrustManager(s.digest())}, null);
    for (int i = 0; i < 5; i++) {
      try (java.net.Socket plain = new java.net.Socket(addr.host(), addr.port())) {
        plain.setSoTimeout(5_000);
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
            .createSocket(plain, addr.host(), addr.port(), false);
        tls.startHandshake();
        plain.shutdownOutput(); // the end of the stream, without a TLS close_notify
        long t0 = System.nanoTime();
        java.io.InputStream in = plain.getInputStream();
        byte[] buf = new byte[4096];
        try {
          while (in.read(buf) >= 0) {
            // (the server's session tickets, its close_notify)
          }
        } catch (java.net.SocketException e) {
          // reset: closed too
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until the server closed")
            .isLessThan(4_000);
      }
    }
    assertThat(s.connectionCount()).isZero();
  }

  @Test
  void tlsClientWithoutCertificateIsRejected() throws Exception {
    NoWarnings.expect("TLS handshake with", 1);
    Vat s = server(tcp(), true);
    NetAddress.Tcp addr = (NetAddress.Tcp) s.boundAddress();
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
      @Override
      public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

      @Override
      public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

      @Override
      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    }}, null);
    try (javax.net.ssl.SSLSocket sock = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
        .createSocket(addr.host(), addr.port())) {
      sock.setSoTimeout(10_000);
      Throwable failure = null;
      try {
        sock.startHandshake();
        sock.getOutputStream().write(new byte[8]);
        sock.getOutputStream().flush();
        int r = sock.getInputStream().read();
        assertThat(r).as("the server closes the connection").isEqualTo(-1);
      } catch (java.io.IOException e) {
        failure = e;
      }
      if (failure != null) {
        // the server's alert, or (when the server closed first) a write to a closed socket
        assertThat(failure).isInstanceOfAny(javax.net.ssl.SSLException.class,
            java.net.SocketException.class);
      }
    }
    assertThat(s.connectionCount()).isZero();
    assertThat(s.metrics().connectionsOpened()).isZero();
    assertThat(NoWarnings.await("TLS handshake with", 1, 10_000)).as("the server warns once")
        .isEqualTo(1);
  }

  @Test
  void serviceRestoredAfterTheClientLeftIsReleased() throws Exception {
    CompletableFuture<Void> loading = new CompletableFuture<>();
    CompletableFuture<Void> release = new CompletableFuture<>();
    CompletableFuture<Void> released = new CompletableFuture<>();
    long before = Capability.liveReferenceCount();
    Vat s = server(VatConfig.builder().listenAddress(tcp()).tls(false));
    s.setRestorer(id -> {
      loading.complete(null);
      return release.thenApply(x -> Capability.of(new Echo("late") {
        @Override
        protected void onRelease() {
          released.complete(null);
        }
      }));
    });
    Vat c = Vat.client();
    Capability cap = c.importRef(s.sturdyUri(ServiceId.ofPublic("main"))).connect()
        .get(20, TimeUnit.SECONDS);
    loading.get(20, TimeUnit.SECONDS);
    c.close();
    assertThat(cap.whenBroken().get(20, TimeUnit.SECONDS).getType())
        .isEqualTo(RpcException.Type.DISCONNECTED);
    cap.close();
    eventually(() -> s.connectionCount() == 0, "server to see the client go");
    release.complete(null); // the loader finishes on another thread
    released.get(20, TimeUnit.SECONDS);
    s.close();
    vats.remove(s);
    eventually(() -> Capability.liveReferenceCount() <= before, "no live references left ("
        + Capability.liveReferenceCount() + " now, " + before + " before)");
  }

  @Test
  void unknownServiceIdBreaksTheCapability() throws Exception {
    Vat s = server(tcp(), true);
    Vat c = client();
    Capability cap = c.importRef(s.sturdyUri(ServiceId.ofPublic("nope"))).connect()
        .get(20, TimeUnit.SECONDS);
    RpcException e = cap.whenBroken().get(20, TimeUnit.SECONDS);
    assertThat(e.getReason()).isEqualTo("Unknown persistent service ID");
    cap.close();
  }

  @Test
  void connectionRefusedIsAFailedException() throws Exception {
    Vat c = client();
    CapnpUri uri = CapnpUri.parse("capnp://insecure@" + dir.resolve("none.sock") + "/");
    assertThatThrownBy(() -> c.importRef(uri).connect().get(20, TimeUnit.SECONDS))
        .cause().isInstanceOf(RpcException.class).hasMessageContaining("Could not connect");
  }

  @Test
  void aClientThatOnlyConnectsInsecurelyMakesNoKey() throws Exception {
    Vat s = server(tcp(), false);
    Vat c = client();
    try (Capability cap = c.importRef(s.sturdyUri(ServiceId.ofPublic("main"))).connect()
        .get(20, TimeUnit.SECONDS)) {
      assertThat(Echo.ping(cap, "x")).isEqualTo("main:x");
    }
    assertThat(c.config().keyLoaded()).as("the client made a key it never needed").isFalse();
  }

  @Test
  void tlsConnectToAHostThatDoesNotResolveFailsAtOnce() throws Exception {
    // the dial fails before any waiter could be attached to the attempt: it must still fail
    Vat c = client();
    Vat s = server(tcp(), true);
    CapnpUri uri = CapnpUri.parse("capnp://" + s.digest() + "@no-such-host.invalid:7000/");
    assertThatThrownBy(() -> c.importRef(uri).connect().get(20, TimeUnit.SECONDS))
        .cause().isInstanceOf(RpcException.class).hasMessageContaining("Could not connect")
        .hasMessageContaining("no-such-host.invalid");
  }

  @Test
  void tlsConnectionsToOneVatAreShared() throws Exception {
    Vat s = server(tcp(), true);
    Vat c = client();
    List<CompletableFuture<Capability>> caps = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      caps.add(c.importRef(s.sturdyUri(ServiceId.ofPublic(i % 2 == 0 ? "main" : "other")))
          .connect());
    }
    for (int i = 0; i < 5; i++) {
      try (Capability cap = caps.get(i).get(20, TimeUnit.SECONDS)) {
        assertThat(Echo.ping(cap, "" + i)).isEqualTo((i % 2 == 0 ? "main:" : "o:") + i);
      }
    }
    assertThat(c.connectionCount()).isEqualTo(1);
    assertThat(s.connectionCount()).isEqualTo(1);
    assertThat(c.metrics().connectionsOpened()).isEqualTo(1);
  }

  @Test
  void insecureConnectionsAreNeverShared() throws Exception {
    Vat s = server(tcp(), false);
    Vat c = client();
    Capability a = c.importRef(s.sturdyUri(ServiceId.ofPublic("main"))).connect()
        .get(20, TimeUnit.SECONDS);
    Capability b = c.importRef(s.sturdyUri(ServiceId.ofPublic("main"))).connect()
        .get(20, TimeUnit.SECONDS);
    assertThat(Echo.ping(a, "a")).isEqualTo("main:a");
    assertThat(Echo.ping(b, "b")).isEqualTo("main:b");
    assertThat(c.connectionCount()).isEqualTo(2);
    a.close();
    b.close();
  }

  @Test
  void ownDigestIsRestoredLocally() throws Exception {
    Vat s = server(tcp(), true);
    try (Capability cap = s.sturdyRef(ServiceId.ofPublic("main")).connect()
        .get(20, TimeUnit.SECONDS)) {
      assertThat(Echo.ping(cap, "local")).isEqualTo("main:local");
    }
    assertThat(s.connectionCount()).isZero();
    assertThatThrownBy(() -> s.sturdyRef(ServiceId.ofPublic("zzz")).connect()
        .get(20, TimeUnit.SECONDS)).hasMessageContaining("Unknown persistent service ID");
  }

  @Test
  void crossedConnectionsSettleOnOne() throws Exception {
    // three keys sorted by digest, b the middle one: keys on both sides of b's digest, so both
    // outcomes of the keep-new rule are exercised (drawing keys until both sides were found
    // once ran for minutes in a full suite run, cause not found; this cannot loop)
    List<SecretKey> keys = new ArrayList<>(List.of(SecretKey.generate(), SecretKey.generate(),
        SecretKey.generate()));
    keys.sort((x, y) -> x.digest().compareTo(y.digest()));
    SecretKey smaller = keys.get(0);
    SecretKey larger = keys.get(2);
    Vat b = server(VatConfig.builder().listenAddress(tcp()).secretKey(keys.get(1)));
    assertThat(smaller.digest().compareTo(b.digest())).isNegative();
    assertThat(larger.digest().compareTo(b.digest())).isPositive();
    for (int round = 0; round < 10; round++) {
      Vat a = server(VatConfig.builder().listenAddress(tcp())
          .secretKey(round % 2 == 0 ? smaller : larger));
      CompletableFuture<Capability> ab = a.importRef(b.sturdyUri(ServiceId.ofPublic("main")))
          .connect();
      CompletableFuture<Capability> ba = b.importRef(a.sturdyUri(ServiceId.ofPublic("main")))
          .connect();
      ab.get(20, TimeUnit.SECONDS).close();
      ba.get(20, TimeUnit.SECONDS).close();
      // settled: one connection each side, and no dial of the crossing still under way (one
      // that finishes later is a second connection until the crossing rule drops one of them)
      eventually(() -> a.connectionCount() == 1 && b.connectionCount() == 1
          && a.openChannelCount() == 1 && b.openChannelCount() == 1,
          "one connection each side");
      assertThat(pingVia(a, b.sturdyUri(ServiceId.ofPublic("main")), "ab")).isEqualTo("main:ab");
      assertThat(pingVia(b, a.sturdyUri(ServiceId.ofPublic("main")), "ba")).isEqualTo("main:ba");
      assertThat(a.connectionCount()).isEqualTo(1);
      assertThat(b.connectionCount()).isEqualTo(1);
      // break it for the next round
      a.close();
      vats.remove(a);
      eventually(() -> b.connectionCount() == 0, "b to notice");
    }
  }

  @Test
  void oversizedMessageAbortsTheConnection() throws Exception {
    // the server drops the connection and says why, once (it used to drop it silently)
    NoWarnings.expect("bad frame: Incoming message of 12516 words exceeds the limit of 1000", 1);
    Vat s = server(VatConfig.builder().listenAddress(tcp()).tls(false).maxMessageWords(1000));
    Vat c = client();
    Capability cap = c.importRef(s.sturdyUri(ServiceId.ofPublic("main"))).connect()
        .get(20, TimeUnit.SECONDS);
    assertThat(Echo.ping(cap, "small")).isEqualTo("main:small");
    String big = "x".repeat(100_000);
    assertThatThrownBy(() -> Echo.ping(cap, big)).hasMessageContaining(
        "Incoming message of").hasMessageContaining("exceeds the limit of 1000 words");
    RpcException broken = cap.whenBroken().get(20, TimeUnit.SECONDS);
    assertThat(broken.getReason()).contains("exceeds the limit of 1000 words");
    cap.close();
    eventually(() -> s.connectionCount() == 0, "server to drop the connection");
  }

  @Test
  void brokenConnectionBreaksCapsAndSturdyRefReconnects() throws Exception {
    NetAddress addr = unix("restart.sock");
    SecretKey key = SecretKey.generate();
    Vat s1 = server(VatConfig.builder().listenAddress(addr).secretKey(key));
    Vat c = client();
    SturdyRef ref = c.importRef(s1.sturdyUri(ServiceId.ofPublic("main")));
    Capability cap = ref.connect().get(20, TimeUnit.SECONDS);
    assertThat(Echo.ping(cap, "1")).isEqualTo("main:1");
    s1.close();
    vats.remove(s1);
    RpcException e = cap.whenBroken().get(20, TimeUnit.SECONDS);
    assertThat(e.getType()).isEqualTo(RpcException.Type.DISCONNECTED);
    assertThat(e.getReason()).isEqualTo("Vat shut down");
    assertThatThrownBy(() -> Echo.ping(cap, "2")).hasMessageContaining("shut down");
    cap.close();
    server(VatConfig.builder().listenAddress(addr).secretKey(key));
    eventually(() -> c.connectionCount() == 0, "client to drop the old connection");
    try (Capability again = ref.connect().get(20, TimeUnit.SECONDS)) {
      assertThat(Echo.ping(again, "3")).isEqualTo("main:3");
    }
  }

  @Test
  void anyByteStreamCanCarryAConnection() throws Exception {
    Vat a = server(VatConfig.builder());
    Vat b = client();
    a.setRestorer(id -> CompletableFuture.completedFuture(Capability.of(new Echo("stream:"))));
    PipedInputStream aIn = new PipedInputStream(1 << 16);
    PipedOutputStream bOut = new PipedOutputStream(aIn);
    PipedInputStream bIn = new PipedInputStream(1 << 16);
    PipedOutputStream aOut = new PipedOutputStream(bIn);
    RpcConnection served = a.connectStream(aIn, aOut, "a");
    RpcConnection client = b.connectStream(bIn, bOut, "b");
    try (Capability cap = client.bootstrap()) {
      assertThat(Echo.ping(cap, "pipe")).isEqualTo("stream:pipe");
    }
    client.close();
    served.whenDisconnected().get(20, TimeUnit.SECONDS);
  }

  @Test
  void closingAVatFromItsOwnLoopDoesNotHang() throws Exception {
    Vat s = server(tcp(), false);
    Vat c = Vat.client();
    Capability cap = c.importRef(s.sturdyUri(ServiceId.ofPublic("main"))).connect()
        .get(20, TimeUnit.SECONDS);
    CompletableFuture<Void> closed = new CompletableFuture<>();
    c.loop().execute(() -> {
      c.close();
      closed.complete(null);
    });
    closed.get(10, TimeUnit.SECONDS);
    assertThat(cap.whenBroken().get(10, TimeUnit.SECONDS).getReason()).isEqualTo("Vat shut down");
    cap.close();
    eventually(() -> s.connectionCount() == 0, "server to see the client go");
  }

  @Test
  void connectionLimitsApplyToVatConnections() throws Exception {
    NoWarnings.expect("protocol error: RPC limit exceeded", 1);
    Vat s = server(VatConfig.builder().listenAddress(tcp()).tls(false)
        .connectionLimits(dev.capnp.rpc.ConnectionLimits.DEFAULT.withMaxAnswers(3)));
    Vat c = client();
    Capability cap = c.importRef(s.sturdyUri(ServiceId.ofPublic("held"))).connect()
        .get(20, TimeUnit.SECONDS);
    // many calls that stay open: the server's answer table overflows and it aborts the
    // connection (calls that return at once may never overflow it: a vat handles each message
    // before it decodes the next, and a Return with noFinishNeeded frees its answer)
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(Echo.request(cap, "x").send());
    }
    RpcException broken = cap.whenBroken().get(20, TimeUnit.SECONDS);
    assertThat(broken.getReason()).contains("maxAnswers").contains("3");
    for (CompletableFuture<?> f : calls) {
      f.handle((v, e) -> {
        if (v instanceof AutoCloseable) {
          try {
            ((AutoCloseable) v).close();
          } catch (Exception ignored) {
            // closing a response
          }
        }
        return null;
      }).get(20, TimeUnit.SECONDS);
    }
    cap.close();
  }

  @Test
  void metricsCountConnectionsAndMessages() throws Exception {
    Vat s = server(tcp(), false);
    Vat c = client();
    Capability cap = c.importRef(s.sturdyUri(ServiceId.ofPublic("main"))).connect()
        .get(20, TimeUnit.SECONDS);
    for (int i = 0; i < 10; i++) {
      Echo.ping(cap, "m");
    }
    assertThat(c.metrics().connections()).isEqualTo(1);
    assertThat(c.metrics().messagesEnqueued()).isGreaterThanOrEqualTo(11);
    assertThat(s.metrics().messagesReceived()).isGreaterThanOrEqualTo(11);
    io.micrometer.core.instrument.simple.SimpleMeterRegistry reg =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    c.metrics().bindTo(reg, "client");
    assertThat(reg.get("capnp.net.connections").gauge().value()).isEqualTo(1.0);
    assertThat(reg.get("capnp.net.messages.outbound.enqueued").functionCounter().count())
        .isGreaterThanOrEqualTo(11);
    cap.close();
  }
}
