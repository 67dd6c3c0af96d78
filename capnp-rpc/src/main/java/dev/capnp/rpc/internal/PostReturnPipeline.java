package dev.capnp.rpc.internal;

import dev.capnp.rpc.EventLoop;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The pipeline of an answer whose {@code Return} is sent and which returned some of the peer's
 * own unresolved promises (described to it as its own capabilities). Pipelined calls and
 * {@code Disembargo}s the peer still addresses to such a path must go where the {@code Return}
 * said, for good, even if the promise resolves elsewhere later (for example back to us): the
 * peer may have embargoed the path and expects its {@code Disembargo} to be reflected along it.
 * This is the {@code Return} side of the Tribble 4-way race of rpc.capnp's {@code Disembargo};
 * rpc.c++ solves it the same way ({@code PostReturnRpcPipeline}).
 *
 * <p>Calls that reached the inner pipeline before the {@code Return} must still arrive first, so
 * a path is only pinned once the inner pipeline's capability has itself settled on the returned
 * capability; until then callers get a local promise that follows it. Runs on the connection's
 * loop.
 */
public final class PostReturnPipeline implements PipelineHook {
  private final EventLoop loop;
  private final Object connection;
  private final PipelineHook inner;
  /** The results the {@code Return} was written from (owned by the answer, borrowed here). */
  private final Results results;
  /**
   * Returned capability (identity, owned) to what its descriptor named then (not owned: see
   * {@link #settle}).
   */
  private final Map<ClientHook, ClientHook> pins;
  /** Per pinned promise still unresolved: the wait for its next resolution (removable). */
  private final Map<ClientHook, ListenerList.Listener> waits = new java.util.IdentityHashMap<>();

  /**
   * Takes over {@code inner} and the references in {@code pins}; {@code connection} is the
   * brand of the peer's capabilities.
   */
  public PostReturnPipeline(EventLoop loop, Object connection, PipelineHook inner, Results results,
      Map<ClientHook, ClientHook> pins) {
    this.loop = loop;
    this.connection = connection;
    this.inner = inner;
    this.results = results;
    this.pins = pins;
    for (ClientHook returned : new java.util.ArrayList<>(pins.keySet())) {
      unpinWhenBackOnPeer(returned);
    }
  }

  /**
   * Drops the pin of {@code returned} once that promise has settled on another capability of the
   * peer, or broke. A pin only matters while the promise may still lead away from the peer (to
   * us, or elsewhere): then a {@code Disembargo} along its resolution would no longer reach the
   * peer. Once it settles back on the peer, reflections go there anyway, as before the
   * {@code Return}; and dropping the pin frees what it held, which may be a reference cycle the
   * applications closed through the peer (its promise resolved to a result of the very call
   * this answer returned it from). A broken promise fails the peer's later calls as it should.
   */
  private void unpinWhenBackOnPeer(ClientHook returned) {
    if (!pins.containsKey(returned)) {
      return;
    }
    ClientHook s = ClientHook.shorten(returned);
    ResolutionSignal signal = s.resolutionSignal();
    if (signal != null) {
      ListenerList.Listener l = signal.add(() -> loop.run(() -> {
        waits.remove(returned);
        unpinWhenBackOnPeer(returned);
      }));
      if (l != null) {
        waits.put(returned, l);
      }
    } else if (s.brand() == connection || s.brokenReason() != null) {
      pins.remove(returned);
      returned.release();
    }
  }

  @Override
  public ClientHook getPipelinedCap(short[] ops) {
    ClientHook original = inner.getPipelinedCap(ops);
    ClientHook returned = results.capAt(ops, loop);
    try {
      ClientHook pin = pins.get(returned);
      return pin == null ? original : settle(original, returned, pin);
    } finally {
      returned.release();
    }
  }

  /**
   * {@code pin} once {@code original} (owned) has settled on {@code returned} (borrowed), as a
   * local promise while it has not; {@code original} if it settled elsewhere (broken, say).
   *
   * <p>A pin holds no reference: it is used while something else still holds it (the returned
   * promise until it resolves, a {@code Disembargo} being reflected), and otherwise the path
   * falls back to the promise's resolution. Holding it would keep the peer's export alive until
   * the peer's {@code Finish}, and the peer may be unable to finish: its export, resolved to a
   * result of the very call this answers, holds the question (a reference cycle across the two
   * vats). The import only goes once the promise has resolved, that is after the peer's
   * {@code Resolve}; a message the peer addresses to this path after that was sent knowing the
   * resolution (messages arrive in order), and the calls it sent before went ahead of it along
   * the old route, so the resolution is a correct route for it.
   */
  private ClientHook settle(ClientHook original, ClientHook returned, ClientHook pin) {
    ClientHook h = original;
    for (int i = 0; h != null && i < 10_000; i++) {
      if (h == returned) {
        if (pin.tryAddRef()) {
          original.release();
          return pin;
        }
        return original;
      }
      ClientHook next = h.getResolved();
      if (next == null) {
        break;
      }
      h = next;
    }
    CompletableFuture<Void> more = h == null ? null : h.whenMoreResolved();
    if (more == null || !pin.tryAddRef()) {
      return original; // (settled elsewhere, or the pin is gone: the resolution is the route)
    }
    ClientHook pinRef = pin; // (held while waiting, so that the path it names stays)
    QueuedClient q = new QueuedClient(loop, "returned capability");
    q.addRef(); // held until it resolves
    ClientHook returnedRef = returned.addRef();
    more.whenComplete((v, x) -> loop.run(() -> {
      try {
        q.resolve(settle(original, returnedRef, pinRef));
      } finally {
        returnedRef.release();
        pinRef.release();
        q.release();
      }
    }));
    return q;
  }

  @Override
  public void release() {
    inner.release();
    for (ListenerList.Listener w : waits.values()) {
      w.cancel();
    }
    waits.clear();
    for (ClientHook returned : pins.keySet()) {
      returned.release();
    }
    pins.clear();
  }
}
