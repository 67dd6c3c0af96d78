package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.Await;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A thread that waits for a reply of a vat runs that vat's loop itself while it waits
 * ({@code DrivenIoEventLoop}): it works, also over TLS, with many waiting threads at once,
 * while the vat closes, mixed with calls from the loop and callbacks from the peer, and a
 * handler that blocks on its own loop still cannot run the loop from there.
 */
class CallerDrivesTest {
  private static final long IFACE = 0x9d2c7f51a0b3e468L;
  private static final StructSize TWO_PTRS = new StructSize(0, 2);
  private final List<Vat> vats = new ArrayList<>();

  @AfterEach
  void closeVats() {
    for (Vat v : vats) {
      v.close();
    }
  }

  /**
   * Method 0: {@code ping(text) -> "s:" + text}. Method 1: {@code callBack(cap, text)} calls
   * {@code ping(text)} on {@code cap} (from the loop) and returns its reply. Method 2: never
   * answers.
   */
  static final class Relay extends Server {
    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      AnyStruct.Reader p = ctx.getParams().getAs(AnyStruct.FACTORY);
      String msg = p.getPointer(1).getAs(Text.FACTORY).toString();
      switch (methodId) {
        case 0:
          reply(ctx, "s:" + msg);
          return Server.done();
        case 1: {
          Capability cb = Capability.fromPointer(p.getPointer(0));
          return request(cb, 0, msg).send().thenAccept(r -> {
            try (r) {
              reply(ctx, text(r));
            } finally {
              cb.close();
            }
          });
        }
        default:
          return new CompletableFuture<>();
      }
    }

