package dev.capnp.bench.rpc;

import dev.capnp.bench.rpc.EchoBenchApi.Echo;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The seed library's echo benchmark: {@code Echo.ping(msg) -> (reply)}, 100,000 pings with at
 * most 12 in flight, over TCP loopback (TLS off or on) or a Unix socket, with client and server
 * in one process or the server in a child JVM (started with the same JVM options). Prints
 * calls/s and the median round-trip latency of one ping.
 *
 * <pre>
 * java -cp ... dev.capnp.bench.rpc.EchoBench --transport tcp|tls|unix --processes 1|2
 *     [--stack vat|raw] [--calls 100000] [--in-flight 12] [--warmup 20000]
 * </pre>
 * {@code --stack vat} (default) uses capnp-net vats and sturdy URIs; {@code --stack raw} uses
 * plain sockets with the core library's stream transport (no TLS).
 *
 * <p>Against another implementation (the C++ twin {@code interop/build/echo-bench}, see
 * {@code benchmarks/run-cxx-echo-bench.sh}): {@code --stack raw --connect tcp:HOST:PORT} (or
 * {@code unix:PATH}) runs the client against a server already listening there, and
 * {@code --stack raw --serve} runs only the server: it prints {@code ADDRESS <address>} and
 * serves the echo service as the bootstrap capability of the plain two-party protocol until its
 * standard input closes.
 */
public final class EchoBench {
  private EchoBench() {}

  /** Parsed command line. */
  static final class Options {
    String transport = "tcp";
    int processes = 1;
    String stack = "vat";
    int calls = 100_000;
    int inFlight = 12;
    int warmup = 20_000;
    boolean serve;
    String connect;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--transport" -> o.transport = args[++i];
          case "--processes" -> o.processes = Integer.parseInt(args[++i]);
          case "--stack" -> o.stack = args[++i];
          case "--calls" -> o.calls = Integer.parseInt(args[++i]);
          case "--in-flight" -> o.inFlight = Integer.parseInt(args[++i]);
          case "--warmup" -> o.warmup = Integer.parseInt(args[++i]);
          case "--serve" -> o.serve = true;
          case "--connect" -> o.connect = args[++i];
          default -> throw new IllegalArgumentException("unknown option " + a
              + " (use --transport tcp|tls|unix --processes 1|2 --stack vat|raw --calls N"
              + " --in-flight N --warmup N --serve --connect ADDRESS)");
        }
      }
      if (!List.of("tcp", "tls", "unix").contains(o.transport)) {
        throw new IllegalArgumentException("--transport must be tcp, tls or unix: " + o.transport);
      }
      if (o.processes != 1 && o.processes != 2) {
        throw new IllegalArgumentException("--processes must be 1 or 2: " + o.processes);
      }
      if (o.connect != null && (o.serve || o.processes != 1)) {
        throw new IllegalArgumentException("--connect runs only the client: it cannot be"
            + " combined with --serve or --processes");
      }
      if (o.connect != null && o.connect.startsWith("unix:")) {
        o.transport = "unix";
      }
      return o;
    }
  }

  /** Result of one run. */
  record Result(int calls, double seconds, double callsPerSecond, double medianMicros) {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Stack stack = stack(o.stack);
    if (o.serve) {
      serveChild(stack, o);
      return;
    }
    Process child = null;
    Stack.Served served = null;
    String address;
    int processes = o.processes;
    if (o.connect != null) {
      address = o.connect;
      processes = 2;
    } else if (o.processes == 1) {
      served = stack.serve(o.transport);
      address = served.address();
    } else {
      child = ServerChild.spawn(EchoBench.class,
          List.of("--serve", "--transport", o.transport, "--stack", o.stack));
      address = ServerChild.readAddress(child);
    }
    try (Stack.Connected c = stack.connect(o.transport, address)) {
      Echo.Client echo = new Echo.Client(c.echo().dup());
      try (echo) {
        if (o.warmup > 0) {
          run(echo, o.warmup, o.inFlight);
        }
        Result r = run(echo, o.calls, o.inFlight);
        System.out.printf("echo %s %s processes=%d: %d calls in %.2f s: %.0f calls/s,"
            + " median round trip %.1f us%n", o.stack, o.transport, processes, r.calls(),
            r.seconds(), r.callsPerSecond(), r.medianMicros());
      }
    } finally {
      if (served != null) {
        served.close();
      }
      if (child != null) {
        child.getOutputStream().close(); // the child exits when its stdin closes
        if (!child.waitFor(20, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      }
    }
  }

  static Stack stack(String name) throws ReflectiveOperationException {
    return switch (name) {
      case "raw" -> new RawSocketStack();
      case "vat" -> (Stack) Class.forName("dev.capnp.bench.rpc.VatStack")
          .getDeclaredConstructor().newInstance();
      default -> throw new IllegalArgumentException("--stack must be vat or raw: " + name);
    };
  }

  /** {@code calls} pings with at most {@code inFlight} outstanding; measures each round trip. */
  static Result run(Echo.Client echo, int calls, int inFlight) throws InterruptedException {
    long[] latencies = new long[calls];
    Semaphore window = new Semaphore(inFlight);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long start = System.nanoTime();
    for (int i = 0; i < calls && failure.get() == null; i++) {
      window.acquire();
      int index = i;
      var request = echo.pingRequest();
      request.getParams().setMsg("ping");
      long sent = System.nanoTime();
      request.send().whenComplete((response, error) -> {
        latencies[index] = System.nanoTime() - sent;
        if (error != null) {
          failure.compareAndSet(null, error);
        } else {
          response.close();
        }
        window.release();
      });
    }
    window.acquire(inFlight);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (failure.get() != null) {
      throw new IllegalStateException("ping failed", failure.get());
    }
    Arrays.sort(latencies);
    return new Result(calls, seconds, calls / seconds, latencies[calls / 2] / 1000.0);
  }

  /** The server child: serve, print the address, run until standard input closes. */
  private static void serveChild(Stack stack, Options o) throws Exception {
    try (Stack.Served served = stack.serve(o.transport)) {
      System.out.println("ADDRESS " + served.address());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our stdin
      }
    }
  }
}
