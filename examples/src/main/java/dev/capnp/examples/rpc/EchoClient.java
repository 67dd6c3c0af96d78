package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.EchoApi.Callback;
import dev.capnp.examples.rpc.EchoApi.Echo;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;

/** Blocking client-side helpers for the echo service (call them from outside any event loop). */
public final class EchoClient {
  private EchoClient() {}

  /**
   * Calls {@code ping(msg)} and returns the reply.
   *
   * @param echo the echo service
   * @param msg the message to send
   * @return the service's reply
   */
  public static String ping(Echo.Client echo, String msg) {
    var request = echo.pingRequest();
    request.getParams().setMsg(msg);
    try (var response = request.send().join()) {
      return response.get().getReply().toString();
    }
  }

  /**
   * Calls {@code heartbeat(msg, callback)} and waits until the service has finished.
   *
   * @param echo the echo service
   * @param msg the message to send
   * @param callback the callback the service calls
   */
  public static void heartbeat(Echo.Client echo, String msg, Callback.Client callback) {
    var request = echo.heartbeatRequest();
    request.getParams().setMsg(msg);
    request.getParams().setCallback(callback);
    request.send().join().close();
  }

  /**
   * Calls {@code callback.log(msg)} and waits for it to return.
   *
   * @param callback the callback to call
   * @param msg the message to log
   */
  public static void log(Callback.Client callback, String msg) {
    var request = callback.logRequest();
    request.getParams().setMsg(msg);
    request.send().join().close();
  }

  /**
   * The tutorial's client: passes a local callback to {@code heartbeat} (the service calls it
   * back three times), then logs to the service's own logger through a pipelined reference.
   *
   * @param echo the echo service
   */
  public static void runTutorialClient(Echo.Client echo) {
    runTutorialClient(echo, EventLoop.currentOrDefault());
  }

  /**
   * {@link #runTutorialClient(Echo.Client)} with the callback served by {@code callbackLoop} (the
   * client vat's {@code Vat.loop()}: the service's calls to it then need no thread hand-off).
   *
   * @param echo the echo service
   * @param callbackLoop the event loop serving the callback
   */
  public static void runTutorialClient(Echo.Client echo, EventLoop callbackLoop) {
    System.out.println("Got reply \"" + ping(echo, "foo") + '"');
    try (Callback.Client callback = new Callback.Client(
        Capability.of(new PrintingCallback("Callback got "), callbackLoop))) {
      heartbeat(echo, "foo", callback);
    }
    // Pipelining: log to the service's logger before the getLogger call has returned.
    var loggerPromise = echo.getLoggerRequest().send();
    try (Callback.Client logger = loggerPromise.pipeline().getCallback()) {
      log(logger, "Message from client");
    } finally {
      loggerPromise.join().close();
    }
  }
}
