package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Capabilities whose hooks belong to a loop other than the connection's: services made on an
 * application loop and served by, or passed through, vats on their own loops. Every call must
 * run its handler on the service's loop, in E-order, and everything must be released at the end.
 */
class CrossLoopTest {
  final EventLoop app = EventLoop.start("app-loop");
  final EventLoop serverLoop = EventLoop.start("server-vat");
  final EventLoop clientLoop = EventLoop.start("client-vat");
  RpcConnection server;
  RpcConnection client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
      server.whenDisconnected().get(20, TimeUnit.SECONDS);
    }
    // every hook is asserted to run on its own loop (assertions are on in tests); a violation
    // would have ended a loop task with an uncaught AssertionError
    for (EventLoop l : List.of(app, serverLoop, clientLoop)) {
      assertThat(l.submit(() -> l.uncaughtExceptions()).get(20, TimeUnit.SECONDS))
          .as("uncaught exceptions on " + l).isZero();
    }
    app.close();
    serverLoop.close();
    clientLoop.close();
  }

  /** Records each call's message and the thread it ran on; echoes like TestSupport.Recorder. */
  static final class ThreadRecorder extends Server {
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final List<String> threads = Collections.synchronizedList(new ArrayList<>());
    volatile boolean released;
    /** Optional: a capability to return in results pointer 1 (created on demand). */
    volatile java.util.function.Supplier<Capability> child;

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      String msg = text(ctx.getParams(), 0);
      log.add(msg);
      threads.add(Thread.currentThread().getName());
      if (child != null && msg.startsWith("child")) {
        AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
        try (Capability c = child.get()) {
          c.writeTo(out.getPointer(1));
        }
        return Server.done();
      }
      return TestSupport.echo(ctx, "got:" + msg);
    }

    @Override
    protected void onRelease() {
      released = true;
    }
  }

  private void connect(Capability bootstrap) {
    InMemoryTransport[] w = InMemoryTransport.pair(false);
    server = RpcConnection.create(serverLoop, w[1], bootstrap, "server");
    client = RpcConnection.create(clientLoop, w[0], null, "client");
  }

  @Test
  void bootstrapServedFromAnotherLoopRunsThereInOrder() throws Exception {
    ThreadRecorder rec = new ThreadRecorder();
    connect(Capability.of(rec, app));
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> ps = new ArrayList<>();
    try (Capability bs = client.bootstrap()) {
      for (int i = 0; i < 300; i++) {
        ps.add(call(bs, "m" + i).send());
      }
      for (int i = 0; i < 300; i++) {
        try (Response<AnyPointer.Reader> r = ps.get(i).get(20, TimeUnit.SECONDS)) {
          assertThat(text(r.get(), 0)).isEqualTo("got:m" + i);
        }
      }
    }
    assertThat(rec.threads).containsOnly("app-loop");
    for (int i = 0; i < 300; i++) {
      assertThat(rec.log.get(i)).isEqualTo("m" + i);
    }
    ThreadedTransportTest.awaitEmpty(client);
    ThreadedTransportTest.awaitEmpty(server);
  }

  @Test
  void callbackMadeOnAnotherLoopIsCalledThereAndKeepsItsIdentity() throws Exception {
    ThreadRecorder echoer = new ThreadRecorder();
    connect(Capability.of(echoer, serverLoop));
    ThreadRecorder callback = new ThreadRecorder();
    try (Capability bs = client.bootstrap(); Capability cb = Capability.of(callback, app)) {
      // the server echoes the callback back: the client gets its own object again
      try (Response<AnyPointer.Reader> r = call(bs, "pass", cb).send().get(20, TimeUnit.SECONDS);
          Capability back = Capability.fromPointer(
              r.get().getAs(AnyStruct.FACTORY).getPointer(1))) {
        assertThat(back.isSameAs(cb)).isTrue();
        try (Response<AnyPointer.Reader> r2 = call(back, "direct").send()
            .get(20, TimeUnit.SECONDS)) {
          assertThat(text(r2.get(), 0)).isEqualTo("got:direct");
        }
      }
      // pipelined: a call on the echoed capability before the echo has returned
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "pass2", cb).send();
      try (Capability piped = p.getPipelinedCap(1)) {
        List<ResponsePromise<AnyPointer.Reader, Pipeline>> ps = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          ps.add(call(piped, "p" + i).send());
        }
        for (int i = 0; i < 50; i++) {
          try (Response<AnyPointer.Reader> r = ps.get(i).get(20, TimeUnit.SECONDS)) {
            assertThat(text(r.get(), 0)).isEqualTo("got:p" + i);
          }
        }
      }
      p.get(20, TimeUnit.SECONDS).close();
    }
    assertThat(callback.threads).containsOnly("app-loop");
    List<String> pCalls = new ArrayList<>();
    for (String m : callback.log) {
      if (m.startsWith("p")) {
        pCalls.add(m);
      }
    }
    assertThat(pCalls).hasSize(50);
    for (int i = 0; i < 50; i++) {
      assertThat(pCalls.get(i)).isEqualTo("p" + i);
    }
    ThreadedTransportTest.awaitEmpty(client);
    ThreadedTransportTest.awaitEmpty(server);
    awaitReleased(callback);
  }

  @Test
  void resultsHoldingCapabilitiesOfAnotherLoopArePipelined() throws Exception {
    ThreadRecorder root = new ThreadRecorder();
    ThreadRecorder leaf = new ThreadRecorder();
    root.child = () -> Capability.of(leaf, app);
    connect(Capability.of(root, app));
    try (Capability bs = client.bootstrap()) {
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "child").send();
      List<ResponsePromise<AnyPointer.Reader, Pipeline>> ps = new ArrayList<>();
      try (Capability piped = p.getPipelinedCap(1)) {
        for (int i = 0; i < 40; i++) {
          ps.add(call(piped, "leaf" + i).send());
        }
      }
      for (int i = 0; i < 40; i++) {
        try (Response<AnyPointer.Reader> r = ps.get(i).get(20, TimeUnit.SECONDS)) {
          assertThat(text(r.get(), 0)).isEqualTo("got:leaf" + i);
        }
      }
      p.get(20, TimeUnit.SECONDS).close();
    }
    assertThat(leaf.threads).containsOnly("app-loop");
    for (int i = 0; i < 40; i++) {
      assertThat(leaf.log.get(i)).isEqualTo("leaf" + i);
    }
    ThreadedTransportTest.awaitEmpty(client);
    ThreadedTransportTest.awaitEmpty(server);
    awaitReleased(leaf);
  }

  @Test
  void promiseOnOneLoopResolvedToAnImportOfAnotherKeepsOrderAndSeesBreakage() throws Exception {
    ThreadRecorder rec = new ThreadRecorder();
    connect(Capability.of(rec, serverLoop));
    CompletableFuture<Capability> target = new CompletableFuture<>();
    Capability promise = app.submit(() -> Capability.promise(target)).get(20, TimeUnit.SECONDS);
    try (promise) {
      List<ResponsePromise<AnyPointer.Reader, Pipeline>> ps = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ps.add(call(promise, "q" + i).send());
      }
      target.complete(client.bootstrap());
      for (int i = 20; i < 40; i++) {
        ps.add(call(promise, "q" + i).send());
      }
      for (int i = 0; i < 40; i++) {
        try (Response<AnyPointer.Reader> r = ps.get(i).get(20, TimeUnit.SECONDS)) {
          assertThat(text(r.get(), 0)).isEqualTo("got:q" + i);
        }
      }
      for (int i = 0; i < 40; i++) {
        assertThat(rec.log.get(i)).isEqualTo("q" + i);
      }
      CompletableFuture<RpcException> broken = promise.whenBroken();
      assertThat(broken).isNotDone();
      client.close();
      RpcException e = broken.get(20, TimeUnit.SECONDS);
      assertThat(e.getType()).isEqualTo(RpcException.Type.DISCONNECTED);
      assertThat(promise.problem()).isNotNull();
    }
  }

  /**
   * Hands out a promise made on its own loop and resolves it later to the capability passed in
   * a "resolve" call, or (for "resolveLocal") to {@link #local}.
   */
  static final class PromiseMaker extends Server {
    final CompletableFuture<Capability> target = new CompletableFuture<>();
    volatile Capability local;

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      String msg = text(ctx.getParams(), 0);
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      switch (msg) {
        case "promise":
          try (Capability p = Capability.promise(target)) {
            p.writeTo(out.getPointer(1));
          }
          break;
        case "resolve":
          target.complete(Capability.fromPointer(
              ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1)));
          break;
        case "resolveLocal":
          target.complete(local.dup());
          break;
        default:
          throw new IllegalArgumentException(msg);
      }
      ctx.releaseParams();
      return Server.done();
    }
  }

  /**
   * A promise made on the application loop, exported by the server vat (through a bridge that
   * is itself a promise), resolving while calls stream through it: to the client's own object
   * (the client must end up calling it directly) or to an object on the server vat's loop.
   * Calls made through the promise arrive in the order they were made either way.
   */
  private void promiseOfAnotherLoopResolves(boolean toClientObject) throws Exception {
    PromiseMaker maker = new PromiseMaker();
    ThreadRecorder serverSide = new ThreadRecorder();
    maker.local = Capability.of(serverSide, serverLoop);
    connect(Capability.of(maker, app));
    ThreadRecorder clientSide = new ThreadRecorder();
    ThreadRecorder expected = toClientObject ? clientSide : serverSide;
    try (Capability bs = client.bootstrap();
        Capability mine = Capability.of(clientSide, clientLoop)) {
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "promise").send();
      try (Capability promised = p.getPipelinedCap(1)) {
        List<ResponsePromise<AnyPointer.Reader, Pipeline>> ps = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          ps.add(call(promised, "c" + i).send());
        }
        ResponsePromise<AnyPointer.Reader, Pipeline> resolving = toClientObject
            ? call(bs, "resolve", mine).send() : call(bs, "resolveLocal").send();
        for (int i = 30; i < 60; i++) {
          ps.add(call(promised, "c" + i).send());
        }
        resolving.get(20, TimeUnit.SECONDS).close();
        for (int i = 60; i < 90; i++) {
          ps.add(call(promised, "c" + i).send());
        }
        for (int i = 0; i < 90; i++) {
          try (Response<AnyPointer.Reader> r = ps.get(i).get(20, TimeUnit.SECONDS)) {
            assertThat(text(r.get(), 0)).isEqualTo("got:c" + i);
          }
        }
        promised.whenResolved().get(20, TimeUnit.SECONDS);
        if (toClientObject) {
          for (int i = 0; i < 2000 && !promised.isSameAs(mine); i++) {
            Thread.sleep(5);
          }
          assertThat(promised.isSameAs(mine)).as("resolved to the client's own object: %s%n%s%n%s",
              promised, server.dumpTables(), client.dumpTables()).isTrue();
        }
      }
      p.get(20, TimeUnit.SECONDS).close();
    }
    assertThat(expected.log).hasSize(90);
    for (int i = 0; i < 90; i++) {
      assertThat(expected.log.get(i)).isEqualTo("c" + i);
    }
    maker.local.close();
    ThreadedTransportTest.awaitEmpty(client);
    ThreadedTransportTest.awaitEmpty(server);
  }

  // repeated: each run races the resolution against the calls differently

  @RepeatedTest(25)
  void promiseOfAnotherLoopResolvesBackToTheCallersObjectInOrder() throws Exception {
    promiseOfAnotherLoopResolves(true);
  }

  @RepeatedTest(25)
  void promiseOfAnotherLoopResolvesToTheVatsLoopInOrder() throws Exception {
    promiseOfAnotherLoopResolves(false);
  }

  @Test
  void everythingReleasedWhenTheClientLetsGo() throws Exception {
    ThreadRecorder rec = new ThreadRecorder();
    long before = Capability.liveReferenceCount();
    connect(Capability.of(rec, app));
    try (Capability bs = client.bootstrap()) {
      call(bs, "one").send().get(20, TimeUnit.SECONDS).close();
    }
    ThreadedTransportTest.awaitEmpty(client);
    ThreadedTransportTest.awaitEmpty(server);
    client.close();
    server.whenDisconnected().get(20, TimeUnit.SECONDS);
    awaitReleased(rec);
    for (int i = 0; i < 2000 && Capability.liveReferenceCount() > before; i++) {
      Thread.sleep(5);
    }
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(before);
  }

  private static void awaitReleased(ThreadRecorder r) throws InterruptedException {
    for (int i = 0; i < 2000 && !r.released; i++) {
      Thread.sleep(5);
    }
    assertThat(r.released).as("server released").isTrue();
  }
}
