package dev.capnp.rpc.internal;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * That settled capabilities broke after all: the loss of a connection (for its imports and
 * pipelined answers), the breakage of a cross-loop bridge's target. Fired at most once, with the
 * reason. Unlike a {@link CompletableFuture}, a listener can be removed again, so a watcher that
 * goes away (a closed {@link Capability#whenBroken()} handle, a released bridge) leaves nothing
 * behind on a source that may live much longer.
 *
 * <p>Threading: confined to one event loop, the loop of the hooks that hand it out through
 * {@link ClientHook#settledBreakSignal()}. {@link #add}, {@link #fire} and cancelling a listener run
 * there only; listeners run there, inside {@link #fire} (or inside {@link #add} when the signal
 * has already fired).
 */
public final class BreakSignal {
  /** The reason once fired, else {@code null}. */
  private RpcException reason;
  private final ListenerList<RpcException> listeners = new ListenerList<>();

  /** A signal fired by the thread that completes {@code source} (it must be the loop's). */
  public static BreakSignal following(CompletableFuture<RpcException> source) {
    BreakSignal s = new BreakSignal();
    source.thenAccept(s::fire);
    return s;
  }

  /**
   * Registers {@code action} to run with the reason when the signal fires; if it has fired
   * already, runs it now and returns {@code null}.
   */
  public ListenerList.Listener add(Consumer<RpcException> action) {
    if (reason != null) {
      action.accept(reason);
      return null;
    }
    return listeners.add(action);
  }

  /**
   * Fires the signal (the first reason wins): each listener is removed, then run. A listener
   * removed by an earlier one does not run; one added meanwhile runs at once (see {@link #add}).
   */
  public void fire(RpcException e) {
    if (reason != null) {
      return;
    }
    reason = e;
    listeners.fireAll(e, "a breakage listener");
  }

  /** How many listeners are registered (a leak diagnostic). */
  public int size() {
    return listeners.size();
  }

  /** The reason the signal fired with, or {@code null}. */
  public RpcException reason() {
    return reason;
  }
}
