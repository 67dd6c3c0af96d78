package dev.capnp.rpc;

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
 * {@link ClientHook#settledBreakSignal()}. {@link #add}, {@link #remove} and {@link #fire} run
 * there only; listeners run there, inside {@link #fire} (or inside {@link #add} when the signal
 * has already fired).
 */
final class BreakSignal {
  /** The reason once fired, else {@code null}. */
  private RpcException reason;
  /** Registered listeners, a doubly linked list (removal in constant time). */
  private Listener first;
  private int size;

  /** A signal fired by the thread that completes {@code source} (it must be the loop's). */
  static BreakSignal following(CompletableFuture<RpcException> source) {
    BreakSignal s = new BreakSignal();
    source.thenAccept(s::fire);
    return s;
  }

  /** One registration; pass it to {@link #remove} to drop it. */
  static final class Listener {
    private final Consumer<RpcException> action;
    private Listener prev;
    private Listener next;
    /** Whether it is still in the list (false once removed or fired). */
    private boolean registered;

    private Listener(Consumer<RpcException> action) {
      this.action = action;
    }
  }

  /**
   * Registers {@code action} to run with the reason when the signal fires; if it has fired
   * already, runs it now and returns {@code null}.
   */
  Listener add(Consumer<RpcException> action) {
    if (reason != null) {
      action.accept(reason);
      return null;
    }
    Listener l = new Listener(action);
    l.next = first;
    if (first != null) {
      first.prev = l;
    }
    first = l;
    l.registered = true;
    size++;
    return l;
  }

  /** Drops {@code l} (harmless if it was removed already, has fired, or is null). */
  void remove(Listener l) {
    if (l == null || !l.registered) {
      return;
    }
    l.registered = false;
    if (l.prev != null) {
      l.prev.next = l.next;
    } else {
      first = l.next;
    }
    if (l.next != null) {
      l.next.prev = l.prev;
    }
    l.prev = null;
    l.next = null;
    size--;
  }

  /**
   * Fires the signal (the first reason wins): each listener is removed, then run. A listener
   * removed by an earlier one does not run; one added meanwhile runs at once (see {@link #add}).
   */
  void fire(RpcException e) {
    if (reason != null) {
      return;
    }
    reason = e;
    Listener l;
    while ((l = first) != null) {
      remove(l);
      try {
        l.action.accept(e);
      } catch (RuntimeException x) {
        Capability.LOG.warn("a breakage listener failed", x);
      }
    }
  }

  /** How many listeners are registered (a leak diagnostic). */
  int size() {
    return size;
  }

  /** The reason the signal fired with, or {@code null}. */
  RpcException reason() {
    return reason;
  }
}
