package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.EchoApi.Callback;
import dev.capnp.examples.rpc.EchoApi.Echo;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.UriOrCapFile;
import dev.capnp.net.Vat;
import dev.capnp.rpc.Await;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import java.io.PrintStream;

/**
 * The client of {@code ./demo.sh}: {@code EchoDemoClientMain capnp://...|FILE.cap} connects to an
 * echo server in another process ({@link EchoServerMain}) and says what it does at each step: a
 * call, a call that passes a callback the server calls back over the network, a pipelined call on
 * a capability the server has not returned yet, and a failing call's error.
 */
public final class EchoDemoClientMain {
  private final PrintStream out;

  EchoDemoClientMain(PrintStream out) {
    this.out = out;
  }

  /**
   * Entry point: exit status 0 when every step worked, 1 on an RPC failure, 2 on bad usage.
   *
   * @param args one argument: the service's {@code capnp://} URI or cap file
   */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: EchoDemoClientMain capnp://...|FILE.cap");
      System.exit(2);
    }
    CapnpUri uri;
    try {
      uri = UriOrCapFile.parse(args[0]);
    } catch (IllegalArgumentException e) {
      System.err.println("client: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      new EchoDemoClientMain(System.out).run(uri);
    } catch (RpcException e) {
      System.err.println("client: " + e);
      System.exit(1);
    }
  }

  /** Runs every step against the service at {@code uri}. */
  void run(CapnpUri uri) {
    boolean tls = !uri.auth().isInsecure();
    out.println("client: connecting to " + uri.address()
        + (tls ? ", expecting the server key " + uri.auth() : " without TLS (an insecure URI)"));
    try (Vat vat = Vat.client();
        Echo.Client echo = new Echo.Client(Await.result(vat.importRef(uri).connect()))) {
      out.println(tls ? "client: connected over TLS; the server proved it holds that key"
          : "client: connected");

      var ping = echo.pingRequest();
      ping.getParams().setMsg("hello");
      try (var reply = Await.result(ping.send())) {
        out.println("client: ping(\"hello\") returned \"" + reply.get().getReply() + "\"");
      }

      out.println("client: heartbeat(\"tick\", callback): handing the server a capability to an"
          + " object in this process");
      try (Callback.Client callback = new Callback.Client(Capability.of(
          new PrintingCallback("client:   the server called our callback with ", out),
          vat.loop()))) {
        var heartbeat = echo.heartbeatRequest();
        heartbeat.getParams().setMsg("tick");
        heartbeat.getParams().setCallback(callback);
        Await.result(heartbeat.send()).close();
      }
      out.println("client: heartbeat returned");

      // Pipelining: call log() on the logger that getLogger() will return, without waiting for it.
      var getLogger = echo.getLoggerRequest().send();
      try (Callback.Client logger = getLogger.pipeline().getCallback()) {
        var log = logger.logRequest();
        log.getParams().setMsg("hello from a pipelined call");
        var logged = log.send();
        out.println("client: sent getLogger() and log(...) on its future result, in one round"
            + " trip");
        Await.result(logged).close();
        out.println("client: log(...) on the server's logger returned (see the server's output)");
      } finally {
        Await.result(getLogger).close();
      }

      var noCallback = echo.heartbeatRequest();
      noCallback.getParams().setMsg("oops");
      try {
        Await.result(noCallback.send()).close();
        throw new IllegalStateException("heartbeat without a callback should have failed");
      } catch (RpcException expected) {
        out.println("client: heartbeat without a callback failed as expected: " + expected);
      }
    }
    out.println("client: done");
  }
}
