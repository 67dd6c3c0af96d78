package dev.capnp.runtime;

/** The set of segments a pointer may refer to, plus the read limiter charged by readers. */
interface Arena {
  /** The segment with the given id, or {@code null} if the message has no such segment. */
  SegmentReader tryGetSegment(int id);

  /**
   * Charges {@code words} against the traversal limit.
   *
   * @throws DecodeException if the limit is exceeded
   */
  void chargeRead(long words, SegmentReader segment, long offset);

  /** An arena without limit holding just one segment (id 0), used for defaults and empties. */
  static Arena single(SegmentReader[] holder) {
    return new Arena() {
      @Override
      public SegmentReader tryGetSegment(int id) {
        return id == 0 ? holder[0] : null;
      }

      @Override
      public void chargeRead(long words, SegmentReader segment, long offset) {
        // trusted data: no limit
      }
    };
  }
}
