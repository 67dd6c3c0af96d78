package dev.capnp.rpc.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A bound on the bytes a vat holds queued across all its connections, for one kind of queue: the
 * replies queued for peers that do not read them ({@code NettyTransport.queuedReplyBytes()}),
 * or the received messages waiting for the vat's event loop
 * ({@link dev.capnp.rpc.RpcConnection}). A per-connection limit alone lets each connection hold
 * its limit, so many peers could together fill the heap (at 2 MiB each, 64 peers hold 128 MiB;
 * the vat's connection limit allows 10,000). While the total is over this budget, a connection
 * holding more than {@link #FLOOR_BYTES} of its queue stops reading from its peer, as if it were
 * over its own limit; it resumes once it holds at most that floor, or the total is back under
 * the budget. A connection over the floor has queued work whose completion brings it back here,
 * so no connection is left paused. Connections that keep their queues short hold next to nothing
 * and are not affected.
 *
 * <p>Thread-safe: the connections of a vat may run on several threads.
 */
public final class QueueBudget {
  /**
   * What a connection may hold while the total is over the budget before it stops reading (a
   * connection whose queue drains promptly holds less).
   */
  public static final long FLOOR_BYTES = 16 << 10;

  private final long limit;
  private final AtomicLong queued = new AtomicLong();

  /**
   * A budget of {@code limit} bytes.
   *
   * @param limit the budget in bytes; positive
   */
  public QueueBudget(long limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("queue budget must be positive: " + limit);
    }
    this.limit = limit;
  }

  /**
   * The budget.
   *
   * @return the budget in bytes
   */
  public long limit() {
    return limit;
  }

  /**
   * Bytes queued now, over all the connections sharing this budget.
   *
   * @return the queued bytes
   */
  public long queued() {
    return queued.get();
  }

  /**
   * Adds {@code bytes} to the total (negative: removes them). A connection must remove what it
   * added when its queue drains or it closes.
   *
   * @param bytes the change in bytes
   */
  public void add(long bytes) {
    queued.addAndGet(bytes);
  }

  /**
   * The rule every bounded queue of a connection follows: stop reading from the peer while the
   * connection holds more than its own {@code limit}, or more than the floor while the shared
   * budget is exceeded.
   *
   * @param own the bytes the connection holds queued
   * @param limit the connection's own limit
   * @param budget the shared budget, or {@code null} for none
   * @return whether the connection must stop reading
   */
  public static boolean mustPause(long own, long limit, QueueBudget budget) {
    return own > limit || budget != null && budget.holds(own);
  }

  /**
   * The other half of {@link #mustPause}: a connection that stopped reading may read again once
   * it holds at most half its own {@code limit} and the shared budget does not hold it back. A
   * connection held back by the budget alone has work queued whose completion asks again, so it
   * resumes at the latest when its queue is down to the floor.
   *
   * @param own the bytes the connection holds queued
   * @param limit the connection's own limit
   * @param budget the shared budget, or {@code null} for none
   * @return whether the connection may read again
   */
  public static boolean mayResume(long own, long limit, QueueBudget budget) {
    return own <= limit / 2 && (budget == null || !budget.holds(own));
  }

  /** Whether a connection holding {@code own} bytes must stop reading because of the total. */
  private boolean holds(long own) {
    return own > FLOOR_BYTES && queued.get() > limit;
  }
}
