package dev.capnp.rpc;

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
final class PostReturnPipeline extends PipelineHook {
  private final EventLoop loop;
  private final PipelineHook inner;
  /** The results the {@code Return} was written from (owned by the answer, borrowed here). */
  private final Results results;
  /** Returned capability (identity, owned) to what its descriptor named then (owned). */
  private final Map<ClientHook, ClientHook> pins;

  /** Takes over {@code inner} and the references in {@code pins}. */
  PostReturnPipeline(EventLoop loop, PipelineHook inner, Results results,
      Map<ClientHook, ClientHook> pins) {
    this.loop = loop;
    this.inner = inner;
    this.results = results;
    this.pins = pins;
    for (ClientHook returned : new java.util.ArrayList<>(pins.keySet())) {
      unpinWhenBroken(returned);
    }
  }

  /**
   * Drops the pin of {@code returned} once it is broken: the peer's later calls then fail as
   * the capability did, and a pin that only led back around a promise cycle (which broke the
   * promise, see {@link RpcConnection}) no longer holds that cycle's references.
   */
  private void unpinWhenBroken(ClientHook returned) {
    if (!pins.containsKey(returned)) {
      return;
    }
    ClientHook s = ClientHook.shorten(returned);
    if (s.brokenReason() != null && s.whenMoreResolved() == null) {
      pins.remove(returned).release();
      returned.release();
      return;
    }
    CompletableFuture<Void> more = s.whenMoreResolved();
    if (more != null) {
      more.whenComplete((v, x) -> loop.run(() -> unpinWhenBroken(returned)));
    }
  }

  @Override
  ClientHook getPipelinedCap(short[] ops) {
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
   */
  private ClientHook settle(ClientHook original, ClientHook returned, ClientHook pin) {
    ClientHook h = original;
    for (int i = 0; h != null && i < 10_000; i++) {
      if (h == returned) {
        original.release();
        return pin.addRef();
      }
      ClientHook next = h.getResolved();
      if (next == null) {
        break;
      }
      h = next;
    }
    CompletableFuture<Void> more = h == null ? null : h.whenMoreResolved();
    if (more == null) {
      return original;
    }
    QueuedClient q = new QueuedClient(loop, "returned capability");
    q.addRef(); // held until it resolves
    ClientHook returnedRef = returned.addRef();
    ClientHook pinRef = pin.addRef();
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
  void release() {
    inner.release();
    for (Map.Entry<ClientHook, ClientHook> e : pins.entrySet()) {
      e.getKey().release();
      e.getValue().release();
    }
    pins.clear();
  }
}
