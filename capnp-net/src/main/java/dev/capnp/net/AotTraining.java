package dev.capnp.net;

import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.Text;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A training run for the JVM's start-up caches: a short, self-contained RPC workload that loads,
 * links and profiles the classes and methods a capnp-java process uses on its hot paths, so that
 * a cache made from it lets a fresh process skip most of that work. It runs a server vat and a
 * client vat in this process, over TCP, a Unix socket and TLS on loopback, and makes the kinds of
 * calls applications make: sequential calls from a blocking thread and from the vat's loop, 100
 * calls in flight, pipelined calls on a returned capability, capabilities passed as parameters
 * (a callback the server calls), errors returned, 64 KiB payloads, and the connection's close.
 * Then, over TCP, a client vat calls a plain peer in a child JVM ({@link PlainPeer}: a plain
 * bootstrap, no TLS, each message in its own write, as the C++ reference implementation writes
 * them), 100 calls in flight and one call at a time from the loop: a client of such a peer reads
 * its replies a few at a time, not in the large batches a vat's replies come in, so its per-read
 * and per-write paths (Netty's and the frame decoder's) run once per call or so and are recorded
 * as hot; against a vat they run too rarely to reach the raised thresholds below.
 *
 * <p>On JDK 25 (an ahead-of-time cache, JEP 483/514/515: classes loaded and linked, method
 * profiles), with the application's own class path:
 *
 * <pre>
 * java -XX:AOTCacheOutput=app.aot -cp CLASSPATH dev.capnp.net.AotTraining
 * java -XX:AOTCache=app.aot -cp CLASSPATH your.Main
 * </pre>
 *
 * <p>On JDK 17 to 24 (a class-data-sharing archive: classes loaded and linked only):
 *
 * <pre>
 * java -XX:ArchiveClassesAtExit=app.jsa -cp CLASSPATH dev.capnp.net.AotTraining
 * java -XX:SharedArchiveFile=app.jsa -cp CLASSPATH your.Main
 * </pre>
 *
 * <p>For short-lived processes, which run with the C1 compiler only
 * ({@code -XX:TieredStopAtLevel=1}), on JDK 25: train with the compile thresholds raised
 * ({@code -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=30}), so that the cache records as
 * compiled only the methods every call runs, and start with
 * {@code -XX:TieredStopAtLevel=1 -XX:+UnlockExperimentalVMOptions -XX:+AOTCompileEagerly
 * -XX:AOTCache=app.aot}: the JVM then compiles those methods as their classes are initialised,
 * while the process starts and connects, rather than after its first few hundred calls.
 * {@code bin/capnp-aot-train} runs this recipe (or the CDS one on JDK 17 to 24) and prints the
 * options.
 *
 * <p>The cache is only used with the same JDK and a class path that starts with the training's.
 * Figures are in {@code benchmarks/README.md}, "Cold start". Run with
 * {@code --calls N} for a longer or shorter run (default 20,000 calls per transport), and with
 * {@code --no-plain-peer} to leave out the plain peer (the training before 2026-12-06, for
 * comparisons); it prints one line per transport and exits with status 0, or 1 if a call failed.
 */
public final class AotTraining {
  /** The untyped interface the training server implements (an arbitrary id). */
  static final long INTERFACE_ID = 0xa07c0ffee1234567L;
  /** Echoes its params (any pointer) as its results. */
  static final int ECHO = 0;
  /** Returns a capability to a new echo server (for pipelining). */
  static final int MAKE = 1;
  /** Calls the capability in its params with a text, returns what it answered. */
  static final int CALL_BACK = 2;
  /** Always fails. */
  static final int FAIL = 3;

  /** The argument that makes this process a {@link PlainPeer} for the training's process. */
  static final String PLAIN_PEER_SERVE = "--plain-peer-serve";

  private AotTraining() {}

  /** Serves a {@link PlainPeer}: prints {@code PORT n}, exits when stdin closes. */
  private static void servePlainPeer() throws IOException {
    try (PlainPeer peer = PlainPeer.start()) {
      System.out.println("PORT " + peer.port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // serve until the training closes our stdin
      }
    }
    System.exit(0); // the peer's loop thread is not a daemon
  }

