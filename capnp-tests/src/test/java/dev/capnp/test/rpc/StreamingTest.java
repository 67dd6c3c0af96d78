package dev.capnp.test.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.StreamFlowControl;
import dev.capnp.rpc.StreamingCallContext;
import dev.capnp.rpc.StreamingRequest;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.rpc.transport.StreamTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.Text;
import dev.capnp.test.rpc.RpcStream.ByteSink;
import dev.capnp.test.rpc.RpcStream.Feed;
import dev.capnp.test.rpc.RpcStream.NoteSink;
import dev.capnp.test.rpc.RpcStream.SinkMaker;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Streaming methods ({@code -> stream}, rpc-stream.capnp) through generated clients and servers:
 * in-process and over connections (manual in-memory transport on one loop; two threaded loops
 * over piped streams and over the in-memory transport). Checks that the server runs a stream's
 * calls one at a time and in order, that flow control bounds the calls in flight (by a server
 * that holds its calls, never by timing), that the first failure breaks the stream, and that a
 * final regular call arrives after the streamed ones.
 */
@Timeout(60)
class StreamingTest {
  private static final int CHUNK = 10_000;
  private static final long WINDOW = 65536;

  /** A byte sink that records its writes; can hold them until the test releases them. */
  static final class SinkImpl extends ByteSink.Server {
    final List<Integer> seqs = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final AtomicInteger completed = new AtomicInteger();
    final ConcurrentLinkedDeque<CompletableFuture<Void>> held = new ConcurrentLinkedDeque<>();
    volatile boolean hold;
    /** When set, writes complete on this executor (off the event loop). */
    volatile ExecutorService async;

    @Override
    protected CompletionStage<Void> write(
        StreamingCallContext<ByteSink.WriteParams.Reader> context) {
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      ByteSink.WriteParams.Reader p = context.getParams();
      seqs.add(p.getSeq());
      bytes.addAndGet(p.getData().size());
      CompletableFuture<Void> f = new CompletableFuture<>();
      CompletableFuture<Void> done = f.whenComplete((v, e) -> {
        running.decrementAndGet();
        completed.incrementAndGet();
      });
      if (hold) {
        held.add(f);
      } else if (async != null) {
        async.execute(() -> f.complete(null));
      } else {
        f.complete(null);
      }
      return done;
    }

    @Override
    protected CompletionStage<Void> fail(StreamingCallContext<ByteSink.FailParams.Reader> context) {
      return CompletableFuture.failedFuture(
          RpcException.failed(context.getParams().getReason().toString()));
    }

    @Override
    protected CompletionStage<Void> done_(
        CallContext<ByteSink.DoneParams.Reader, ByteSink.DoneResults.Builder> context) {
      context.getResults().setWrites(seqs.size());
      context.getResults().setBytes(bytes.get());
      return Server.done();
    }

    /** Completes the oldest held write; whether there was one. */
    boolean releaseOne() {
      CompletableFuture<Void> f = held.poll();
      if (f == null) {
        return false;
      }
      f.complete(null);
      return true;
    }
  }

  static CompletableFuture<Void> write(ByteSink.Client sink, int seq, int size) {
    StreamingRequest<ByteSink.WriteParams.Builder> r = sink.writeRequest();
    r.getParams().setSeq(seq);
    r.getParams().setData(new byte[size]);
    return r.send();
  }

  static CompletableFuture<Void> fail(ByteSink.Client sink, String reason) {
    StreamingRequest<ByteSink.FailParams.Builder> r = sink.failRequest();
    r.getParams().setReason(reason);
    return r.send();
  }

  /** done()'s results as {writes, bytes}. */
  static long[] done(CompletableFuture<Response<ByteSink.DoneResults.Reader>> f) {
    try (Response<ByteSink.DoneResults.Reader> r = f.join()) {
      return new long[] {r.get().getWrites(), r.get().getBytes()};
    }
  }

  static String failure(CompletableFuture<?> f) {
    assertThat(f).isCompletedExceptionally();
    try {
      f.join();
      throw new AssertionError("not failed");
    } catch (CompletionException e) {
      return RpcException.of(e).getReason();
    }
  }

