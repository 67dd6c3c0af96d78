package dev.capnp.rpc.internal;

import dev.capnp.rpc.Capability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.function.Consumer;

/**
 * The listeners of a one-shot event, each removable again in constant time (a doubly linked
 * list): the part {@link BreakSignal} and {@link ResolutionSignal} share. Unlike the dependents
 * of a {@link java.util.concurrent.CompletableFuture}, a listener whose watcher went away can be
 * dropped, so it leaves nothing behind on an event source that may live much longer.
 *
 * <p>Threading: confined to one event loop, like the signals that own it.
 *
 * @param <T> what the event passes to its listeners
 */
public final class ListenerList<T> {
  /** Failures of listeners are logged where the capability handles log (they run user code). */
  private static final Logger LOG = LoggerFactory.getLogger(Capability.class);
  /** One registration; {@link #cancel()} drops it. */
  public static final class Listener {
    private final ListenerList<?> list;
    private final Consumer<Object> action;
    private Listener prev;
    private Listener next;
    /** Whether it is still in the list (false once removed or fired). */
    private boolean registered;

    private Listener(ListenerList<?> list, Consumer<Object> action) {
      this.list = list;
      this.action = action;
    }

    /** Drops this registration (harmless if it was dropped already or has fired). */
    public void cancel() {
      list.remove(this);
    }

    /** Drops {@code l} if it is not null. */
    public static void cancel(Listener l) {
      if (l != null) {
        l.cancel();
      }
    }
  }

  private Listener first;
  private int size;

  /** Registers {@code action}. */
  @SuppressWarnings("unchecked") // (it is only ever called with a T, by fireAll)
  public Listener add(Consumer<? super T> action) {
    Listener l = new Listener(this, (Consumer<Object>) action);
    l.next = first;
    if (first != null) {
      first.prev = l;
    }
    first = l;
    l.registered = true;
    size++;
    return l;
  }

  private void remove(Listener l) {
    if (!l.registered) {
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
   * Removes each listener, then runs it with {@code value}. A listener removed by an earlier one
   * does not run; a listener that throws is logged as {@code what} failing, and the rest still run.
   */
  public void fireAll(T value, String what) {
    Listener l;
    while ((l = first) != null) {
      remove(l);
      try {
        l.action.accept(value);
      } catch (RuntimeException x) {
        LOG.warn("{} failed", what, x);
      }
    }
  }

  /** How many listeners are registered. */
  public int size() {
    return size;
  }
}