  /**
   * Runs the training workload.
   *
   * @param args {@code [--calls N] [--no-plain-peer]} ({@code --no-plain-peer}: leave out the
   *     calls to the {@link PlainPeer}, as the training did before 2026-12-06; for comparisons)
   * @throws Exception if the workload cannot run (a failed call exits with status 1)
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals(PLAIN_PEER_SERVE)) {
      servePlainPeer();
      return;
    }
    int calls = 20_000;
    boolean plainPeer = true;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--calls") && i + 1 < args.length && args[i + 1].matches("[1-9][0-9]{0,8}")) {
        calls = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--no-plain-peer")) {
        plainPeer = false;
      } else {
        System.err.println("usage: AotTraining [--calls N] [--no-plain-peer] (N: 1 to 999999999;"
            + " got " + String.join(" ", args) + ")");
        System.exit(2);
      }
    }
    int status = 0;
    try {
      train(calls, plainPeer);
    } catch (Exception | AssertionError e) {
      System.err.println("AotTraining: " + e);
      status = 1;
    }
    System.exit(status); // Netty's threads are not daemons
  }

  /**
   * The whole workload: {@code calls} calls over TCP and over a Unix socket, a quarter as many
   * over TLS, each kind of call included, then the calls to a {@link PlainPeer}.
   *
   * @param calls the number of calls in flight per transport (the other kinds are fractions)
   * @throws Exception if a call fails or a vat cannot start
   */
  public static void train(int calls) throws Exception {
    train(calls, true);
  }

