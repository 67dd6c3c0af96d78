package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Blocking;
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
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.rpc.transport.StreamTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Vats on their own threads over real transports; blocking handlers; leaks. */
class ThreadedTransportTest {
  final EventLoop serverLoop = EventLoop.start("server-vat");
  final EventLoop clientLoop = EventLoop.start("client-vat");

  @AfterEach
  void stop() {
    serverLoop.close();
    clientLoop.close();
  }

  /** Counts pings, replies "got:N:msg". */
  static final class Counter extends Server {
    final AtomicInteger n = new AtomicInteger();

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      String msg = text(ctx.getParams(), 0);
      return TestSupport.echo(ctx, "got:" + n.getAndIncrement() + ":" + msg);
    }
  }

  private void roundTrips(MessageTransport clientSide, MessageTransport serverSide)
      throws Exception {
    Counter counter = new Counter();
    RpcConnection server = RpcConnection.create(serverLoop, serverSide,
        Capability.of(counter, serverLoop), "server");
    RpcConnection client = RpcConnection.create(clientLoop, clientSide, null, "client");
    try (Capability bs = client.bootstrap()) {
      List<ResponsePromise<AnyPointer.Reader, Pipeline>> ps = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        ps.add(call(bs, "ping" + i).send());
      }
      for (int i = 0; i < 200; i++) {
        try (Response<AnyPointer.Reader> r = ps.get(i).get(20, TimeUnit.SECONDS)) {
          assertThat(text(r.get(), 0)).isEqualTo("got:" + i + ":ping" + i);
        }
      }
    }
    awaitEmpty(client);
    awaitEmpty(server);
    client.close();
    RpcException e = server.whenDisconnected().get(20, TimeUnit.SECONDS);
    assertThat(e.getType()).isEqualTo(RpcException.Type.DISCONNECTED);
  }

  static void awaitEmpty(RpcConnection c) throws InterruptedException {
    for (int i = 0; i < 2000 && !c.tablesEmpty(); i++) {
      Thread.sleep(5);
    }
    assertThat(c.tablesEmpty()).as(c.dumpTables()).isTrue();
  }

  @Test
  void inMemoryAutoDelivery() throws Exception {
    InMemoryTransport[] w = InMemoryTransport.pair(false);
    roundTrips(w[0], w[1]);
  }

  @Test
  void pipedStreams() throws Exception {
    PipedInputStream aIn = new PipedInputStream(1 << 16);
    PipedOutputStream bOut = new PipedOutputStream(aIn);
    PipedInputStream bIn = new PipedInputStream(1 << 16);
    PipedOutputStream aOut = new PipedOutputStream(bIn);
    roundTrips(StreamTransport.of(aIn, aOut, "a"), StreamTransport.of(bIn, bOut, "b"));
  }

  @Test
  void socketPair() throws Exception {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
      SocketChannel a = SocketChannel.open(listener.getLocalAddress());
      SocketChannel b = listener.accept();
      a.socket().setTcpNoDelay(true);
      b.socket().setTcpNoDelay(true);
      roundTrips(StreamTransport.of(a, a, "a"), StreamTransport.of(b, b, "b"));
    }
  }

  /** A blocking handler that calls another (remote) capability and waits for it. */
  @Blocking
  static final class Relay extends Server {
    volatile String threadName;
    volatile String newCapLoop;

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      threadName = Thread.currentThread().toString();
      newCapLoop = EventLoop.currentOrDefault().toString();
      try (Capability target = Capability.fromPointer(
          ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1))) {
        String reply;
        try (Response<AnyPointer.Reader> r = call(target, "inner").send().join()) {
          reply = text(r.get(), 0);
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ctx.releaseParams();
        AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
        out.getPointer(0).setAs(dev.capnp.runtime.Text.FACTORY,
            new dev.capnp.runtime.Text.Reader("relayed:" + reply));
        return Server.done();
      }
    }
  }

  @Test
  void blockingHandlerCallsBackWithoutBlockingTheLoop() throws Exception {
    Relay relay = new Relay();
    InMemoryTransport[] w = InMemoryTransport.pair(false);
    RpcConnection server = RpcConnection.create(serverLoop, w[1],
        Capability.of(relay, serverLoop), "server");
    RpcConnection client = RpcConnection.create(clientLoop, w[0], null, "client");
    Counter counter = new Counter();
    try (Capability bs = client.bootstrap();
        Capability callback = Capability.of(counter, clientLoop)) {
      try (Response<AnyPointer.Reader> r = call(bs, "go", callback).send()
          .get(20, TimeUnit.SECONDS)) {
        assertThat(text(r.get(), 0)).isEqualTo("relayed:got:0:inner");
      }
    }
    assertThat(relay.threadName).doesNotContain("server-vat");
    assertThat(relay.newCapLoop).contains("server-vat"); // new caps belong to the handler's vat
    awaitEmpty(client);
    awaitEmpty(server);
    client.close();
    server.close();
  }

  @Test
  void leakedHandleIsReleasedByTheCleaner() throws Exception {
    CountDownLatch released = new CountDownLatch(1);
    Server s = new Server() {
      @Override
      protected void onRelease() {
        released.countDown();
      }
    };
    leak(s);
    for (int i = 0; i < 200 && released.getCount() > 0; i++) {
      System.gc();
      released.await(20, TimeUnit.MILLISECONDS);
    }
    assertThat(released.getCount()).isZero();
  }

  private void leak(Server s) {
    Capability c = Capability.of(s, serverLoop);
    assertThat(c.toString()).contains("refs=1");
  }
}
