package dev.capnp.runtime;

/**
 * Limits applied while reading an untrusted message.
 *
 * <ul>
 *   <li>{@code traversalLimitInWords}: total words that may be read (every struct or list is
 *       charged each time it is dereferenced, so many pointers to one big object cannot amplify
 *       the work);
 *   <li>{@code nestingLimit}: maximum depth of pointer nesting;
 *   <li>{@code maxMessageSizeInWords}: largest total segment size accepted from a stream (checked
 *       before anything is allocated).
 * </ul>
 */
public final class ReaderOptions {
  /** Default traversal limit: 8 Mi words (64 MiB). */
  public static final long DEFAULT_TRAVERSAL_LIMIT_IN_WORDS = 8L * 1024 * 1024;
  /** Default nesting limit: 64. */
  public static final int DEFAULT_NESTING_LIMIT = 64;
  /** Default options: 8 Mi words traversal limit, nesting limit 64, streams up to 8 Mi words. */
  public static final ReaderOptions DEFAULT =
      new ReaderOptions(DEFAULT_TRAVERSAL_LIMIT_IN_WORDS, DEFAULT_NESTING_LIMIT);

  private final long traversalLimitInWords;
  private final int nestingLimit;
  private final long maxMessageSizeInWords;

  /**
   * Options with the given limits; the largest message accepted from a stream is the larger of
   * the traversal limit and 8 Mi words.
   *
   * @param traversalLimitInWords the most words the reader may visit, over all reads of the message
   * @param nestingLimit remaining nesting depth for the value
   */
  public ReaderOptions(long traversalLimitInWords, int nestingLimit) {
    this(traversalLimitInWords, nestingLimit,
        Math.max(traversalLimitInWords, DEFAULT_TRAVERSAL_LIMIT_IN_WORDS));
  }

  /**
   * Options with every limit given explicitly.
   *
   * @param traversalLimitInWords the most words the reader may visit, over all reads of the message
   * @param nestingLimit remaining nesting depth for the value
   * @param maxMessageSizeInWords the largest message accepted from a stream, in words (8 bytes
   *     each)
   */
  public ReaderOptions(long traversalLimitInWords, int nestingLimit, long maxMessageSizeInWords) {
    if (traversalLimitInWords < 0 || nestingLimit < 0 || maxMessageSizeInWords < 0) {
      throw new IllegalArgumentException("limits must not be negative");
    }
    this.traversalLimitInWords = traversalLimitInWords;
    this.nestingLimit = nestingLimit;
    this.maxMessageSizeInWords = maxMessageSizeInWords;
  }

  /**
   * Total words that may be traversed while reading one message.
   *
   * @return the total words that may be traversed while reading one message
   */
  public long traversalLimitInWords() {
    return traversalLimitInWords;
  }

  /**
   * Maximum pointer nesting depth.
   *
   * @return the maximum nesting depth
   */
  public int nestingLimit() {
    return nestingLimit;
  }

  /**
   * Largest total message size (all segments) accepted when reading a stream.
   *
   * @return the limit in words (8 bytes each)
   */
  public long maxMessageSizeInWords() {
    return maxMessageSizeInWords;
  }
}
