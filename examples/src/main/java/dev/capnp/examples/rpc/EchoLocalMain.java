package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.EchoApi.Echo;
import dev.capnp.rpc.EventLoop;

/**
 * The tutorial's echo service and client in one process, with no network: the service is a
 * local capability served by its own event loop. Run: {@code EchoLocalMain [delayMillis]}.
 */
public final class EchoLocalMain {
  private EchoLocalMain() {}

  /**
   * Entry point.
   *
   * @param args optionally the heartbeat delay in milliseconds (default 1000)
   */
  public static void main(String[] args) {
    long delay = args.length > 0 ? Long.parseLong(args[0]) : 1000;
    try (EventLoop loop = EventLoop.start("echo-vat")) {
      Echo.Client echo = EchoService.create(delay, loop);
      try (echo) {
        EchoClient.runTutorialClient(echo, loop);
      }
    }
  }
}
