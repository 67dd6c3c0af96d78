package dev.capnp.rpc;

import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;

/** A capability implemented by a local {@link Server}. */
final class LocalClient extends ClientHook {
  final Server server;
  private final StreamGate gate;

  LocalClient(EventLoop loop, Server server) {
    super(loop);
    this.server = server;
    this.gate = new StreamGate(server);
  }

  @Override
  public CallResult call(CallParams params) {
    assert loop.inLoop() : "called off its loop: " + this;
    CallContextImpl ctx = new CallContextImpl(this, params);
    // (queued behind the loop's tasks, for E-order; the context's promise is the task, and
    // the call result: no lambda, no pair per call)
    loop.execute(ctx.promise);
    return ctx.promise;
  }

  /** Admits {@code ctx} to its server (on the loop, in the order of the calls). */
  void admit(CallContextImpl ctx) {
    gate.admit(ctx);
  }

  @Override
  public void destroy() {
    server.hookDestroyed(this);
    try {
      server.onRelease();
    } catch (RuntimeException e) {
      Capability.LOG.warn("onRelease of {} failed", server, e);
    }
  }

  @Override
  public String describe() {
    return "local(" + server + ")";
  }
}
