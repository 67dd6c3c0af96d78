package dev.capnp.bench.rpc;

import dev.capnp.bench.rpc.EchoBenchApi.Echo;
import dev.capnp.net.AuthDigest;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.transport.InMemoryTransport;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Bytes allocated per RPC call on the warm path (issue 12: "zero allocation in the protocol
 * core for a call whose params/results fit the first segment"), measured with
 * {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes}: machine-independent, unlike
 * times. The call is {@code Echo.ping("ping")}, answered by a service that copies the text into
 * its results (no {@code String}), one call at a time, each next call sent from the previous
 * one's completion on the client's loop.
 *
 * <pre>
 * java -cp benchmarks.jar dev.capnp.bench.rpc.AllocBench [--mode core|memory|vat|both|all]
 *     [--warmup 20000] [--calls 20000] [--rounds 3]
 * </pre>
 *
 * <ul>
 *   <li>{@code core}: the protocol core alone, as the callee of a steady Call / Return / Finish
 *       cycle: one {@link RpcConnection} on a loop driven by the calling thread, fed by a raw
 *       peer (a {@link dev.capnp.rpc.transport.MessageTransport} of this class) that sends the
 *       same prebuilt Call and Finish readers again and again and drops each Return unread,
 *       and a bootstrap capability that is a bare hook answering without the API layer
 *       ({@link CoreEcho}). The bytes the hook allocates for itself (reading the params,
 *       writing the results, the future and {@code CallResult} the hook contract asks for) are
 *       measured inside the hook and subtracted; what is left is the core, its delivery glue
 *       and the connection's receive path. Not counted: decoding a frame into a
 *       {@code MessageReader} (the transport's work; the raw peer reuses its readers) and
 *       writing a Return out (the transport's).
 *       The same mode then measures the core as the <em>caller</em> ({@code side=caller}):
 *       one {@link RpcConnection} whose raw peer answers its bootstrap with one capability, then
 *       answers each Call at once with the same prebuilt Return (question 0, a 4-byte reply);
 *       the caller is the bootstrap capability's bare hook ({@code ClientHook.call}, no API
 *       layer), reading each call's results from its promise, then releasing them and the
 *       pipeline (the core then sends the Finish, which the raw peer copies out). What the
 *       caller allocates for its own params ({@code CallParams.outgoing}: the Call message it
 *       fills) and for reading the results is measured and subtracted
 *       ({@code side=caller-params-own}).
 *   <li>{@code memory}: the protocol core and the capability layer alone: two
 *       {@link RpcConnection}s over an {@link InMemoryTransport} pair on one manual
 *       {@link EventLoop} (the calling thread). Everything, client and server, runs on that one
 *       thread, so its allocated bytes are the whole cost of a call (both ends), the harness's
 *       own completion callback included.
 *   <li>{@code vat}: a client {@link Vat} and a server {@link Vat} in this JVM over TCP loopback
 *       (Netty, TLS off); bytes per call of the client vat's loop thread, of the server vat's
 *       loop thread and of every thread of the JVM together.
 * </ul>
 * Each round prints {@code ALLOC mode=... side=... bytes_per_call=...}; the figures of the last
 * round are the result (earlier rounds let the JIT finish). Run it again with
 * {@code -XX:-DoEscapeAnalysis} to see what escape analysis removes.
 */
public final class AllocBench {
  private AllocBench() {}

  /** The service: replies with the text it was sent (copied, no {@code String} made). */
  static final class CopyingEcho extends Echo.Server {
    @Override
    protected CompletionStage<Void> ping(
        CallContext<Echo.PingParams.Reader, Echo.PingResults.Builder> context) {
      context.getResults().setReply(context.getParams().getMsg());
      return done();
    }

    @Override
    protected CompletionStage<Void> echoData(
        CallContext<Echo.EchoDataParams.Reader, Echo.EchoDataResults.Builder> context) {
      context.getResults().setData(context.getParams().getData());
      return done();
    }
  }

  /** One measured figure. */
  record Figure(String mode, String side, double bytesPerCall) {
    String line() {
      return String.format(Locale.ROOT, "ALLOC mode=%s side=%s bytes_per_call=%.2f", mode, side,
          bytesPerCall);
    }
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /**
   * Runs the benchmark.
   *
   * @param args see the class comment
   * @throws Exception if a call fails
   */
  public static void main(String[] args) throws Exception {
    String mode = "both";
    int warmup = 20_000;
    int calls = 20_000;
    int rounds = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mode" -> mode = args[++i];
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--calls" -> calls = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("usage: AllocBench [--mode core|memory|vat|both|all]"
            + " [--warmup N] [--calls N] [--rounds N]");
      }
    }
    for (Figure f : run(mode, warmup, calls, rounds)) {
      System.out.println(f.line());
    }
  }

  /**
   * Runs {@code rounds} rounds of {@code calls} calls after {@code warmup} calls in the given
   * mode ({@code memory}, {@code vat} or {@code both}), printing each round, and returns the
   * figures of the last round.
   */
  static List<Figure> run(String mode, int warmup, int calls, int rounds) throws Exception {
    if (!THREADS.isThreadAllocatedMemorySupported()) {
      throw new IllegalStateException("this JVM does not measure allocated bytes per thread");
    }
    THREADS.setThreadAllocatedMemoryEnabled(true);
    List<Figure> last = new ArrayList<>();
    if (mode.equals("core") || mode.equals("all")) {
      last.addAll(core(warmup, calls, rounds));
      last.addAll(coreCaller(warmup, calls, rounds));
    }
    if (mode.equals("memory") || mode.equals("both") || mode.equals("all")) {
      last.addAll(inMemory(warmup, calls, rounds));
    }
    if (mode.equals("vat") || mode.equals("both") || mode.equals("all")) {
      last.addAll(overVats(warmup, calls, rounds));
    }
    return last;
  }

  // ======================================================================= core alone

  /**
   * An executor that queues tasks for the calling thread to run ({@link #runAll}): with it the
   * connection's loop lives on the benchmark's thread, and a message handed to the connection
   * outside any task is handled at once ({@code EventLoop.tryRunNow}), as Netty's I/O does.
   */
  private static final class ThreadExecutor implements java.util.concurrent.Executor {
    private final java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      synchronized (tasks) {
        tasks.add(task);
      }
    }

    int runAll() {
      int n = 0;
      while (true) {
        Runnable r;
        synchronized (tasks) {
          r = tasks.poll();
        }
        if (r == null) {
          return n;
        }
        r.run();
        n++;
      }
    }
  }

  /** A pipeline for {@link CoreEcho}'s calls (no capability in the results; shared). */
  private static final dev.capnp.rpc.internal.PipelineHook NO_PIPELINE =
      new dev.capnp.rpc.internal.PipelineHook() {
        @Override
        public dev.capnp.rpc.internal.ClientHook getPipelinedCap(short[] ops) {
          throw new UnsupportedOperationException("no capabilities in these results");
        }
      };

  /**
   * The callee of the {@code core} mode: a bare hook, no API layer. It builds the results in
   * the Return the core allocates ({@code resultsAllocator}), copying the params' text, and
   * counts the bytes it allocates itself ({@link #ownBytes}) so that they can be subtracted.
   */
  static final class CoreEcho extends dev.capnp.rpc.internal.ClientHook {
    long ownBytes;

    CoreEcho(EventLoop loop) {
      super(loop);
    }

    @Override
    public dev.capnp.rpc.internal.CallResult call(dev.capnp.rpc.internal.CallParams params) {
      // the core's: the Return message the results are built in
      dev.capnp.rpc.internal.ResultsAllocator.ResultsBuilder rb =
          params.resultsAllocator.allocate();
      long t0 = THREADS.getCurrentThreadAllocatedBytes();
      Echo.PingParams.Reader in = params.contentAs(Echo.PingParams.FACTORY);
      rb.content.initAs(Echo.PingResults.FACTORY).setReply(in.getMsg());
      dev.capnp.rpc.internal.CallResult r = dev.capnp.rpc.internal.CallResult.of(
          CompletableFuture.completedFuture(rb.toResults()), NO_PIPELINE);
      ownBytes += THREADS.getCurrentThreadAllocatedBytes() - t0;
      params.release();
      return r;
    }

    @Override
    public String describe() {
      return "core-echo";
    }
  }

  /**
   * The raw peer of the {@code core} mode: what the connection sends is kept (the last
   * message) and counted; what it receives is handed to it by {@link #deliver}.
   */
  private static final class RawPeer implements dev.capnp.rpc.transport.MessageTransport {
    Receiver connection;
    dev.capnp.runtime.MessageBuilder last;
    long sent;

    /** The frame of the last Return sent through {@link #sendReplyReusable}, copied. */
    java.nio.ByteBuffer copy = java.nio.ByteBuffer.allocate(1 << 16);
    boolean lastCopied;

    @Override
    public void send(dev.capnp.runtime.MessageBuilder message) {
      last = message;
      lastCopied = false;
      sent++;
    }

    /**
     * Like {@code FrameEncoder} on the channel's loop: copies the frame into a buffer (reused,
     * no allocation) during the call, so the core may reuse the message.
     */
    @Override
    public boolean sendReplyReusable(dev.capnp.runtime.MessageBuilder message) {
      copy.clear();
      dev.capnp.runtime.Serialize.write(message, copy);
      copy.flip();
      last = null;
      lastCopied = true;
      sent++;
      return true;
    }

    /** Like {@link #sendReplyReusable}: a Finish (the caller side) copied out during the call. */
    @Override
    public boolean sendReusable(dev.capnp.runtime.MessageBuilder message) {
      return sendReplyReusable(message);
    }

    @Override
    public void start(Receiver receiver) {
      connection = receiver;
    }

    @Override
    public void close() {}

    void deliver(dev.capnp.runtime.MessageReader m) {
      connection.onMessage(m);
    }

    dev.capnp.rpc.proto.Rpc.Message.Reader lastRead() {
      dev.capnp.runtime.MessageReader r = lastCopied
          ? dev.capnp.runtime.Serialize.read(copy.duplicate()) : last.asReader();
      return r.getRoot(dev.capnp.rpc.proto.Rpc.Message.FACTORY);
    }
  }

  private static dev.capnp.runtime.MessageReader build(
      java.util.function.Consumer<dev.capnp.rpc.proto.Rpc.Message.Builder> body) {
    dev.capnp.runtime.MessageBuilder mb = new dev.capnp.runtime.MessageBuilder(64);
    body.accept(mb.initRoot(dev.capnp.rpc.proto.Rpc.Message.FACTORY));
    return mb.asReader(); // (no traversal limit: read again and again)
  }

  private static List<Figure> core(int warmup, int calls, int rounds) {
    ThreadExecutor exec = new ThreadExecutor();
    EventLoop loop = EventLoop.onExecutor("alloc-core", exec, Thread.currentThread());
    RawPeer peer = new RawPeer();
    CoreEcho echo = new CoreEcho(loop);
    Capability boot = dev.capnp.rpc.internal.ApiAccess.get().wrapHook(echo);
    RpcConnection conn = RpcConnection.create(loop, peer, boot, "alloc-core");
    try {
      exec.runAll();
      peer.deliver(build(m -> m.initBootstrap().setQuestionId(0)));
      exec.runAll();
      var ret = peer.lastRead().getReturn();
      if (ret.getAnswerId() != 0 || !ret.isResults()
          || ret.getResults().getCapTable().size() != 1) {
        throw new IllegalStateException("unexpected bootstrap answer: " + peer.lastRead());
      }
      int exportId = ret.getResults().getCapTable().get(0).getSenderHosted();
      final int q = 1;
      dev.capnp.runtime.MessageReader call = build(m -> {
        var c = m.initCall();
        c.setQuestionId(q);
        c.initTarget().setImportedCap(exportId);
        c.setInterfaceId(Echo.TYPE_ID);
        c.setMethodId((short) 0);
        c.initParams().getContent().initAs(Echo.PingParams.FACTORY).setMsg("ping");
      });
      dev.capnp.runtime.MessageReader finish = build(m -> {
        var f = m.initFinish();
        f.setQuestionId(q);
        f.setReleaseResultCaps(true);
      });
      // warm-up, checking every Return
      for (int i = 0; i < warmup; i++) {
        cycle(peer, exec, call, finish);
        checkReturn(peer, q);
      }
      List<Figure> figures = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        long sentBefore = peer.sent;
        long ownBefore = echo.ownBytes;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < calls; i++) {
          cycle(peer, exec, call, finish);
        }
        long after = THREADS.getCurrentThreadAllocatedBytes();
        checkReturn(peer, q);
        if (peer.sent - sentBefore != calls) {
          throw new IllegalStateException("expected " + calls + " Returns, the core sent "
              + (peer.sent - sentBefore) + " messages");
        }
        long own = echo.ownBytes - ownBefore;
        figures.clear();
        figures.add(new Figure("core", "callee", (double) (after - before - own) / calls));
        figures.add(new Figure("core", "callee-hook-own", (double) own / calls));
        for (Figure f : figures) {
          System.out.println(f.line() + " round=" + (r + 1));
        }
      }
      return figures;
    } finally {
      conn.close();
      exec.runAll();
      loop.close();
    }
  }

  /**
   * The caller side of the {@code core} mode (see the class comment): plain calls on the
   * bootstrap capability's hook through one connection, each answered at once by the raw peer.
   */
  private static List<Figure> coreCaller(int warmup, int calls, int rounds) {
    ThreadExecutor exec = new ThreadExecutor();
    EventLoop loop = EventLoop.onExecutor("alloc-core-caller", exec, Thread.currentThread());
    RawPeer peer = new RawPeer();
    RpcConnection conn = RpcConnection.create(loop, peer, null, "alloc-core-caller");
    try {
      exec.runAll();
      dev.capnp.rpc.internal.ClientHook boot =
          dev.capnp.rpc.internal.ApiAccess.get().takeHook(conn.bootstrap());
      exec.runAll();
      var bs = peer.lastRead();
      if (!bs.isBootstrap() || bs.getBootstrap().getQuestionId() != 0) {
        throw new IllegalStateException("expected the Bootstrap, got " + bs);
      }
      dev.capnp.runtime.MessageBuilder bootReturn = new dev.capnp.runtime.MessageBuilder(64);
      bootReturn.setCapTable(new dev.capnp.runtime.CapTableBuilder() {
        @Override
        public Object extractCap(int index) {
          return null;
        }

        @Override
        public int injectCap(Object cap) {
          return 0; // (the one entry of the Return's cap table below)
        }

        @Override
        public void dropCap(int index) {}
      });
      var br = bootReturn.initRoot(dev.capnp.rpc.proto.Rpc.Message.FACTORY).initReturn();
      br.setAnswerId(0);
      var bp = br.initResults();
      bp.getContent().setCapability("import 7");
      bp.initCapTable(1).get(0).setSenderHosted(7);
      peer.deliver(bootReturn.asReader());
      exec.runAll();
      dev.capnp.rpc.internal.ClientHook target = dev.capnp.rpc.internal.ClientHook.shorten(boot);
      final int q = 0; // (the bootstrap question is finished: its id is free again)
      dev.capnp.runtime.MessageReader ret = build(m -> {
        var r = m.initReturn();
        r.setAnswerId(q);
        r.setReleaseParamCaps(false);
        r.initResults().getContent().initAs(Echo.PingResults.FACTORY).setReply("pong");
      });
      long[] own = new long[1];
      for (int i = 0; i < warmup; i++) {
        callOnce(target, peer, exec, ret, own, true);
      }
      List<Figure> figures = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        long sentBefore = peer.sent;
        long ownBefore = own[0];
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < calls; i++) {
          callOnce(target, peer, exec, ret, own, false);
        }
        long after = THREADS.getCurrentThreadAllocatedBytes();
        callOnce(target, peer, exec, ret, own, true);
        // a Call and a Finish per call
        if (peer.sent - sentBefore != 2L * (calls + 1)) {
          throw new IllegalStateException("expected " + 2 * (calls + 1)
              + " Calls and Finishes, the core sent " + (peer.sent - sentBefore));
        }
        long ownBytes = own[0] - ownBefore;
        // the same calls asked for their results alone (ClientHook.callForResults)
        ListeningCaller lc = new ListeningCaller();
        for (int i = 0; i < warmup / 4; i++) {
          lc.callOnce(target, peer, exec, ret, true);
        }
        long lSent = peer.sent;
        long lOwn = lc.own;
        long lBefore = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < calls; i++) {
          lc.callOnce(target, peer, exec, ret, false);
        }
        long lAfter = THREADS.getCurrentThreadAllocatedBytes();
        lc.callOnce(target, peer, exec, ret, true);
        if (peer.sent - lSent != 2L * (calls + 1)) {
          throw new IllegalStateException("expected " + 2 * (calls + 1)
              + " Calls and Finishes, the core sent " + (peer.sent - lSent));
        }
        long lOwnBytes = lc.own - lOwn;
        figures.clear();
        figures.add(new Figure("core", "caller", (double) (after - before - ownBytes) / calls));
        figures.add(new Figure("core", "caller-params-own", (double) ownBytes / calls));
        figures.add(new Figure("core", "caller-for-results",
            (double) (lAfter - lBefore - lOwnBytes) / calls));
        figures.add(new Figure("core", "caller-for-results-params-own",
            (double) lOwnBytes / calls));
        for (Figure f : figures) {
          System.out.println(f.line() + " round=" + (r + 1));
        }
      }
      boot.release();
      return figures;
    } finally {
      conn.close();
      exec.runAll();
      loop.close();
    }
  }

  /**
   * One call of the caller side: params built (their bytes counted in {@code own[0]}), the call
   * sent, the Return delivered, the results read and released with the pipeline; with
   * {@code check}, the Call and the Finish sent are checked.
   */
  private static void callOnce(dev.capnp.rpc.internal.ClientHook target, RawPeer peer,
      ThreadExecutor exec, dev.capnp.runtime.MessageReader ret, long[] own, boolean check) {
    long t0 = THREADS.getCurrentThreadAllocatedBytes();
    dev.capnp.rpc.internal.CallParams params =
        dev.capnp.rpc.internal.CallParams.outgoing(Echo.TYPE_ID, (short) 0);
    params.builder().initAs(Echo.PingParams.FACTORY).setMsg("ping");
    own[0] += THREADS.getCurrentThreadAllocatedBytes() - t0;
    dev.capnp.rpc.internal.CallResult cr = target.call(params);
    exec.runAll();
    if (check) {
      var m = peer.lastRead();
      if (!m.isCall() || m.getCall().getQuestionId() != 0
          || !m.getCall().getTarget().isImportedCap()
          || m.getCall().getTarget().getImportedCap() != 7) {
        throw new IllegalStateException("unexpected Call: " + m);
      }
    }
    peer.deliver(ret);
    exec.runAll();
    if (!cr.promise().isDone()) {
      throw new IllegalStateException("the Return did not complete the call");
    }
    dev.capnp.rpc.internal.Results res = cr.promise().join();
    long t1 = THREADS.getCurrentThreadAllocatedBytes();
    boolean ok = res.contentAs(Echo.PingResults.FACTORY).getReply().size() == 4;
    own[0] += THREADS.getCurrentThreadAllocatedBytes() - t1; // (the caller's reading)
    if (!ok) {
      throw new IllegalStateException("unexpected results");
    }
    res.release();
    cr.pipeline().release();
    exec.runAll();
    if (check) {
      var m = peer.lastRead();
      if (!m.isFinish() || m.getFinish().getQuestionId() != 0) {
        throw new IllegalStateException("expected the Finish of question 0, got " + m);
      }
    }
  }

  /**
   * The caller side asking for the results alone ({@code ClientHook.callForResults}): the same
   * params and Return as {@link #callOnce}, the results read in the listener (their bytes
   * counted as the caller's own, like the params').
   */
  private static final class ListeningCaller
      implements java.util.function.BiConsumer<dev.capnp.rpc.internal.Results, Throwable> {
    long own;
    int answered;
    boolean ok;

    @Override
    public void accept(dev.capnp.rpc.internal.Results res, Throwable e) {
      long t1 = THREADS.getCurrentThreadAllocatedBytes();
      ok = e == null && res.contentAs(Echo.PingResults.FACTORY).getReply().size() == 4;
      own += THREADS.getCurrentThreadAllocatedBytes() - t1;
      answered++;
    }

    void callOnce(dev.capnp.rpc.internal.ClientHook target, RawPeer peer, ThreadExecutor exec,
        dev.capnp.runtime.MessageReader ret, boolean check) {
      long t0 = THREADS.getCurrentThreadAllocatedBytes();
      dev.capnp.rpc.internal.CallParams params =
          dev.capnp.rpc.internal.CallParams.outgoing(Echo.TYPE_ID, (short) 0);
      params.builder().initAs(Echo.PingParams.FACTORY).setMsg("ping");
      own += THREADS.getCurrentThreadAllocatedBytes() - t0;
      int before = answered;
      ok = false;
      target.callForResults(params, this);
      exec.runAll();
      if (check) {
        var m = peer.lastRead();
        if (!m.isCall() || m.getCall().getQuestionId() != 0) {
          throw new IllegalStateException("unexpected Call: " + m);
        }
      }
      peer.deliver(ret);
      exec.runAll();
      if (answered != before + 1 || !ok) {
        throw new IllegalStateException("the Return did not reach the listener with the results");
      }
      if (check) {
        var m = peer.lastRead();
        if (!m.isFinish() || m.getFinish().getQuestionId() != 0) {
          throw new IllegalStateException("expected the Finish of question 0, got " + m);
        }
      }
    }
  }

  private static void cycle(RawPeer peer, ThreadExecutor exec,
      dev.capnp.runtime.MessageReader call, dev.capnp.runtime.MessageReader finish) {
    peer.deliver(call);
    exec.runAll();
    peer.deliver(finish);
    exec.runAll();
  }

  private static void checkReturn(RawPeer peer, int q) {
    var m = peer.lastRead();
    if (!m.isReturn() || m.getReturn().getAnswerId() != q || !m.getReturn().isResults()
        || m.getReturn().getResults().getContent().getAs(Echo.PingResults.FACTORY).getReply()
            .size() != 4) {
      throw new IllegalStateException("unexpected answer: " + m);
    }
  }

  // ================================================================== in-memory transport

  private static List<Figure> inMemory(int warmup, int calls, int rounds) {
    EventLoop loop = EventLoop.manual();
    InMemoryTransport[] pair = InMemoryTransport.pair(false);
    RpcConnection client = RpcConnection.create(loop, pair[0], null, "alloc-client");
    RpcConnection server =
        RpcConnection.create(loop, pair[1], Capability.of(new CopyingEcho()), "alloc-server");
    Echo.Client echo = new Echo.Client(client.bootstrap());
    try {
      Chain chain = new Chain(echo);
      chain.start(warmup);
      drain(loop, chain);
      List<Figure> figures = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        figures.clear();
        for (boolean listening : new boolean[] {false, true}) {
          chain.listening = listening;
          if (r == 0 && listening) {
            chain.start(warmup);
            drain(loop, chain);
          }
          long before = THREADS.getCurrentThreadAllocatedBytes();
          chain.start(calls);
          drain(loop, chain);
          long after = THREADS.getCurrentThreadAllocatedBytes();
          Figure f = new Figure("memory", listening ? "both-listener" : "both",
              (double) (after - before) / calls);
          figures.add(f);
          System.out.println(f.line() + " round=" + (r + 1));
        }
      }
      return figures;
    } finally {
      echo.close();
      client.close();
      server.close();
      loop.runPending();
      loop.close();
    }
  }

  private static void drain(EventLoop loop, Chain chain) {
    while (!chain.done.isDone()) {
      if (loop.runPending() == 0 && !chain.done.isDone()) {
        throw new IllegalStateException("the in-memory calls stalled");
      }
    }
    chain.done.join();
  }

  /**
   * Sends {@code Echo.ping}, one at a time, each next call from the previous one's completion;
   * one callback object for every call (the harness allocates nothing of its own per call
   * beyond what {@code whenComplete} must).
   */
  private static final class Chain implements BiConsumer<Response<Echo.PingResults.Reader>,
      Throwable>, dev.capnp.rpc.ResponseListener<Echo.PingResults.Reader> {
    private final Echo.Client echo;
    private int left;
    /** Send with {@code Request.send(ResponseListener)} instead of {@code send().whenComplete}. */
    boolean listening;
    CompletableFuture<Void> done = CompletableFuture.completedFuture(null);

    Chain(Echo.Client echo) {
      this.echo = echo;
    }

    /** Starts {@code calls} calls; {@link #done} completes after the last one. */
    void start(int calls) {
      left = calls;
      done = new CompletableFuture<>();
      if (calls <= 0) {
        done.complete(null);
        return;
      }
      next();
    }

    private void next() {
      var request = echo.pingRequest();
      request.getParams().setMsg("ping");
      if (listening) {
        request.send((dev.capnp.rpc.ResponseListener<Echo.PingResults.Reader>) this);
      } else {
        request.send().whenComplete(this);
      }
    }

    @Override
    public void onComplete(Response<Echo.PingResults.Reader> response, RpcException failure) {
      accept(response, failure);
    }

    @Override
    public void accept(Response<Echo.PingResults.Reader> response, Throwable error) {
      if (error != null) {
        done.completeExceptionally(error);
        return;
      }
      try (response) {
        if (response.get().getReply().size() != 4) {
          done.completeExceptionally(new IllegalStateException("wrong reply"));
          return;
        }
      }
      if (--left == 0) {
        done.complete(null);
      } else {
        next();
      }
    }
  }

  // ======================================================================== Netty vats

  private static List<Figure> overVats(int warmup, int calls, int rounds) throws Exception {
    Vat server = Vat.create(VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0))
        .tls(false).build(), null);
    SingleRestorer restorer =
        new SingleRestorer(ServiceId.EMPTY, Capability.of(new CopyingEcho(), server.loop()));
    server.setRestorer(restorer);
    Vat client = Vat.client();
    try {
      int port = ((NetAddress.Tcp) server.boundAddress()).port();
      Echo.Client echo = new Echo.Client(client.connect(new CapnpUri(AuthDigest.INSECURE,
          NetAddress.tcp("127.0.0.1", port), ServiceId.EMPTY)).get(60, TimeUnit.SECONDS));
      try (echo) {
        long clientThread = threadOf(client.loop());
        long serverThread = threadOf(server.loop());
        Chain chain = new Chain(echo);
        runOn(client.loop(), chain, warmup);
        List<Figure> figures = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          figures.clear();
          for (boolean listening : new boolean[] {false, true}) {
            chain.listening = listening;
            if (r == 0 && listening) {
              runOn(client.loop(), chain, warmup);
            }
            String suffix = listening ? "-listener" : "";
            Map<Long, Long> before = allocatedByThread();
            runOn(client.loop(), chain, calls);
            Map<Long, Long> after = allocatedByThread();
            List<Figure> these = new ArrayList<>();
            these.add(new Figure("vat", "client-loop" + suffix,
                delta(before, after, clientThread) / (double) calls));
            these.add(new Figure("vat", "server-loop" + suffix,
                delta(before, after, serverThread) / (double) calls));
            long all = 0;
            for (long id : after.keySet()) {
              all += delta(before, after, id);
            }
            these.add(new Figure("vat", "all-threads" + suffix, all / (double) calls));
            for (Figure f : these) {
              System.out.println(f.line() + " round=" + (r + 1));
            }
            figures.addAll(these);
          }
        }
        return figures;
      }
    } finally {
      client.close();
      server.close();
      restorer.close();
    }
  }

  private static void runOn(EventLoop loop, Chain chain, int calls) throws Exception {
    CompletableFuture<CompletableFuture<Void>> started = new CompletableFuture<>();
    loop.execute(() -> {
      chain.start(calls);
      started.complete(chain.done);
    });
    started.get(60, TimeUnit.SECONDS).get(300, TimeUnit.SECONDS);
  }

  private static long threadOf(EventLoop loop) throws Exception {
    return loop.submit(() -> Thread.currentThread().getId()).get(60, TimeUnit.SECONDS);
  }

  private static Map<Long, Long> allocatedByThread() {
    long[] ids = THREADS.getAllThreadIds();
    long[] bytes = THREADS.getThreadAllocatedBytes(ids);
    Map<Long, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < ids.length; i++) {
      if (bytes[i] >= 0) {
        m.put(ids[i], bytes[i]);
      }
    }
    return m;
  }

  private static long delta(Map<Long, Long> before, Map<Long, Long> after, long thread) {
    Long a = after.get(thread);
    if (a == null) {
      return 0;
    }
    return a - before.getOrDefault(thread, 0L);
  }
}
