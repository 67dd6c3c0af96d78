package dev.capnp.bench.rpc;

import dev.capnp.bench.rpc.ScaleBenchApi.Maker;
import dev.capnp.bench.rpc.ScaleBenchApi.Thing;
import dev.capnp.net.AuthDigest;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.ListList;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * How an RPC connection scales (issue 12): many capabilities exported on one connection, and
 * many idle connections on one server. The server runs in a child JVM (same JVM options) so its
 * memory is measured alone.
 *
 * <pre>
 * java -cp benchmarks.jar dev.capnp.bench.rpc.ScaleBench exports [--count 1000000]
 *     [--batch 1000] [--transport unix|tcp]
 * java -cp benchmarks.jar dev.capnp.bench.rpc.ScaleBench idle [--connections 10000]
 * </pre>
 *
 * <ul>
 *   <li>{@code exports}: the server prepares {@code count} capabilities (held by it, not yet
 *       exported), reports its heap after a full collection, then hands them all to one client
 *       connection in batches ({@code take}), and reports its heap again: the difference per
 *       capability is the heap one export costs the exporting vat (its export-table entry and
 *       what the connection keeps for it). The client's heap per import is measured the same
 *       way. Both vats run with their default {@link dev.capnp.rpc.ConnectionLimits}; afterwards
 *       a sample of the capabilities is called to check they all still work.
 *   <li>{@code idle}: the client opens {@code connections} TCP connections to the server vat,
 *       each sending one {@code Bootstrap} and reading its {@code Return}, then leaves them
 *       idle; the server reports its heap and resident set before and after: the difference per
 *       connection is what an idle connection costs a server.
 * </ul>
 */
