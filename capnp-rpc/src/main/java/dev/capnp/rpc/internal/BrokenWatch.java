package dev.capnp.rpc.internal;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import java.util.concurrent.CompletableFuture;

/**
 * Watches one capability until it is broken: follows promises (holding a reference to the
 * promise being waited on) until the target is broken, or settled and able to break later (an
 * import whose connection may be lost, a capability of another loop), in which case it listens
 * to that hook's {@link BreakSignal}. Used by {@link Capability#whenBroken()} and by
 * {@link CrossLoopClient} to learn about its target.
 *
 * <p>{@link #stop()} leaves nothing behind: the reference to the promise waited on is dropped
 * and the listener removed from its {@link ResolutionSignal} (a promise may stay unresolved for
 * long, with many watches started and stopped on it), or from the settled hook's
 * {@link BreakSignal}, which may belong to something much longer-lived (a connection).
 *
 * <p>Threading: {@link #watch} and the state run on {@code loop}, the loop of the watched hook
 * (the hooks a promise leads to belong to its loop, so the signal listened to is confined to
 * that loop too); {@link #stop()} may be called from any thread. {@link #future} completes on
 * that loop.
 */
public final class BrokenWatch {
  public final CompletableFuture<RpcException> future = new CompletableFuture<>();
  private final EventLoop loop;
  /** The promise waited on (one reference), or {@code null}. */
  private ClientHook held;
  /** The registration on the next resolution of {@link #held}, while waiting. */
  private ListenerList.Listener waiting;
  /** The registration on the break signal of the watched hook once it is settled. */
  private ListenerList.Listener listener;
  private boolean stopped;

  public BrokenWatch(EventLoop loop) {
    this.loop = loop;
  }

  /** Looks at {@code h} (borrowed) and waits for it if it is an unresolved promise. */
  public void watch(ClientHook h) {
    assert loop.inLoop() : "watch off its loop: " + h;
    if (stopped) {
      return;
    }
    h = ClientHook.shorten(h);
    assert h.loop == loop : "a watched capability led to another loop: " + h;
    RpcException e = h.brokenReason();
    if (e != null) {
      future.complete(e);
      return;
    }
    ResolutionSignal more = h.resolutionSignal();
    if (more != null) {
      ClientHook fh = h.addRef();
      held = fh;
      ListenerList.Listener l = more.add(() -> resolved(fh));
      if (l != null && held == fh) {
        waiting = l;
      }
      return;
    }
    BreakSignal s = h.settledBreakSignal();
    if (s != null) {
      listener = s.add(this::broke);
    }
  }

  /** The promise {@code fh} waited on resolved (on the loop; the signal has dropped the listener). */
  private void resolved(ClientHook fh) {
    if (held != fh) {
      return; // stopped meanwhile
    }
    held = null;
    waiting = null;
    watch(fh);
    fh.release();
  }

  /** The settled hook broke (on the loop; the signal has dropped the listener). */
  private void broke(RpcException reason) {
    listener = null;
    if (!stopped) {
      future.complete(reason);
    }
  }

  /**
   * Drops the registration (any thread): the promise held is released, the listener removed,
   * the future never completes.
   */
  public void stop() {
    loop.run(() -> {
      stopped = true;
      ListenerList.Listener.cancel(waiting);
      waiting = null;
      ClientHook h = held;
      if (h != null) {
        held = null;
        h.release();
      }
      ListenerList.Listener.cancel(listener);
      listener = null;
    });
  }
}
