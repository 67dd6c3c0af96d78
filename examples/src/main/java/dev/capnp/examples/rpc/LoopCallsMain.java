package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.EchoApi.Echo;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.rpc.Await;
import dev.capnp.rpc.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The guide's "Fast calls and a fast start" step: the same pings made from a thread that blocks
 * on each reply, from the client vat's event loop, each sent from the previous reply's
 * completion (no thread hand-off), and the same from the loop with a listener instead of a
 * promise ({@code Request.send(ResponseListener)}), against an echo server vat over TCP on
 * loopback (TLS). Prints the mean round trip of each. Run: {@code LoopCallsMain [calls]}
 * (default 20,000).
 */
public final class LoopCallsMain {
  private LoopCallsMain() {}

  /**
   * Entry point.
   *
   * @param args optionally the number of calls per way (default 20,000)
   * @throws Exception if a call fails
   */
  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    VatConfig config = VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0)).build();
    ServiceId id = config.derivedId("main");
    try (Vat server = Vat.create(config, null);
        SingleRestorer restorer = new SingleRestorer(id,
            EchoService.create(0, server.loop()).capability());
        Vat client = Vat.client()) {
      server.setRestorer(restorer);
      CapnpUri uri = server.sturdyUri(id);
      try (Echo.Client echo = new Echo.Client(Await.result(client.connect(uri)))) {
        for (int round = 0; round < 2; round++) { // the first round warms up
          long t0 = System.nanoTime();
          blocking(echo, calls);
          long t1 = System.nanoTime();
          fromLoop(echo, client.loop(), calls, false);
          long t2 = System.nanoTime();
          fromLoop(echo, client.loop(), calls, true);
          long t3 = System.nanoTime();
          if (round == 1) {
            System.out.printf("blocking thread: %.1f µs per call%n", (t1 - t0) / 1e3 / calls);
            System.out.printf("from the loop:   %.1f µs per call%n", (t2 - t1) / 1e3 / calls);
            System.out.printf("with a listener: %.1f µs per call%n", (t3 - t2) / 1e3 / calls);
          }
        }
      }
    }
  }

  /** One call at a time; this thread waits for each reply. */
  static void blocking(Echo.Client echo, int calls) {
    for (int i = 0; i < calls; i++) {
      var req = echo.pingRequest();
      req.getParams().setMsg("ping");
      try (var r = Await.result(req.send())) {
        check(r.get().getReply().toString());
      }
    }
  }

  /**
   * One call at a time, each sent on the loop from the previous reply's completion: a promise's
   * ({@code send().whenComplete}) or, with {@code listener}, a listener's
   * ({@code send(ResponseListener)}).
   */
  static void fromLoop(Echo.Client echo, EventLoop loop, int calls, boolean listener)
      throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(() -> {
      if (listener) {
        listenedPings(echo, calls, done);
      } else {
        pings(echo, calls, done);
      }
    });
    done.get(5, TimeUnit.MINUTES);
  }

  /** As {@link #pings}, each reply handed to a listener: no promise, no pipeline per call. */
  private static void listenedPings(Echo.Client echo, int left, CompletableFuture<Void> done) {
    if (left == 0) {
      done.complete(null);
      return;
    }
    var req = echo.pingRequest();
    req.getParams().setMsg("ping");
    req.send((r, e) -> { // runs on the vat's loop; r is released when this returns
      if (e != null) {
        done.completeExceptionally(e);
        return;
      }
      try {
        check(r.get().getReply().toString());
      } catch (RuntimeException wrong) {
        done.completeExceptionally(wrong);
        return;
      }
      listenedPings(echo, left - 1, done);
    });
  }

  private static void pings(Echo.Client echo, int left, CompletableFuture<Void> done) {
    if (left == 0) {
      done.complete(null);
      return;
    }
    var req = echo.pingRequest();
    req.getParams().setMsg("ping");
    req.send().whenComplete((r, e) -> { // runs on the vat's loop: never block here
      if (e != null) {
        done.completeExceptionally(e);
        return;
      }
      try (r) {
        check(r.get().getReply().toString());
      } catch (RuntimeException wrong) {
        done.completeExceptionally(wrong);
        return;
      }
      pings(echo, left - 1, done);
    });
  }

  private static void check(String reply) {
    if (!reply.equals("echo:ping")) {
      throw new IllegalStateException("unexpected reply " + reply);
    }
  }
}
