package dev.capnp.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One segment of a message being read: a little-endian buffer of 64-bit words. Every access to
 * an object through a pointer is bounds-checked against the segment and charged against the
 * message's traversal limit.
 */
public class SegmentReader {
  /** An empty segment, used as the location of null / default-empty objects. */
  static final SegmentReader EMPTY = ofWords();

  /** Reads little-endian longs out of a byte array (a plain bounds-checked load). */
  static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** Little-endian ints of a byte array. */
  static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  final ByteBuffer buffer;
  /** The buffer's backing array if it has an accessible one, else {@code null}. */
  private final byte[] array;
  /** Offset of the buffer's byte 0 in {@link #array}. */
  private final int arrayOffset;
  final int id;
  final int sizeWords;
  Arena arena;

  SegmentReader(ByteBuffer buffer, int id, Arena arena) {
    this.buffer = buffer;
    boolean direct = !buffer.hasArray();
    this.array = direct ? null : buffer.array();
    this.arrayOffset = direct ? 0 : buffer.arrayOffset();
    this.id = id;
    this.sizeWords = buffer.limit() >>> 3;
    this.arena = arena;
  }

  /**
   * A read-only, trusted segment holding the given words (little-endian); used by generated code
   * for default values and constants. The pointer at the word offset given alongside it is the
   * value's root pointer.
   *
   * @param words the segment's words, 8 bytes each, little-endian
   * @return a read-only, trusted segment holding the given words (little-endian)
   */
  public static SegmentReader ofWords(long... words) {
    ByteBuffer buf = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < words.length; i++) {
      buf.putLong(i * 8, words[i]);
    }
    SegmentReader[] holder = new SegmentReader[1];
    SegmentReader seg = new SegmentReader(buf.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN), 0,
        Arena.single(holder));
    holder[0] = seg;
    return seg;
  }

  /**
   * This segment's id within its message.
   *
   * @return this segment's id within its message
   */
  public final int id() {
    return id;
  }

  /**
   * Size in words.
   *
   * @return the size in words
   */
  public final int sizeInWords() {
    return sizeWords;
  }

  /**
   * A read-only little-endian view of the whole segment.
   *
   * @return a read-only little-endian view of the whole segment
   */
  public final ByteBuffer asByteBuffer() {
    return buffer.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  final long getWord(int index) {
    byte[] a = array;
    if (a != null && index >= 0 && index < sizeWords) {
      return (long) LONGS.get(a, arrayOffset + (index << 3));
    }
    return buffer.getLong(index << 3);
  }

  /**
   * Checks that words {@code [start, start + words)} lie inside this segment and charges them to
   * the traversal limit. {@code what}, reached from the pointer at {@code refOff} of
   * {@code refSeg}, names the object in the error text, built only if the check fails.
   */
  final void checkObject(long start, long words, ReadTarget what, SegmentReader refSeg,
      long refOff) {
    if (start < 0 || words < 0 || start + words > sizeWords) {
      throw outOfBounds(start, words, what, refSeg, refOff);
    }
    arena.chargeRead(words, this, start);
  }

  private DecodeException outOfBounds(long start, long words, ReadTarget what,
      SegmentReader refSeg, long refOff) {
    return new DecodeException(what.describe(refSeg, refOff) + " out of bounds (segment " + id
        + ", word " + start + ", " + words + " words, segment size " + sizeWords + ")");
  }

  /** Human-readable location for error messages. */
  final String where(long word) {
    return "(segment " + id + ", word " + word + ")";
  }
}
