package dev.capnp.rpc;

/**
 * Resource limits of one {@link RpcConnection}: how much state a peer may make this side hold.
 * A peer that exceeds a limit is a protocol violator: the connection is aborted with a reason
 * naming the limit (e.g. {@code "RPC limit exceeded: more than 16384 outstanding questions from
 * the peer (maxAnswers)"}); the vat and its other connections are unaffected.
 *
 * <p>Two limits are not violations but backpressure ({@link #maxQueuedIncomingBytes()},
 * {@link #maxQueuedReplyBytes()}): when one is reached the connection stops reading from the
 * peer (TCP flow control then stops the peer's sending) and resumes once half has drained; the
 * vat's other connections are unaffected.
 *
 * <p>Immutable; start from {@link #DEFAULT} and change one limit at a time with the
 * {@code withX} methods.
 */
public final class ConnectionLimits {
  /** Bytes of maximum heap per import allowed by default (an import costs about 300 B). */
  private static final long IMPORT_HEAP_SHARE = 2048;
  /** Bytes of maximum heap per export allowed by default (an export costs about 80 B). */
  private static final long EXPORT_HEAP_SHARE = 1024;
  /** The smallest default capability count, whatever the heap. */
  private static final int MIN_CAPABILITIES = 16384;

  /**
   * The defaults: generous for honest peers, bounded for hostile ones. The capability counts
   * ({@link #maxImports()}, {@link #maxExports()}) are bound by memory, not by a small count:
   * they grow with the JVM's maximum heap.
   */
  public static final ConnectionLimits DEFAULT =
      new ConnectionLimits(16384, heapBound(IMPORT_HEAP_SHARE), heapBound(EXPORT_HEAP_SHARE),
          4096, 64L << 20, 2L << 20, 2L << 20, 30_000);

  /** One capability per {@code share} bytes of the maximum heap, at least 16384. */
  private static int heapBound(long share) {
    long n = Runtime.getRuntime().maxMemory() / share;
    return (int) Math.max(MIN_CAPABILITIES, Math.min(Integer.MAX_VALUE, n));
  }

  private final int maxAnswers;
  private final int maxImports;
  private final int maxExports;
  private final int maxCapTableEntries;
  private final long maxBytesInFlight;
  private final long maxQueuedIncomingBytes;
  private final long maxQueuedReplyBytes;
  private final long acceptTimeoutMillis;

  private ConnectionLimits(int maxAnswers, int maxImports, int maxExports,
      int maxCapTableEntries, long maxBytesInFlight, long maxQueuedIncomingBytes,
      long maxQueuedReplyBytes, long acceptTimeoutMillis) {
    this.maxAnswers = positive(maxAnswers, "maxAnswers");
    this.maxImports = positive(maxImports, "maxImports");
    this.maxExports = positive(maxExports, "maxExports");
    this.maxCapTableEntries = positive(maxCapTableEntries, "maxCapTableEntries");
    if (maxBytesInFlight <= 0) {
      throw new IllegalArgumentException("maxBytesInFlight must be positive, got "
          + maxBytesInFlight);
    }
    this.maxBytesInFlight = maxBytesInFlight;
    this.maxQueuedIncomingBytes = positive(maxQueuedIncomingBytes, "maxQueuedIncomingBytes");
    this.maxQueuedReplyBytes = positive(maxQueuedReplyBytes, "maxQueuedReplyBytes");
    this.acceptTimeoutMillis = positive(acceptTimeoutMillis, "acceptTimeoutMillis");
  }

