package dev.capnp.bench.rpc;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.proto.Rpc;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Load-independent counts per call of {@link ForwardingBench}'s 100-in-flight workload (issue
 * 16), forwarded against proxied: for each vat's event loop thread and for the rest of the
 * process, CPU time (the kernel's {@code schedstat}), voluntary and involuntary context
 * switches ({@code /proc}) and bytes allocated (the JVM's per-thread counter, loops only); on
 * the in-memory network, the messages each vat sent each other vat, by kind; over TLS, the
 * messages each vat enqueued and received ({@code VatMetrics}). Both worlds live in one JVM,
 * are warmed up together, and their rounds interleave; the figures are medians over rounds.
 * Linux only ({@code /proc/thread-self}).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.capnp.bench.rpc.ForwardingProbe \
 *     [--network memory|tls] [--rounds 7] [--calls 10000] [--inflight 100] [--payload 64]
 * </pre>
 *
 * <p>Prints per mode one {@code RUN} line, one {@code PROBE} line per thread group (alice, bob,
 * carol, rest, ALL) and one {@code MSG} line per counter with more than 0.01 per call.
 */
public final class ForwardingProbe {
  private ForwardingProbe() {}

  /**
   * Entry point.
   *
   * @param args the options above
   * @throws Exception if a call fails
   */
  public static void main(String[] args) throws Exception {
    String network = "memory";
    int rounds = 7;
    int calls = 10_000;
    int inflight = 100;
    int payload = 64;
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--network" -> network = v;
        case "--rounds" -> rounds = Integer.parseInt(v);
        case "--calls" -> calls = Integer.parseInt(v);
        case "--inflight" -> inflight = Integer.parseInt(v);
        case "--payload" -> payload = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (!network.equals("memory") && !network.equals("tls")) {
      throw new IllegalArgumentException("--network memory|tls");
    }
    boolean tls = network.equals("tls");
    try (ForwardingBench.World on = tls ? new ForwardingBench.TlsWorld(true, payload)
            : new ForwardingBench.MemoryWorld(true, payload);
        ForwardingBench.World off = tls ? new ForwardingBench.TlsWorld(false, payload)
            : new ForwardingBench.MemoryWorld(false, payload)) {
      Probe[] probes = {new Probe(on, true), new Probe(off, false)};
      for (int r = 0; r < 10; r++) { // warm-up (the JIT settles)
        for (Probe p : probes) {
          HandoffBench.chain(p.world.bobService(), p.world.aliceLoop(),
              ForwardingBench.INTERFACE_ID, calls, inflight);
        }
      }
      for (int r = 0; r < rounds; r++) {
        for (Probe p : probes) {
          p.round(calls, inflight);
        }
      }
      for (Probe p : probes) {
        p.world.checkMode(p.forwarding);
        p.print(network, calls, inflight, payload);
      }
    }
    System.exit(0);
  }

  /** One thread's counters. */
  record Sample(long cpuNs, long voluntary, long involuntary, long allocated) {
    Sample minus(Sample o) {
      return new Sample(cpuNs - o.cpuNs, voluntary - o.voluntary, involuntary - o.involuntary,
          allocated - o.allocated);
    }

    Sample plus(Sample o) {
      return new Sample(cpuNs + o.cpuNs, voluntary + o.voluntary, involuntary + o.involuntary,
          allocated + o.allocated);
    }
  }

  /** One world's rounds: per thread group, the per-round deltas. */
  static final class Probe {
    final ForwardingBench.World world;
    final boolean forwarding;
    /** Vat name to {kernel thread id, Java thread id}. */
    final Map<String, long[]> ids = new LinkedHashMap<>();
    final Map<String, List<Sample>> rounds = new LinkedHashMap<>();
    final List<Double> callsPerSecond = new ArrayList<>();
    final Map<String, Long> messages = new TreeMap<>();
    /** CPU ns of the other threads, by name (digits folded), over all rounds. */
    final Map<String, Long> restByName = new TreeMap<>();
    final com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    Probe(ForwardingBench.World world, boolean forwarding) throws Exception {
      this.world = world;
      this.forwarding = forwarding;
      for (Map.Entry<String, EventLoop> e : loops(world).entrySet()) {
        ids.put(e.getKey(), e.getValue().submit(() -> new long[] {ownTid(),
            Thread.currentThread().getId()}).get(10, TimeUnit.SECONDS));
        String t = e.getValue().submit(() -> Thread.currentThread().getName())
            .get(10, TimeUnit.SECONDS);
        System.out.printf(Locale.ROOT, "THREAD forwarding=%s vat=%s thread=%s%n",
            forwarding ? "on" : "off", e.getKey(), t);
      }
    }

    void round(int calls, int inflight) throws Exception {
      Map<String, Long> msgs0 = messages(world);
      Map<Long, Sample> before = allThreads(ids, mx);
      long start = System.nanoTime();
      HandoffBench.chain(world.bobService(), world.aliceLoop(), ForwardingBench.INTERFACE_ID,
          calls, inflight);
      long elapsed = System.nanoTime() - start;
      Map<Long, Sample> after = allThreads(ids, mx);
      Map<String, Long> msgs1 = messages(world);
      callsPerSecond.add(calls / (elapsed / 1e9));
      Sample rest = new Sample(0, 0, 0, 0);
      Sample all = new Sample(0, 0, 0, 0);
      for (Map.Entry<Long, Sample> e : after.entrySet()) {
        Sample b = before.get(e.getKey());
        Sample d = b == null ? e.getValue() : e.getValue().minus(b);
        all = all.plus(d);
        String name = null;
        for (Map.Entry<String, long[]> n : ids.entrySet()) {
          if (n.getValue()[0] == e.getKey()) {
            name = n.getKey();
          }
        }
        if (name != null) {
          rounds.computeIfAbsent(name, k -> new ArrayList<>()).add(d);
        } else {
          rest = rest.plus(d);
          restByName.merge(comm(e.getKey()), d.cpuNs, Long::sum);
        }
      }
      rounds.computeIfAbsent("rest", k -> new ArrayList<>()).add(rest);
      rounds.computeIfAbsent("ALL", k -> new ArrayList<>()).add(all);
      for (Map.Entry<String, Long> e : msgs1.entrySet()) {
        messages.merge(e.getKey(), e.getValue() - msgs0.getOrDefault(e.getKey(), 0L), Long::sum);
      }
    }

    void print(String network, int calls, int inflight, int payload) {
      String mode = forwarding ? "on" : "off";
      int n = callsPerSecond.size();
      System.out.printf(Locale.ROOT, "RUN network=%s forwarding=%s payload=%d inflight=%d"
          + " rounds=%d calls=%d median_calls_per_s=%.0f%n", network, mode, payload, inflight,
          n, calls, median(callsPerSecond));
      for (Map.Entry<String, List<Sample>> e : rounds.entrySet()) {
        List<Sample> l = e.getValue();
        System.out.printf(Locale.ROOT, "PROBE network=%s forwarding=%s thread=%-5s"
            + " cpu_us=%6.2f vol_cs=%.3f invol_cs=%.3f alloc_bytes=%.0f%n", network, mode,
            e.getKey(), median(l, s -> s.cpuNs / 1e3 / calls),
            median(l, s -> (double) s.voluntary / calls),
            median(l, s -> (double) s.involuntary / calls),
            median(l, s -> (double) s.allocated / calls));
      }
      for (Map.Entry<String, Long> e : restByName.entrySet()) {
        double d = e.getValue() / 1e3 / calls / n;
        if (d > 0.2) {
          System.out.printf(Locale.ROOT, "REST network=%s forwarding=%s thread=%s cpu_us=%.2f"
              + " (mean)%n", network, mode, e.getKey(), d);
        }
      }
      for (Map.Entry<String, Long> e : messages.entrySet()) {
        double d = (double) e.getValue() / calls / n;
        if (d > 0.01) {
          System.out.printf(Locale.ROOT, "MSG network=%s forwarding=%s %s %.3f%n",
              network, mode, e.getKey(), d);
        }
      }
    }
  }

  private static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private static double median(List<Sample> l, java.util.function.ToDoubleFunction<Sample> f) {
    List<Double> v = new ArrayList<>();
    for (Sample s : l) {
      v.add(f.applyAsDouble(s));
    }
    return median(v);
  }

  /** The vats' loops by name. */
  private static Map<String, EventLoop> loops(ForwardingBench.World w) {
    Map<String, EventLoop> m = new LinkedHashMap<>();
    if (w instanceof ForwardingBench.MemoryWorld mw) {
      m.put("alice", mw.a);
      m.put("bob", mw.b);
      m.put("carol", mw.c);
    } else {
      ForwardingBench.TlsWorld tw = (ForwardingBench.TlsWorld) w;
      m.put("alice", tw.alice.loop());
      m.put("bob", tw.bob.loop());
      m.put("carol", tw.carol.loop());
    }
    return m;
  }

  /** Message counters: per (sender>receiver:kind) in memory, per vat enqueued over TLS. */
  private static Map<String, Long> messages(ForwardingBench.World w) {
    Map<String, Long> m = new TreeMap<>();
    if (w instanceof ForwardingBench.MemoryWorld mw) {
      String[] vats = {"alice", "bob", "carol"};
      for (String f : vats) {
        for (String t : vats) {
          for (Rpc.Message.Which k : Rpc.Message.Which.values()) {
            long n = mw.net.messagesSent(f, t, k);
            if (n > 0) {
              m.put(f + ">" + t + ":" + k, n);
            }
          }
        }
      }
    } else {
      ForwardingBench.TlsWorld tw = (ForwardingBench.TlsWorld) w;
      m.put("alice:enqueued", tw.alice.metrics().messagesEnqueued());
      m.put("bob:enqueued", tw.bob.metrics().messagesEnqueued());
      m.put("carol:enqueued", tw.carol.metrics().messagesEnqueued());
      m.put("alice:received", tw.alice.metrics().messagesReceived());
      m.put("bob:received", tw.bob.metrics().messagesReceived());
      m.put("carol:received", tw.carol.metrics().messagesReceived());
    }
    return m;
  }

  /** A thread's name as the kernel knows it, digits folded (so that pools group). */
  private static String comm(long tid) {
    try {
      return Files.readString(Path.of("/proc/self/task/" + tid + "/comm")).trim()
          .replaceAll("[0-9]+", "N");
    } catch (IOException e) {
      return "?";
    }
  }

  /** The calling thread's kernel id. */
  private static long ownTid() {
    String p;
    try {
      p = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return Long.parseLong(p.substring(p.lastIndexOf('/') + 1));
  }

  /** Every thread of this process: CPU ns (schedstat), context switches; by kernel id. */
  private static Map<Long, Sample> allThreads(Map<String, long[]> ids,
      com.sun.management.ThreadMXBean mx) throws IOException {
    Map<Long, Sample> m = new TreeMap<>();
    List<Path> tasks = new ArrayList<>();
    try (var s = Files.list(Path.of("/proc/self/task"))) {
      s.forEach(tasks::add);
    }
    for (Path t : tasks) {
      try {
        long cpu = Long.parseLong(Files.readString(t.resolve("schedstat")).trim().split(" ")[0]);
        long vol = 0;
        long invol = 0;
        for (String line : Files.readAllLines(t.resolve("status"))) {
          if (line.startsWith("voluntary_ctxt_switches:")) {
            vol = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
          } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
            invol = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
          }
        }
        long tid = Long.parseLong(t.getFileName().toString());
        long allocated = 0;
        for (long[] id : ids.values()) {
          if (id[0] == tid) {
            allocated = mx.getThreadAllocatedBytes(id[1]);
          }
        }
        m.put(tid, new Sample(cpu, vol, invol, allocated));
      } catch (IOException | RuntimeException e) {
        // the thread ended meanwhile
      }
    }
    return m;
  }
}