    private static void reply(CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx, String s) {
      ctx.getResults().initAs(AnyStruct.factory(TWO_PTRS)).getPointer(1)
          .setAs(Text.FACTORY, new Text.Reader(s));
    }
  }

  /** The client's own capability that the server calls back: {@code ping(text) -> "c:"+text}. */
  static final class Callback extends Server {
    private final Runnable onCall;

    Callback() {
      this(() -> { });
    }

    Callback(Runnable onCall) {
      this.onCall = onCall;
    }

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      String msg = ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1).getAs(Text.FACTORY)
          .toString();
      onCall.run();
      Relay.reply(ctx, "c:" + msg);
      return Server.done();
    }
  }

  static Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> request(Capability cap,
      int method, String msg) {
    return request(cap, method, msg, null);
  }

  static Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> request(Capability cap,
      int method, String msg, Capability arg) {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = cap.newCall(IFACE, method);
    AnyStruct.Builder b = r.getParams().initAs(AnyStruct.factory(TWO_PTRS));
    b.getPointer(1).setAs(Text.FACTORY, new Text.Reader(msg));
    if (arg != null) {
      arg.writeTo(b.getPointer(0));
    }
    return r;
  }

  static String text(Response<AnyPointer.Reader> r) {
    return r.get().getAs(AnyStruct.FACTORY).getPointer(1).getAs(Text.FACTORY).toString();
  }

  private Vat track(Vat v) {
    vats.add(v);
    return v;
  }

  private Vat server(boolean tls) {
    return track(Vat.create(VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0))
        .tls(tls).build(), id -> CompletableFuture.completedFuture(Capability.of(new Relay()))));
  }

  private Capability connect(Vat client, Vat server) throws Exception {
    return client.connect(server.sturdyUri(ServiceId.EMPTY)).get(20, TimeUnit.SECONDS);
  }

  /**
   * Sends {@code calls} calls one at a time from this thread, each awaited with {@code get()},
   * in which the server calls back a capability served on {@code client}'s loop; returns how
   * many of those callbacks ran on this thread (it was running the loop while it waited: a
   * server's method runs on its loop, never in a future's callback).
   */
  private static int callbacksRunHere(Vat client, Capability cap, int calls) throws Exception {
    Thread me = Thread.currentThread();
    AtomicInteger here = new AtomicInteger();
    try (Capability cb = Capability.of(new Callback(() -> {
      if (Thread.currentThread() == me) {
        here.incrementAndGet();
      }
    }), client.loop())) {
      for (int i = 0; i < calls; i++) {
        try (Response<AnyPointer.Reader> r = request(cap, 1, "p" + i, cb).send()
            .get(10, TimeUnit.SECONDS)) {
          assertThat(text(r)).isEqualTo("c:p" + i);
        }
      }
    }
    return here.get();
  }

  @Test
  void aWaitingThreadRunsItsVatsLoopAndReadsItsOwnReply() throws Exception {
    Vat s = server(false);
    Vat c = track(Vat.client());
    try (Capability cap = connect(c, s)) {
      assertThat(callbacksRunHere(c, cap, 50)).isGreaterThan(0);
    }
  }

  @Test
  void aWaitingThreadDrivesOverTls() throws Exception {
    Vat s = server(true);
    Vat c = track(Vat.client());
    try (Capability cap = connect(c, s)) {
      assertThat(callbacksRunHere(c, cap, 50)).isGreaterThan(0);
      try (Response<AnyPointer.Reader> r = Await.result(request(cap, 0, "await").send())) {
        assertThat(text(r)).isEqualTo("s:await");
      }
      assertThat(text(request(cap, 0, "join").send().join())).isEqualTo("s:join");
    }
  }

  @Test
  void manyThreadsWaitOnOneVatAtOnce() throws Exception {
    // more waiting threads than waiters drive for on this machine's CPUs: the vat's own thread
    // runs the loop for most of them (DrivenIoEventLoop.MAX_WAITERS_DRIVING); every reply is right
    assertThat(callFromThreads(16)).isNotEmpty();
  }

  @Test
  void twoWaitingThreadsHandTheLoopToEachOther() throws Exception {
    // few enough to drive (the limit is twice the CPUs, so at least 2): the client's loop ran on
    // more than one thread, the role going from waiter to waiter
    assertThat(callFromThreads(2)).hasSizeGreaterThan(1);
  }

  /**
   * {@code threads} threads each make 200 blocking calls to the server (a third of them calling
   * back into the client); returns the threads the client's loop ran the callbacks on.
   */
  private Set<Thread> callFromThreads(int threads) throws Exception {
    Vat s = server(false);
    Vat c = track(Vat.client());
    Set<Thread> loopThreads = ConcurrentHashMap.newKeySet();
    try (Capability cap = connect(c, s);
        Capability cb = Capability.of(new Callback(() -> loopThreads.add(Thread.currentThread())),
            c.loop())) {
      int calls = 200;
      List<CompletableFuture<Void>> done = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int t = 0; t < threads; t++) {
        int id = t;
        CompletableFuture<Void> f = new CompletableFuture<>();
        done.add(f);
        Thread th = new Thread(() -> {
          try {
            start.await();
            for (int i = 0; i < calls; i++) {
              ResponsePromise<AnyPointer.Reader, Pipeline> p =
                  request(cap, i % 3 == 0 ? 1 : 0, id + "/" + i, cb).send();
              try (Response<AnyPointer.Reader> r = i % 2 == 0 ? p.get(10, TimeUnit.SECONDS)
                  : p.join()) {
                assertThat(text(r)).isEqualTo((i % 3 == 0 ? "c:" : "s:") + id + "/" + i);
              }
            }
            f.complete(null);
          } catch (Throwable e) {
            f.completeExceptionally(e);
          }
        }, "waiter-" + t);
        th.start();
      }
      start.countDown();
      CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    }
    return loopThreads;
  }

  @Test
  void waitersAreFailedWhenTheClientVatCloses() throws Exception {
    Vat s = server(false);
    Vat c = Vat.client();
    Capability cap = connect(c, s);
    int threads = 4;
    List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
    CountDownLatch sent = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      CompletableFuture<Throwable> o = new CompletableFuture<>();
      outcomes.add(o);
      int id = t;
      new Thread(() -> {
        ResponsePromise<AnyPointer.Reader, Pipeline> p = request(cap, 2, "hang").send();
        sent.countDown();
        try {
          if (id % 2 == 0) {
            p.get(30, TimeUnit.SECONDS);
          } else {
            p.join();
          }
          o.complete(null);
        } catch (Throwable e) {
          o.complete(e);
        }
      }, "hanging-" + t).start();
    }
    assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(50); // let them start waiting (and driving)
    c.close();
    for (CompletableFuture<Throwable> o : outcomes) {
      Throwable e = o.get(20, TimeUnit.SECONDS); // no waiter hangs
      assertThat(e).isNotNull().isNotInstanceOf(TimeoutException.class);
      assertThat(RpcException.of(e).getType()).isEqualTo(RpcException.Type.DISCONNECTED);
    }
    cap.close();
  }

  @Test
  void waitersAreFailedWhenTheServerVatCloses() throws Exception {
    Vat s = Vat.create(VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0)).build(),
        id -> CompletableFuture.completedFuture(Capability.of(new Relay())));
    Vat c = track(Vat.client());
    try (Capability cap = connect(c, s)) {
      ResponsePromise<AnyPointer.Reader, Pipeline> p = request(cap, 2, "hang").send();
      CompletableFuture.runAsync(() -> {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        s.close();
      });
      assertThatThrownBy(() -> p.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .satisfies(e -> assertThat(RpcException.of(e).getType())
              .isEqualTo(RpcException.Type.DISCONNECTED));
    }
  }

  @Test
  void aHandlerOnTheLoopThatWaitsDoesNotRunTheLoop() throws Exception {
    Vat s = server(false);
    Vat c = track(Vat.client());
    try (Capability cap = connect(c, s)) {
      AtomicReference<Throwable> inner = new AtomicReference<>();
      CompletableFuture<Void> ran = new CompletableFuture<>();
      // a task of the client's loop that waits for a call of that same loop: the loop cannot
      // make progress meanwhile (as before), so the wait times out instead of running the loop
      // re-entrantly from inside a task
      c.loop().execute(() -> {
        try {
          request(cap, 0, "inner").send().get(300, TimeUnit.MILLISECONDS).close();
        } catch (Throwable e) {
          inner.set(e);
        }
        ran.complete(null);
      });
      ran.get(20, TimeUnit.SECONDS);
      assertThat(inner.get()).isInstanceOf(TimeoutException.class);
      // and the vat goes on
      try (Response<AnyPointer.Reader> r = request(cap, 0, "after").send().get(10,
          TimeUnit.SECONDS)) {
        assertThat(text(r)).isEqualTo("s:after");
      }
    }
  }

  @Test
  void interruptedWaiterStopsWaiting() throws Exception {
    Vat s = server(false);
    Vat c = track(Vat.client());
    try (Capability cap = connect(c, s)) {
      CompletableFuture<Throwable> outcome = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          request(cap, 2, "hang").send().get();
          outcome.complete(null);
        } catch (Throwable e) {
          outcome.complete(e);
        }
      });
      t.start();
      Thread.sleep(50);
      t.interrupt();
      assertThat(outcome.get(20, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
      assertThat(callbacksRunHere(c, cap, 3)).isBetween(0, 3); // the loop still works
    }
  }

  /**
   * A small randomized mix on one client vat: threads that wait with get/join/get(timeout)/
   * Await, send without waiting, chain calls on the loop, have the server call back into the
   * client (a message nobody waits for, handled by whoever runs the loop), and pause; every
   * reply must be right and nothing may hang.
   */
  @Test
  void randomizedHandOversUnderLoad() throws Exception {
    long seed = Long.getLong("capnp.test.seed", System.nanoTime());
    Vat s = server(false);
    Vat c = track(Vat.client());
    try (Capability cap = connect(c, s);
        Capability cb = Capability.of(new Callback(), c.loop())) {
      int threads = 4;
      int ops = 150;
      AtomicInteger checked = new AtomicInteger();
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Random rnd = new Random(seed + t);
        int id = t;
        CompletableFuture<Void> f = new CompletableFuture<>();
        done.add(f);
        new Thread(() -> {
          List<CompletableFuture<Void>> pending = new ArrayList<>();
          try {
            for (int i = 0; i < ops; i++) {
              String m = id + "-" + i;
              switch (rnd.nextInt(7)) {
                case 0:
                  try (Response<AnyPointer.Reader> r = request(cap, 0, m).send().get()) {
                    assertThat(text(r)).isEqualTo("s:" + m);
                  }
                  break;
                case 1:
                  try (Response<AnyPointer.Reader> r = request(cap, 0, m).send().join()) {
                    assertThat(text(r)).isEqualTo("s:" + m);
                  }
                  break;
                case 2:
                  try (Response<AnyPointer.Reader> r = Await.result(
                      request(cap, 1, m, cb).send(), 10, TimeUnit.SECONDS)) {
                    assertThat(text(r)).isEqualTo("c:" + m);
                  }
                  break;
                case 3: // send without waiting; checked at the end
                  pending.add(request(cap, rnd.nextBoolean() ? 0 : 1, m, cb).send()
                      .thenAccept(r -> {
                        try (r) {
                          assertThat(text(r)).endsWith(":" + m);
                        }
                      }));
                  break;
                case 4: { // a chain of three calls on the loop, awaited with a plain future
                  CompletableFuture<String> chain = new CompletableFuture<>();
                  c.loop().execute(() -> request(cap, 0, m).send().thenCompose(r -> {
                    String a = text(r);
                    r.close();
                    return request(cap, 0, a).send();
                  }).thenCompose(r -> {
                    String a = text(r);
                    r.close();
                    return request(cap, 1, a, cb).send();
                  }).whenComplete((r, e) -> {
                    if (e != null) {
                      chain.completeExceptionally(e);
                    } else {
                      try (r) {
                        chain.complete(text(r));
                      }
                    }
                  }));
                  assertThat(chain.get(10, TimeUnit.SECONDS)).isEqualTo("c:s:s:" + m);
                  break;
                }
                case 5:
                  Thread.sleep(0, rnd.nextInt(500_000)); // sometimes past the grace period
                  break;
                default:
                  try (Response<AnyPointer.Reader> r = request(cap, 0, m).send()
                      .get(10, TimeUnit.SECONDS)) {
                    assertThat(text(r)).isEqualTo("s:" + m);
                  }
                  break;
              }
              checked.incrementAndGet();
            }
            CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
                .get(20, TimeUnit.SECONDS);
            f.complete(null);
          } catch (Throwable e) {
            f.completeExceptionally(new AssertionError("thread " + id + ", seed " + seed, e));
          }
        }, "random-" + t).start();
      }
      CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
      assertThat(checked.get()).isEqualTo(threads * ops);
    }
  }

  /**
   * A waiting thread holds its Finish back for its next call; with no next call it still
   * leaves (the home thread flushes it when the grace period ends): the server's answer table
   * empties without another call.
   */
  @Test
  void aFinishHeldForTheNextCallLeavesWhenNoCallFollows() throws Exception {
    Vat s = server(false);
    Vat c = track(Vat.client());
    try (Capability cap = connect(c, s)) {
      for (int i = 0; i < 3; i++) {
        try (Response<AnyPointer.Reader> r = request(cap, 0, "once" + i).send()
            .get(10, TimeUnit.SECONDS)) {
          assertThat(text(r)).isEqualTo("s:once" + i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int answers = -1;
        while (System.nanoTime() < deadline) {
          List<dev.capnp.rpc.RpcConnection> conns = s.rpcConnections();
          answers = conns.size() == 1 ? conns.get(0).tableSizes()[1] : -1;
          if (answers == 0) {
            break;
          }
          Thread.sleep(1);
        }
        assertThat(answers).as("server answers after call %d and no other", i).isZero();
      }
    }
  }
}
