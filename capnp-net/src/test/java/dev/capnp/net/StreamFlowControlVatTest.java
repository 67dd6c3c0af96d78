package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.restore.Restorers;
import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.StreamFlowControl;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.StructSize;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link VatConfig.Builder#streamFlowControl} over real vat connections (TCP): a writer that
 * waits for each streaming call's ready future before the next one never has more calls
 * unanswered at the receiving server than the vat's fixed window allows. The server holds every
 * call until the test releases it, and the test waits for each call to arrive before deciding
 * whether the writer is blocked, so nothing depends on timing. Both directions are covered: the
 * dialling vat streaming to the service it bootstrapped, and the accepting vat streaming to a
 * capability the dialling vat passed to it.
 */
@Timeout(120)
class StreamFlowControlVatTest {
  private static final long WINDOW = 10_000;
  private static final int CHUNK = 2_400;
  private static final int WRITES = 40;
  /** More than any call's framing and header (the window is counted in whole messages). */
  private static final int MAX_OVERHEAD = 256;

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /**
   * An untyped sink that is not a streaming server (every call is dispatched at once), so it sees
   * every call the writer let out: {@code write} (method 0) is held until {@link #releaseOne};
   * {@code take(cap)} (method 1) keeps a capability for the test.
   */
  static final class HoldingSink extends Server {
    static final long INTERFACE_ID = 0xc4f1e2d3b4a59687L;
    private final EventLoop loop;
    final Semaphore arrived = new Semaphore(0);
    final AtomicInteger received = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger maxUnanswered = new AtomicInteger();
    final ConcurrentLinkedDeque<CompletableFuture<Void>> held = new ConcurrentLinkedDeque<>();
    final CompletableFuture<Capability> taken = new CompletableFuture<>();

    HoldingSink(EventLoop loop) {
      this.loop = loop;
    }

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      if (interfaceId != INTERFACE_ID) {
        return Server.unknownInterface(interfaceId);
      }
      if (methodId == 1) {
        taken.complete(Capability.fromPointer(ctx.getParams().getAs(AnyStruct.FACTORY)
            .getPointer(0)));
        return Server.done();
      }
      if (methodId != 0) {
        return Server.unknownMethod(interfaceId, methodId);
      }
      int now = received.incrementAndGet() - answered.get();
      maxUnanswered.accumulateAndGet(now, Math::max);
      CompletableFuture<Void> f = new CompletableFuture<>();
      held.add(f);
      arrived.release();
      return f.whenComplete((v, e) -> answered.incrementAndGet());
    }

    /** Answers the oldest held write (on the sink's loop). */
    void releaseOne() {
      CompletableFuture<Void> f = held.poll();
      assertThat(f).as("a held write").isNotNull();
      loop.execute(() -> f.complete(null));
    }

    void releaseAll() {
      while (!held.isEmpty()) {
        releaseOne();
      }
    }

