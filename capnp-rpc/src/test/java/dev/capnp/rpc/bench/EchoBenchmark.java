package dev.capnp.rpc.bench;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.rpc.transport.StreamTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Echo benchmark mirroring the seed library's: {@code ping(msg) -> "echo:" + msg}, 100,000 calls
 * with at most 12 in flight, client and server vats in one process on their own loops, over the
 * in-memory transport, over piped streams and over a loopback socket pair. Run:
 * {@code java -cp ... dev.capnp.rpc.bench.EchoBenchmark [calls]}.
 */
public final class EchoBenchmark {
  static final long ECHO = 0xa1b2c3d4e5f60718L;
  static final StructSize ONE_PTR = new StructSize(0, 1);

  private EchoBenchmark() {
  }

  /** The echo service. */
  static final class Echo extends Server {
    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      String msg = ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(0)
          .getAs(Text.FACTORY).toString();
      ctx.getResults().initAs(AnyStruct.factory(ONE_PTR)).getPointer(0)
          .setAs(Text.FACTORY, new Text.Reader("echo:" + msg));
      return Server.done();
    }
  }

  static double run(String label, MessageTransport clientSide, MessageTransport serverSide,
      int calls) throws Exception {
    EventLoop serverLoop = EventLoop.start("bench-server");
    EventLoop clientLoop = EventLoop.start("bench-client");
    RpcConnection server = RpcConnection.create(serverLoop, serverSide,
        Capability.of(new Echo(), serverLoop), "server");
    RpcConnection client = RpcConnection.create(clientLoop, clientSide, null, "client");
    Capability echo = client.bootstrap();
    Semaphore inFlight = new Semaphore(12);
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      inFlight.acquire();
      Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = echo.newCall(ECHO, 0);
      r.getParams().initAs(AnyStruct.factory(ONE_PTR)).getPointer(0)
          .setAs(Text.FACTORY, new Text.Reader("ping"));
      r.send().whenComplete((resp, e) -> {
        if (e != null) {
          e.printStackTrace();
        } else {
          resp.close();
        }
        inFlight.release();
      });
    }
    inFlight.acquire(12);
    double secs = (System.nanoTime() - start) / 1e9;
    double rate = calls / secs;
    System.out.printf("%-10s %d calls in %.2f s: %.0f calls/s%n", label, calls, secs, rate);
    echo.close();
    client.close();
    server.whenDisconnected().get(10, TimeUnit.SECONDS);
    serverLoop.close();
    clientLoop.close();
    return rate;
  }

  /** Runs both configurations. */
  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    InMemoryTransport[] w = InMemoryTransport.pair(false);
    run("warmup", w[0], w[1], Math.min(calls, 20_000));
    w = InMemoryTransport.pair(false);
    run("in-memory", w[0], w[1], calls);
    java.io.PipedInputStream aIn = new java.io.PipedInputStream(1 << 16);
    java.io.PipedOutputStream bOut = new java.io.PipedOutputStream(aIn);
    java.io.PipedInputStream bIn = new java.io.PipedInputStream(1 << 16);
    java.io.PipedOutputStream aOut = new java.io.PipedOutputStream(bIn);
    run("piped", StreamTransport.of(aIn, aOut, "c"), StreamTransport.of(bIn, bOut, "s"), calls);
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
      SocketChannel a = SocketChannel.open(listener.getLocalAddress());
      SocketChannel b = listener.accept();
      a.socket().setTcpNoDelay(true);
      b.socket().setTcpNoDelay(true);
      run("socket", StreamTransport.of(a, a, "c"), StreamTransport.of(b, b, "s"), calls);
    }
  }
}
