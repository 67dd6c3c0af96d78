package dev.capnp.net.reliability;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.hostile.RawFrames;
import dev.capnp.net.transport.Tls;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.Text;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The long attacks of {@code scripts/soak.sh} against a running {@link TargetServer}:
 * <pre>
 * SoakClient churn URI PID [calls] [threads] [seconds]   calls over many short connections
 * SoakClient flood URI PID [calls] [seconds]             calls+Finish from a client never reading
 * SoakClient tls   URI PID [clients] [threads] [seconds] simultaneous TLS clients, distinct keys
 * SoakClient stats URI PID                               the server's state
 * </pre>
 * Each phase prints its progress, the server's heap (after a GC), direct memory, open fds and
 * threads before and after, and a final {@code PASS} or {@code FAIL} line; the exit status is 0
 * for PASS. Every phase stops by itself after its time limit.
 */
public final class SoakClient {
  private final CapnpUri uri;
  private final long pid;
  private final String host;
  private final int port;

  private SoakClient(CapnpUri uri, long pid) {
    this.uri = uri;
    this.pid = pid;
    NetAddress.Tcp a = (NetAddress.Tcp) uri.address();
    this.host = a.host();
    this.port = a.port();
  }

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: SoakClient churn|flood|tls|stats URI PID [args...]");
      System.exit(2);
    }
    SoakClient c = new SoakClient(CapnpUri.parse(args[1]), Long.parseLong(args[2]));
    boolean ok;
    switch (args[0]) {
      case "churn" -> ok = c.churn(arg(args, 3, 1_000_000), (int) arg(args, 4, 4),
          arg(args, 5, 900));
      case "flood" -> ok = c.flood(arg(args, 3, 600_000), arg(args, 4, 300));
      case "tls" -> ok = c.tls((int) arg(args, 3, 2000), (int) arg(args, 4, 4),
          arg(args, 5, 300));
      case "stats" -> {
        c.printServer("now");
        ok = true;
      }
      default -> throw new IllegalArgumentException("unknown phase " + args[0]);
    }
    System.out.flush();
    System.exit(ok ? 0 : 1);
  }

  private static long arg(String[] args, int i, long dflt) {
    return args.length > i ? Long.parseLong(args[i]) : dflt;
  }

  private static void say(String s) {
    System.out.println(Instant.now().toString().substring(11, 19) + " " + s);
    System.out.flush();
  }

  /** The server's state: its own stats (from a fresh client; null if not served) and /proc. */
  private Map<String, Long> printServer(String when) {
    Map<String, Long> stats = null;
    String problem = null;
    try (dev.capnp.net.Vat client = dev.capnp.net.Vat.client()) {
      try (dev.capnp.rpc.Capability cap =
          client.importRef(uri).connect().get(30, TimeUnit.SECONDS)) {
        String pong = ServerProcess.call(cap, TargetServer.PING, "fresh", 30);
        if (!pong.equals("e:fresh")) {
          problem = "unexpected ping answer " + pong;
        } else {
          stats = ServerProcess.parseStats(ServerProcess.call(cap, TargetServer.STATS, "", 30));
        }
      }
    } catch (Exception e) {
      problem = e.toString();
    }
    String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
    String threads = "?";
    String rss = "?";
    try {
      for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (l.startsWith("Threads:")) {
          threads = l.substring(8).trim();
        } else if (l.startsWith("VmRSS:")) {
          rss = l.substring(6).trim();
        }
      }
    } catch (IOException e) {
      threads = "(process gone)";
    }
    if (stats != null) {
      say(String.format("server %s: heap used %.1f MiB of %.0f MiB (after GC), direct %.1f MiB, "
              + "fds %d (/proc: %s), threads %s, RSS %s, connections %d, CPU used %.1f s", when,
          stats.get("heapUsed") / 1048576.0, stats.get("heapMax") / 1048576.0,
          stats.get("direct") / 1048576.0, stats.get("fds"), fds == null ? "-" : fds.length,
          threads, rss, stats.get("conns"), serverCpuSeconds()));
    } else {
      say("server " + when + ": NOT SERVED (" + problem + "); fds (/proc) "
          + (fds == null ? "-" : fds.length) + ", threads " + threads);
    }
    return stats;
  }

  /** CPU seconds (user + system) the server process has used, from /proc; -1 if unknown. */
  private double serverCpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields 14 and 15 of stat (utime, stime), counted from after the command name
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Healthy: a fresh client served and the heap after GC under half its maximum. */
  private boolean healthy(Map<String, Long> stats) {
    return stats != null && stats.get("heapUsed") < stats.get("heapMax") / 2;
  }

  // ---------------------------------------------------------------- churn

  private boolean churn(long calls, int threads, long seconds) throws Exception {
    say("churn: " + calls + " calls over short connections, " + threads + " threads, limit "
        + seconds + " s");
    Map<String, Long> before = printServer("before churn");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong done = new AtomicLong();
    AtomicLong made = new AtomicLong();
    AtomicLong connections = new AtomicLong();
    AtomicLong rude = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong claimed = new AtomicLong();
    ConcurrentHashMap<String, AtomicInteger> errorKinds = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    // two rounds of half the calls each: the heap after the second must be no higher than after
    // the first (flat), not grow with the calls made
    Map<String, Long> half = null;
    for (int round = 1; round <= 2; round++) {
      long target = round == 1 ? calls / 2 : calls;
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread w = new Thread(() -> {
          ThreadLocalRandom rnd = ThreadLocalRandom.current();
          while (System.nanoTime() < deadline) {
            int n = 10 + rnd.nextInt(491); // calls on this connection
            long from;
            int take;
            do {
              from = claimed.get();
              if (from >= target) {
                return;
              }
              take = (int) Math.min(n, target - from);
            } while (!claimed.compareAndSet(from, from + take));
            n = take;
            long c = connections.incrementAndGet();
            int style = (int) (c % 10); // 0: RST with calls unanswered, 1: FIN without
            // reading, 2: RST in the middle of a frame; others: a proper client
            try {
              done.addAndGet(oneConnection(n, style));
              made.addAndGet(n);
              if (style <= 2) {
                rude.incrementAndGet();
              }
            } catch (IOException | RuntimeException e) {
              errors.incrementAndGet();
              errorKinds.computeIfAbsent(e.toString().replaceAll("[0-9]+", "N"),
                  k -> new AtomicInteger()).incrementAndGet();
            }
          }
        }, "churn-" + t);
        workers.add(w);
        w.start();
      }
      long lastPrint = System.nanoTime();
      for (Thread w : workers) {
        while (w.isAlive()) {
          w.join(1000);
          if (System.nanoTime() - lastPrint > TimeUnit.SECONDS.toNanos(15)) {
            lastPrint = System.nanoTime();
            say(String.format("churn: %,d calls answered, %,d connections", done.get(),
                connections.get()));
          }
        }
      }
      if (round == 1) {
        say(String.format("churn: %,d calls made over %,d connections", made.get(),
            connections.get()));
        half = printServer("after half the churn");
      }
    }
    double secs = (System.nanoTime() - start) / 1e9;
    say(String.format("churn: %,d calls made, %,d answered (the rest were left unanswered by "
            + "rude clients) over %,d connections (%,d left rudely: reset, half-closed or "
            + "reset mid-frame) in %.1f s (%,.0f calls/s); %d connection errors %s", made.get(),
        done.get(), connections.get(), rude.get(), secs, made.get() / secs, errors.get(),
        errorKinds));
    waitForFds(before, 30);
    Map<String, Long> after = printServer("after churn");
    boolean flat = half != null && after != null
        && after.get("heapUsed") <= half.get("heapUsed") + (4 << 20);
    boolean ok = made.get() >= calls && errors.get() == 0 && healthy(after)
        && fdsBack(before, after) && flat;
    say((ok ? "PASS" : "FAIL") + " churn: " + String.format("%,d", made.get()) + " of "
        + String.format("%,d", calls) + " calls made over " + connections.get()
        + " connections, " + errors.get() + " errors, heap " + mib(before) + " before, "
        + mib(half) + " at half-way, " + mib(after) + " at the end (flat: " + flat + ")"
        + ", fds " + (before == null ? "?" : before.get("fds")) + " -> "
        + (after == null ? "?" : after.get("fds")));
    return ok;
  }

  private static boolean fdsBack(Map<String, Long> before, Map<String, Long> after) {
    return before != null && after != null && after.get("fds") <= before.get("fds") + 2;
  }

  private void waitForFds(Map<String, Long> before, int seconds) throws InterruptedException {
    if (before == null) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
      // (the stats connection adds one fd)
      if (fds == null || fds.length <= before.get("fds") + 1) {
        return;
      }
      Thread.sleep(200);
    }
  }

  /**
   * One connection making {@code n} pings in batches of 50; returns the calls answered. Style
   * 0 and 2 reset the connection (in the middle of a frame for 2) with their last batch
   * unanswered, 1 half-closes it without reading the last batch; the others read everything,
   * finish their questions and close.
   */
  private long oneConnection(int n, int style) throws IOException {
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(host, port), 10_000);
      s.setSoTimeout(30_000);
      OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 << 10);
      InputStream in = new BufferedInputStream(s.getInputStream(), 64 << 10);
      ByteBuffer boot = RawFrames.bootstrap(0);
      out.write(boot.array(), boot.arrayOffset(), boot.remaining());
      long answered = 0;
      int q = 1;
      int batch = 50;
      for (int sent = 0; sent < n; ) {
        int b = Math.min(batch, n - sent);
        for (int i = 0; i < b; i++) {
          ByteBuffer p = RawFrames.ping(q + i, 0, "c" + (q + i));
          out.write(p.array(), p.arrayOffset(), p.remaining());
        }
        sent += b;
        if (sent >= n && style <= 2) {
          if (style == 2) {
            out.write(new byte[] {0, 0, 0, 0, 50, 0, 0, 0, 1, 2, 3});
          }
          out.flush();
          if (style == 1) {
            s.shutdownOutput();
          } else {
            s.setSoLinger(true, 0); // close = RST
          }
          return answered;
        }
        out.flush();
        for (int i = 0; i < b; i++) {
          MessageReader m = Serialize.read(in);
          Rpc.Message.Reader msg = m.getRoot(Rpc.Message.FACTORY);
          if (!msg.isReturn()) {
            i--;
            if (msg.isAbort()) {
              throw new IOException("abort: " + msg.getAbort().getReason());
            }
            continue;
          }
          Rpc.Return.Reader r = msg.getReturn();
          if (r.getAnswerId() == 0) {
            i--;
            continue; // the bootstrap's Return
          }
          if (!r.isResults()) {
            throw new IOException("call " + r.getAnswerId() + " failed: "
                + (r.isException() ? r.getException().getReason() : "?"));
          }
          String text = r.getResults().getContent().getAs(AnyStruct.FACTORY).getPointer(0)
              .getAs(Text.FACTORY).toString();
          if (!text.equals("e:c" + r.getAnswerId())) {
            throw new IOException("wrong answer " + text + " to " + r.getAnswerId());
          }
          answered++;
        }
        for (int i = 0; i < b; i++) {
          ByteBuffer f = RawFrames.finish(q + i);
          out.write(f.array(), f.arrayOffset(), f.remaining());
        }
        q += b;
      }
      ByteBuffer f = RawFrames.finish(0);
      out.write(f.array(), f.arrayOffset(), f.remaining());
      out.flush();
      return answered;
    }
  }

  // ---------------------------------------------------------------- flood

  private boolean flood(long calls, long seconds) throws Exception {
    say("flood: up to " + calls + " calls, each with its Finish, from a client that never "
        + "reads; limit " + seconds + " s");
    Map<String, Long> before = printServer("before flood");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long written = 0;
    long sentCalls = 0;
    boolean stalled = false;
    try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open()) {
      ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 64 << 10);
      ch.connect(new InetSocketAddress(host, port));
      ByteBuffer first = RawFrames.bootstrap(0);
      while (first.hasRemaining()) {
        ch.write(first);
      }
      ch.configureBlocking(false);
      int q = 1;
      ByteBuffer batch = null;
      int inBatch = 0;
      long stalledSince = 0;
      long lastPrint = System.nanoTime();
      String text = "x".repeat(100);
      while (System.nanoTime() < deadline) {
        if (batch == null || !batch.hasRemaining()) {
          sentCalls += inBatch;
          if (sentCalls >= calls) {
            break;
          }
          inBatch = (int) Math.min(64, calls - sentCalls);
          ByteBuffer[] parts = new ByteBuffer[inBatch * 2];
          for (int i = 0; i < inBatch; i++) {
            parts[2 * i] = RawFrames.ping(q, 0, text);
            parts[2 * i + 1] = RawFrames.finish(q++);
          }
          batch = RawFrames.concat(parts);
        }
        int n = ch.write(batch);
        written += n;
        if (System.nanoTime() - lastPrint > TimeUnit.SECONDS.toNanos(10)) {
          lastPrint = System.nanoTime();
          say(String.format("flood: %,d calls (%,d bytes) written", sentCalls, written));
        }
        if (n > 0) {
          stalledSince = 0;
        } else if (stalledSince == 0) {
          stalledSince = System.nanoTime();
        } else if (System.nanoTime() - stalledSince > TimeUnit.SECONDS.toNanos(5)) {
          stalled = true;
          break;
        } else {
          Thread.sleep(5);
        }
      }
      say(String.format("flood: %s after %,d calls (%,d bytes) written", stalled
          ? "STALLED (the server stopped reading; nothing accepted for 5 s)"
          : "NOT stalled", sentCalls, written));
      Map<String, Long> held = printServer("while the flood is held");
      boolean ok = stalled && sentCalls < calls && healthy(held);
      ch.close();
      waitForFds(before, 30);
      Map<String, Long> after = printServer("after the flood closed");
      ok &= healthy(after) && fdsBack(before, after);
      say((ok ? "PASS" : "FAIL") + String.format(" flood: stalled=%s after %,d of %,d calls "
              + "(%.1f MiB); heap while held %s, after %s", stalled, sentCalls, calls,
          written / 1048576.0, mib(held), mib(after)));
      return ok;
    }
  }

  private static String mib(Map<String, Long> stats) {
    return stats == null ? "(not served)" : String.format("%.1f MiB",
        stats.get("heapUsed") / 1048576.0);
  }

  // ---------------------------------------------------------------- tls

  private boolean tls(int clients, int threads, long seconds) throws Exception {
    say("tls: " + clients + " simultaneous TLS clients with distinct EC P-256 keys, each: "
        + "handshake, Bootstrap, one call; limit " + seconds + " s");
    Map<String, Long> before = printServer("before tls");
    long t0 = System.nanoTime();
    Tls.PinningTrustManager pin = new Tls.PinningTrustManager(uri.auth());
    SslContext[] contexts = new SslContext[clients];
    java.util.stream.IntStream.range(0, clients).parallel().forEach(i -> {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        X509Certificate cert = selfSigned(kp);
        contexts[i] = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
            .protocols("TLSv1.3", "TLSv1.2").keyManager(kp.getPrivate(), cert)
            .trustManager(pin)
            // the server is identified by its key digest (the pin), not by a host name: Netty
            // 4.2 checks host names by default for clients, and a vat's certificate has none
            .endpointIdentificationAlgorithm(null).build();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    say(String.format("tls: %d keys, certificates and contexts made in %.1f s", clients,
        (System.nanoTime() - t0) / 1e9));
    // warm-up (not counted; -Dsoak.tls.warmup=0 for none): 200 clients in rounds of 20, so
    // that both ends run compiled code, as a server that has been up for a while does
    int warmups = Integer.getInteger("soak.tls.warmup", 200);
    int warm = 0;
    for (int r = 0; r < warmups / 20; r++) {
      warm += burst(contexts, 20, threads, 60, false).ok;
    }
    say("tls: warm-up: " + warm + " of " + (warmups / 20 * 20) + " clients succeeded");
    double cpu0 = serverCpuSeconds();
    Burst res = burst(contexts, clients, threads, seconds, true);
    double cpu = serverCpuSeconds() - cpu0;
    double pct = 100.0 * res.ok / clients;
    say(String.format("tls: %d of %d succeeded (%.2f%%); handshake %s; handshake+bootstrap+call "
            + "%s; failures %s; server CPU %.1f s (%.1f ms per client)", res.ok, clients, pct,
        percentiles(res.handshakeNanos), percentiles(res.doneNanos), res.failures, cpu,
        1000 * cpu / clients));
    waitForFds(before, 60);
    Map<String, Long> after = printServer("after tls");
    boolean pass = pct >= 99.0 && healthy(after);
    say((pass ? "PASS" : "FAIL") + String.format(" tls: %.2f%% of %d simultaneous TLS clients "
        + "succeeded (target >= 99%%); heap after %s", pct, clients, mib(after)));
    return pass;
  }

  /** What a burst of TLS clients achieved. */
  private record Burst(int ok, long[] handshakeNanos, long[] doneNanos,
      Map<String, Integer> failures) {}

  /**
   * Starts {@code clients} TLS clients at once (contexts 0.. of {@code contexts}), each making
   * a handshake, a Bootstrap and a ping; waits for all of them, at most {@code seconds}.
   */
  private Burst burst(SslContext[] contexts, int clients, int threads, long seconds,
      boolean verbose) throws InterruptedException {
    EventLoopGroup group = new NioEventLoopGroup(threads);
    CountDownLatch finished = new CountDownLatch(clients);
    AtomicInteger ok = new AtomicInteger();
    long[] handshakeNanos = new long[clients];
    long[] doneNanos = new long[clients];
    Arrays.fill(handshakeNanos, -1);
    Arrays.fill(doneNanos, -1);
    ConcurrentHashMap<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    ByteBuffer request = RawFrames.concat(RawFrames.bootstrap(0), RawFrames.ping(1, 0, "tls"));
    long start = System.nanoTime();
    try {
      for (int i = 0; i < clients; i++) {
        final int id = i;
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) (seconds * 1000))
            .handler(new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                SslHandler ssl = contexts[id].newHandler(ch.alloc(), host, port);
                ssl.setHandshakeTimeoutMillis(seconds * 1000);
                ch.pipeline().addLast(ssl, new TlsClient(id, start, request, handshakeNanos,
                    doneNanos, ok, failures, finished));
              }
            });
        b.connect(host, port).addListener(f -> {
          if (!f.isSuccess()) {
            TlsClient.fail(failures, "connect: " + f.cause());
            finished.countDown();
          }
        });
      }
      if (verbose) {
        say("tls: " + clients + " connects started");
      }
      while (!finished.await(10, TimeUnit.SECONDS)) {
        if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(seconds)) {
          break;
        }
        if (verbose) {
          say(String.format("tls: %d succeeded, %d to go", ok.get(), finished.getCount()));
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
    long pending = finished.getCount();
    if (pending > 0) {
      failures.computeIfAbsent("not done within the limit", k -> new AtomicInteger())
          .addAndGet((int) pending);
    }
    Map<String, Integer> f = new TreeMap<>();
    failures.forEach((k, v) -> f.put(k, v.get()));
    return new Burst(ok.get(), handshakeNanos, doneNanos, f);
  }

  private static String percentiles(long[] nanos) {
    long[] v = Arrays.stream(nanos).filter(x -> x >= 0).sorted().toArray();
    if (v.length == 0) {
      return "-";
    }
    return String.format("p50 %.1f s, p90 %.1f s, p99 %.1f s, max %.1f s",
        v[v.length / 2] / 1e9, v[(int) (v.length * 0.9)] / 1e9,
        v[Math.min(v.length - 1, (int) (v.length * 0.99))] / 1e9, v[v.length - 1] / 1e9);
  }

  private static X509Certificate selfSigned(KeyPair kp) throws Exception {
    X500Name name = new X500Name("CN=capnp-soak");
    byte[] serial = new byte[10];
    new SecureRandom().nextBytes(serial);
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name,
        new BigInteger(1, serial), Date.from(Instant.parse("2000-01-01T00:00:00Z")),
        Date.from(Instant.parse("9999-12-31T23:59:59Z")), name, kp.getPublic());
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
  }

  /** One TLS client: after the handshake, a Bootstrap and a ping; done at the ping's Return. */
  private static final class TlsClient extends ChannelInboundHandlerAdapter {
    private final int id;
    private final long start;
    private final ByteBuffer request;
    private final long[] handshakeNanos;
    private final long[] doneNanos;
    private final AtomicInteger ok;
    private final Map<String, AtomicInteger> failures;
    private final CountDownLatch finished;
    private ByteBuf acc = Unpooled.buffer();
    private boolean over;

    TlsClient(int id, long start, ByteBuffer request, long[] handshakeNanos, long[] doneNanos,
        AtomicInteger ok, Map<String, AtomicInteger> failures, CountDownLatch finished) {
      this.id = id;
      this.start = start;
      this.request = request;
      this.handshakeNanos = handshakeNanos;
      this.doneNanos = doneNanos;
      this.ok = ok;
      this.failures = failures;
      this.finished = finished;
    }

    static void fail(Map<String, AtomicInteger> failures, String why) {
      failures.computeIfAbsent(why.replaceAll("[0-9]+", "N"), k -> new AtomicInteger())
          .incrementAndGet();
    }

    private void end(ChannelHandlerContext ctx, String failure) {
      if (over) {
        return;
      }
      over = true;
      if (failure == null) {
        doneNanos[id] = System.nanoTime() - start;
        ok.incrementAndGet();
      } else {
        fail(failures, failure);
      }
      finished.countDown();
      acc.release();
      ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        if (e.isSuccess()) {
          handshakeNanos[id] = System.nanoTime() - start;
          ctx.writeAndFlush(Unpooled.wrappedBuffer(request.duplicate()));
        } else {
          end(ctx, "handshake: " + e.cause());
        }
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        if (over) {
          return;
        }
        acc.writeBytes(in);
        MessageReader m;
        while ((m = nextFrame()) != null) {
          Rpc.Message.Reader rm = m.getRoot(Rpc.Message.FACTORY);
          if (rm.isAbort()) {
            end(ctx, "abort: " + rm.getAbort().getReason());
            return;
          }
          if (rm.isReturn() && rm.getReturn().getAnswerId() == 1) {
            Rpc.Return.Reader r = rm.getReturn();
            String text = r.isResults() ? r.getResults().getContent().getAs(AnyStruct.FACTORY)
                .getPointer(0).getAs(Text.FACTORY).toString() : "(no results)";
            end(ctx, text.equals("e:tls") ? null : "wrong answer " + text);
            return;
          }
        }
      } finally {
        in.release();
      }
    }

    private MessageReader nextFrame() {
      if (acc.readableBytes() < 4) {
        return null;
      }
      int r = acc.readerIndex();
      long segments = (acc.getIntLE(r) & 0xffffffffL) + 1;
      if (segments > 512) {
        throw new IllegalStateException("bad frame");
      }
      int header = (int) (((segments + 1) * 4 + 7) & ~7L);
      if (acc.readableBytes() < header) {
        return null;
      }
      long words = 0;
      for (int i = 0; i < segments; i++) {
        words += acc.getIntLE(r + 4 + 4 * i) & 0xffffffffL;
      }
      long total = header + words * 8;
      if (acc.readableBytes() < total) {
        return null;
      }
      byte[] b = new byte[(int) total];
      acc.readBytes(b);
      acc.discardReadBytes();
      return Serialize.read(ByteBuffer.wrap(b));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Throwable c = cause;
      while (c.getCause() != null && c != c.getCause()) {
        c = c.getCause();
      }
      end(ctx, "exception: " + c.getClass().getSimpleName() + ": " + c.getMessage());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      end(ctx, handshakeNanos[id] < 0 ? "closed during the handshake"
          : "closed after the handshake, before the answer");
    }
  }
}
