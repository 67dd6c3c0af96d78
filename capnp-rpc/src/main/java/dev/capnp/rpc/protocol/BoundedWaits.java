package dev.capnp.rpc.protocol;

/**
 * Bounds, all of one length, on waits of one connection, kept with one timer instead of one per
 * wait: the caller's waits for a {@code ThirdPartyAnswer} after {@code Return.awaitFromThirdParty}
 * (one per forwarded call, see {@link ThirdPartyForwarding}). A timer per wait cost a schedule
 * and a cancellation per call, and on a loop without a scheduler of its own a wake-up of the
 * shared timer thread per call (issue 16: one more context switch per forwarded call, and the
 * timer thread's CPU, measured with {@code ForwardingProbe}).
 *
 * <p>A tick runs every quarter of the bound while waits are pending; a wait's action runs at
 * the fifth tick after it began, that is between the bound and 1.25 times the bound after it
 * began, unless it was canceled first (its handle run). The waits are a list in the order they
 * began; a cancellation unlinks its wait at once, so a canceled wait holds nothing.
 *
 * <p>Threading: confined to the connection's event loop (the ticks run there, through
 * {@link Outbox#schedule}).
 */
final class BoundedWaits {
  /** Ticks per bound: a wait ends at the tick after this many full periods. */
  static final int TICKS_PER_BOUND = 4;

  private final Outbox outbox;
  private final long periodMillis;
  /** The list's sentinel: {@code first} is {@code head.next}, the newest {@code head.prev}. */
  private final Wait head = new Wait(null, 0);
  private long ticks;
  private boolean ticking;

  /** Waits on {@code outbox}'s loop, each bounded by {@code boundMillis} (at least 1). */
  BoundedWaits(Outbox outbox, long boundMillis) {
    if (boundMillis <= 0) {
      throw new IllegalArgumentException("bound must be positive: " + boundMillis);
    }
    this.outbox = outbox;
    this.periodMillis = Math.max(1, (boundMillis + TICKS_PER_BOUND - 1) / TICKS_PER_BOUND);
    head.next = head;
    head.prev = head;
  }

  /**
   * Starts a wait: {@code onExpiry} runs (on the loop) once the bound has passed, unless the
   * returned handle is run first.
   *
   * @return cancels the wait (idempotent)
   */
  Runnable start(Runnable onExpiry) {
    Wait w = new Wait(onExpiry, ticks);
    w.prev = head.prev;
    w.next = head;
    head.prev.next = w;
    head.prev = w;
    if (!ticking) {
      ticking = true;
      outbox.schedule(this::tick, periodMillis);
    }
    return w;
  }

  /** Waits pending (for tests). */
  int size() {
    int n = 0;
    for (Wait w = head.next; w != head; w = w.next) {
      n++;
    }
    return n;
  }

  private void tick() {
    ticks++;
    // (waits began in order, so the ones due are at the front)
    while (head.next != head && ticks - head.next.began > TICKS_PER_BOUND) {
      Wait w = head.next;
      Runnable action = w.action;
      w.unlink();
      action.run();
    }
    if (head.next == head) {
      ticking = false; // (the next wait starts the ticks again)
    } else {
      outbox.schedule(this::tick, periodMillis);
    }
  }

  /** One wait; running it cancels it. */
  private static final class Wait implements Runnable {
    Runnable action;
    final long began;
    Wait prev;
    Wait next;

    Wait(Runnable action, long began) {
      this.action = action;
      this.began = began;
    }

    @Override
    public void run() {
      unlink();
    }

    void unlink() {
      if (next != null) {
        prev.next = next;
        next.prev = prev;
        next = null;
        prev = null;
        action = null;
      }
    }
  }
}