  private static long positive(long v, String name) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + v);
    }
    return v;
  }

  private static int positive(int v, String name) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + v);
    }
    return v;
  }

  /**
   * Questions the peer may have outstanding on this side (calls and bootstraps it has not
   * finished): a flood of calls without Finish. Default 16384.
   *
   * @return the limit (a count of questions)
   */
  public int maxAnswers() {
    return maxAnswers;
  }

  /**
   * Distinct capabilities the peer may have exported to this side. Default: one per 2 KiB of
   * the JVM's maximum heap ({@code -Xmx}), at least 16384 (a 4 GiB heap allows 2,097,152).
   * Each import costs this side about 300 bytes while a hostile peer spends about 16 bytes of
   * message per descriptor, so the bound keeps such a peer under a few percent of the heap.
   *
   * @return the limit (a count of capabilities)
   */
  public int maxImports() {
    return maxImports;
  }

  /**
   * Capabilities this side may export to the peer at once. Default: one per KiB of the JVM's
   * maximum heap ({@code -Xmx}), at least 16384 (a 4 GiB heap allows 4,194,304). Exports are
   * made by this side's own code (each capability it hands out); the limit stops a peer that
   * never releases what it is given from growing the heap without bound.
   *
   * @return the limit (a count of capabilities)
   */
  public int maxExports() {
    return maxExports;
  }

  /**
   * Entries of the cap table of one incoming Call or Return. Default 4096.
   *
   * @return the limit (a count of entries)
   */
  public int maxCapTableEntries() {
    return maxCapTableEntries;
  }

  /**
   * Bytes of incoming Call messages held by calls the peer has not finished (their params stay
   * in memory until then). Default 64 MiB.
   *
   * @return the limit in bytes
   */
  public long maxBytesInFlight() {
    return maxBytesInFlight;
  }

  /**
   * Bytes of messages received from the peer but not yet handled by the connection's event
   * loop. Above it the connection stops reading from the peer until half of them have been
   * handled (backpressure, not a violation). Default 2 MiB.
   *
   * @return the limit in bytes
   */
  public long maxQueuedIncomingBytes() {
    return maxQueuedIncomingBytes;
  }

  /**
   * Bytes of replies ({@code Return} messages) to the peer that the transport has queued but not
   * yet written, because the peer does not read them. Above it the connection stops reading the
   * peer's requests until half has been written (backpressure, not a violation): a peer that
   * never reads its replies cannot make this side queue more. Only replies count, so a side
   * that sends many requests of its own keeps reading the answers that drain them. Default
   * 2 MiB. Enforced by transports that can stop reading (the vats' network transports).
   *
   * @return the limit in bytes
   */
  public long maxQueuedReplyBytes() {
    return maxQueuedReplyBytes;
  }

  /**
   * A copy with {@link #maxQueuedIncomingBytes()} set.
   *
   * @param n the new limit in bytes
   * @return a copy with that limit; this object is unchanged
   */
  public ConnectionLimits withMaxQueuedIncomingBytes(long n) {
    return new ConnectionLimits(maxAnswers, maxImports, maxExports, maxCapTableEntries,
        maxBytesInFlight, n, maxQueuedReplyBytes, acceptTimeoutMillis);
  }

  /**
   * A copy with {@link #maxQueuedReplyBytes()} set.
   *
   * @param n the new limit in bytes
   * @return a copy with that limit; this object is unchanged
   */
  public ConnectionLimits withMaxQueuedReplyBytes(long n) {
    return new ConnectionLimits(maxAnswers, maxImports, maxExports, maxCapTableEntries,
        maxBytesInFlight, maxQueuedIncomingBytes, n, acceptTimeoutMillis);
  }

  /**
   * A copy with {@link #maxBytesInFlight()} set.
   *
   * @param n the new limit in bytes
   * @return a copy with that limit; this object is unchanged
   */
  public ConnectionLimits withMaxBytesInFlight(long n) {
    return new ConnectionLimits(maxAnswers, maxImports, maxExports, maxCapTableEntries, n,
        maxQueuedIncomingBytes, maxQueuedReplyBytes, acceptTimeoutMillis);
  }

  /**
   * A copy with {@link #maxAnswers()} set.
   *
   * @param n the new limit (a count of questions)
   * @return a copy with that limit; this object is unchanged
   */
  public ConnectionLimits withMaxAnswers(int n) {
    return new ConnectionLimits(n, maxImports, maxExports, maxCapTableEntries,
        maxBytesInFlight, maxQueuedIncomingBytes, maxQueuedReplyBytes, acceptTimeoutMillis);
  }

  /**
   * A copy with {@link #maxImports()} set.
   *
   * @param n the new limit (a count of capabilities)
   * @return a copy with that limit; this object is unchanged
   */
  public ConnectionLimits withMaxImports(int n) {
    return new ConnectionLimits(maxAnswers, n, maxExports, maxCapTableEntries,
        maxBytesInFlight, maxQueuedIncomingBytes, maxQueuedReplyBytes, acceptTimeoutMillis);
  }

  /**
   * A copy with {@link #maxExports()} set.
   *
   * @param n the new limit (a count of capabilities)
   * @return a copy with that limit; this object is unchanged
   */
  public ConnectionLimits withMaxExports(int n) {
    return new ConnectionLimits(maxAnswers, maxImports, n, maxCapTableEntries,
        maxBytesInFlight, maxQueuedIncomingBytes, maxQueuedReplyBytes, acceptTimeoutMillis);
  }

  /**
   * A copy with {@link #maxCapTableEntries()} set.
   *
   * @param n the new limit (a count of entries)
   * @return a copy with that limit; this object is unchanged
   */
  public ConnectionLimits withMaxCapTableEntries(int n) {
    return new ConnectionLimits(maxAnswers, maxImports, maxExports, n, maxBytesInFlight,
        maxQueuedIncomingBytes, maxQueuedReplyBytes, acceptTimeoutMillis);
  }

  /**
   * Level 3 (three-party handoff), on the host's side: how long a peer's {@code Accept} may wait
   * for the introducer's matching {@code Provide} (and for the lifting of its embargo, if it has
   * one). Then the {@code Accept} fails (an exception {@code Return}) and the recipient falls back
   * to the introducer's vine; the answer it held is gone. Default 30 seconds, the order of a
   * connect timeout: a {@code Provide} is sent before the descriptor that leads to the
   * {@code Accept}, so an honest introducer's comes well within it.
   *
   * @return the timeout in milliseconds
   */
  public long acceptTimeoutMillis() {
    return acceptTimeoutMillis;
  }

  /**
   * A copy with {@link #acceptTimeoutMillis()} set.
   *
   * @param millis the new timeout in milliseconds (positive)
   * @return a copy with that timeout; this object is unchanged
   */
  public ConnectionLimits withAcceptTimeoutMillis(long millis) {
    return new ConnectionLimits(maxAnswers, maxImports, maxExports, maxCapTableEntries,
        maxBytesInFlight, maxQueuedIncomingBytes, maxQueuedReplyBytes, millis);
  }

  @Override
  public String toString() {
    return "ConnectionLimits{maxAnswers=" + maxAnswers + ", maxImports=" + maxImports
        + ", maxExports=" + maxExports + ", maxCapTableEntries=" + maxCapTableEntries
        + ", maxBytesInFlight=" + maxBytesInFlight + ", maxQueuedIncomingBytes="
        + maxQueuedIncomingBytes + ", maxQueuedReplyBytes=" + maxQueuedReplyBytes
        + ", acceptTimeoutMillis=" + acceptTimeoutMillis + "}";
  }
}
