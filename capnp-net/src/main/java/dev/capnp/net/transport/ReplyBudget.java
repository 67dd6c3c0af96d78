package dev.capnp.net.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A bound on the replies queued for unread peers across all the connections of a vat (what
 * {@link NettyTransport#queuedReplyBytes()} counts, summed). The per-connection limit
 * ({@code maxQueuedReplyBytes}) alone lets each connection hold its limit, so many peers that
 * never read could together fill the heap (at 2 MiB each, 64 such peers hold 128 MiB; the
 * connection limit allows 10,000). While the total is over this budget, a connection holding
 * more than {@link #FLOOR_BYTES} of unread replies stops reading from its peer, as if it were
 * over its own limit; it resumes once it holds at most that floor, or the total is back under
 * the budget. Connections whose peers read their replies hold next to nothing and are not
 * affected. Connections charge their queues in whole steps of the floor (so that one whose
 * peer reads promptly never touches the shared counter), and the total is therefore at most
 * about the budget plus two floors per connection.
 *
 * <p>Thread-safe: the transports of a vat run on several I/O threads.
 */
public final class ReplyBudget {
  /**
   * What a connection may hold while the total is over the budget before it stops reading (a
   * peer reading its replies promptly holds less).
   */
  public static final long FLOOR_BYTES = 16 << 10;

  private final long limit;
  private final AtomicLong queued = new AtomicLong();

  /**
   * A budget of {@code limit} bytes (counted as {@link NettyTransport#queuedReplyBytes()}).
   *
   * @param limit the budget in bytes; positive
   */
  public ReplyBudget(long limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("reply budget must be positive: " + limit);
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
   * Bytes of replies queued now, over all the connections sharing this budget.
   *
   * @return the queued bytes
   */
  public long queued() {
    return queued.get();
  }

  void add(long bytes) {
    queued.addAndGet(bytes);
  }

  /** Whether a connection holding {@code own} bytes must stop reading because of the total. */
  boolean holds(long own) {
    return own > FLOOR_BYTES && queued.get() > limit;
  }
}
