package dev.capnp.compiler;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal, read-only view of a Cap'n Proto message in standard framing, used by the generator to
 * walk the {@code CodeGeneratorRequest} and to copy pointer values into self-contained word arrays.
 *
 * <p>It is deliberately independent of {@code dev.capnp.runtime} so the generator can bootstrap
 * the {@code dev.capnp.schema} classes. Input comes from the schema compiler; malformed input
 * still fails with an {@link IllegalArgumentException} saying where.
 */
final class RawMessage {
  private final ByteBuffer[] segments;

  private RawMessage(ByteBuffer[] segments) {
    this.segments = segments;
  }

  /** Parses standard stream framing (segment table followed by segments). */
  static RawMessage parse(byte[] bytes) {
    ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 8) {
      throw new IllegalArgumentException("message too short: " + bytes.length + " bytes");
    }
    long count = (all.getInt(0) & 0xffffffffL) + 1;
    long headerWords = (4 + count * 4 + 7) / 8;
    if (count > 512 || headerWords * 8 > bytes.length) {
      throw new IllegalArgumentException("bad segment table: " + count + " segments");
    }
    ByteBuffer[] segs = new ByteBuffer[(int) count];
    long pos = headerWords * 8;
    for (int i = 0; i < count; i++) {
      long words = all.getInt(4 + 4 * i) & 0xffffffffL;
      if (pos + words * 8 > bytes.length) {
        throw new IllegalArgumentException("segment " + i + " extends beyond end of message");
      }
      segs[i] = all.slice((int) pos, (int) (words * 8)).order(ByteOrder.LITTLE_ENDIAN);
      pos += words * 8;
    }
    return new RawMessage(segs);
  }

  /** The root struct (never null; a null root reads as an empty struct). */
  Struct root() {
    Struct s = readStruct(0, 0);
    return s != null ? s : new Struct(0, 0, 0, 0, 0);
  }

  long word(int segment, int index) {
    if (segment < 0 || segment >= segments.length) {
      throw new IllegalArgumentException("pointer to missing segment " + segment);
    }
    ByteBuffer seg = segments[segment];
    if (index < 0 || (long) index * 8 + 8 > seg.limit()) {
      throw new IllegalArgumentException(
          "pointer out of bounds (segment " + segment + ", word " + index + ")");
    }
    return seg.getLong(index * 8);
  }

  /** Where a pointer points: resolved through far pointers. */
  record Target(int segment, int index, long tag) {}

  /** Resolves the pointer at (segment, index); null for a null pointer. */
  Target resolve(int segment, int index) {
    long p = word(segment, index);
    if (p == 0) {
      return null;
    }
    int kind = (int) (p & 3);
    if (kind == 2) {
      int padSeg = (int) (p >>> 32);
      int padIdx = (int) ((p >>> 3) & 0x1fffffff);
      if ((p & 4) == 0) {
        Target t = resolve(padSeg, padIdx);
        if (t == null) {
          throw new IllegalArgumentException("far pointer to null landing pad");
        }
        return t;
      }
      long far = word(padSeg, padIdx);
      long tag = word(padSeg, padIdx + 1);
      return new Target((int) (far >>> 32), (int) ((far >>> 3) & 0x1fffffff), tag);
    }
    if (kind == 3) {
      return new Target(segment, -1, p);
    }
    int offset = (int) p >> 2;
    return new Target(segment, index + 1 + offset, p);
  }

  Struct readStruct(int segment, int index) {
    Target t = resolve(segment, index);
    if (t == null) {
      return null;
    }
    if ((t.tag & 3) != 0) {
      throw new IllegalArgumentException(
          "expected struct pointer (segment " + segment + ", word " + index + ")");
    }
    int dataWords = (int) ((t.tag >>> 32) & 0xffff);
    int ptrs = (int) ((t.tag >>> 48) & 0xffff);
    return new Struct(t.segment, t.index * 8, dataWords * 8, t.index + dataWords, ptrs);
  }

  /** A struct's location. Offsets are in bytes for data, in words for pointers. */
  final class Struct {
    final int segment;
    final int dataOffset;
    final int dataSize;
    final int pointerIndex;
    final int pointerCount;

    Struct(int segment, int dataOffset, int dataSize, int pointerIndex, int pointerCount) {
      this.segment = segment;
      this.dataOffset = dataOffset;
      this.dataSize = dataSize;
      this.pointerIndex = pointerIndex;
      this.pointerCount = pointerCount;
    }

    long u64(int index) {
      return index * 8 + 8 <= dataSize ? segments[segment].getLong(dataOffset + index * 8) : 0;
    }

    int u32(int index) {
      return index * 4 + 4 <= dataSize ? segments[segment].getInt(dataOffset + index * 4) : 0;
    }

    int u16(int index) {
      return index * 2 + 2 <= dataSize
          ? segments[segment].getShort(dataOffset + index * 2) & 0xffff : 0;
    }

    int u8(int index) {
      return index < dataSize ? segments[segment].get(dataOffset + index) & 0xff : 0;
    }

    boolean bit(int bit) {
      return (u8(bit / 8) & (1 << (bit % 8))) != 0;
    }

    boolean isNull(int ptr) {
      return ptr >= pointerCount || word(segment, pointerIndex + ptr) == 0;
    }

    Struct struct(int ptr) {
      return ptr < pointerCount ? readStruct(segment, pointerIndex + ptr) : null;
    }

    String text(int ptr) {
      if (isNull(ptr)) {
        return null;
      }
      Target t = resolve(segment, pointerIndex + ptr);
      if ((t.tag & 3) != 1 || ((t.tag >>> 32) & 7) != 2) {
        throw new IllegalArgumentException("expected text pointer");
      }
      int count = (int) (t.tag >>> 35);
      byte[] b = new byte[Math.max(0, count - 1)];
      ByteBuffer seg = segments[t.segment];
      for (int i = 0; i < b.length; i++) {
        b[i] = seg.get(t.index * 8 + i);
      }
      return new String(b, StandardCharsets.UTF_8);
    }

    List<Struct> structList(int ptr) {
      List<Struct> out = new ArrayList<>();
      if (isNull(ptr)) {
        return out;
      }
      Target t = resolve(segment, pointerIndex + ptr);
      if ((t.tag & 3) != 1 || ((t.tag >>> 32) & 7) != 7) {
        throw new IllegalArgumentException("expected list of structs");
      }
      long tag = word(t.segment, t.index);
      int count = (int) ((tag >>> 2) & 0x3fffffff);
      int dataWords = (int) ((tag >>> 32) & 0xffff);
      int ptrs = (int) ((tag >>> 48) & 0xffff);
      int pos = t.index + 1;
      for (int i = 0; i < count; i++) {
        out.add(new Struct(t.segment, pos * 8, dataWords * 8, pos + dataWords, ptrs));
        pos += dataWords + ptrs;
      }
      return out;
    }

    /** Copies the value behind pointer {@code ptr} into one segment; null for a null pointer. */
    long[] copyPointer(int ptr) {
      if (isNull(ptr)) {
        return null;
      }
      WordWriter w = new WordWriter();
      w.alloc(1);
      copy(segment, pointerIndex + ptr, w, 0, 0);
      return w.toArray();
    }

    /** Copies this struct's data and pointers into {@code w} at word {@code at}. */
    void copyBody(WordWriter w, int at, int dataWords) {
      for (int i = 0; i < Math.min(dataWords * 8, dataSize) / 8; i++) {
        w.set(at + i, segments[segment].getLong(dataOffset + i * 8));
      }
      for (int i = 0; i < pointerCount; i++) {
        copy(segment, pointerIndex + i, w, at + dataWords + i, 0);
      }
    }
  }

  /** A growable word array, the single segment copies are written to. */
  static final class WordWriter {
    private long[] words = new long[16];
    private int size;

    int alloc(int count) {
      int at = size;
      size += count;
      if (size > words.length) {
        long[] n = new long[Math.max(size, words.length * 2)];
        System.arraycopy(words, 0, n, 0, at);
        words = n;
      }
      return at;
    }

    void set(int index, long value) {
      words[index] = value;
    }

    long get(int index) {
      return words[index];
    }

    long[] toArray() {
      long[] out = new long[size];
      System.arraycopy(words, 0, out, 0, size);
      return out;
    }
  }

  static long structPointer(int from, int to, int dataWords, int ptrs) {
    return (((long) (to - from - 1) << 2) & 0xffffffffL) | ((long) dataWords << 32)
        | ((long) ptrs << 48);
  }

  static long listPointer(int from, int to, int elementSize, int count) {
    return ((((long) (to - from - 1) << 2) | 1) & 0xffffffffL) | ((long) elementSize << 32)
        | ((long) count << 35);
  }

  /** Deep-copies the object behind the pointer at (seg, index) to {@code w}, pointer at {@code out}. */
  void copy(int seg, int index, WordWriter w, int out, int depth) {
    if (depth > 64) {
      throw new IllegalArgumentException("value nested too deeply");
    }
    Target t = resolve(seg, index);
    if (t == null) {
      w.set(out, 0);
      return;
    }
    int kind = (int) (t.tag & 3);
    if (kind == 3) {
      w.set(out, t.tag);
      return;
    }
    if (kind == 0) {
      int dataWords = (int) ((t.tag >>> 32) & 0xffff);
      int ptrs = (int) ((t.tag >>> 48) & 0xffff);
      int at = w.alloc(dataWords + ptrs);
      w.set(out, structPointer(out, at, dataWords, ptrs));
      for (int i = 0; i < dataWords; i++) {
        w.set(at + i, word(t.segment, t.index + i));
      }
      for (int i = 0; i < ptrs; i++) {
        copy(t.segment, t.index + dataWords + i, w, at + dataWords + i, depth + 1);
      }
      return;
    }
    int elementSize = (int) ((t.tag >>> 32) & 7);
    int count = (int) (t.tag >>> 35);
    switch (elementSize) {
      case 7 -> {
        long tag = word(t.segment, t.index);
        int n = (int) ((tag >>> 2) & 0x3fffffff);
        int dataWords = (int) ((tag >>> 32) & 0xffff);
        int ptrs = (int) ((tag >>> 48) & 0xffff);
        int at = w.alloc(count + 1);
        w.set(out, listPointer(out, at, 7, count));
        w.set(at, tag);
        for (int e = 0; e < n; e++) {
          int src = t.index + 1 + e * (dataWords + ptrs);
          int dst = at + 1 + e * (dataWords + ptrs);
          for (int i = 0; i < dataWords; i++) {
            w.set(dst + i, word(t.segment, src + i));
          }
          for (int i = 0; i < ptrs; i++) {
            copy(t.segment, src + dataWords + i, w, dst + dataWords + i, depth + 1);
          }
        }
      }
      case 6 -> {
        int at = w.alloc(count);
        w.set(out, listPointer(out, at, 6, count));
        for (int i = 0; i < count; i++) {
          copy(t.segment, t.index + i, w, at + i, depth + 1);
        }
      }
      default -> {
        long bits = switch (elementSize) {
          case 0 -> 0;
          case 1 -> 1;
          case 2 -> 8;
          case 3 -> 16;
          case 4 -> 32;
          default -> 64;
        };
        int words = (int) ((bits * count + 63) / 64);
        int at = w.alloc(words);
        w.set(out, listPointer(out, at, elementSize, count));
        for (int i = 0; i < words; i++) {
          w.set(at + i, word(t.segment, t.index + i));
        }
      }
    }
  }
}
