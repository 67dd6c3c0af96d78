package dev.capnp.rpc;

import java.util.concurrent.CompletableFuture;

/**
 * Watches one capability until it is broken: follows promises (holding a reference to the
 * promise being waited on) until the target is broken, or settled and able to break later (an
 * import whose connection may be lost, a capability of another loop). Used by
 * {@link Capability#whenBroken()} and by {@link CrossLoopClient} to learn about its target.
 *
 * <p>Threading: {@link #watch} and the state run on {@code loop}, the loop of the watched hook;
 * {@link #stop()} may be called from any thread. {@link #future} completes on that loop.
 */
final class BrokenWatch {
  final CompletableFuture<RpcException> future = new CompletableFuture<>();
  private final EventLoop loop;
  /** The promise waited on (one reference), or {@code null}. */
  private ClientHook held;
  private boolean stopped;

  BrokenWatch(EventLoop loop) {
    this.loop = loop;
  }

  /** Looks at {@code h} (borrowed) and waits for it if it is an unresolved promise. */
  void watch(ClientHook h) {
    if (stopped) {
      return;
    }
    h = ClientHook.shorten(h);
    RpcException e = h.brokenReason();
    if (e != null) {
      future.complete(e);
      return;
    }
    CompletableFuture<Void> more = h.whenMoreResolved();
    if (more != null) {
      ClientHook fh = h.addRef();
      held = fh;
      more.whenComplete((v, x) -> {
        if (held == fh) {
          held = null;
          watch(fh);
          fh.release();
        }
      });
      return;
    }
    CompletableFuture<RpcException> later = h.whenSettledBroken();
    if (later != null) {
      later.thenAccept(r -> loop.run(() -> {
        if (!stopped) {
          future.complete(r);
        }
      }));
    }
  }

  /** Drops the registration (any thread): the promise held is released, the future never completes. */
  void stop() {
    loop.run(() -> {
      stopped = true;
      ClientHook h = held;
      if (h != null) {
        held = null;
        h.release();
      }
    });
  }
}
