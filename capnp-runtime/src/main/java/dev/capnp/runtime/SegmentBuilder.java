package dev.capnp.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One segment of a message being built: a fixed-capacity little-endian buffer of which the first
 * {@code allocated} words are in use. New objects are allocated at the end.
 */
public final class SegmentBuilder extends SegmentReader {
  final BuilderArena builderArena;
  int pos;

  SegmentBuilder(ByteBuffer buffer, int id, BuilderArena arena) {
    super(buffer, id, arena);
    this.builderArena = arena;
  }

  static SegmentBuilder allocate(int words, int id, BuilderArena arena) {
    return new SegmentBuilder(ByteBuffer.allocate(words * 8).order(ByteOrder.LITTLE_ENDIAN), id,
        arena);
  }

  /**
   * Words allocated so far.
   *
   * @return the words allocated so far
   */
  public int allocatedWords() {
    return pos;
  }

  /** Words still free in this segment. */
  int available() {
    return sizeWords - pos;
  }

  /** Allocates {@code words} words and returns their offset, or -1 if they do not fit. */
  int tryAllocate(int words) {
    if (words > sizeWords - pos) {
      return -1;
    }
    int r = pos;
    pos += words;
    return r;
  }

  /** Zeroes the allocated words and frees them (the segment is empty again). */
  void zeroAllocated() {
    if (buffer.hasArray()) {
      int from = buffer.arrayOffset();
      java.util.Arrays.fill(buffer.array(), from, from + (pos << 3), (byte) 0);
    } else {
      for (int i = 0; i < pos; i++) {
        buffer.putLong(i << 3, 0L);
      }
    }
    pos = 0;
  }

  void putWord(int index, long value) {
    buffer.putLong(index << 3, value);
  }

  /** The allocated part of this segment, as a little-endian slice sharing the memory. */
  ByteBuffer allocatedSlice() {
    ByteBuffer dup = buffer.duplicate();
    dup.position(0).limit(pos << 3);
    return dup.slice().order(ByteOrder.LITTLE_ENDIAN);
  }
}