    /** Waits (hang guard only) until {@code n} more writes have arrived. */
    void awaitArrivals(int n) throws InterruptedException {
      assertThat(arrived.tryAcquire(n, 30, TimeUnit.SECONDS)).as("writes arrived").isTrue();
    }
  }

  static CompletableFuture<Void> write(Capability sink, int size) {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r =
        sink.newCall(HoldingSink.INTERFACE_ID, 0);
    r.getParams().initAs(AnyStruct.factory(new StructSize(0, 1))).getPointer(0)
        .setAs(Data.FACTORY, new Data.Reader(new byte[size]));
    return r.sendStreaming();
  }

  private Vat vat(VatConfig.Builder config) {
    Vat v = Vat.create(config.tls(false).build(), null);
    resources.add(v);
    return v;
  }

  /** A listening vat serving a new {@link HoldingSink}, made on its own loop. */
  private HoldingSink serve(Vat server) {
    HoldingSink sink = new HoldingSink(server.loop());
    SingleRestorer restorer = Restorers.single(ServiceId.EMPTY,
        Capability.of(sink, server.loop()));
    resources.add(restorer);
    server.setRestorer(restorer);
    return sink;
  }

  private static VatConfig.Builder listening() {
    return VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0));
  }

  private static Capability connect(Vat client, Vat server) throws Exception {
    return client.importRef(server.sturdyUri(ServiceId.EMPTY)).connect()
        .get(30, TimeUnit.SECONDS);
  }

  /**
   * Streams {@link #WRITES} writes of {@link #CHUNK} bytes to {@code cap} (whose calls are sent
   * by {@code writerLoop}) as a well-behaved writer does, releasing one held write whenever the
   * writer is blocked; returns the most writes the writer had let out before it blocked.
   */
  private static int stream(Capability cap, EventLoop writerLoop, HoldingSink sink)
      throws Exception {
    return stream(cap, writerLoop, sink, WRITES);
  }

  /**
   * Like {@link #stream(Capability, EventLoop, HoldingSink)}, stopping after {@code writes}
   * writes; 0 stops at the first block (for windows that may change as answers come back).
   */
  private static int stream(Capability cap, EventLoop writerLoop, HoldingSink sink, int writes)
      throws Exception {
    int sent = 0;
    int firstBlockedAt = -1;
    while (writes == 0 ? firstBlockedAt < 0 : sent < writes) {
      CompletableFuture<Void> ready = write(cap, CHUNK);
      sent++;
      sink.awaitArrivals(1);
      // the flow controller decided in the loop task that sent the call, before it left: a
      // task queued behind it sees the decision; no answer was released since, so it stands
      boolean blocked = !writerLoop.submit(ready::isDone).get(30, TimeUnit.SECONDS);
      if (blocked) {
        assertThat(sink.received.get() - sink.answered.get()).isEqualTo(sink.held.size());
        if (firstBlockedAt < 0) {
          firstBlockedAt = sent;
          assertThat(sink.held).hasSize(sent);
        }
        if (writes == 0) {
          sink.releaseAll();
        } else {
          sink.releaseOne(); // one answer makes room for exactly the blocked writer
        }
        ready.get(30, TimeUnit.SECONDS);
      }
    }
    sink.releaseAll();
    return firstBlockedAt;
  }

  /** The controller lets a call out while (messages in flight - 1) * size is below the window. */
  private static void assertBoundedByTheWindow(HoldingSink sink, int firstBlockedAt) {
    int upper = (int) ((WINDOW + CHUNK - 1) / CHUNK) + 1;
    int lower = (int) ((WINDOW + CHUNK + MAX_OVERHEAD - 1) / (CHUNK + MAX_OVERHEAD)) + 1;
    assertThat(firstBlockedAt).as("writes let out before the window filled")
        .isBetween(lower, upper);
    assertThat(sink.maxUnanswered.get()).as("most writes unanswered at the server at once")
        .isEqualTo(firstBlockedAt);
    assertThat(sink.received.get()).isEqualTo(WRITES);
  }

  @Test
  void theDiallingVatsWindowBoundsItsStreamsToImportedCapabilities() throws Exception {
    Vat server = vat(listening());
    HoldingSink sink = serve(server);
    Vat client = vat(VatConfig.builder()
        .streamFlowControl(StreamFlowControl.fixedWindow(WINDOW)));
    try (Capability cap = connect(client, server)) {
      int firstBlockedAt = stream(cap, client.loop(), sink);
      assertBoundedByTheWindow(sink, firstBlockedAt);
    }
  }

  @Test
  void theAcceptingVatsWindowBoundsItsStreamsToCapabilitiesItWasGiven() throws Exception {
    Vat server = vat(listening().streamFlowControl(StreamFlowControl.fixedWindow(WINDOW)));
    HoldingSink serverSide = serve(server);
    Vat client = vat(VatConfig.builder());
    HoldingSink clientSide = new HoldingSink(client.loop());
    try (Capability cap = connect(client, server);
        Capability mine = Capability.of(clientSide, client.loop())) {
      Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> take =
          cap.newCall(HoldingSink.INTERFACE_ID, 1);
      mine.writeTo(take.getParams().initAs(AnyStruct.factory(new StructSize(0, 1)))
          .getPointer(0));
      take.send().get(30, TimeUnit.SECONDS).close();
      try (Capability imported = serverSide.taken.get(30, TimeUnit.SECONDS)) {
        int firstBlockedAt = stream(imported, server.loop(), clientSide);
        assertBoundedByTheWindow(clientSide, firstBlockedAt);
      }
    }
  }

  @Test
  void withoutAWindowVatsUseTheAdaptiveDefault() throws Exception {
    Vat server = vat(listening());
    HoldingSink sink = serve(server);
    Vat client = vat(VatConfig.builder());
    assertThat(client.config().streamFlowControl()).isSameAs(StreamFlowControl.DEFAULT);
    try (Capability cap = connect(client, server)) {
      int firstBlockedAt = stream(cap, client.loop(), sink, 0);
      // 64 KiB to start with: more than the small window's calls, still bounded
      assertThat(firstBlockedAt).isGreaterThan((int) (WINDOW / CHUNK) + 2)
          .isLessThanOrEqualTo((int) (StreamFlowControl.DEFAULT_WINDOW / CHUNK) + 2);
    }
  }
}
