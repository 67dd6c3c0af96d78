package dev.capnp.net.scenarios;

import dev.capnp.rpc.ResponsePromise;
import java.util.concurrent.CompletableFuture;

/** Client helpers for the suite's services (futures; combine with {@link Vats#await}). */
final class Calls {
  private Calls() {}

  /** {@code echo.ping(msg, slow)} -> reply. */
  static CompletableFuture<String> ping(ScenarioApi.Echo.Client echo, String msg, boolean slow) {
    return pingCall(echo, msg, slow).thenApply(r -> {
      try (r) {
        return r.get().getReply().toString();
      }
    });
  }

  /** A fast ping, waited for. */
  static String ping(ScenarioApi.Echo.Client echo, String msg) {
    return Vats.await(ping(echo, msg, false));
  }

  /** The raw promise of a ping (to cancel it). */
  static ResponsePromise<ScenarioApi.Echo.PingResults.Reader, ScenarioApi.Echo.PingResults.Pipeline>
      pingCall(ScenarioApi.Echo.Client echo, String msg, boolean slow) {
    var request = echo.pingRequest();
    request.getParams().setMsg(msg);
    request.getParams().setSlow(slow);
    return request.send();
  }

  /** {@code echo.unblock()}, waited for. */
  static void unblock(ScenarioApi.Echo.Client echo) {
    Vats.await(echo.unblockRequest().send()).close();
  }

  /** {@code registry.unblock()}, waited for. */
  static void unblock(ScenarioApi.Registry.Client registry) {
    Vats.await(registry.unblockRequest().send()).close();
  }

  /** {@code registry.setEchoService(echo)}, waited for. */
  static void setEchoService(ScenarioApi.Registry.Client registry, ScenarioApi.Echo.Client echo) {
    var request = registry.setEchoServiceRequest();
    request.getParams().setService(echo);
    Vats.await(request.send()).close();
  }

  /** Closes the response of {@code promise} once it arrives (its pipelined caps stay usable). */
  static void closeWhenDone(ResponsePromise<?, ?> promise) {
    promise.whenComplete((r, e) -> {
      if (r != null) {
        r.close();
      }
    });
  }
}
