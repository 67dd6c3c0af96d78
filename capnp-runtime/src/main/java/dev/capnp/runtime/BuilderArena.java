package dev.capnp.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The segments of a message under construction. Allocation happens in the last segment; when it
 * is full a new segment is added whose size grows with the message (like C++
 * {@code GROW_HEURISTICALLY}: the next segment is at least as large as everything allocated so
 * far).
 */
final class BuilderArena implements Arena {
  /** Largest segment we create: ByteBuffer capacity is an int number of bytes. */
  static final int MAX_SEGMENT_WORDS = (1 << 28) - 1;

  final List<SegmentBuilder> segments = new ArrayList<>(4);
  CapTableBuilder capTable = CapTableBuilder.EMPTY;
  private int nextSize;
  private long totalWords;

  BuilderArena(int firstSegmentWords) {
    if (firstSegmentWords <= 0 || firstSegmentWords > MAX_SEGMENT_WORDS) {
      throw new IllegalArgumentException("bad first segment size " + firstSegmentWords);
    }
    addSegment(firstSegmentWords);
  }

  private SegmentBuilder addSegment(int words) {
    SegmentBuilder seg = SegmentBuilder.allocate(words, segments.size(), this);
    segments.add(seg);
    totalWords += words;
    nextSize = (int) Math.min(MAX_SEGMENT_WORDS, Math.max(totalWords, words));
    return seg;
  }

  /**
   * Empties the arena for a new message: keeps one zeroed first segment, large enough for all
   * the words the previous message used (its segments merged into one), so building a message
   * of about the same size again allocates no segment.
   */
  void reset() {
    long used = usedWords();
    SegmentBuilder first = segments.get(0);
    if (segments.size() > 1) {
      segments.clear();
      totalWords = 0;
      addSegment((int) Math.min(MAX_SEGMENT_WORDS, Math.max(used, first.sizeWords)));
      return;
    }
    first.zeroAllocated();
  }

  /** Words allocated over all segments. */
  long usedWords() {
    long n = 0;
    for (int i = 0; i < segments.size(); i++) {
      n += segments.get(i).pos;
    }
    return n;
  }

  SegmentBuilder segment(int id) {
    return segments.get(id);
  }

  @Override
  public SegmentReader tryGetSegment(int id) {
    return id >= 0 && id < segments.size() ? segments.get(id) : null;
  }

  @Override
  public void chargeRead(long words, SegmentReader segment, long offset) {
    // our own data: no limit
  }

  /**
   * Allocates {@code words} words, in the last segment if they fit, else in a new segment.
   *
   * @return the segment; the offset is in {@link #lastOffset}
   */
  SegmentBuilder allocate(int words) {
    if (words < 0 || words > MAX_SEGMENT_WORDS) {
      throw new IllegalArgumentException("object too large: " + words + " words");
    }
    SegmentBuilder last = segments.get(segments.size() - 1);
    int off = last.tryAllocate(words);
    if (off >= 0) {
      lastOffset = off;
      return last;
    }
    SegmentBuilder seg = addSegment(Math.max(words, nextSize));
    lastOffset = seg.tryAllocate(words);
    return seg;
  }

  /** Offset of the most recent {@link #allocate} result. */
  int lastOffset;
}