  /**
   * The whole workload, with or without the calls to a {@link PlainPeer}.
   *
   * @param calls the number of calls in flight per transport (the other kinds are fractions)
   * @param plainPeer whether to make the calls to a {@link PlainPeer} too
   * @throws Exception if a call fails or a vat cannot start
   */
  public static void train(int calls, boolean plainPeer) throws Exception {
    run("tcp", VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0)).tls(false),
        calls);
    Path dir = Files.createTempDirectory("capnp-aot-training");
    try {
      run("unix", VatConfig.builder()
          .listenAddress(NetAddress.unix(dir.resolve("s.sock").toString())).tls(false), calls);
    } finally {
      Files.deleteIfExists(dir.resolve("s.sock"));
      Files.deleteIfExists(dir);
    }
    run("tls", VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0)),
        Math.max(1, calls / 4));
    if (plainPeer) {
      againstPlainPeer(calls);
    }
  }

  /**
   * A client vat against a {@link PlainPeer} over TCP: {@code calls} calls, 100 in flight, and
   * half as many one at a time, both from the loop (the peer answers each in its own write).
   *
   * @param calls the number of calls in flight (the one-at-a-time calls: half as many)
   * @throws Exception if a call fails or the peer cannot start
   */
  static void againstPlainPeer(int calls) throws Exception {
    long start = System.nanoTime();
    // the peer runs in a JVM of its own: its reading and writing, which no application runs,
    // must not be recorded as hot in this one's cache (they would be compiled in every process)
    Process peer = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        AotTraining.class.getName(), PLAIN_PEER_SERVE)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(
          peer.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null || !line.startsWith("PORT ")) {
        throw new IOException("the plain peer did not start: " + line);
      }
      int port = Integer.parseInt(line.substring(5).trim());
      try (Vat client = Vat.client();
          Capability cap = client.connect(new CapnpUri(AuthDigest.INSECURE,
              NetAddress.tcp("127.0.0.1", port), ServiceId.EMPTY))
              .get(30, TimeUnit.SECONDS)) {
        inFlightFromLoop(cap, client.loop(), calls, 100);
        inFlightFromLoop(cap, client.loop(), Math.max(1, calls / 2), 1);
      }
    } finally {
      peer.getOutputStream().close(); // the peer exits when its stdin closes
      if (!peer.waitFor(10, TimeUnit.SECONDS)) {
        peer.destroy();
      }
    }
    System.out.printf("AotTraining plain peer: %d calls in %d ms%n", calls + calls / 2,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  /** One transport: a server vat and a client vat, every kind of call, then both closed. */
  static void run(String label, VatConfig.Builder serverConfig, int calls) throws Exception {
    long start = System.nanoTime();
    VatConfig config = serverConfig.build();
    ServiceId id = config.derivedId("training");
    try (Vat server = Vat.create(config, null);
        SingleRestorer restorer = new SingleRestorer(id,
            Capability.of(new EchoServer(server.loop()), server.loop()));
        Vat client = Vat.client()) {
      server.setRestorer(restorer);
      try (Capability cap = client.connect(server.sturdyUri(id)).get(30, TimeUnit.SECONDS)) {
        sequentialFromThread(cap, Math.max(1, calls / 10));
        inFlightFromLoop(cap, client.loop(), calls, 100);
        pipelined(cap, Math.max(1, calls / 20));
        callbacks(cap, client.loop(), Math.max(1, calls / 20));
        errors(cap, Math.max(1, calls / 100));
        payloads(cap, Math.max(1, calls / 100));
      }
    }
    System.out.printf("AotTraining %s: %d calls in %d ms%n", label, calls,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  private static void sequentialFromThread(Capability cap, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      var req = cap.newCall(INTERFACE_ID, ECHO);
      req.getParams().setAs(Text.FACTORY, new Text.Reader("ping " + i));
      try (Response<AnyPointer.Reader> r = req.send().get(30, TimeUnit.SECONDS)) {
        check(r.get().getAs(Text.FACTORY).toString().equals("ping " + i), "echo");
      }
    }
  }

  /** {@code lanes} chains of calls, each sent from the previous one's completion on the loop. */
  private static void inFlightFromLoop(Capability cap, EventLoop loop, int n, int lanes)
      throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(() -> {
      int[] left = {n};
      int[] running = {Math.min(lanes, n)};
      Runnable[] lane = new Runnable[1];
      lane[0] = () -> {
        if (left[0] == 0) {
          if (--running[0] == 0) {
            done.complete(null);
          }
          return;
        }
        int i = left[0]--;
        var req = cap.newCall(INTERFACE_ID, ECHO);
        req.getParams().setAs(Text.FACTORY, new Text.Reader("lane " + i));
        java.util.function.BiConsumer<Response<AnyPointer.Reader>, Throwable> completed =
            (r, e) -> {
              if (e != null) {
                done.completeExceptionally(e);
                return;
              }
              try (r) {
                if (!r.get().getAs(Text.FACTORY).toString().equals("lane " + i)) {
                  done.completeExceptionally(new AssertionError("wrong echo"));
                  return;
                }
              }
              lane[0].run();
            };
        if (i % 2 == 0) {
          req.send(completed::accept); // (a listener: no promise)
        } else {
          req.send().whenComplete(completed);
        }
      };
      for (int l = running[0]; l > 0; l--) {
        lane[0].run();
      }
    });
    done.get(120, TimeUnit.SECONDS);
  }

  /** Calls a capability the server has not returned yet (on the promised answer). */
  private static void pipelined(Capability cap, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      var made = cap.newCall(INTERFACE_ID, MAKE).send();
      try (Capability promised = made.getPipelinedCap()) {
        var req = promised.newCall(INTERFACE_ID, ECHO);
        req.getParams().setAs(Text.FACTORY, new Text.Reader("pipelined"));
        try (Response<AnyPointer.Reader> r = req.send().get(30, TimeUnit.SECONDS)) {
          check(r.get().getAs(Text.FACTORY).toString().equals("pipelined"), "pipelined echo");
        }
      }
      made.get(30, TimeUnit.SECONDS).close();
    }
  }

  /** Passes a local capability (served by the client vat) that the server calls back. */
  private static void callbacks(Capability cap, EventLoop clientLoop, int n) throws Exception {
    try (Capability callback = Capability.of(new EchoServer(clientLoop), clientLoop)) {
      for (int i = 0; i < n; i++) {
        var req = cap.newCall(INTERFACE_ID, CALL_BACK);
        callback.writeTo(req.getParams());
        try (Response<AnyPointer.Reader> r = req.send().get(30, TimeUnit.SECONDS)) {
          check(r.get().getAs(Text.FACTORY).toString().equals("called back"), "callback");
        }
      }
    }
  }

  private static void errors(Capability cap, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      try {
        cap.newCall(INTERFACE_ID, FAIL).send().get(30, TimeUnit.SECONDS).close();
        throw new AssertionError("the failing method returned");
      } catch (java.util.concurrent.ExecutionException expected) {
        check(expected.getCause() instanceof RpcException, "an RpcException");
      }
    }
  }

  private static void payloads(Capability cap, int n) throws Exception {
    byte[] blob = new byte[64 * 1024];
    Arrays.fill(blob, (byte) 7);
    for (int i = 0; i < n; i++) {
      var req = cap.newCall(INTERFACE_ID, ECHO);
      req.getParams().setAs(Data.FACTORY, new Data.Reader(blob));
      try (Response<AnyPointer.Reader> r = req.send().get(30, TimeUnit.SECONDS)) {
        check(r.get().getAs(Data.FACTORY).size() == blob.length, "payload");
      }
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("wrong result: " + what);
    }
  }

  /**
   * A peer that writes each message on its own ({@link Serialize#write(java.nio.channels
   * .WritableByteChannel, MessageBuilder)}: one gathering write per message, when it is sent), as
   * the C++ implementation does, rather than a vat's one write per turn: its client then reads
   * replies a few at a time. One connection (the first accepted), plain bootstrap (no TLS, no
   * service id), serving {@link EchoServer} on its own event loop; messages are read on a thread
   * of its own and handled on the loop, whose thread also writes (blocking: the client always
   * reads).
   */
  static final class PlainPeer implements AutoCloseable, MessageTransport {
    private final ServerSocketChannel listener;
    private final EventLoop loop = EventLoop.start("aot-training-peer");
    private final Thread acceptor;
    private volatile SocketChannel channel;
    private volatile RpcConnection connection;
    private final Object writeLock = new Object();
    private boolean closed;

    private PlainPeer() throws IOException {
      listener = ServerSocketChannel.open();
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
      acceptor = new Thread(this::accept, "aot-training-peer-acceptor");
      acceptor.setDaemon(true);
    }

    /** A peer listening on an ephemeral port of 127.0.0.1. */
    static PlainPeer start() throws IOException {
      PlainPeer p = new PlainPeer();
      p.acceptor.start();
      return p;
    }

    int port() throws IOException {
      return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    private void accept() {
      try {
        channel = listener.accept();
        channel.socket().setTcpNoDelay(true);
        connection = RpcConnection.create(loop, this,
            Capability.of(new EchoServer(loop), loop), "aot-training-peer");
      } catch (IOException e) {
        if (!isClosed()) {
          System.err.println("AotTraining: the plain peer failed: " + e);
        }
      }
    }

    private synchronized boolean isClosed() {
      return closed;
    }

    @Override
    public void start(Receiver receiver) {
      // (called once, by the connection, from accept())
      Thread reader = new Thread(() -> read(receiver), "aot-training-peer-reader");
      reader.setDaemon(true);
      reader.start();
    }

    private void read(Receiver receiver) {
      try {
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 65536);
        MessageReader m;
        while ((m = Serialize.tryRead(in, ReaderOptions.DEFAULT)) != null) {
          receiver.onMessage(m);
        }
        receiver.onClosed(null);
      } catch (IOException | RuntimeException e) {
        receiver.onClosed(isClosed() ? null : e);
      }
    }

    @Override
    public void send(MessageBuilder message) {
      synchronized (writeLock) {
        try {
          Serialize.write(channel, message);
        } catch (IOException e) {
          close(); // the reader reports the end
        }
      }
    }

    /** Closes the connection, the socket and the loop (the connection's end calls it again). */
    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      RpcConnection c = connection;
      if (c != null) {
        c.close();
      }
      try {
        listener.close();
        SocketChannel ch = channel;
        if (ch != null) {
          ch.close();
        }
      } catch (IOException ignored) {
        // closing anyway
      }
      loop.close();
    }
  }

  /** The training service: echo, make, call back, fail (untyped, on its vat's loop). */
  static final class EchoServer extends Server {
    private final EventLoop loop;

    EchoServer(EventLoop loop) {
      this.loop = loop;
    }

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
      if (interfaceId != INTERFACE_ID) {
        return unknownInterface(interfaceId);
      }
      switch (methodId) {
        case ECHO:
          context.getResults().set(context.getParams());
          return done();
        case MAKE:
          try (Capability made = Capability.of(new EchoServer(loop), loop)) {
            made.writeTo(context.getResults());
          }
          return done();
        case CALL_BACK: {
          Capability target = Capability.fromPointer(context.getParams());
          var req = target.newCall(INTERFACE_ID, ECHO);
          req.getParams().setAs(Text.FACTORY, new Text.Reader("called back"));
          return req.send().thenAccept(r -> {
            try (r; target) {
              context.getResults().setAs(Text.FACTORY, r.get().getAs(Text.FACTORY));
            }
          });
        }
        case FAIL:
          return CompletableFuture.failedFuture(RpcException.failed("training: expected failure"));
        default:
          return unknownMethod(interfaceId, methodId);
      }
    }
  }
}
