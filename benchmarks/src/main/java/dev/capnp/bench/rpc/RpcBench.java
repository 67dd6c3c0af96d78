package dev.capnp.bench.rpc;

import dev.capnp.bench.rpc.EchoBenchApi.Echo;
import dev.capnp.net.AuthDigest;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Response;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The RPC benchmark against the C++ reference (issue 12, {@code benchmarks/compare-cxx.sh}) on the
 * stack users get: a {@link Vat} over Netty, TLS off, plain two-party bootstrap (empty service
 * ID), so that either side can be the C++ twin {@code interop/build/echo-bench} (same flags,
 * same output).
 *
 * <pre>
 * java -cp benchmarks.jar dev.capnp.bench.rpc.RpcBench --serve --transport tcp|unix|tls
 *     prints "ADDRESS tcp:127.0.0.1:PORT", "ADDRESS unix:PATH" or (tls: TCP with the vat's TLS,
 *     for the comparison with gRPC-java over TLS) "ADDRESS capnp://sha-256:...@127.0.0.1:PORT",
 *     serves until stdin closes
 * java -cp benchmarks.jar dev.capnp.bench.rpc.RpcBench --connect ADDRESS
 *     [--workload ping|inflight|blob] [--caller blocking|loop|listener|threads|vthreads]
 *     [--warmup N] [--calls N]
 *     [--in-flight 100] [--blob-bytes 1048576] [--think-micros 0] [--sync]
 * </pre>
 *
 * <ul>
 *   <li>{@code ping}: {@code Echo.ping}, one call at a time; median and p99 round trip.
 *   <li>{@code inflight}: {@code Echo.ping}, {@code --in-flight} (100) calls outstanding: each
 *       lane sends its next call when its previous one is answered (as the C++ client does);
 *       calls/s.
 *   <li>{@code blob}: {@code Echo.echoData} of {@code --blob-bytes} (1 MiB), one at a time; MiB/s
 *       of payload (one direction).
 * </ul>
 * {@code --caller blocking}: a plain application thread sends each call and waits for its reply
 * ({@code send().join()}; for {@code inflight}, a window of {@code --in-flight} permits).
 * {@code --caller loop}: the calls are sent from the client vat's event loop and each next call
 * is sent from the previous one's completion (no thread hand-off). {@code --caller listener}:
 * the same, each call sent with {@code Request.send(ResponseListener)} (no promise, no pipeline)
 * instead of {@code send().whenComplete}. {@code --caller threads}: {@code --in-flight} plain
 * application threads ({@code inflight}; one for {@code ping} and {@code blob}), each sending a
 * call and waiting for its reply ({@code send().get()}) before its next: how a pool of request
 * threads calls a service; {@code --caller vthreads}: the same with virtual threads (JDK 21 and
 * later). Default: {@code loop} for
 * {@code inflight}, {@code blocking} otherwise.
 *
 * <p>{@code --think-micros N} ({@code ping} with {@code --caller blocking}): the caller works N µs
 * (a busy wait) after each reply before its next call, as a client that does something between
 * its calls; the round trip is still timed from send to reply. It shows what a server's spin
 * after its reply costs when the next call comes later than at once (issue 12).
 *
 * <p>The warm-up ({@code --warmup} calls) is repeated until the JIT compilers used at most 2% of
 * a round's time (at most 5 rounds, none started after 30 s), so that compilation is not charged
 * to the measured calls (see {@link #warmUp}).
 *
 * <p>With {@code --warmup 0} (cold) the result also gives the time from the first send to the
 * 1,000th and 20,000th completion. {@code --sync}: after the warm-up print {@code READY} and
 * read a line from stdin before measuring; after the result, read one more line before closing.
 *
 * <p>Output: one line {@code RESULT impl=java workload=... caller=... transport=... calls=...
 * seconds=... calls_per_s=... median_us=... p99_us=... mib_per_s=... first1000_ms=...
 * first20000_ms=... alloc_b_per_call=... cpu_us_per_call=...} ({@code -} where a field does not
 * apply). The last two are load-independent costs of the measured calls on the client: the bytes
 * its JVM's threads allocated, and its process's CPU time (user + system, JIT included), per call.
 *
 * <p>{@code -Dbench.fastThreadLocalCaller=true}: the client's calling thread runs inside Netty's
 * {@code FastThreadLocalThread.runWithFastThreadLocal}, so that Netty pools per thread (its
 * {@code Recycler}, the allocator's thread-local magazines) on it, as on a loop thread, while it
 * drives the loop for a blocking call (see docs/GUIDE.md).
 */
public final class RpcBench {
  private RpcBench() {}

  /** Parsed command line. */
  static final class Options {
    boolean serve;
    String transport = "tcp";
    String connect;
    String workload = "ping";
    String caller;
    int warmup = -1;
    int calls = -1;
    int inFlight = 100;
    int blobBytes = 1 << 20;
    int thinkMicros;
    boolean sync;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (!a.equals("--serve") && !a.equals("--sync") && i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        switch (a) {
          case "--serve" -> o.serve = true;
          case "--sync" -> o.sync = true;
          case "--transport" -> o.transport = args[++i];
          case "--connect" -> o.connect = args[++i];
          case "--workload" -> o.workload = args[++i];
          case "--caller" -> o.caller = args[++i];
          case "--warmup" -> o.warmup = count(a, args[++i]);
          case "--calls" -> o.calls = count(a, args[++i]);
          case "--in-flight" -> o.inFlight = count(a, args[++i]);
          case "--blob-bytes" -> o.blobBytes = count(a, args[++i]);
          case "--think-micros" -> o.thinkMicros = count(a, args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
        }
      }
      if (o.serve == (o.connect != null)) {
        throw new IllegalArgumentException("give --serve or --connect ADDRESS\n" + USAGE);
      }
      if (!o.transport.equals("tcp") && !o.transport.equals("unix")
          && !o.transport.equals("tls")) {
        throw new IllegalArgumentException("--transport must be tcp, unix or tls: "
            + o.transport);
      }
      switch (o.workload) {
        case "ping", "blob" -> {
          if (o.caller == null) {
            o.caller = "blocking";
          }
        }
        case "inflight" -> {
          if (o.caller == null) {
            o.caller = "loop";
          }
        }
        default -> throw new IllegalArgumentException(
            "--workload must be ping, inflight or blob: " + o.workload);
      }
      if (!o.caller.equals("blocking") && !o.caller.equals("loop")
          && !o.caller.equals("listener") && !o.caller.equals("threads")
          && !o.caller.equals("vthreads")) {
        throw new IllegalArgumentException(
            "--caller must be blocking, loop, listener, threads or vthreads: " + o.caller);
      }
      boolean blob = o.workload.equals("blob");
      if (o.warmup < 0) {
        o.warmup = blob ? 200 : 20_000;
      }
      if (o.calls < 0) {
        o.calls = blob ? 1_000 : o.workload.equals("ping") ? 20_000 : 100_000;
      }
      if (o.thinkMicros > 0 && !(o.workload.equals("ping") && o.caller.equals("blocking"))) {
        throw new IllegalArgumentException(
            "--think-micros needs --workload ping --caller blocking");
      }
      if (o.calls < 1 || o.inFlight < 1) {
        throw new IllegalArgumentException("--calls and --in-flight must be at least 1");
      }
      return o;
    }

    private static int count(String option, String value) {
      try {
        int n = Integer.parseInt(value);
        if (n >= 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // below
      }
      throw new IllegalArgumentException(option + " needs a count, not " + value);
    }
  }

  static final String USAGE = "usage: RpcBench --serve [--transport tcp|unix|tls]\n"
      + "       RpcBench --connect tcp:HOST:PORT|unix:PATH [--workload ping|inflight|blob]"
      + " [--caller blocking|loop|listener|threads|vthreads] [--warmup N] [--calls N]"
      + " [--in-flight N] [--blob-bytes N] [--think-micros N]"
      + " [--sync]";

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(USAGE);
      return;
    }
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      if (!e.getMessage().contains("usage:")) {
        System.err.println(USAGE);
      }
      System.exit(2);
      return;
    }
    if (o.serve) {
      serve(o.transport);
    } else {
      BufferedReader stdin = new BufferedReader(
          new InputStreamReader(System.in, StandardCharsets.UTF_8));
      Result[] box = new Result[1];
      if (Boolean.getBoolean("bench.fastThreadLocalCaller")) {
        io.netty.util.concurrent.FastThreadLocalThread.runWithFastThreadLocal(() -> {
          try {
            box[0] = client(o, stdin);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
      } else {
        box[0] = client(o, stdin);
      }
      Result r = box[0];
      System.out.println(r.line());
      System.out.flush();
      if (o.sync) {
        stdin.readLine();
      }
    }
    System.exit(0); // Netty's threads are not daemons: do not wait for them
  }

  // ============================================================================ server

  /** A running server vat serving {@link EchoServer} to plain bootstraps. */
  static final class Served implements AutoCloseable {
    final Vat vat;
    final SingleRestorer restorer;
    final String address;
    final Path socketDir;

    Served(Vat vat, SingleRestorer restorer, String address, Path socketDir) {
      this.vat = vat;
      this.restorer = restorer;
      this.address = address;
      this.socketDir = socketDir;
    }

    @Override
    public void close() throws IOException {
      vat.close();
      restorer.close();
      if (socketDir != null) {
        Files.deleteIfExists(socketDir.resolve("echo.sock"));
        Files.deleteIfExists(socketDir);
      }
    }
  }

  /**
   * A server vat, TLS off, on 127.0.0.1 (an ephemeral port) or a Unix socket in a fresh
   * temporary directory, serving the echo service on the vat's own loop under the empty service
   * ID (what a plain bootstrap, C++'s {@code TwoPartyClient}, asks for).
   */
  static Served startServer(String transport) throws IOException {
    Path socketDir = null;
    NetAddress listen;
    boolean tls = transport.equals("tls");
    if (transport.equals("tcp") || tls) {
      listen = NetAddress.tcp("127.0.0.1", 0);
    } else {
      socketDir = Files.createTempDirectory("rpc-bench");
      listen = NetAddress.unix(socketDir.resolve("echo.sock").toString());
    }
    Vat vat = Vat.create(VatConfig.builder().listenAddress(listen).tls(tls).build(), null);
    SingleRestorer restorer =
        new SingleRestorer(ServiceId.EMPTY, Capability.of(new EchoServer(), vat.loop()));
    vat.setRestorer(restorer);
    NetAddress bound = vat.boundAddress();
    String address = tls ? vat.sturdyUri(ServiceId.EMPTY).toString()
        : bound instanceof NetAddress.Tcp t
        ? "tcp:127.0.0.1:" + t.port() : "unix:" + ((NetAddress.Unix) bound).path();
    return new Served(vat, restorer, address, socketDir);
  }

  private static void serve(String transport) throws IOException {
    try (Served s = startServer(transport)) {
      System.out.println("ADDRESS " + s.address);
      System.out.flush();
      while (System.in.read() >= 0) {
        // serve until whoever started us closes our stdin
      }
    }
  }

  // ============================================================================ client

  /** The outcome of one measured run. */
  record Result(String workload, String caller, String transport, int calls, double seconds,
      double medianMicros, double p99Micros, double mibPerSecond, double first1000Millis,
      double first20000Millis, double allocBytesPerCall, double cpuMicrosPerCall) {
    String line() {
      return "RESULT impl=java workload=" + workload + " caller=" + caller + " transport="
          + transport + " calls=" + calls + " seconds=" + fmt("%.4f", seconds)
          + " calls_per_s=" + fmt("%.0f", calls / seconds)
          + " median_us=" + fmt("%.1f", medianMicros) + " p99_us=" + fmt("%.1f", p99Micros)
          + " mib_per_s=" + fmt("%.1f", mibPerSecond)
          + " first1000_ms=" + fmt("%.1f", first1000Millis)
          + " first20000_ms=" + fmt("%.1f", first20000Millis)
          + " alloc_b_per_call=" + fmt("%.0f", allocBytesPerCall)
          + " cpu_us_per_call=" + fmt("%.1f", cpuMicrosPerCall);
    }

    private static String fmt(String format, double v) {
      return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
    }
  }

  /**
   * Connects a client vat to {@code o.connect}, runs the warm-up and the measured calls, and
   * returns the measurement.
   */
  static Result client(Options o, BufferedReader stdin) throws Exception {
    boolean tls = o.connect.startsWith("capnp://");
    CapnpUri uri = tls ? CapnpUri.parse(o.connect)
        : new CapnpUri(AuthDigest.INSECURE, NetAddress.parse(o.connect), ServiceId.EMPTY);
    String transport = tls ? "tls" : uri.address() instanceof NetAddress.Tcp ? "tcp" : "unix";
    Vat vat = Vat.client();
    try (Echo.Client echo =
        new Echo.Client(vat.connect(uri).get(60, TimeUnit.SECONDS))) {
      Workload w = new Workload(o, echo, vat.loop());
      if (o.warmup > 0) {
        warmUp(w, o.warmup);
      }
      // (the first reads of the JVM's counters load and initialise the management classes and
      // the container metrics: before READY, so that a cold run's measured window, which
      // compare-cxx.sh counts from READY, does not pay for them)
      allocatedBytes();
      processCpuNanos();
      if (o.sync) {
        System.out.println("READY");
        System.out.flush();
        stdin.readLine();
      }
      long allocBefore = allocatedBytes();
      long cpuBefore = processCpuNanos();
      Recorder r = w.run(o.calls);
      long allocAfter = allocatedBytes();
      long cpuAfter = processCpuNanos();
      double alloc = allocBefore < 0 || allocAfter < 0 ? Double.NaN
          : (double) (allocAfter - allocBefore) / o.calls;
      double cpu = cpuBefore < 0 || cpuAfter < 0 ? Double.NaN
          : (cpuAfter - cpuBefore) / 1e3 / o.calls;
      double mib = o.workload.equals("blob")
          ? (double) o.calls * o.blobBytes / (1 << 20) / r.seconds() : Double.NaN;
      boolean cold = o.warmup == 0;
      return new Result(o.workload, o.caller, transport, o.calls, r.seconds(),
          r.percentileMicros(0.5), r.percentileMicros(0.99), mib,
          cold ? r.milestoneMillis(1_000) : Double.NaN,
          cold ? r.milestoneMillis(20_000) : Double.NaN, alloc, cpu);
    } finally {
      vat.close();
    }
  }

  /**
   * The warm-up: rounds of {@code calls} calls until the JIT is steady ({@link JitSettle}: the
   * compilers used at most 2% of a round's time), at most 5 rounds, none started after 30 s;
   * the count of rounds goes to stderr. A single round left seconds of tier-4 compilation and
   * recompilation (after deoptimizations at its end) in the measured calls on a loaded 2-CPU
   * machine, charged to their CPU time (issue 12).
   */
  static void warmUp(Workload w, int calls) throws Exception {
    int rounds = JitSettle.warmUp(() -> w.run(calls), 5, 30_000);
    System.err.println("# warm-up: " + rounds + " round(s) of " + calls + " calls");
  }

  /**
   * The bytes every live thread of this JVM has allocated so far (HotSpot's per-thread
   * counters; threads that ended meanwhile drop out), or -1 where unsupported. Taken around the
   * measured calls: the difference is what a call costs the whole client, loop and caller alike,
   * whichever thread runs the loop.
   */
  private static long allocatedBytes() {
    if (!(java.lang.management.ManagementFactory.getThreadMXBean()
        instanceof com.sun.management.ThreadMXBean t) || !t.isThreadAllocatedMemorySupported()) {
      return -1;
    }
    long sum = 0;
    for (long b : t.getThreadAllocatedBytes(t.getAllThreadIds())) {
      if (b > 0) {
        sum += b;
      }
    }
    return sum;
  }

  /** The CPU time (user + system) of this process so far, or -1 where unsupported. */
  static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * Per-call round trips and the completion times of the 1,000th and 20,000th call, counted by
   * completions (written by one thread at a time: the caller or the loop).
   */
  static final class Recorder {
    final long[] latencies;
    final long start = System.nanoTime();
    long end;
    int completed;
    long at1000 = -1;
    long at20000 = -1;

    Recorder(int calls) {
      latencies = new long[calls];
    }

    void completed(int index, long sentNanos) {
      long now = System.nanoTime();
      latencies[index] = now - sentNanos;
      int n = ++completed;
      if (n == 1_000) {
        at1000 = now;
      } else if (n == 20_000) {
        at20000 = now;
      }
      if (n == latencies.length) {
        end = now;
      }
    }

    double seconds() {
      return (end - start) / 1e9;
    }

    double percentileMicros(double p) {
      long[] sorted = latencies.clone();
      Arrays.sort(sorted);
      int rank = (int) Math.ceil(p * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank))] / 1000.0;
    }

    double milestoneMillis(int n) {
      long at = n == 1_000 ? at1000 : at20000;
      return at < 0 ? Double.NaN : (at - start) / 1e6;
    }
  }

  /** One blocking call, checked ({@link #callFromThreads}). */
  interface BlockingCall {
    void call() throws Exception;
  }

  /**
   * {@code threads} application threads (virtual ones if {@code virtual}), each making blocking
   * calls ({@code call}) one after another until {@code calls} calls are made between them;
   * the first failure stops them all and is thrown.
   */
  static Recorder callFromThreads(int calls, int threads, boolean virtual, BlockingCall call)
      throws Exception {
    Recorder r = new Recorder(calls);
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] callers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      callers[t] = newThread(virtual, () -> {
        try {
          for (int i = next.getAndIncrement(); i < calls && failure.get() == null;
              i = next.getAndIncrement()) {
            long sent = System.nanoTime();
            call.call();
            synchronized (r) {
              r.completed(i, sent);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "caller-" + t);
      callers[t].start();
    }
    for (Thread t : callers) {
      t.join();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("call failed", failure.get());
    }
    return r;
  }

  /**
   * A new, unstarted thread: a virtual one ({@code Thread.ofVirtual()}, JDK 21 and later, called
   * reflectively: this code compiles for Java 17) or a platform one.
   */
  static Thread newThread(boolean virtual, Runnable body, String name) {
    if (!virtual) {
      return new Thread(body, name);
    }
    try {
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      Class<?> b = Class.forName("java.lang.Thread$Builder");
      builder = b.getMethod("name", String.class).invoke(builder, name);
      return (Thread) b.getMethod("unstarted", Runnable.class).invoke(builder, body);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("virtual threads need JDK 21 or later", e);
    }
  }

  /** One workload on one capability, run by one kind of caller. */
  static final class Workload {
    private final Options o;
    private final Echo.Client echo;
    private final EventLoop loop;
    private final byte[] blob;

    Workload(Options o, Echo.Client echo, EventLoop loop) {
      this.o = o;
      this.echo = echo;
      this.loop = loop;
      this.blob = new byte[o.workload.equals("blob") ? o.blobBytes : 0];
      for (int i = 0; i < blob.length; i++) {
        blob[i] = (byte) (i * 31 + 7);
      }
    }

    Recorder run(int calls) throws Exception {
      int lanes = o.workload.equals("inflight") ? Math.min(o.inFlight, calls) : 1;
      return switch (o.caller) {
        case "blocking" -> blocking(calls, lanes);
        case "threads" -> threads(calls, lanes, false);
        case "vthreads" -> threads(calls, lanes, true);
        default -> onLoop(calls, lanes);
      };
    }

    /**
     * {@code threads} application threads, each sending a call and waiting for its reply before
     * it sends its next, until {@code calls} calls are made.
     */
    private Recorder threads(int calls, int threads, boolean virtual) throws Exception {
      return callFromThreads(calls, threads, virtual,
          () -> check(send().get(60, TimeUnit.SECONDS)));
    }

    private CompletableFuture<? extends Response<?>> send() {
      if (blob.length > 0) {
        var request = echo.echoDataRequest();
        request.getParams().setData(blob);
        return request.send();
      }
      var request = echo.pingRequest();
      request.getParams().setMsg("ping");
      return request.send();
    }

    /** Sends the next call with its outcome going to {@code listener} (no promise). */
    private void send(dev.capnp.rpc.ResponseListener<?> listener) {
      if (blob.length > 0) {
        var request = echo.echoDataRequest();
        request.getParams().setData(blob);
        @SuppressWarnings("unchecked")
        var l = (dev.capnp.rpc.ResponseListener<Echo.EchoDataResults.Reader>) listener;
        request.send(l);
        return;
      }
      var request = echo.pingRequest();
      request.getParams().setMsg("ping");
      @SuppressWarnings("unchecked")
      var l = (dev.capnp.rpc.ResponseListener<Echo.PingResults.Reader>) listener;
      request.send(l);
    }

    /** Checks a reply; closes it. */
    private void check(Response<?> response) {
      try (response) {
        Object reply = response.get();
        if (reply instanceof Echo.EchoDataResults.Reader d) {
          int size = d.getData().size();
          if (size != blob.length) {
            throw new IllegalStateException("echoData returned " + size + " bytes, not "
                + blob.length);
          }
        } else if (!((Echo.PingResults.Reader) reply).getReply().toString().equals("echo:ping")) {
          throw new IllegalStateException("wrong reply " + reply);
        }
      }
    }

    /** A plain application thread sends every call and waits for replies. */
    private Recorder blocking(int calls, int lanes) throws Exception {
      Recorder r = new Recorder(calls);
      if (lanes == 1) {
        long thinkNanos = TimeUnit.MICROSECONDS.toNanos(o.thinkMicros);
        for (int i = 0; i < calls; i++) {
          long sent = System.nanoTime();
          check(send().get(60, TimeUnit.SECONDS));
          r.completed(i, sent);
          if (thinkNanos > 0) {
            long until = System.nanoTime() + thinkNanos;
            while (System.nanoTime() - until < 0) {
              Thread.onSpinWait();
            }
          }
        }
        return r;
      }
      Semaphore window = new Semaphore(lanes);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      for (int i = 0; i < calls && failure.get() == null; i++) {
        window.acquire();
        int index = i;
        long sent = System.nanoTime();
        send().whenComplete((response, error) -> {
          try {
            if (error != null) {
              failure.compareAndSet(null, error);
            } else {
              check(response);
              r.completed(index, sent);
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          } finally {
            window.release();
          }
        });
      }
      if (!window.tryAcquire(lanes, 120, TimeUnit.SECONDS) && failure.get() == null) {
        failure.set(new IllegalStateException("calls did not complete in 120 s"));
      }
      if (failure.get() != null) {
        throw new IllegalStateException("call failed", failure.get());
      }
      return r;
    }

    /**
     * The client vat's loop sends the first call of each lane; each completion (on the loop)
     * records its call and sends the lane's next one.
     */
    private Recorder onLoop(int calls, int lanes) throws Exception {
      CompletableFuture<Recorder> done = new CompletableFuture<>();
      loop.execute(() -> {
        Recorder r = new Recorder(calls);
        Lanes l = new Lanes(r, calls, done);
        for (int i = 0; i < lanes; i++) {
          l.next();
        }
      });
      return done.get(300, TimeUnit.SECONDS);
    }

    /** Loop-confined lane state. */
    private final class Lanes {
      final Recorder r;
      final int calls;
      final CompletableFuture<Recorder> done;
      int next;

      Lanes(Recorder r, int calls, CompletableFuture<Recorder> done) {
        this.r = r;
        this.calls = calls;
        this.done = done;
      }

      void next() {
        if (next >= calls || done.isDone()) {
          return;
        }
        int index = next++;
        long sent = System.nanoTime();
        if (o.caller.equals("listener")) {
          send((response, error) -> completed(index, sent, response, error));
        } else {
          send().whenComplete((response, error) -> completed(index, sent, response, error));
        }
      }

      private void completed(int index, long sent, Response<?> response, Throwable error) {
        try {
          if (error != null) {
            done.completeExceptionally(error);
            return;
          }
          check(response);
          r.completed(index, sent);
          if (r.completed == calls) {
            done.complete(r);
          } else {
            next();
          }
        } catch (Throwable e) {
          done.completeExceptionally(e);
        }
      }
    }
  }
}
