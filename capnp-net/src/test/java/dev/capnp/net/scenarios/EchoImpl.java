package dev.capnp.net.scenarios;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The suite's echo service: {@code ping} replies {@code got:<counter>:<msg>} (the counter counts
 * pings received); a slow ping returns only after the next {@code unblock}.
 */
final class EchoImpl extends ScenarioApi.Echo.Server {
  private CompletableFuture<Void> blocked = new CompletableFuture<>();
  private int count;

  /** A new echo service capability. */
  static ScenarioApi.Echo.Client create() {
    return new ScenarioApi.Echo.Client(Capability.of(new EchoImpl()));
  }

  /**
   * A new echo service capability served by {@code loop}: a service that a vat's connection
   * will call (or that comes back through it) must live on that vat's loop.
   */
  static ScenarioApi.Echo.Client create(dev.capnp.rpc.EventLoop loop) {
    return new ScenarioApi.Echo.Client(Capability.of(new EchoImpl(), loop));
  }

  @Override
  protected CompletionStage<Void> ping(CallContext<ScenarioApi.Echo.PingParams.Reader,
      ScenarioApi.Echo.PingResults.Builder> context) {
    String msg = context.getParams().getMsg().toString();
    boolean slow = context.getParams().getSlow();
    context.releaseParams();
    context.getResults().setReply("got:" + count + ":" + msg);
    count++;
    return slow ? blocked : done();
  }

  @Override
  protected CompletionStage<Void> unblock(CallContext<ScenarioApi.Echo.UnblockParams.Reader,
      ScenarioApi.Echo.UnblockResults.Builder> context) {
    CompletableFuture<Void> old = blocked;
    blocked = new CompletableFuture<>();
    old.complete(null);
    return done();
  }
}
