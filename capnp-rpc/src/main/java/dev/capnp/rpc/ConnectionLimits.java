package dev.capnp.rpc;

/**
 * Resource limits of one {@link RpcConnection}: how much state a peer may make this side hold.
 * A peer that exceeds a limit is a protocol violator: the connection is aborted with a reason
 * naming the limit (e.g. {@code "RPC limit exceeded: more than 16384 outstanding questions from
 * the peer (maxAnswers)"}); the vat and its other connections are unaffected.
 *
 * <p>Immutable; start from {@link #DEFAULT} and change one limit at a time with the
 * {@code withX} methods.
 */
public final class ConnectionLimits {
  /** The defaults: generous for honest peers, bounded for hostile ones. */
  public static final ConnectionLimits DEFAULT =
      new ConnectionLimits(16384, 16384, 16384, 4096, 64L << 20);

  private final int maxAnswers;
  private final int maxImports;
  private final int maxExports;
  private final int maxCapTableEntries;
  private final long maxBytesInFlight;

  private ConnectionLimits(int maxAnswers, int maxImports, int maxExports,
      int maxCapTableEntries, long maxBytesInFlight) {
    this.maxAnswers = positive(maxAnswers, "maxAnswers");
    this.maxImports = positive(maxImports, "maxImports");
    this.maxExports = positive(maxExports, "maxExports");
    this.maxCapTableEntries = positive(maxCapTableEntries, "maxCapTableEntries");
    if (maxBytesInFlight <= 0) {
      throw new IllegalArgumentException("maxBytesInFlight must be positive, got "
          + maxBytesInFlight);
    }
    this.maxBytesInFlight = maxBytesInFlight;
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
   */
  public int maxAnswers() {
    return maxAnswers;
  }

  /** Distinct capabilities the peer may have exported to this side. Default 16384. */
  public int maxImports() {
    return maxImports;
  }

  /** Capabilities this side may export to the peer at once. Default 16384. */
  public int maxExports() {
    return maxExports;
  }

  /** Entries of the cap table of one incoming Call or Return. Default 4096. */
  public int maxCapTableEntries() {
    return maxCapTableEntries;
  }

  /**
   * Bytes of incoming Call messages held by calls the peer has not finished (their params stay
   * in memory until then). Default 64 MiB.
   */
  public long maxBytesInFlight() {
    return maxBytesInFlight;
  }

  /** A copy with {@link #maxBytesInFlight()} set. */
  public ConnectionLimits withMaxBytesInFlight(long n) {
    return new ConnectionLimits(maxAnswers, maxImports, maxExports, maxCapTableEntries, n);
  }

  /** A copy with {@link #maxAnswers()} set. */
  public ConnectionLimits withMaxAnswers(int n) {
    return new ConnectionLimits(n, maxImports, maxExports, maxCapTableEntries,
        maxBytesInFlight);
  }

  /** A copy with {@link #maxImports()} set. */
  public ConnectionLimits withMaxImports(int n) {
    return new ConnectionLimits(maxAnswers, n, maxExports, maxCapTableEntries,
        maxBytesInFlight);
  }

  /** A copy with {@link #maxExports()} set. */
  public ConnectionLimits withMaxExports(int n) {
    return new ConnectionLimits(maxAnswers, maxImports, n, maxCapTableEntries,
        maxBytesInFlight);
  }

  /** A copy with {@link #maxCapTableEntries()} set. */
  public ConnectionLimits withMaxCapTableEntries(int n) {
    return new ConnectionLimits(maxAnswers, maxImports, maxExports, n, maxBytesInFlight);
  }

  @Override
  public String toString() {
    return "ConnectionLimits{maxAnswers=" + maxAnswers + ", maxImports=" + maxImports
        + ", maxExports=" + maxExports + ", maxCapTableEntries=" + maxCapTableEntries
        + ", maxBytesInFlight=" + maxBytesInFlight + "}";
  }
}