  // ------------------------------------------------------------------------------ in-process

  @Test
  void localStreamRunsOneCallAtATimeAndTheFinalCallAfterThem() {
    EventLoop loop = EventLoop.manual();
    try {
      SinkImpl impl = new SinkImpl();
      impl.hold = true;
      try (ByteSink.Client sink = new ByteSink.Client(Capability.of(impl))) {
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          acks.add(write(sink, i, 10));
        }
        var done = sink.doneRequest().send();
        loop.runPending();
        assertThat(impl.seqs).containsExactly(0);
        assertThat(acks.get(0)).isNotDone(); // in-process: ready when the call completed
        for (int i = 1; i <= 3; i++) {
          assertThat(done).isNotDone();
          assertThat(impl.releaseOne()).isTrue();
          loop.runPending();
          assertThat(acks.get(i - 1)).isCompleted();
          assertThat(impl.seqs).hasSize(Math.min(i + 1, 3));
        }
        assertThat(done(done)).containsExactly(3, 30);
        assertThat(impl.maxRunning.get()).isEqualTo(1);
      }
      loop.runPending();
    } finally {
      loop.close();
    }
  }

  @Test
  void localFailureBreaksTheStreamAndTheObject() {
    EventLoop loop = EventLoop.manual();
    try {
      SinkImpl impl = new SinkImpl();
      try (ByteSink.Client sink = new ByteSink.Client(Capability.of(impl))) {
        CompletableFuture<Void> first = write(sink, 0, 5);
        CompletableFuture<Void> bad = fail(sink, "disk full");
        CompletableFuture<Void> after = write(sink, 1, 5);
        var done = sink.doneRequest().send();
        loop.runPending();
        assertThat(first).isCompleted();
        assertThat(failure(bad)).isEqualTo("disk full");
        assertThat(failure(after)).isEqualTo("disk full");
        assertThat(failure(done)).isEqualTo("disk full");
        assertThat(impl.seqs).containsExactly(0); // the write after the failure never ran
      }
      loop.runPending();
    } finally {
      loop.close();
    }
  }

  @Test
  void inheritedAndGenericStreamingMethods() {
    EventLoop loop = EventLoop.manual();
    try {
      List<String> events = new ArrayList<>();
      NoteSink.Server impl = new NoteSink.Server() {
        @Override
        protected CompletionStage<Void> note(
            StreamingCallContext<NoteSink.NoteParams.Reader> context) {
          events.add("note:" + context.getParams().getText());
          return Server.done();
        }

        @Override
        protected CompletionStage<Void> write(
            StreamingCallContext<ByteSink.WriteParams.Reader> context) {
          events.add("write:" + context.getParams().getSeq());
          return Server.done();
        }
      };
      try (NoteSink.Client notes = new NoteSink.Client(Capability.of(impl));
          ByteSink.Client bytes = notes.asByteSink()) {
        var n = notes.noteRequest();
        n.getParams().setText("a");
        n.send();
        write(bytes, 7, 1);
        var n2 = notes.noteRequest();
        n2.getParams().setText("b");
        CompletableFuture<Void> last = n2.send();
        loop.runPending();
        assertThat(last).isCompleted();
        assertThat(events).containsExactly("note:a", "write:7", "note:b");
      }

      List<String> pushed = new ArrayList<>();
      Feed.Server<Text.Builder, Text.Reader> feedImpl =
          new Feed.Server<Text.Builder, Text.Reader>(Text.FACTORY) {
            @Override
            protected CompletionStage<Void> push(
                StreamingCallContext<Feed.PushParams.Reader<Text.Reader>> context) {
              pushed.add(context.getParams().getValue().toString());
              return Server.done();
            }

            @Override
            protected CompletionStage<Void> pushWith(StreamingCallContext<
                Feed.PushWithParams.Reader<Text.Reader, AnyPointer.Reader>> context) {
              pushed.add(context.getParams().getValue() + "+"
                  + context.getParams().getExtra().getAs(Data.FACTORY).size());
              return Server.done();
            }

            @Override
            protected CompletionStage<Void> count(CallContext<Feed.CountParams.Reader<Text.Reader>,
                Feed.CountResults.Builder<Text.Builder, Text.Reader>> context) {
              context.getResults().setN(pushed.size());
              return Server.done();
            }
          };
      try (Feed.Client<Text.Builder, Text.Reader> feed =
          new Feed.Client<>(Capability.of(feedImpl), Text.FACTORY)) {
        var p = feed.pushRequest();
        p.getParams().setValue(new Text.Reader("x"));
        p.send();
        var pw = feed.pushWithRequest(Data.FACTORY);
        pw.getParams().setValue(new Text.Reader("y"));
        pw.getParams().setExtra(new Data.Reader(new byte[3]));
        pw.send();
        var count = feed.countRequest().send();
        loop.runPending();
        try (var r = count.join()) {
          assertThat(r.get().getN()).isEqualTo(2);
        }
        assertThat(pushed).containsExactly("x", "y+3");
      }
      loop.runPending();
    } finally {
      loop.close();
    }
  }

  // ------------------------------------------------------------------ over a manual connection

  /** Client and server connections over a manual in-memory pair, on one manual loop. */
  static final class ManualPair implements AutoCloseable {
    final EventLoop loop = EventLoop.manual();
    final InMemoryTransport[] wires = InMemoryTransport.pair(true);
    final RpcConnection server;
    final RpcConnection client;

    ManualPair(Server bootstrap, StreamFlowControl policy) {
      server = RpcConnection.create(loop, wires[1], Capability.of(bootstrap, loop), "server");
      client = RpcConnection.create(loop, wires[0], null, "client").streamFlowControl(policy);
    }

    void pump() {
      for (int i = 0; i < 100_000; i++) {
        int n = wires[0].deliverAll() + wires[1].deliverAll() + loop.runPending();
        if (n == 0) {
          return;
        }
      }
      throw new AssertionError("did not settle");
    }

    @Override
    public void close() {
      pump();
      assertThat(client.tablesEmpty()).as(client.dumpTables()).isTrue();
      client.close();
      server.close();
      pump();
      loop.close();
    }
  }

  @Test
  void flowControlBoundsTheCallsInFlight() {
    SinkImpl impl = new SinkImpl();
    impl.hold = true;
    try (ManualPair pair = new ManualPair(impl, StreamFlowControl.fixedWindow(WINDOW));
        ByteSink.Client sink = new ByteSink.Client(pair.client.bootstrap())) {
      int sent = 0;
      CompletableFuture<Void> last;
      do {
        last = write(sink, sent++, CHUNK);
        pair.pump();
      } while (last.isDone() && sent < 1000);
      // the server holds the first write: no Return came back, so the window filled up
      assertThat(last).isNotDone();
      assertThat(impl.seqs).containsExactly(0); // the others wait behind it at the server
      // sends continue while (in flight - one message) < window: about window / message + 1
      assertThat(sent).isBetween((int) (WINDOW / (CHUNK + 512)) + 1, (int) (WINDOW / CHUNK) + 2);
      int bound = sent;

      // one Return frees room for exactly the blocked writer
      assertThat(impl.releaseOne()).isTrue();
      pair.pump();
      assertThat(last).isCompleted();

      // stream 60 writes in all, releasing held ones whenever the writer is blocked
      while (sent < 60) {
        last = write(sink, sent++, CHUNK);
        pair.pump();
        while (!last.isDone()) {
          assertThat(sent - impl.completed.get()).isLessThanOrEqualTo(bound);
          assertThat(impl.releaseOne()).isTrue();
          pair.pump();
        }
      }
      var done = sink.doneRequest().send();
      pair.pump();
      assertThat(done).isNotDone(); // the final regular call waits behind the held writes
      while (impl.releaseOne()) {
        pair.pump();
      }
      assertThat(done(done)).containsExactly(60, 60L * CHUNK);
      assertThat(impl.seqs).containsExactlyElementsOf(IntStream.range(0, 60).boxed().toList());
      assertThat(impl.maxRunning.get()).isEqualTo(1);
    }
  }

  /** Answers make() with a capability to {@code sink} once the test completes {@link #answer}. */
  static final class MakerImpl extends SinkMaker.Server {
    final SinkImpl sink;
    final CompletableFuture<Void> answer = new CompletableFuture<>();

    MakerImpl(SinkImpl sink) {
      this.sink = sink;
    }

    @Override
    protected CompletionStage<Void> make(
        CallContext<SinkMaker.MakeParams.Reader, SinkMaker.MakeResults.Builder> context) {
      return answer.thenRun(() -> {
        try (ByteSink.Client c = new ByteSink.Client(Capability.of(sink))) {
          context.getResults().setSink(c);
        }
      });
    }
  }

  @Test
  void aStreamOnAPromisedCapabilityKeepsItsWindowWhenThePromiseResolves() {
    SinkImpl impl = new SinkImpl();
    impl.hold = true;
    MakerImpl maker = new MakerImpl(impl);
    try (ManualPair pair = new ManualPair(maker, StreamFlowControl.fixedWindow(WINDOW));
        SinkMaker.Client makers = new SinkMaker.Client(pair.client.bootstrap())) {
      var made = makers.makeRequest().send();
      try (ByteSink.Client sink = made.pipeline().getSink()) {
        int sent = 0;
        CompletableFuture<Void> last;
        do {
          last = write(sink, sent++, CHUNK); // pipelined on the unanswered make()
          pair.pump();
        } while (last.isDone() && sent < 1000);
        assertThat(last).isNotDone();
        assertThat(impl.seqs).isEmpty(); // waiting at the server for make()'s answer
        maker.answer.complete(null);
        pair.pump();
        made.join().close(); // the promised sink is now the peer's export
        assertThat(impl.seqs).containsExactly(0);
        // the resolved capability took over the stream's controller: still no room
        assertThat(last).isNotDone();
        CompletableFuture<Void> next = write(sink, sent++, CHUNK);
        pair.pump();
        assertThat(next).isNotDone();
        while (impl.releaseOne()) {
          pair.pump();
        }
        assertThat(last).isCompleted();
        assertThat(next).isCompleted();
        var done = sink.doneRequest().send();
        pair.pump();
        assertThat(done(done)).containsExactly(sent, (long) sent * CHUNK);
        assertThat(impl.seqs).containsExactlyElementsOf(IntStream.range(0, sent).boxed().toList());
      }
    }
  }

  @Test
  void aTinyWindowStillLetsTwoCallsOut() {
    SinkImpl impl = new SinkImpl();
    impl.hold = true;
    try (ManualPair pair = new ManualPair(impl, StreamFlowControl.fixedWindow(1));
        ByteSink.Client sink = new ByteSink.Client(pair.client.bootstrap())) {
      CompletableFuture<Void> a = write(sink, 0, 100);
      pair.pump();
      CompletableFuture<Void> b = write(sink, 1, 100);
      pair.pump();
      // one message in flight is always allowed; a second one fills the window
      assertThat(a).isCompleted();
      assertThat(b).isNotDone();
      impl.releaseOne();
      pair.pump();
      assertThat(b).isCompleted();
      impl.releaseOne();
      var done = sink.doneRequest().send();
      pair.pump();
      assertThat(done(done)).containsExactly(2, 200);
    }
  }

  @Test
  void failureOverAConnectionBreaksLaterWritesAndTheFinalCall() {
    SinkImpl impl = new SinkImpl();
    try (ManualPair pair = new ManualPair(impl, StreamFlowControl.DEFAULT);
        ByteSink.Client sink = new ByteSink.Client(pair.client.bootstrap())) {
      List<CompletableFuture<Void>> early = new ArrayList<>();
      early.add(write(sink, 0, 100));
      early.add(write(sink, 1, 100));
      early.add(fail(sink, "disk full"));
      early.add(write(sink, 2, 100)); // sent before the failure is known
      var done = sink.doneRequest().send();
      pair.pump();
      // flow control let them all out at once (the window had room): no error seen yet there
      assertThat(early).allSatisfy(f -> assertThat(f).isCompleted());
      // but the server broke the object, and the client's stream is broken
      assertThat(failure(done)).isEqualTo("disk full");
      CompletableFuture<Void> later = write(sink, 3, 100);
      pair.pump();
      assertThat(failure(later)).isEqualTo("disk full");
      assertThat(impl.seqs).containsExactly(0, 1);
    }
  }

  // ------------------------------------------------------------------------- threaded loops

  @Test
  void twoLoopsOverPipedStreamsWithAFixedWindow() throws Exception {
    SinkImpl impl = new SinkImpl();
    ExecutorService async = Executors.newSingleThreadExecutor();
    impl.async = async;
    EventLoop serverLoop = EventLoop.start("stream-server");
    EventLoop clientLoop = EventLoop.start("stream-client");
    PipedInputStream serverIn = new PipedInputStream(1 << 16);
    PipedOutputStream clientOut = new PipedOutputStream(serverIn);
    PipedInputStream clientIn = new PipedInputStream(1 << 16);
    PipedOutputStream serverOut = new PipedOutputStream(clientIn);
    RpcConnection server = RpcConnection.create(serverLoop,
        StreamTransport.of(serverIn, serverOut, "server"), Capability.of(impl, serverLoop),
        "server");
    RpcConnection client = RpcConnection.create(clientLoop,
        StreamTransport.of(clientIn, clientOut, "client"), null, "client")
        .streamFlowControl(StreamFlowControl.fixedWindow(WINDOW));
    try (ByteSink.Client sink = new ByteSink.Client(client.bootstrap())) {
      int bound = (int) (WINDOW / CHUNK) + 2;
      int n = 300;
      for (int i = 0; i < n; i++) {
        write(sink, i, CHUNK).join();
        // the server completes a write before its Return leaves, so completed >= acknowledged
        assertThat(i + 1 - impl.completed.get()).isLessThanOrEqualTo(bound);
      }
      assertThat(done(sink.doneRequest().send())).containsExactly(n, (long) n * CHUNK);
      assertThat(impl.seqs).containsExactlyElementsOf(IntStream.range(0, n).boxed().toList());
      assertThat(impl.maxRunning.get()).isEqualTo(1);
    } finally {
      client.close();
      server.close();
      clientLoop.close();
      serverLoop.close();
      async.shutdown();
    }
  }

  @Test
  void twoLoopsOverInMemoryWithTheAdaptiveDefaultToAnObjectOfAThirdLoop() {
    SinkImpl impl = new SinkImpl();
    ExecutorService async = Executors.newSingleThreadExecutor();
    impl.async = async;
    EventLoop serverLoop = EventLoop.start("stream-server");
    EventLoop clientLoop = EventLoop.start("stream-client");
    InMemoryTransport[] wires = InMemoryTransport.pair(false);
    // the sink lives on a third loop: the server's connection reaches it through a bridge
    EventLoop sinkLoop = EventLoop.start("stream-sink");
    RpcConnection server = RpcConnection.create(serverLoop, wires[1],
        Capability.of(impl, sinkLoop), "server");
    RpcConnection client = RpcConnection.create(clientLoop, wires[0], null, "client");
    try (ByteSink.Client sink = new ByteSink.Client(client.bootstrap())) {
      int n = 500;
      CompletableFuture<Void> ready = CompletableFuture.completedFuture(null);
      for (int i = 0; i < n; i++) {
        int seq = i;
        // a writer that composes instead of blocking: each write once the previous is allowed
        ready = ready.thenCompose(v -> write(sink, seq, 4096));
      }
      ready.join();
      assertThat(done(sink.doneRequest().send())).containsExactly(n, n * 4096L);
      assertThat(impl.seqs).containsExactlyElementsOf(IntStream.range(0, n).boxed().toList());
      assertThat(impl.maxRunning.get()).isEqualTo(1);
    } finally {
      client.close();
      server.close();
      clientLoop.close();
      serverLoop.close();
      sinkLoop.close();
      async.shutdown();
    }
  }
}
