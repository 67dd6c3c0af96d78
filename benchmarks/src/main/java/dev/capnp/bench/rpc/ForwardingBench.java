package dev.capnp.bench.rpc;

import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.InMemoryNetwork;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Three-party call forwarding (issue 16): Alice calls Bob, whose method tail-calls Carol; with
 * forwarding, Bob sends the call on with {@code sendResultsTo.thirdParty} and Carol returns the
 * results to Alice directly; without, Carol's results come back through Bob (a proxied tail
 * call). Interleaved rounds, each vat on its own event loop thread:
 *
 * <ul>
 *   <li>{@code latency}: one call at a time from Alice's loop, each sent from the previous
 *       one's completion: median and p99 round trip;</li>
 *   <li>{@code inflight}: 100 calls in flight from Alice's loop: calls/s.</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.capnp.bench.rpc.ForwardingBench \
 *     [--network memory|tls] [--rounds 3] [--calls 20000] [--payload 64] [--warmup-rounds 1]
 * </pre>
 *
 * <p>{@code --payload}: the size in bytes of Carol's results (Data). {@code --network memory}
 * (default): {@link InMemoryNetwork}, forwarding switched with
 * {@link InMemoryNetwork#callForwarding}; {@code tls}: three {@link Vat}s over TLS on loopback
 * TCP, Bob dialling Alice (so that he can name her for Carol) and Carol, forwarding switched
 * with Bob's {@link VatConfig.Builder#callForwarding}. All three vats speak Level 3 in both
 * modes. Each round checks that its mode took effect (Carol adopted calls on a connection to
 * Alice iff forwarding). A first round of both modes warms the JIT up and is not counted
 * ({@code --warmup-rounds}); the order of the modes alternates from round to round. Prints one
 * {@code RESULT} line per counted round and mode, then the medians and the ratio of forwarded
 * to proxied. {@link ForwardingProbe} counts the work per call behind these figures.
 */
public final class ForwardingBench {
  static final long INTERFACE_ID = 0xb0b0c0ffee000002L;

  private ForwardingBench() {}

  /**
   * Entry point.
   *
   * @param args the options above
   * @throws Exception if a call fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = 3;
    int calls = 20_000;
    int payload = 64;
    int warmupRounds = 1;
    String network = "memory";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--network") && i + 1 < args.length
          && (args[i + 1].equals("memory") || args[i + 1].equals("tls"))) {
        network = args[++i];
        continue;
      }
      if (i + 1 >= args.length || !args[i + 1].matches("[0-9]{1,9}")) {
        usage("bad or missing value for " + a);
      }
      int v = Integer.parseInt(args[++i]);
      switch (a) {
        case "--rounds" -> rounds = Math.max(1, v);
        case "--calls" -> calls = Math.max(1, v);
        case "--payload" -> payload = v;
        case "--warmup-rounds" -> warmupRounds = v;
        default -> usage("unknown option " + a);
      }
    }
    List<double[]> on = new ArrayList<>();
    List<double[]> off = new ArrayList<>();
    for (int r = 0; r < warmupRounds; r++) {
      for (boolean fwd : new boolean[] {true, false}) {
        run(network, fwd, calls, payload); // (the JIT settles: not counted)
      }
    }
    for (int r = 0; r < rounds; r++) {
      for (boolean fwd : r % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
        double[] m = run(network, fwd, calls, payload);
        (fwd ? on : off).add(m);
        System.out.printf(Locale.ROOT, "RESULT network=%s payload=%d round=%d forwarding=%s"
            + " median_us=%.1f p99_us=%.1f calls_per_s=%.0f%n", network, payload, r,
            fwd ? "on" : "off", m[0], m[1], m[2]);
      }
    }
    String[] names = {"median µs (lower is better)", "p99 µs (lower is better)",
        "100 in flight, calls/s (higher is better)"};
    System.out.println();
    System.out.println("| measure | forwarded | proxied by Bob | ratio |");
    System.out.println("|---|---|---|---|");
    for (int k = 0; k < names.length; k++) {
      double a = median(on, k);
      double b = median(off, k);
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.2f |%n", names[k], a, b, a / b);
    }
    System.exit(0);
  }

  private static void usage(String why) {
    System.err.println(why + "\nusage: ForwardingBench [--network memory|tls] [--rounds N]"
        + " [--calls N] [--payload BYTES] [--warmup-rounds N]");
    System.exit(2);
  }

  private static double median(List<double[]> runs, int k) {
    double[] v = runs.stream().mapToDouble(m -> m[k]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Alice's handle on Bob's forwarding service, and her loop. */
  interface World extends AutoCloseable {
    Capability bobService();

    EventLoop aliceLoop();

    /** Throws if the mode did not take effect (Carol answered Alice iff forwarding). */
    void checkMode(boolean forwarding);
  }

  /** One round: fresh vats, a warm-up, the two workloads. Returns median µs, p99 µs, calls/s. */
  static double[] run(String network, boolean forwarding, int calls, int payload)
      throws Exception {
    try (World w = network.equals("tls") ? new TlsWorld(forwarding, payload)
        : new MemoryWorld(forwarding, payload)) {
      double[] m = new double[3];
      Capability x = w.bobService();
      EventLoop a = w.aliceLoop();
      HandoffBench.chain(x, a, INTERFACE_ID, Math.min(calls, 20_000), 1); // warm-up
      long[] lat = HandoffBench.chain(x, a, INTERFACE_ID, calls, 1);
      Arrays.sort(lat);
      m[0] = lat[lat.length / 2] / 1000.0;
      m[1] = lat[(int) Math.ceil(0.99 * lat.length) - 1] / 1000.0;
      long start = System.nanoTime();
      HandoffBench.chain(x, a, INTERFACE_ID, calls, 100);
      m[2] = calls / ((System.nanoTime() - start) / 1e9);
      w.checkMode(forwarding);
      return m;
    }
  }

  /** The vats on {@link InMemoryNetwork}, each on its own event loop thread. */
  static final class MemoryWorld implements World {
    final EventLoop a = EventLoop.start("alice");
    final EventLoop b = EventLoop.start("bob");
    final EventLoop c = EventLoop.start("carol");
    final InMemoryNetwork net = new InMemoryNetwork();
    final InMemoryNetwork.Vat alice;
    final InMemoryNetwork.Vat bob;
    final InMemoryNetwork.Vat carol;
    final Capability carolAtBob;
    final Capability bobService;

    MemoryWorld(boolean forwarding, int payload) {
      net.callForwarding(forwarding); // (all three speak Level 3 either way)
      carol = net.vat("carol", c, Capability.of(new Payload(payload), c), true);
      Forwarder f = new Forwarder();
      bob = net.vat("bob", b, Capability.of(f, b), true);
      alice = net.vat("alice", a, null, true);
      carolAtBob = bob.bootstrap("carol");
      f.to = carolAtBob;
      bobService = alice.bootstrap("bob");
    }

    @Override public Capability bobService() {
      return bobService;
    }

    @Override public EventLoop aliceLoop() {
      return a;
    }

    @Override public void checkMode(boolean forwarding) {
      long adopted = net.messagesSent("carol", "alice", Rpc.Message.Which.THIRD_PARTY_ANSWER);
      if ((adopted > 0) != forwarding) {
        throw new IllegalStateException("forwarding " + (forwarding ? "on" : "off") + " but "
            + adopted + " calls were adopted by Carol on her connection to Alice");
      }
    }

    @Override public void close() {
      bobService.close();
      carolAtBob.close();
      alice.close();
      bob.close();
      carol.close();
      a.close();
      b.close();
      c.close();
    }
  }

  /**
   * Three {@link Vat}s over TLS on loopback TCP: Bob dials Carol and Alice and gives Alice his
   * service (a vat knows the address of a vat it dialled, and so can name it for another).
   */
  static final class TlsWorld implements World {
    final Vat alice;
    final Vat bob;
    final Vat carol;
    final SingleRestorer carolRestorer;
    final SingleRestorer aliceRestorer;
    final Capability carolAtBob;
    final Capability aliceAtBob;
    final Capability bobService;

    TlsWorld(boolean forwarding, int payload) throws Exception {
      // Level 3 on in both modes; only Bob's call forwarding differs
      carol = Vat.create(VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0))
          .build(), null);
      alice = Vat.create(VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0))
          .build(), null);
      bob = Vat.create(VatConfig.builder().callForwarding(forwarding).build(), null);
      carolRestorer = new SingleRestorer(ServiceId.EMPTY,
          Capability.of(new Payload(payload), carol.loop()));
      carol.setRestorer(carolRestorer);
      CompletableFuture<Capability> got = new CompletableFuture<>();
      aliceRestorer = new SingleRestorer(ServiceId.EMPTY,
          Capability.of(new Inbox(got), alice.loop()));
      alice.setRestorer(aliceRestorer);
      carolAtBob = bob.connect(carol.sturdyUri(ServiceId.EMPTY)).get(30, TimeUnit.SECONDS);
      aliceAtBob = bob.connect(alice.sturdyUri(ServiceId.EMPTY)).get(30, TimeUnit.SECONDS);
      Forwarder f = new Forwarder();
      f.to = carolAtBob;
      try (Capability service = Capability.of(f, bob.loop())) {
        var req = aliceAtBob.newCall(INTERFACE_ID, 0);
        service.writeTo(req.getParams());
        req.send().get(30, TimeUnit.SECONDS).close();
      }
      bobService = got.get(30, TimeUnit.SECONDS);
    }

    @Override public Capability bobService() {
      return bobService;
    }

    @Override public EventLoop aliceLoop() {
      return alice.loop();
    }

    @Override public void checkMode(boolean forwarding) {
      int n = carol.connectionCount();
      if ((n == 2) != forwarding) {
        throw new IllegalStateException("forwarding " + (forwarding ? "on" : "off")
            + " but Carol has " + n + " connection(s)");
      }
    }

    @Override public void close() throws Exception {
      bobService.close();
      aliceAtBob.close();
      carolAtBob.close();
      alice.close();
      bob.close();
      carol.close();
      aliceRestorer.close();
      carolRestorer.close();
    }
  }

  /**
   * {@code n} calls on {@code x} from {@code loop}, {@code lanes} chains of calls each sent from
   * the previous one's completion; returns each call's round trip in ns.
   */
  /** Bob's service: tail-calls Carol's with the same params. */
  static final class Forwarder extends Server {
    volatile Capability to;

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
      var req = to.newCall(INTERFACE_ID, 0);
      req.getParams().set(context.getParams());
      return context.tailCall(req);
    }
  }

  /** Carol's service: answers {@code payload} bytes. */
  static final class Payload extends Server {
    private final byte[] bytes;

    Payload(int payload) {
      this.bytes = new byte[payload];
    }

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
      context.getResults().setAs(Data.FACTORY, new Data.Reader(bytes));
      return done();
    }
  }

  /** Alice's service (TLS): takes the capability in its params. */
  static final class Inbox extends Server {
    private final CompletableFuture<Capability> got;

    Inbox(CompletableFuture<Capability> got) {
      this.got = got;
    }

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
      got.complete(Capability.fromPointer(context.getParams()));
      return done();
    }
  }
}
