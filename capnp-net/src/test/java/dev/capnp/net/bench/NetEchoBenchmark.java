package dev.capnp.net.bench;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Server;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Echo benchmark over real sockets: {@code ping(msg) -> "echo:" + msg}, 100,000 calls with at
 * most 12 in flight, a server vat and a client vat in one process (each on its own Netty I/O
 * thread), over TCP loopback (TLS off and on) and a Unix socket. Prints calls/s and the median
 * round trip. Run: {@code java -cp ... dev.capnp.net.bench.NetEchoBenchmark [calls]}.
 */
public final class NetEchoBenchmark {
  static final long ECHO = 0xa1b2c3d4e5f60718L;
  static final StructSize ONE_PTR = new StructSize(0, 1);

  private NetEchoBenchmark() {}

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

  static void run(String label, NetAddress listen, boolean tls, int calls) throws Exception {
    ServiceId id = ServiceId.generate();
    try (Vat server = Vat.create(VatConfig.builder().listenAddress(listen).tls(tls).build(),
        sid -> sid.matches(id) ? CompletableFuture.completedFuture(Capability.of(new Echo()))
            : dev.capnp.net.Restorer.unknownServiceId());
        Vat client = Vat.client()) {
      CapnpUri uri = server.sturdyUri(id);
      Capability echo = client.importRef(uri).connect().get(30, TimeUnit.SECONDS);
      echo.whenResolved().get(30, TimeUnit.SECONDS);
      Semaphore inFlight = new Semaphore(12);
      long[] rtt = new long[calls];
      long start = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        inFlight.acquire();
        Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = echo.newCall(ECHO, 0);
        r.getParams().initAs(AnyStruct.factory(ONE_PTR)).getPointer(0)
            .setAs(Text.FACTORY, new Text.Reader("ping"));
        int n = i;
        long t0 = System.nanoTime();
        r.send().whenComplete((resp, e) -> {
          rtt[n] = System.nanoTime() - t0;
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
      Arrays.sort(rtt);
      System.out.printf("%-12s %d calls in %.2f s: %.0f calls/s, median round trip %.1f us "
          + "(12 in flight)%n", label, calls, secs, calls / secs, rtt[calls / 2] / 1e3);
      echo.close();
    }
  }

  /** Runs TCP (TLS off, on) and Unix. */
  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    NetAddress tcp = NetAddress.tcp("127.0.0.1", 0);
    run("warmup", tcp, false, Math.min(calls, 30_000));
    run("tcp", tcp, false, calls);
    run("tcp+tls", tcp, true, calls);
    Path dir = Files.createTempDirectory("capnp-bench");
    run("unix", NetAddress.unix(dir.resolve("echo.sock").toString()), false, calls);
    run("unix+tls", NetAddress.unix(dir.resolve("echo-tls.sock").toString()), true, calls);
    Files.deleteIfExists(dir);
  }
}