public final class ScaleBench {
  private ScaleBench() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException(
          "usage: ScaleBench exports|idle [--count N] [--batch N] [--connections N]"
          + " [--transport unix|tcp]");
    }
    String mode = args[0];
    int count = 1_000_000;
    int batch = 1000;
    int connections = 10_000;
    String transport = "unix";
    boolean serve = false;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--count" -> count = Integer.parseInt(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--transport" -> transport = args[++i];
        case "--serve" -> serve = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (mode.equals("idle")) {
      transport = "tcp";
      if (connections < 2) {
        throw new IllegalArgumentException("--connections must be at least 2, not " + connections);
      }
    }
    if (serve) {
      serve(transport);
      return;
    }
    Process child = ServerChild.spawn(ScaleBench.class,
        List.of("serve", "--serve", "--transport", transport));
    try {
      String address = ServerChild.readAddress(child);
      switch (mode) {
        case "exports" -> exports(address, count, batch);
        case "idle" -> idle(address, connections);
        default -> throw new IllegalArgumentException("mode must be exports or idle: " + mode);
      }
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
  }

  // ------------------------------------------------------------------------------ the server

  /** The server's factory of capabilities. */
  static final class FactoryServer extends Maker.Server {
    private final List<Thing.Client> prepared = new ArrayList<>();

    @Override
    protected CompletionStage<Void> prepare(
        CallContext<Maker.PrepareParams.Reader, Maker.PrepareResults.Builder> context) {
      int n = context.getParams().getCount();
      prepared.forEach(Thing.Client::close);
      prepared.clear();
      for (int i = 0; i < n; i++) {
        prepared.add(new Thing.Client(Capability.of(new ThingServer(i))));
      }
      return done();
    }

    @Override
    protected CompletionStage<Void> take(
        CallContext<Maker.TakeParams.Reader, Maker.TakeResults.Builder> context) {
      int from = context.getParams().getFrom();
      int n = context.getParams().getCount();
      ListList.Builder<Thing.Client, Thing.Client> things = context.getResults().initThings(n);
      for (int i = 0; i < n; i++) {
        things.set(i, prepared.get(from + i));
      }
      return done();
    }

    @Override
    protected CompletionStage<Void> heap(
        CallContext<Maker.HeapParams.Reader, Maker.HeapResults.Builder> context) {
      context.getResults().setUsedBytes(usedHeapAfterGc());
      context.getResults().setRssBytes(rssBytes());
      return done();
    }
  }

  /** One of the many capabilities. */
  static final class ThingServer extends Thing.Server {
    private final int id;

    ThingServer(int id) {
      this.id = id;
    }

    @Override
    protected CompletionStage<Void> id(
        CallContext<Thing.IdParams.Reader, Thing.IdResults.Builder> context) {
      context.getResults().setId(id);
      return done();
    }
  }

  private static void serve(String transport) throws Exception {
    // room for the idle run's connections plus the control connection
    VatConfig.Builder config = VatConfig.builder().tls(false).maxConnections(1_000_000);
    Path dir = null;
    if (transport.equals("unix")) {
      dir = Files.createTempDirectory("scale-bench");
      config.listenAddress(NetAddress.unix(dir.resolve("scale.sock").toString()));
    } else {
      config.listenAddress(NetAddress.tcp("127.0.0.1", 0));
    }
    try (Vat vat = Vat.create(config.build(), null)) {
      Capability factory = Capability.of(new FactoryServer(), vat.loop());
      SingleRestorer restorer = new SingleRestorer(ServiceId.EMPTY, factory);
      vat.setRestorer(restorer);
      NetAddress bound = vat.boundAddress();
      System.out.println("ADDRESS " + bound);
      System.out.flush();
      while (System.in.read() >= 0) {
        // serve until the parent closes our stdin
      }
      restorer.close();
    } finally {
      if (dir != null) {
        Files.deleteIfExists(dir.resolve("scale.sock"));
        Files.deleteIfExists(dir);
      }
    }
  }

  // ------------------------------------------------------------------------------ exports

  private static void exports(String address, int count, int batch) throws Exception {
    try (Vat vat = Vat.client()) {
      Maker.Client factory = new Maker.Client(vat.connect(uri(address)).get());
      var prep = factory.prepareRequest();
      prep.getParams().setCount(count);
      prep.send().toCompletableFuture().get().close();
      long serverBefore = serverHeap(factory)[0];
      long clientBefore = usedHeapAfterGc();
      List<Thing.Client> held = new ArrayList<>(count);
      long start = System.nanoTime();
      int inFlight = 8;
      List<CompletableFuture<List<Thing.Client>>> window = new ArrayList<>();
      for (int from = 0; from < count || !window.isEmpty(); ) {
        while (from < count && window.size() < inFlight) {
          int n = Math.min(batch, count - from);
          var take = factory.takeRequest();
          take.getParams().setFrom(from);
          take.getParams().setCount(n);
          window.add(take.send().toCompletableFuture().thenApply(r -> {
            try (r) {
              List<Thing.Client> got = new ArrayList<>(n);
              for (Thing.Client t : r.get().getThings()) {
                got.add(t); // each element read is a handle of its own
              }
              return got;
            }
          }));
          from += n;
        }
        held.addAll(window.remove(0).get());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long[] server = serverHeap(factory);
      long clientAfter = usedHeapAfterGc();
      int wrong = 0;
      int step = Math.max(1, count / 1000);
      for (int i = 0; i < count; i += step) {
        wrong += checkId(held.get(i), i);
      }
      wrong += checkId(held.get(count - 1), count - 1);
      System.out.printf("exports: %d capabilities on one connection in %.1f s (%.0f/s);"
          + " server heap per export %.1f B (%d -> %d), client heap per import %.1f B;"
          + " %d sampled calls wrong%n", count, seconds, count / seconds,
          (server[0] - serverBefore) / (double) count, serverBefore, server[0],
          (clientAfter - clientBefore) / (double) count, wrong);
      held.forEach(Thing.Client::close);
      factory.close();
      if (wrong > 0) {
        throw new IllegalStateException(wrong + " sampled capabilities answered wrongly");
      }
    }
  }

  private static int checkId(Thing.Client t, int expected) throws Exception {
    try (var r = t.idRequest().send().toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      return r.get().getId() == expected ? 0 : 1;
    }
  }

  private static long[] serverHeap(Maker.Client factory) throws Exception {
    try (var r = factory.heapRequest().send().toCompletableFuture().get()) {
      return new long[] {r.get().getUsedBytes(), r.get().getRssBytes()};
    }
  }

  // ------------------------------------------------------------------------------ idle

  private static void idle(String address, int connections) throws Exception {
    long[] before;
    try (Vat vat = Vat.client()) {
      Maker.Client factory = new Maker.Client(vat.connect(uri(address)).get());
      before = serverHeap(factory);
      String[] hp = address.substring("tcp:".length()).split(":");
      InetSocketAddress at = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
      List<SocketChannel> open = new ArrayList<>(connections);
      ByteBuffer bootstrap = bootstrapFrame();
      ByteBuffer in = ByteBuffer.allocate(4096);
      long start = System.nanoTime();
      try {
        int half = connections / 2;
        long[] mid = null;
        for (int i = 0; i < connections; i++) {
          if (i == half) {
            mid = serverHeap(factory);
          }
          SocketChannel s = SocketChannel.open(at);
          open.add(s);
          s.write(bootstrap.duplicate());
          in.clear();
          if (s.read(in) <= 0) { // the Return of the bootstrap
            throw new IllegalStateException("connection " + i + " got no answer");
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] after = serverHeap(factory);
        // the second half's RSS: the process's start-up state (which moves the first figure by
        // megabytes between runs) is behind it
        System.out.printf("idle: %d connections opened in %.1f s; server per connection:"
            + " heap %.0f B, RSS %.0f B (RSS %d -> %d KiB); second half alone: heap %.0f B,"
            + " RSS %.0f B%n", connections, seconds,
            (after[0] - before[0]) / (double) connections,
            (after[1] - before[1]) / (double) connections, before[1] >> 10, after[1] >> 10,
            (after[0] - mid[0]) / (double) (connections - half),
            (after[1] - mid[1]) / (double) (connections - half));
      } finally {
        for (SocketChannel s : open) {
          s.close();
        }
      }
      factory.close();
    }
  }

  /** One framed {@code Bootstrap} message (question 0, the empty service ID). */
  private static ByteBuffer bootstrapFrame() throws Exception {
    MessageBuilder mb = new MessageBuilder();
    mb.initRoot(Rpc.Message.FACTORY).initBootstrap().setQuestionId(0);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    Serialize.write(java.nio.channels.Channels.newChannel(out), mb);
    return ByteBuffer.wrap(out.toByteArray()).asReadOnlyBuffer();
  }

  // ------------------------------------------------------------------------------ helpers

  private static CapnpUri uri(String address) {
    return new CapnpUri(AuthDigest.INSECURE, NetAddress.parse(address), ServiceId.EMPTY);
  }

  static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) { // until it settles (finalizers, cleaners, references)
      System.gc();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  static long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (java.io.IOException e) {
      // not Linux: no figure
    }
    return 0;
  }
}
