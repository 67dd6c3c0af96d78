package dev.capnp.rpc;

import java.util.ArrayDeque;

/**
 * The streaming discipline of one local object (as in the C++ implementation): while a streaming
 * call runs, later calls to the object wait in arrival order; when a streaming call fails, the
 * object is broken and every later call fails with that exception. Confined to the object's
 * event loop.
 */
final class StreamGate {
  private final Server server;
  private boolean blocked;
  private boolean draining;
  private RpcException broken;
  private ArrayDeque<CallContextImpl> waiting;

  StreamGate(Server server) {
    this.server = server;
  }

  /** Starts {@code ctx} now, or after the streaming call in progress and those waiting. */
  void admit(CallContextImpl ctx) {
    if (blocked || (waiting != null && !waiting.isEmpty())) {
      if (waiting == null) {
        waiting = new ArrayDeque<>();
      }
      waiting.add(ctx);
      return;
    }
    run(ctx);
  }

  private void run(CallContextImpl ctx) {
    if (broken != null) {
      ctx.start(broken);
      return;
    }
    if (server.isStreaming(ctx.params.interfaceId, ctx.params.methodId)) {
      blocked = true;
      ctx.whenHandlerDone = this::streamingCallDone;
    }
    ctx.start(null);
  }

  private void streamingCallDone(Throwable failure) {
    if (failure != null && broken == null) {
      broken = RpcException.of(failure);
    }
    blocked = false;
    if (draining) {
      return; // the loop below continues with the next waiting call
    }
    draining = true;
    try {
      while (!blocked && waiting != null && !waiting.isEmpty()) {
        run(waiting.poll());
      }
    } finally {
      draining = false;
    }
  }
}
