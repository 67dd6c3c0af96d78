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
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Three-party handoff (issue 16): calls from Carol to a capability hosted by Bob that Carol got
 * from Alice, with the handoff (Carol calls Bob directly) and without (every call goes through
 * Alice), interleaved, each vat on its own event loop thread:
 *
 * <ul>
 *   <li>{@code latency}: one call at a time, each sent from the previous one's completion on
 *       Carol's loop: median and p99 round trip;</li>
 *   <li>{@code inflight}: 100 calls in flight from Carol's loop: calls/s;</li>
 *   <li>{@code handoff}: a fresh capability each time (Alice passes Bob's service to Carol
 *       again): the time from Carol's first call on it to that call's reply, which with the
 *       handoff includes reaching Bob and the Accept; median, after half as many unmeasured
 *       handoffs (the handoff's own code paths need their warm-up too).</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.capnp.bench.rpc.HandoffBench \
 *     [--network memory|tls] [--rounds 3] [--calls 20000] [--handoffs 2000]
 * </pre>
 *
 * <p>{@code --network memory} (default): {@link InMemoryNetwork}, messages handed between the
 * vats' threads, no sockets: the protocol's own cost (each hop through Alice is a hand-off to
 * another thread and the work of proxying). {@code --network tls}: three {@link Vat}s over TLS
 * on loopback TCP, Alice dialling Bob and Carol, as deployed; the handoff is then switched with
 * {@link VatConfig.Builder#thirdPartyHandoff}. Prints one {@code RESULT} line per round and mode and
 * the medians with the ratio of handoff to proxied.
 */
public final class HandoffBench {
  static final long INTERFACE_ID = 0xb0b0c0ffee000001L;

  private HandoffBench() {}

  /**
   * Entry point.
   *
   * @param args the options above
   * @throws Exception if a call fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = 3;
    int calls = 20_000;
    int handoffs = 2_000;
    String network = "memory";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--network") && i + 1 < args.length
          && (args[i + 1].equals("memory") || args[i + 1].equals("tls"))) {
        network = args[++i];
        continue;
      }
      if (i + 1 >= args.length || !args[i + 1].matches("[1-9][0-9]{0,8}")) {
        usage("bad or missing value for " + a);
      }
      int v = Integer.parseInt(args[++i]);
      switch (a) {
        case "--rounds" -> rounds = v;
        case "--calls" -> calls = v;
        case "--handoffs" -> handoffs = v;
        default -> usage("unknown option " + a);
      }
    }
    List<double[]> on = new ArrayList<>();
    List<double[]> off = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      for (boolean handoff : new boolean[] {true, false}) {
        double[] m = run(network, handoff, calls, handoffs);
        (handoff ? on : off).add(m);
        System.out.printf(Locale.ROOT, "RESULT network=%s round=%d handoff=%s median_us=%.1f"
            + " p99_us=%.1f calls_per_s=%.0f first_call_us=%.1f%n", network, r,
            handoff ? "on" : "off", m[0], m[1], m[2], m[3]);
      }
    }
    String[] names = {"median µs (lower is better)", "p99 µs (lower is better)",
        "100 in flight, calls/s (higher is better)",
        "first call on a fresh capability, µs (lower is better)"};
    System.out.println();
    System.out.println("| measure | handoff | through Alice | ratio |");
    System.out.println("|---|---|---|---|");
    for (int k = 0; k < names.length; k++) {
      double a = median(on, k);
      double b = median(off, k);
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.2f |%n", names[k], a, b, a / b);
    }
    System.exit(0);
  }

  private static void usage(String why) {
    System.err.println(why + "\nusage: HandoffBench [--network memory|tls] [--rounds N]"
        + " [--calls N] [--handoffs N]");
    System.exit(2);
  }

  private static double median(List<double[]> runs, int k) {
    double[] v = runs.stream().mapToDouble(m -> m[k]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Three vats: Alice holds Bob's and Carol's services; Carol's inbox takes capabilities. */
  interface World extends AutoCloseable {
    Capability bobService();

    Capability carolService();

    Inbox carolInbox();

    EventLoop carolLoop();

    /** Throws if the mode did not take effect (Carol called Bob directly iff handoff). */
    void checkMode(boolean handoff);
  }

  /**
   * One round on the in-memory network: three fresh vats; Carol warms up, then the three
   * workloads. Returns median µs, p99 µs, calls/s, first-call median µs.
   */
  static double[] run(boolean handoff, int calls, int handoffs) throws Exception {
    return run("memory", handoff, calls, handoffs);
  }

  /** One round on {@code network} ({@code memory} or {@code tls}). */
  static double[] run(String network, boolean handoff, int calls, int handoffs)
      throws Exception {
    try (World w = network.equals("tls") ? new TlsWorld(handoff) : new MemoryWorld(handoff)) {
      double[] m = workloads(w, calls, handoffs);
      w.checkMode(handoff);
      return m;
    }
  }

  private static double[] workloads(World w, int calls, int handoffs) throws Exception {
    double[] m = new double[4];
    EventLoop c = w.carolLoop();
    try (Capability x = pass(w.bobService(), w.carolService(), w.carolInbox())) {
      chain(x, c, INTERFACE_ID, Math.min(calls, 20_000), 1); // warm-up
      long[] lat = chain(x, c, INTERFACE_ID, calls, 1);
      Arrays.sort(lat);
      m[0] = lat[lat.length / 2] / 1000.0;
      m[1] = lat[(int) Math.ceil(0.99 * lat.length) - 1] / 1000.0;
      long start = System.nanoTime();
      chain(x, c, INTERFACE_ID, calls, 100);
      m[2] = calls / ((System.nanoTime() - start) / 1e9);
    }
    for (int i = 0; i < handoffs / 2; i++) { // warm-up: the handoff's own code paths
      try (Capability x = pass(w.bobService(), w.carolService(), w.carolInbox())) {
        chain(x, c, INTERFACE_ID, 1, 1);
      }
    }
    long[] first = new long[handoffs];
    for (int i = 0; i < handoffs; i++) {
      try (Capability x = pass(w.bobService(), w.carolService(), w.carolInbox())) {
        first[i] = chain(x, c, INTERFACE_ID, 1, 1)[0];
      }
    }
    Arrays.sort(first);
    m[3] = first[first.length / 2] / 1000.0;
    return m;
  }

  /** The vats on {@link InMemoryNetwork}, each on its own event loop thread. */
  static final class MemoryWorld implements World {
    final EventLoop a = EventLoop.start("alice");
    final EventLoop b = EventLoop.start("bob");
    final EventLoop c = EventLoop.start("carol");
    final InMemoryNetwork net = new InMemoryNetwork();
    final Inbox inbox = new Inbox();
    final InMemoryNetwork.Vat alice;
    final InMemoryNetwork.Vat bob;
    final InMemoryNetwork.Vat carol;
    final Capability bobService;
    final Capability carolService;

    MemoryWorld(boolean handoff) {
      alice = net.vat("alice", a, null, handoff);
      bob = net.vat("bob", b, Capability.of(new EchoTarget(), b), handoff);
      carol = net.vat("carol", c, Capability.of(inbox, c), handoff);
      bobService = alice.bootstrap("bob");
      carolService = alice.bootstrap("carol");
    }

    @Override public Capability bobService() {
      return bobService;
    }

    @Override public Capability carolService() {
      return carolService;
    }

    @Override public Inbox carolInbox() {
      return inbox;
    }

    @Override public EventLoop carolLoop() {
      return c;
    }

    @Override public void checkMode(boolean handoff) {
      long direct = net.messagesSent("carol", "bob", Rpc.Message.Which.CALL);
      if ((direct > 0) != handoff) {
        throw new IllegalStateException("handoff " + (handoff ? "on" : "off") + " but " + direct
            + " calls went from Carol straight to Bob");
      }
    }

    @Override public void close() {
      bobService.close();
      carolService.close();
      alice.close();
      bob.close();
      carol.close();
      a.close();
      b.close();
      c.close();
    }
  }

  /** Three {@link Vat}s over TLS on loopback TCP; Alice dials Bob and Carol. */
  static final class TlsWorld implements World {
    final Inbox inbox = new Inbox();
    final Vat bob;
    final Vat carol;
    final Vat alice;
    final SingleRestorer bobRestorer;
    final SingleRestorer carolRestorer;
    final Capability bobService;
    final Capability carolService;

    TlsWorld(boolean handoff) throws Exception {
      VatConfig bc = VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0))
          .thirdPartyHandoff(handoff).build();
      VatConfig cc = VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0))
          .thirdPartyHandoff(handoff).build();
      bob = Vat.create(bc, null);
      carol = Vat.create(cc, null);
      alice = Vat.create(VatConfig.builder().thirdPartyHandoff(handoff).build(), null);
      bobRestorer = new SingleRestorer(ServiceId.EMPTY,
          Capability.of(new EchoTarget(), bob.loop()));
      carolRestorer = new SingleRestorer(ServiceId.EMPTY, Capability.of(inbox, carol.loop()));
      bob.setRestorer(bobRestorer);
      carol.setRestorer(carolRestorer);
      bobService = alice.connect(bob.sturdyUri(ServiceId.EMPTY)).get(30, TimeUnit.SECONDS);
      carolService = alice.connect(carol.sturdyUri(ServiceId.EMPTY)).get(30, TimeUnit.SECONDS);
    }

    @Override public Capability bobService() {
      return bobService;
    }

    @Override public Capability carolService() {
      return carolService;
    }

    @Override public Inbox carolInbox() {
      return inbox;
    }

    @Override public EventLoop carolLoop() {
      return carol.loop();
    }

    @Override public void checkMode(boolean handoff) {
      int carolConnections = carol.connectionCount();
      if ((carolConnections == 2) != handoff) {
        throw new IllegalStateException("handoff " + (handoff ? "on" : "off") + " but Carol has "
            + carolConnections + " connection(s)");
      }
    }

    @Override public void close() throws Exception {
      bobService.close();
      carolService.close();
      alice.close();
      carol.close();
      bob.close();
      carolRestorer.close();
      bobRestorer.close();
    }
  }

  /** Alice passes Bob's service to Carol; returns Carol's handle on it. */
  private static Capability pass(Capability bobService, Capability carolService, Inbox inbox)
      throws Exception {
    CompletableFuture<Capability> got = new CompletableFuture<>();
    inbox.next = got;
    var req = carolService.newCall(INTERFACE_ID, 0);
    bobService.writeTo(req.getParams());
    req.send().get(30, TimeUnit.SECONDS).close();
    return got.get(30, TimeUnit.SECONDS);
  }

  /**
   * {@code n} calls on {@code x} from Carol's loop, {@code lanes} chains of calls each sent from
   * the previous one's completion; returns each call's round trip in ns.
   */
  /** {@code n} calls of method 0 of {@code interfaceId} on {@code x}, {@code lanes} at a time, sent from {@code carol}; each call's latency in ns. */
  static long[] chain(Capability x, EventLoop carol, long interfaceId, int n, int lanes)
      throws Exception {
    long[] lat = new long[n];
    CompletableFuture<Void> done = new CompletableFuture<>();
    carol.execute(() -> {
      int[] next = {0};
      int[] finished = {0};
      Runnable[] lane = new Runnable[1];
      lane[0] = () -> {
        if (next[0] >= n) {
          return;
        }
        int i = next[0]++;
        long sent = System.nanoTime();
        var req = x.newCall(interfaceId, 0);
        req.getParams().setAs(Text.FACTORY, new Text.Reader("ping"));
        req.send().whenComplete((r, e) -> {
          if (e != null) {
            done.completeExceptionally(e);
            return;
          }
          r.close();
          lat[i] = System.nanoTime() - sent;
          if (++finished[0] == n) {
            done.complete(null);
          } else {
            lane[0].run();
          }
        });
      };
      for (int l = Math.min(lanes, n); l > 0; l--) {
        lane[0].run();
      }
    });
    done.get(300, TimeUnit.SECONDS);
    return lat;
  }

  /** Bob's service: echoes its params. */
  static final class EchoTarget extends Server {
    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
      context.getResults().set(context.getParams());
      return done();
    }
  }

  /** Carol's service: takes the capability in its params and hands it to the benchmark. */
  static final class Inbox extends Server {
    volatile CompletableFuture<Capability> next;

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
      next.complete(Capability.fromPointer(context.getParams()));
      return done();
    }
  }
}
