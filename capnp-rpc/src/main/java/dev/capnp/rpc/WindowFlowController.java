package dev.capnp.rpc;

import java.util.function.LongSupplier;

/** A flow controller with a fixed window, or one read from a supplier (e.g. a socket buffer). */
final class WindowFlowController extends WindowedStream {
  private final LongSupplier window;

  WindowFlowController(LongSupplier window) {
    this.window = window;
  }

  @Override
  public long window() {
    return window.getAsLong();
  }
}
