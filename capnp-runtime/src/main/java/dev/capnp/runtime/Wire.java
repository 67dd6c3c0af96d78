package dev.capnp.runtime;

import java.nio.ByteBuffer;

/**
 * Pointer encoding, validation, allocation and copying (what C++ calls "WireHelpers").
 *
 * <p>Pointer word layout (little-endian 64 bits): bits 0-1 kind; struct: bits 2-31 signed word
 * offset from the end of the pointer, 32-47 data words, 48-63 pointer count; list: offset,
 * bits 32-34 element size, 35-63 element count (word count for inline composite); far: bit 2
 * double-far flag, bits 3-31 landing pad offset, 32-63 segment id; other: capability with index
 * in bits 32-63.
 *
 * <p>Reader-side functions treat everything as hostile: every target is bounds-checked and
 * charged against the traversal limit, nesting is limited, and any inconsistency raises a
 * {@link DecodeException}. Builder-side functions trust the message (it was written by us or
 * copied through validated readers).
 */
final class Wire {
  static final int STRUCT = 0;
  static final int LIST = 1;
  static final int FAR = 2;
  static final int OTHER = 3;

  /** Low 32 bits of a struct pointer with offset -1 (used for zero-sized structs). */
  private static final long EMPTY_STRUCT_OFFSET = 0xfffffffcL;

  private Wire() {}

  // ================================================================ encoding

  static int kind(long ref) {
    return (int) ref & 3;
  }

  static int offset(long ref) {
    return ((int) ref) >> 2;
  }

  static int structDataWords(long ref) {
    return (int) (ref >>> 32) & 0xffff;
  }

  static int structPointerCount(long ref) {
    return (int) (ref >>> 48);
  }

  static int listSizeCode(long ref) {
    return (int) (ref >>> 32) & 7;
  }

  static int listCount(long ref) {
    return (int) (ref >>> 35);
  }

  static long structTemplate(int dataWords, int pointerCount) {
    return ((long) dataWords << 32) | ((long) pointerCount << 48);
  }

  static long listTemplate(int sizeCode, int count) {
    return LIST | ((long) sizeCode << 32) | ((long) count << 35);
  }

  static long withOffset(long template, int offset) {
    return (template & 0xffffffff00000003L) | ((offset << 2) & 0xffffffffL);
  }

  static long farPointer(boolean doubleFar, int padOffset, int segmentId) {
    return (((padOffset << 3) | (doubleFar ? 4 : 0) | FAR) & 0xffffffffL)
        | ((long) segmentId << 32);
  }

  static long capPointer(int index) {
    return OTHER | ((long) index << 32);
  }

  static long compositeTag(int elementCount, int dataWords, int pointerCount) {
    return ((elementCount << 2) & 0xffffffffL) | structTemplate(dataWords, pointerCount);
  }

  private static String kindName(long ref) {
    switch (kind(ref)) {
      case STRUCT:
        return "struct pointer";
      case LIST:
        return "list pointer";
      case FAR:
        return "far pointer";
      default:
        return (int) ref == OTHER ? "capability pointer" : "unknown pointer kind";
    }
  }

  // ================================================================ reader side
  //
  // The read functions below are shaped for the JIT: the common case (a near pointer to an
  // object inside its segment) is a short straight path, everything rare (far pointers,
  // defaults, errors) is a call to a separate method, and each function constructs its result
  // at exactly one place from plain values. Inlined into a generated getter, the reader object
  // then does not escape and escape analysis removes it; error texts are built only in the
  // methods that throw.

  /**
   * Validates the far pointer {@code ref} found at {@code refOff} of {@code seg} (untrusted) and
   * charges its landing pad; returns the tag of the object it leads to (the landing pad's pointer,
   * or the double-far's tag word). {@link #farSegment} and {@link #farTarget} then give where the
   * object is.
   */
  static long farTag(SegmentReader seg, long ref, int refOff) {
    int segId = (int) (ref >>> 32);
    SegmentReader padSeg = seg.arena.tryGetSegment(segId);
    if (padSeg == null) {
      throw new DecodeException("far pointer to nonexistent segment " + segId + " "
          + seg.where(refOff));
    }
    int pad = (int) ref >>> 3;
    boolean dbl = (ref & 4) != 0;
    padSeg.checkObject(pad, dbl ? 2 : 1, ReadTarget.LANDING_PAD, seg, refOff);
    long padRef = padSeg.getWord(pad);
    if (!dbl) {
      if (kind(padRef) == FAR) {
        throw new DecodeException("far pointer's landing pad is another far pointer "
            + padSeg.where(pad));
      }
      return padRef;
    }
    if (kind(padRef) != FAR || (padRef & 4) != 0) {
      throw new DecodeException("double-far landing pad does not start with a single far"
          + " pointer " + padSeg.where(pad));
    }
    int contentId = (int) (padRef >>> 32);
    if (seg.arena.tryGetSegment(contentId) == null) {
      throw new DecodeException("double-far landing pad points to nonexistent segment "
          + contentId + " " + padSeg.where(pad));
    }
    long tag = padSeg.getWord(pad + 1);
    if (kind(tag) == FAR) {
      throw new DecodeException("double-far landing pad tag is a far pointer "
          + padSeg.where(pad + 1));
    }
    return tag;
  }

  /** The segment of the object behind a far pointer already validated by {@link #farTag}. */
  static SegmentReader farSegment(SegmentReader seg, long ref) {
    SegmentReader padSeg = seg.arena.tryGetSegment((int) (ref >>> 32));
    if ((ref & 4) == 0) {
      return padSeg;
    }
    return seg.arena.tryGetSegment((int) (padSeg.getWord((int) ref >>> 3) >>> 32));
  }

  /** The word offset of the object behind a far pointer already validated by {@link #farTag}. */
  static int farTarget(SegmentReader seg, long ref) {
    SegmentReader padSeg = seg.arena.tryGetSegment((int) (ref >>> 32));
    int pad = (int) ref >>> 3;
    long padRef = padSeg.getWord(pad);
    return (ref & 4) == 0 ? pad + 1 + offset(padRef) : (int) padRef >>> 3;
  }

  private static DecodeException nestingError(SegmentReader seg, int refOff) {
    return new DecodeException("nesting limit exceeded: message is too deeply nested or"
        + " contains cycles " + seg.where(refOff));
  }

  private static DecodeException kindError(String expected, long ref, SegmentReader seg,
      int refOff) {
    return new DecodeException("expected " + expected + ", found a " + kindName(ref) + " "
        + seg.where(refOff));
  }

  static <R extends StructReader> R readStruct(StructFactory<?, R> f, SegmentReader seg,
      CapTableReader cap, int refOff, SegmentReader defSeg, int defOff, int nesting) {
    SegmentReader s = SegmentReader.EMPTY;
    int data = 0;
    int dataBits = 0;
    int pointers = 0;
    int pc = 0;
    int nest = Integer.MAX_VALUE;
    long ref = seg == null ? 0 : seg.getWord(refOff);
    if (ref == 0 && defSeg != null && (ref = defSeg.getWord(defOff)) != 0) {
      seg = defSeg;
      refOff = defOff;
      cap = CapTableReader.EMPTY;
      nesting = Integer.MAX_VALUE;
    }
    if (ref != 0) {
      if (nesting-- <= 0) {
        throw nestingError(seg, refOff);
      }
      int target;
      s = seg;
      if (kind(ref) == FAR) {
        long tag = farTag(seg, ref, refOff);
        s = farSegment(seg, ref);
        target = farTarget(seg, ref);
        ref = tag;
      } else {
        target = refOff + 1 + offset(ref);
      }
      if (kind(ref) != STRUCT) {
        throw kindError("a struct pointer", ref, seg, refOff);
      }
      int dw = structDataWords(ref);
      pc = structPointerCount(ref);
      s.checkObject(target, dw + pc, ReadTarget.STRUCT, seg, refOff);
      data = target << 3;
      dataBits = dw << 6;
      pointers = target + dw;
      nest = nesting;
    }
    return f.constructReader(s, cap, data, dataBits, pointers, pc, nest);
  }

  /**
   * {@link #readStruct} moving {@code r} (a reader of {@code f}'s type, not null) to the struct
   * instead of constructing a reader: same checks, same errors.
   */
  static <R extends StructReader> R readStructInto(R r, SegmentReader seg, CapTableReader cap,
      int refOff, SegmentReader defSeg, int defOff, int nesting) {
    long ref = seg == null ? 0 : seg.getWord(refOff);
    if (ref == 0 && defSeg != null && (ref = defSeg.getWord(defOff)) != 0) {
      seg = defSeg;
      refOff = defOff;
      cap = CapTableReader.EMPTY;
      nesting = Integer.MAX_VALUE;
    }
    if (ref == 0) {
      r.moveTo(SegmentReader.EMPTY, cap == null ? CapTableReader.EMPTY : cap, 0, 0, 0, 0,
          Integer.MAX_VALUE);
      return r;
    }
    if (nesting-- <= 0) {
      throw nestingError(seg, refOff);
    }
    int target;
    SegmentReader s = seg;
    if (kind(ref) == FAR) {
      long tag = farTag(seg, ref, refOff);
      s = farSegment(seg, ref);
      target = farTarget(seg, ref);
      ref = tag;
    } else {
      target = refOff + 1 + offset(ref);
    }
    if (kind(ref) != STRUCT) {
      throw kindError("a struct pointer", ref, seg, refOff);
    }
    int dw = structDataWords(ref);
    int pc = structPointerCount(ref);
    s.checkObject(target, dw + pc, ReadTarget.STRUCT, seg, refOff);
    r.moveTo(s, cap == null ? CapTableReader.EMPTY : cap, target << 3, dw << 6, target + dw, pc,
        nesting);
    return r;
  }

  /** Whether a list of {@code actual} elements can be read as one of {@code expected}. */
  private static boolean isListCompatible(ElementSize expected, ElementSize actual,
      int dataBits, int pointerCount) {
    if (expected == ElementSize.VOID) {
      return true;
    }
    if (actual == ElementSize.BIT) {
      return expected == ElementSize.BIT;
    }
    if (actual == ElementSize.INLINE_COMPOSITE) {
      return expected != ElementSize.BIT && (expected.dataBits == 0 || dataBits != 0)
          && (expected.pointers == 0 || pointerCount != 0);
    }
    return expected == ElementSize.INLINE_COMPOSITE
        || (expected.dataBits <= dataBits && expected.pointers <= pointerCount);
  }

  /**
   * Checks that a list found behind the pointer at {@code refOff} of {@code refSeg} can be read
   * as a list of {@code expected} elements.
   */
  static void checkListCompatible(ElementSize expected, ElementSize actual, int dataBits,
      int pointerCount, SegmentReader refSeg, int refOff) {
    if (!isListCompatible(expected, actual, dataBits, pointerCount)) {
      checkListCompatible(expected, actual, dataBits, pointerCount,
          "list pointer " + refSeg.where(refOff));
    }
  }

  static void checkListCompatible(ElementSize expected, ElementSize actual, int dataBits,
      int pointerCount, String what) {
    if (expected == ElementSize.VOID) {
      return;
    }
    if (actual == ElementSize.BIT && expected != ElementSize.BIT) {
      throw new DecodeException("schema mismatch: found a bit list where a " + expected
          + " list was expected (" + what + ")");
    }
    if (actual == ElementSize.INLINE_COMPOSITE) {
      if (expected == ElementSize.BIT) {
        throw new DecodeException("schema mismatch: found a struct list where a bit list was"
            + " expected (" + what + ")");
      }
      if (expected.dataBits > 0 && dataBits == 0) {
        throw new DecodeException("schema mismatch: expected a primitive list, found a list of"
            + " pointer-only structs (" + what + ")");
      }
      if (expected.pointers > 0 && pointerCount == 0) {
        throw new DecodeException("schema mismatch: expected a pointer list, found a list of"
            + " data-only structs (" + what + ")");
      }
    } else if (expected != ElementSize.INLINE_COMPOSITE
        && (expected.dataBits > dataBits || expected.pointers > pointerCount)) {
      throw new DecodeException("schema mismatch: found a " + actual + " list where a "
          + expected + " list was expected (" + what + ")");
    }
  }

  static <R extends ListReader> R readList(ListFactory<?, R> f, SegmentReader seg,
      CapTableReader cap, int refOff, SegmentReader defSeg, int defOff, int nesting) {
    SegmentReader s = SegmentReader.EMPTY;
    int ptr = 0;
    int count = 0;
    ElementSize es = f.elementSize;
    int step = f.emptyStepBits;
    int dataBits = f.emptyDataBits;
    int pc = f.emptyPointerCount;
    long ref = seg == null ? 0 : seg.getWord(refOff);
    if (ref == 0 && defSeg != null && (ref = defSeg.getWord(defOff)) != 0) {
      seg = defSeg;
      refOff = defOff;
      cap = CapTableReader.EMPTY;
      nesting = Integer.MAX_VALUE;
    }
    if (ref != 0) {
      if (nesting-- <= 0) {
        throw nestingError(seg, refOff);
      }
      int target;
      s = seg;
      if (kind(ref) == FAR) {
        long tag = farTag(seg, ref, refOff);
        s = farSegment(seg, ref);
        target = farTarget(seg, ref);
        ref = tag;
      } else {
        target = refOff + 1 + offset(ref);
      }
      long shape = checkList(f.elementSize, ref, s, target, seg, refOff);
      if (kind(shape) == STRUCT) {
        int dw = structDataWords(shape);
        pc = structPointerCount(shape);
        ptr = (target + 1) << 3;
        count = (int) shape >>> 2;
        step = (dw + pc) << 6;
        dataBits = dw << 6;
        es = ElementSize.INLINE_COMPOSITE;
      } else {
        es = ElementSize.fromCode(listSizeCode(shape));
        count = listCount(shape);
        ptr = target << 3;
        step = es.stepBits();
        dataBits = es.dataBits;
        pc = es.pointers;
      }
    }
    // (an empty list keeps the caller's nesting limit: it has nothing to nest)
    return f.constructReader(s, cap, ptr, count, step, dataBits, pc, es, nesting);
  }

  /**
   * {@link #readList} moving {@code r} (a reader of {@code f}'s list type, not null) to the
   * list instead of constructing a reader: same checks, same errors.
   */
  static <R extends ListReader> R readListInto(ListFactory<?, R> f, R r, SegmentReader seg,
      CapTableReader cap, int refOff, SegmentReader defSeg, int defOff, int nesting) {
    long ref = seg == null ? 0 : seg.getWord(refOff);
    if (ref == 0 && defSeg != null && (ref = defSeg.getWord(defOff)) != 0) {
      seg = defSeg;
      refOff = defOff;
      cap = CapTableReader.EMPTY;
      nesting = Integer.MAX_VALUE;
    }
    if (cap == null) {
      cap = CapTableReader.EMPTY;
    }
    if (ref == 0) {
      r.moveTo(SegmentReader.EMPTY, cap, 0, 0, f.emptyStepBits, f.emptyDataBits,
          f.emptyPointerCount, f.elementSize, nesting);
      return r;
    }
    if (nesting-- <= 0) {
      throw nestingError(seg, refOff);
    }
    int target;
    SegmentReader s = seg;
    if (kind(ref) == FAR) {
      long tag = farTag(seg, ref, refOff);
      s = farSegment(seg, ref);
      target = farTarget(seg, ref);
      ref = tag;
    } else {
      target = refOff + 1 + offset(ref);
    }
    long shape = checkList(f.elementSize, ref, s, target, seg, refOff);
    if (kind(shape) == STRUCT) {
      int dw = structDataWords(shape);
      int pc = structPointerCount(shape);
      r.moveTo(s, cap, (target + 1) << 3, (int) shape >>> 2, (dw + pc) << 6, dw << 6, pc,
          ElementSize.INLINE_COMPOSITE, nesting);
    } else {
      ElementSize es = ElementSize.fromCode(listSizeCode(shape));
      r.moveTo(s, cap, target << 3, listCount(shape), es.stepBits(), es.dataBits, es.pointers,
          es, nesting);
    }
    return r;
  }

  /**
   * Checks the list that {@code ref} (a resolved pointer found at {@code refOff} of
   * {@code refSeg}) says is at word {@code target} of {@code s}: that it is a list, inside its
   * segment, within the traversal limit, consistent (an inline-composite list's tag) and
   * readable as a list of {@code expected} elements. Returns the element tag of an
   * inline-composite list, else {@code ref}.
   *
   * <p>Every check of the read path's lists is in this one method, kept out of the inlined
   * fast path (its size keeps the JIT from inlining it) so that {@link #readList} stays small.
   */
  private static long checkList(ElementSize expected, long ref, SegmentReader s, int target,
      SegmentReader refSeg, int refOff) {
    if (kind(ref) != LIST) {
      throw kindError("a list pointer", ref, refSeg, refOff);
    }
    int count = listCount(ref);
    if (listSizeCode(ref) == 7) {
      s.checkObject(target, count + 1L, ReadTarget.INLINE_COMPOSITE_LIST, refSeg, refOff);
      long tag = s.getWord(target);
      if (kind(tag) != STRUCT) {
        throw new DecodeException("inline composite list tag is not a struct tag "
            + s.where(target));
      }
      int elements = (int) tag >>> 2;
      int dw = structDataWords(tag);
      int pc = structPointerCount(tag);
      long wpe = dw + pc;
      if ((long) elements * wpe > count) {
        throw new DecodeException("inline composite list of " + elements + " elements of "
            + wpe + " words overruns its " + count + " words " + s.where(target));
      }
      if (wpe == 0) {
        s.arena.chargeRead(elements, s, target);
      }
      if (!isListCompatible(expected, ElementSize.INLINE_COMPOSITE, dw << 6, pc)) {
        checkListCompatible(expected, ElementSize.INLINE_COMPOSITE, dw << 6, pc,
            "list pointer " + refSeg.where(refOff));
      }
      return tag;
    }
    ElementSize es = ElementSize.fromCode(listSizeCode(ref));
    s.checkObject(target, ((long) count * es.stepBits() + 63) >>> 6, ReadTarget.LIST, refSeg,
        refOff);
    if (es == ElementSize.VOID) {
      s.arena.chargeRead(count, s, target);
    }
    if (!isListCompatible(expected, es, es.dataBits, es.pointers)) {
      checkListCompatible(expected, es, es.dataBits, es.pointers,
          "list pointer " + refSeg.where(refOff));
    }
    return ref;
  }

  /**
   * Reads the byte list pointer at {@code refOff} of {@code seg} (not null): checks it and
   * returns its tag; where the bytes are comes from {@link #blobSegment} and
   * {@link #blobTarget}.
   */
  private static long blobTag(SegmentReader seg, int refOff, ReadTarget what) {
    long ref = seg.getWord(refOff);
    SegmentReader s = seg;
    int target;
    if (kind(ref) == FAR) {
      long tag = farTag(seg, ref, refOff);
      s = farSegment(seg, ref);
      target = farTarget(seg, ref);
      ref = tag;
    } else {
      target = refOff + 1 + offset(ref);
    }
    if (kind(ref) != LIST) {
      throw kindError(what.noun + " (a list pointer)", ref, seg, refOff);
    }
    if (listSizeCode(ref) != ElementSize.BYTE.ordinal()) {
      throw new DecodeException("expected " + what.noun + " (a byte list), found a list of "
          + ElementSize.fromCode(listSizeCode(ref)) + " " + seg.where(refOff));
    }
    s.checkObject(target, (listCount(ref) + 7L) >>> 3, what, seg, refOff);
    return ref;
  }

  /** The segment of the bytes of a blob pointer checked by {@link #blobTag}. */
  private static SegmentReader blobSegment(SegmentReader seg, int refOff) {
    long ref = seg.getWord(refOff);
    return kind(ref) == FAR ? farSegment(seg, ref) : seg;
  }

  /** The byte offset of the bytes of a blob pointer checked by {@link #blobTag}. */
  private static int blobByteOffset(SegmentReader seg, int refOff) {
    long ref = seg.getWord(refOff);
    return (kind(ref) == FAR ? farTarget(seg, ref) : refOff + 1 + offset(ref)) << 3;
  }

  private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0);

  static Text.Reader readText(SegmentReader seg, int refOff, SegmentReader defSeg, int defOff) {
    ByteBuffer buffer = NO_BYTES;
    int offset = 0;
    int size = 0;
    long ref = seg == null ? 0 : seg.getWord(refOff);
    if (ref == 0 && defSeg != null && (ref = defSeg.getWord(defOff)) != 0) {
      seg = defSeg;
      refOff = defOff;
    }
    if (ref != 0) {
      int count = listCount(blobTag(seg, refOff, ReadTarget.TEXT));
      SegmentReader s = seg;
      if (kind(ref) == FAR) {
        s = blobSegment(seg, refOff);
        offset = blobByteOffset(seg, refOff);
      } else {
        offset = (refOff + 1 + offset(ref)) << 3;
      }
      buffer = s.buffer;
      if (count == 0 || buffer.get(offset + count - 1) != 0) {
        throw new DecodeException("text is not NUL-terminated " + seg.where(refOff));
      }
      size = count - 1;
    }
    return new Text.Reader(buffer, offset, size);
  }

  /**
   * {@link #readText} moving {@code r} (not null) to the text instead of constructing a reader:
   * same checks, same errors.
   */
  static Text.Reader readTextInto(Text.Reader r, SegmentReader seg, int refOff,
      SegmentReader defSeg, int defOff) {
    long ref = seg == null ? 0 : seg.getWord(refOff);
    if (ref == 0 && defSeg != null && (ref = defSeg.getWord(defOff)) != 0) {
      seg = defSeg;
      refOff = defOff;
    }
    if (ref == 0) {
      r.moveTo(NO_BYTES, 0, 0);
      return r;
    }
    int count = listCount(blobTag(seg, refOff, ReadTarget.TEXT));
    SegmentReader s = seg;
    int offset;
    if (kind(ref) == FAR) {
      s = blobSegment(seg, refOff);
      offset = blobByteOffset(seg, refOff);
    } else {
      offset = (refOff + 1 + offset(ref)) << 3;
    }
    ByteBuffer buffer = s.buffer;
    if (count == 0 || buffer.get(offset + count - 1) != 0) {
      throw new DecodeException("text is not NUL-terminated " + seg.where(refOff));
    }
    r.moveTo(buffer, offset, count - 1);
    return r;
  }

  static Data.Reader readData(SegmentReader seg, int refOff, SegmentReader defSeg, int defOff) {
    ByteBuffer buffer = NO_BYTES;
    int offset = 0;
    int size = 0;
    long ref = seg == null ? 0 : seg.getWord(refOff);
    if (ref == 0 && defSeg != null && (ref = defSeg.getWord(defOff)) != 0) {
      seg = defSeg;
      refOff = defOff;
    }
    if (ref != 0) {
      size = listCount(blobTag(seg, refOff, ReadTarget.DATA));
      SegmentReader s = seg;
      if (kind(ref) == FAR) {
        s = blobSegment(seg, refOff);
        offset = blobByteOffset(seg, refOff);
      } else {
        offset = (refOff + 1 + offset(ref)) << 3;
      }
      buffer = s.buffer;
    }
    return new Data.Reader(buffer, offset, size);
  }

  /**
   * {@link #readData} moving {@code r} (not null) to the bytes instead of constructing a
   * reader: same checks, same errors.
   */
  static Data.Reader readDataInto(Data.Reader r, SegmentReader seg, int refOff,
      SegmentReader defSeg, int defOff) {
    long ref = seg == null ? 0 : seg.getWord(refOff);
    if (ref == 0 && defSeg != null && (ref = defSeg.getWord(defOff)) != 0) {
      seg = defSeg;
      refOff = defOff;
    }
    if (ref == 0) {
      r.moveTo(NO_BYTES, 0, 0);
      return r;
    }
    int size = listCount(blobTag(seg, refOff, ReadTarget.DATA));
    if (kind(ref) == FAR) {
      r.moveTo(blobSegment(seg, refOff).buffer, blobByteOffset(seg, refOff), size);
    } else {
      r.moveTo(seg.buffer, (refOff + 1 + offset(ref)) << 3, size);
    }
    return r;
  }

  /** Kind of the pointer at {@code refOff} after following far pointers. */
  static int targetKind(SegmentReader seg, int refOff) {
    long ref = seg.getWord(refOff);
    if (kind(ref) == FAR) {
      ref = farTag(seg, ref, refOff);
    }
    return kind(ref);
  }

  /** Capability index of the pointer at {@code refOff}; -1 if it is null. */
  static int readCapabilityIndex(SegmentReader seg, int refOff) {
    long ref = seg == null ? 0 : seg.getWord(refOff);
    if (ref == 0) {
      return -1;
    }
    if (kind(ref) == FAR) {
      ref = farTag(seg, ref, refOff);
    }
    if ((int) ref != OTHER) {
      throw kindError("a capability pointer", ref, seg, refOff);
    }
    return (int) (ref >>> 32);
  }

  /** Words reachable from the struct (data, pointers and everything they point to). */
  static long structTotalSize(StructReader s) {
    long n = ((s.dataSize + 63L) >>> 6) + s.pointerCount;
    for (int i = 0; i < s.pointerCount; i++) {
      n += pointerTotalSize(s.segment, s.pointers + i, s.nestingLimit);
    }
    return n;
  }

  /** Words reachable from the pointer at {@code refOff} (validated like any read). */
  static long pointerTotalSize(SegmentReader seg, int refOff, int nesting) {
    long ref = seg == null ? 0 : seg.getWord(refOff);
    if (ref == 0) {
      return 0;
    }
    switch (kind(ref) == FAR ? kind(farTag(seg, ref, refOff)) : kind(ref)) {
      case STRUCT:
        return structTotalSize(readStruct(AnyStruct.FACTORY, seg, CapTableReader.EMPTY, refOff,
            null, 0, nesting));
      case LIST: {
        ListReader l = readList(AnyList.FACTORY, seg, CapTableReader.EMPTY, refOff, null, 0,
            nesting);
        return listTotalSize(l);
      }
      default:
        return 0;
    }
  }

  static long listTotalSize(ListReader l) {
    long n;
    if (l.elementSize == ElementSize.INLINE_COMPOSITE) {
      n = 1 + (long) l.elementCount * (l.step >>> 6);
    } else {
      n = ((long) l.elementCount * l.step + 63) >>> 6;
    }
    if (l.structPointerCount > 0) {
      for (int i = 0; i < l.elementCount; i++) {
        int firstPtr = ((l.ptr + (int) (((long) i * l.step) >>> 3)) + (l.structDataSize >>> 3))
            >>> 3;
        for (int p = 0; p < l.structPointerCount; p++) {
          n += pointerTotalSize(l.segment, firstPtr + p, l.nestingLimit);
        }
      }
    }
    return n;
  }

  // ================================================================ builder side

  /** Where a builder pointer leads, after following far pointers (trusted). */
  static final class Target {
    SegmentBuilder segment;
    long tag;
    int target;
    /** Landing pad words to discard when the pointer is re-pointed (0, 1 or 2). */
    SegmentBuilder padSegment;
    int pad;
    int padWords;
  }

  static Target resolve(SegmentBuilder seg, int refOff) {
    long ref = seg.getWord(refOff);
    Target t = new Target();
    if (kind(ref) != FAR) {
      t.segment = seg;
      t.tag = ref;
      t.target = refOff + 1 + offset(ref);
      return t;
    }
    BuilderArena arena = seg.builderArena;
    SegmentBuilder padSeg = arena.segment((int) (ref >>> 32));
    int pad = (int) ref >>> 3;
    long padRef = padSeg.getWord(pad);
    t.padSegment = padSeg;
    t.pad = pad;
    if ((ref & 4) == 0) {
      t.segment = padSeg;
      t.tag = padRef;
      t.target = pad + 1 + offset(padRef);
      t.padWords = 1;
    } else {
      t.segment = arena.segment((int) (padRef >>> 32));
      t.tag = padSeg.getWord(pad + 1);
      t.target = (int) padRef >>> 3;
      t.padWords = 2;
    }
    return t;
  }

  /**
   * Allocates {@code words} for a new object referenced from {@code refSeg/refOff} and writes the
   * pointer (with a landing pad if the object lands in another segment). Returns the object's
   * segment; its word offset is left in {@code arena.lastOffset}.
   */
  static SegmentBuilder allocate(SegmentBuilder refSeg, int refOff, long words, long template) {
    // Kept small (the common case: the object fits behind the pointer's own segment end) so
    // that it inlines into every init / set path; the rest are calls.
    if (words > BuilderArena.MAX_SEGMENT_WORDS - 1) {
      throw objectTooLarge(words);
    }
    if (words == 0 && kind(template) == STRUCT) {
      refSeg.putWord(refOff, template | EMPTY_STRUCT_OFFSET);
      refSeg.builderArena.lastOffset = refOff;
      return refSeg;
    }
    int off = refSeg.pos;
    if (words <= refSeg.sizeWords - off) {
      refSeg.pos = off + (int) words;
      refSeg.putWord(refOff, withOffset(template, off - refOff - 1));
      refSeg.builderArena.lastOffset = off;
      return refSeg;
    }
    return allocateElsewhere(refSeg, refOff, (int) words, template);
  }

  private static IllegalArgumentException objectTooLarge(long words) {
    return new IllegalArgumentException("object too large: " + words + " words");
  }

  /** {@link #allocate} in another segment, reached through a landing pad. */
  private static SegmentBuilder allocateElsewhere(SegmentBuilder refSeg, int refOff, int words,
      long template) {
    BuilderArena arena = refSeg.builderArena;
    SegmentBuilder seg = arena.allocate(words + 1);
    int pad = arena.lastOffset;
    seg.putWord(pad, withOffset(template, 0));
    refSeg.putWord(refOff, farPointer(false, pad, seg.id));
    arena.lastOffset = pad + 1;
    return seg;
  }

  /** Points {@code dst} at an existing object (landing pad / double-far if needed). */
  static void setPointerTo(SegmentBuilder dstSeg, int dstOff, SegmentBuilder targetSeg,
      int target, long template) {
    if (dstSeg == targetSeg) {
      dstSeg.putWord(dstOff, withOffset(template, target - dstOff - 1));
      return;
    }
    int pad = targetSeg.tryAllocate(1);
    if (pad >= 0) {
      targetSeg.putWord(pad, withOffset(template, target - pad - 1));
      dstSeg.putWord(dstOff, farPointer(false, pad, targetSeg.id));
      return;
    }
    BuilderArena arena = dstSeg.builderArena;
    SegmentBuilder padSeg = arena.allocate(2);
    int p = arena.lastOffset;
    padSeg.putWord(p, farPointer(false, target, targetSeg.id));
    padSeg.putWord(p + 1, template & 0xffffffff00000003L);
    dstSeg.putWord(dstOff, farPointer(true, p, padSeg.id));
  }

  /** Moves the pointer at src to dst (the caller then zeroes the src word). */
  static void transferPointer(SegmentBuilder dstSeg, int dstOff, SegmentBuilder srcSeg,
      int srcOff) {
    long ref = srcSeg.getWord(srcOff);
    if (ref == 0 || kind(ref) == FAR || kind(ref) == OTHER) {
      dstSeg.putWord(dstOff, ref);
      return;
    }
    if (kind(ref) == STRUCT && structDataWords(ref) + structPointerCount(ref) == 0) {
      dstSeg.putWord(dstOff, (ref & 0xffffffff00000000L) | EMPTY_STRUCT_OFFSET);
      return;
    }
    setPointerTo(dstSeg, dstOff, srcSeg, srcOff + 1 + offset(ref), ref);
  }

  private static void zeroWords(SegmentBuilder seg, int from, long count) {
    if (count > 0) {
      java.util.Arrays.fill(seg.bytes, from << 3, (int) ((from + count) << 3), (byte) 0);
    }
  }

  /** Zeroes the object the pointer refers to (recursively) and the pointer itself. */
  static void clearPointer(SegmentBuilder seg, int refOff) {
    if (!seg.isZeroWord(refOff)) {
      // out of line: a new object's pointer is always null
      clearNonNull(seg, refOff, seg.getWord(refOff));
    }
  }

  private static void clearNonNull(SegmentBuilder seg, int refOff, long ref) {
    if (kind(ref) == OTHER) {
      if ((int) ref == OTHER) {
        seg.builderArena.capTable.dropCap((int) (ref >>> 32));
      }
      seg.putWord(refOff, 0);
      return;
    }
    if (kind(ref) != FAR) {
      // a near pointer: what resolve() would find, without its Target object
      zeroTarget(seg, ref, refOff + 1 + offset(ref));
      seg.putWord(refOff, 0);
      return;
    }
    Target t = resolve(seg, refOff);
    zeroTarget(t.segment, t.tag, t.target);
    if (t.padWords > 0) {
      zeroWords(t.padSegment, t.pad, t.padWords);
    }
    seg.putWord(refOff, 0);
  }

  private static void zeroTarget(SegmentBuilder seg, long tag, int target) {
    if (kind(tag) == STRUCT) {
      int dw = structDataWords(tag);
      int pc = structPointerCount(tag);
      for (int i = 0; i < pc; i++) {
        clearPointer(seg, target + dw + i);
      }
      zeroWords(seg, target, dw + pc);
    } else if (kind(tag) == LIST) {
      int code = listSizeCode(tag);
      int count = listCount(tag);
      if (code == 7) {
        long elemTag = seg.getWord(target);
        int n = (int) elemTag >>> 2;
        int dw = structDataWords(elemTag);
        int pc = structPointerCount(elemTag);
        if (pc > 0) {
          for (int e = 0; e < n; e++) {
            int base = target + 1 + e * (dw + pc) + dw;
            for (int i = 0; i < pc; i++) {
              clearPointer(seg, base + i);
            }
          }
        }
        zeroWords(seg, target, count + 1L);
      } else if (code == ElementSize.POINTER.ordinal()) {
        for (int i = 0; i < count; i++) {
          clearPointer(seg, target + i);
        }
        zeroWords(seg, target, count);
      } else {
        zeroWords(seg, target, ((long) count * ElementSize.fromCode(code).stepBits() + 63) >>> 6);
      }
    }
  }

  static <B extends StructBuilder> B initStruct(StructFactory<B, ?> f, SegmentBuilder seg,
      CapTableBuilder cap, int refOff) {
    return initStructInto(null, f, seg, cap, refOff);
  }

  /**
   * {@link #initStruct}, moving {@code b} to the new struct instead of making a builder (a new
   * builder if {@code b} is null).
   */
  static <B extends StructBuilder> B initStructInto(B b, StructFactory<B, ?> f,
      SegmentBuilder seg, CapTableBuilder cap, int refOff) {
    clearPointer(seg, refOff);
    StructSize sz = f.structSize();
    SegmentBuilder s = allocate(seg, refOff, sz.total(),
        structTemplate(sz.dataWords, sz.pointerCount));
    int t = seg.builderArena.lastOffset;
    if (b == null) {
      return f.constructBuilder(s, cap, t << 3, sz.dataWords << 6, t + sz.dataWords,
          sz.pointerCount);
    }
    b.moveTo(s, cap, t << 3, sz.dataWords << 6, t + sz.dataWords, sz.pointerCount);
    return b;
  }

  static <B extends StructBuilder> B getWritableStruct(StructFactory<B, ?> f,
      SegmentBuilder seg, CapTableBuilder cap, int refOff, SegmentReader defSeg, int defOff) {
    long ref = seg.getWord(refOff);
    if (ref == 0) {
      if (defSeg == null || defSeg.getWord(defOff) == 0) {
        return initStruct(f, seg, cap, refOff);
      }
      copyPointer(seg, cap, refOff, defSeg, CapTableReader.EMPTY, defOff, Integer.MAX_VALUE);
      ref = seg.getWord(refOff);
    }
    if (kind(ref) == STRUCT) {
      // a near struct pointer, large enough: what resolve() would find, without its Target
      int dw = structDataWords(ref);
      int pc = structPointerCount(ref);
      StructSize want = f.structSize();
      if (dw >= want.dataWords && pc >= want.pointerCount) {
        int target = refOff + 1 + offset(ref);
        return f.constructBuilder(seg, cap, target << 3, dw << 6, target + dw, pc);
      }
    }
    Target t = resolve(seg, refOff);
    if (kind(t.tag) != STRUCT) {
      throw new DecodeException("schema mismatch: expected a struct pointer, found a "
          + kindName(t.tag) + " " + seg.where(refOff));
    }
    int dw = structDataWords(t.tag);
    int pc = structPointerCount(t.tag);
    StructSize want = f.structSize();
    if (dw >= want.dataWords && pc >= want.pointerCount) {
      return f.constructBuilder(t.segment, cap, t.target << 3, dw << 6, t.target + dw, pc);
    }
    // Upgrade: move the struct into a larger allocation.
    int ndw = Math.max(dw, want.dataWords);
    int npc = Math.max(pc, want.pointerCount);
    if (t.padWords > 0) {
      zeroWords(t.padSegment, t.pad, t.padWords);
    }
    SegmentBuilder ns = allocate(seg, refOff, ndw + npc, structTemplate(ndw, npc));
    int nt = seg.builderArena.lastOffset;
    copyBytes(t.segment.buffer, t.target << 3, ns.buffer, nt << 3, dw << 3);
    for (int i = 0; i < pc; i++) {
      transferPointer(ns, nt + ndw + i, t.segment, t.target + dw + i);
    }
    zeroWords(t.segment, t.target, dw + pc);
    return f.constructBuilder(ns, cap, nt << 3, ndw << 6, nt + ndw, npc);
  }

  private static void copyBytes(ByteBuffer src, int srcOff, ByteBuffer dst, int dstOff,
      int len) {
    if (len > 0) {
      dst.put(dstOff, src, srcOff, len);
    }
  }

  static <B extends ListBuilder> B initList(ListFactory<B, ?> f, SegmentBuilder seg,
      CapTableBuilder cap, int refOff, int count) {
    // One allocation and one constructor call for both list kinds: small enough in bytecode
    // and in compiled code for the JIT to inline it (with the factory's constructor) into each
    // generated initX().
    if (count < 0 || count >= (1 << 29)) {
      throw badListSize(count);
    }
    clearPointer(seg, refOff);
    ElementSize es = f.elementSize;
    boolean composite = es == ElementSize.INLINE_COMPOSITE;
    int step;
    int dataBits;
    int pointerCount;
    long words;
    long template;
    if (composite) {
      StructSize sz = f.structSize;
      long body = (long) count * sz.total();
      if (body >= (1 << 29)) {
        throw listTooLarge(body);
      }
      step = sz.total() << 6;
      dataBits = sz.dataWords << 6;
      pointerCount = sz.pointerCount;
      words = body + 1;
      template = listTemplate(7, (int) body);
    } else {
      step = es.stepBits();
      dataBits = es.dataBits;
      pointerCount = es.pointers;
      words = ((long) count * step + 63) >>> 6;
      template = listTemplate(es.ordinal(), count);
    }
    SegmentBuilder s = allocate(seg, refOff, words, template);
    int t = seg.builderArena.lastOffset;
    if (composite) {
      s.putWord(t, compositeTag(count, dataBits >>> 6, pointerCount));
      t++;
    }
    return f.constructBuilder(s, cap, t << 3, count, step, dataBits, pointerCount, es);
  }

  private static IllegalArgumentException badListSize(int count) {
    return new IllegalArgumentException("bad list size " + count);
  }

  private static IllegalArgumentException listTooLarge(long words) {
    return new IllegalArgumentException("list too large: " + words + " words");
  }

  static <B extends ListBuilder> B getWritableList(ListFactory<B, ?> f, SegmentBuilder seg,
      CapTableBuilder cap, int refOff, SegmentReader defSeg, int defOff) {
    long ref = seg.getWord(refOff);
    if (ref == 0) {
      if (defSeg == null || defSeg.getWord(defOff) == 0) {
        ElementSize es = f.elementSize;
        if (es == ElementSize.INLINE_COMPOSITE) {
          StructSize sz = f.structSize;
          return f.constructBuilder(seg, cap, 0, 0, sz.total() << 6, sz.dataWords << 6,
              sz.pointerCount, es);
        }
        return f.constructBuilder(seg, cap, 0, 0, es.stepBits(), es.dataBits, es.pointers, es);
      }
      copyPointer(seg, cap, refOff, defSeg, CapTableReader.EMPTY, defOff, Integer.MAX_VALUE);
    }
    Target t = resolve(seg, refOff);
    if (kind(t.tag) != LIST) {
      throw new DecodeException("schema mismatch: expected a list pointer, found a "
          + kindName(t.tag) + " " + seg.where(refOff));
    }
    int code = listSizeCode(t.tag);
    if (code == 7) {
      long elemTag = t.segment.getWord(t.target);
      int n = (int) elemTag >>> 2;
      int dw = structDataWords(elemTag);
      int pc = structPointerCount(elemTag);
      if (f.elementSize == ElementSize.INLINE_COMPOSITE
          && (dw < f.structSize.dataWords || pc < f.structSize.pointerCount)) {
        return upgradeToStructList(f, seg, cap, refOff, t);
      }
      checkListCompatible(f.elementSize, ElementSize.INLINE_COMPOSITE, dw << 6, pc, seg,
          refOff);
      return f.constructBuilder(t.segment, cap, (t.target + 1) << 3, n, (dw + pc) << 6,
          dw << 6, pc, ElementSize.INLINE_COMPOSITE);
    }
    ElementSize es = ElementSize.fromCode(code);
    if (f.elementSize == ElementSize.INLINE_COMPOSITE) {
      return upgradeToStructList(f, seg, cap, refOff, t);
    }
    checkListCompatible(f.elementSize, es, es.dataBits, es.pointers, seg, refOff);
    return f.constructBuilder(t.segment, cap, t.target << 3, listCount(t.tag), es.stepBits(),
        es.dataBits, es.pointers, es);
  }

  /** Rewrites an existing list as an inline-composite list with the factory's struct size. */
  private static <B extends ListBuilder> B upgradeToStructList(ListFactory<B, ?> f,
      SegmentBuilder seg, CapTableBuilder cap, int refOff, Target t) {
    int code = listSizeCode(t.tag);
    int n;
    int oldDw;
    int oldPc;
    int oldDataBits;
    int oldStepBits;
    int first;
    if (code == 7) {
      long elemTag = t.segment.getWord(t.target);
      n = (int) elemTag >>> 2;
      oldDw = structDataWords(elemTag);
      oldPc = structPointerCount(elemTag);
      oldDataBits = oldDw << 6;
      oldStepBits = (oldDw + oldPc) << 6;
      first = t.target + 1;
    } else {
      ElementSize es = ElementSize.fromCode(code);
      if (es == ElementSize.BIT) {
        throw new DecodeException("schema mismatch: cannot upgrade a bit list to a struct list "
            + seg.where(refOff));
      }
      n = listCount(t.tag);
      oldDataBits = es.dataBits;
      oldDw = (es.dataBits + 63) >>> 6;
      oldPc = es.pointers;
      oldStepBits = es.stepBits();
      first = t.target;
    }
    int ndw = Math.max(oldDw, f.structSize.dataWords);
    int npc = Math.max(oldPc, f.structSize.pointerCount);
    long words = (long) n * (ndw + npc);
    if (t.padWords > 0) {
      zeroWords(t.padSegment, t.pad, t.padWords);
    }
    SegmentBuilder ns = allocate(seg, refOff, words + 1, listTemplate(7, (int) words));
    int nt = seg.builderArena.lastOffset;
    ns.putWord(nt, compositeTag(n, ndw, npc));
    for (int e = 0; e < n; e++) {
      long oldBit = ((long) first << 6) + (long) e * oldStepBits;
      int newBase = nt + 1 + e * (ndw + npc);
      copyBytes(t.segment.buffer, (int) (oldBit >>> 3), ns.buffer, newBase << 3,
          oldDataBits >>> 3);
      int oldPtr = (int) ((oldBit + oldDataBits) >>> 6);
      for (int p = 0; p < oldPc; p++) {
        transferPointer(ns, newBase + ndw + p, t.segment, oldPtr + p);
      }
    }
    long oldWords = code == 7 ? 1 + (long) n * (oldDw + oldPc)
        : ((long) n * oldStepBits + 63) >>> 6;
    zeroWords(t.segment, t.target, oldWords);
    return f.constructBuilder(ns, cap, (nt + 1) << 3, n, (ndw + npc) << 6, ndw << 6, npc,
        ElementSize.INLINE_COMPOSITE);
  }

  static Text.Builder getWritableText(SegmentBuilder seg, int refOff, SegmentReader defSeg,
      int defOff) {
    if (seg.getWord(refOff) == 0) {
      if (defSeg == null || defSeg.getWord(defOff) == 0) {
        return new Text.Builder(ByteBuffer.allocate(0), 0, 0);
      }
      copyPointer(seg, CapTableBuilder.EMPTY, refOff, defSeg, CapTableReader.EMPTY, defOff,
          Integer.MAX_VALUE);
    }
    Target t = blobTarget(seg, refOff, "text");
    return new Text.Builder(t.segment.buffer, t.target << 3, Math.max(0, listCount(t.tag) - 1));
  }

  static Data.Builder getWritableData(SegmentBuilder seg, int refOff, SegmentReader defSeg,
      int defOff) {
    if (seg.getWord(refOff) == 0) {
      if (defSeg == null || defSeg.getWord(defOff) == 0) {
        return new Data.Builder(ByteBuffer.allocate(0), 0, 0);
      }
      copyPointer(seg, CapTableBuilder.EMPTY, refOff, defSeg, CapTableReader.EMPTY, defOff,
          Integer.MAX_VALUE);
    }
    Target t = blobTarget(seg, refOff, "data");
    return new Data.Builder(t.segment.buffer, t.target << 3, listCount(t.tag));
  }

  private static Target blobTarget(SegmentBuilder seg, int refOff, String what) {
    Target t = resolve(seg, refOff);
    if (kind(t.tag) != LIST || listSizeCode(t.tag) != ElementSize.BYTE.ordinal()) {
      throw new DecodeException("schema mismatch: expected " + what + " (a byte list), found a "
          + kindName(t.tag) + " " + seg.where(refOff));
    }
    return t;
  }

  private static IllegalArgumentException badTextSize(int size) {
    return new IllegalArgumentException("bad text size " + size);
  }

  static Text.Builder initText(SegmentBuilder seg, int refOff, int size) {
    if (size < 0 || size >= (1 << 29) - 1) {
      throw badTextSize(size);
    }
    clearPointer(seg, refOff);
    SegmentBuilder s = allocate(seg, refOff, (size + 8L) >>> 3,
        listTemplate(ElementSize.BYTE.ordinal(), size + 1));
    return new Text.Builder(s.buffer, seg.builderArena.lastOffset << 3, size);
  }

  /**
   * Sets the pointer to new text holding the UTF-8 encoding of {@code value}. An ASCII string
   * (checked char by char) is copied straight into the segment; any other is encoded once.
   */
  static void setText(SegmentBuilder seg, int refOff, String value) {
    // One pass for the common case, an ASCII string that fits in the pointer's segment: the
    // characters are copied behind the segment's allocated words (free space, always zero) while
    // being checked, and only then allocated and pointed to. A non-ASCII character puts the
    // free space back to zero and takes the general path, so the encoding and the layout are
    // exactly those of that path. Kept small so that it inlines into generated setters.
    int n = value.length();
    clearPointer(seg, refOff);
    int off = seg.pos;
    int words = (n + 8) >>> 3;
    if (n < (1 << 29) - 1 && words <= seg.sizeWords - off) {
      byte[] b = seg.bytes;
      int at = off << 3;
      int k = 0;
      while (k < n) {
        char c = value.charAt(k);
        if (c >= 0x80) {
          break;
        }
        b[at + k] = (byte) c;
        k++;
      }
      if (k == n) {
        seg.pos = off + words;
        seg.putWord(refOff,
            withOffset(listTemplate(ElementSize.BYTE.ordinal(), n + 1), off - refOff - 1));
        return;
      }
      java.util.Arrays.fill(b, at, at + k, (byte) 0);
    }
    setTextElsewhere(seg, refOff, value);
  }

  /**
   * {@link #setText(SegmentBuilder, int, String)} for text that is not ASCII or does not fit in
   * the pointer's segment. An ASCII string (checked char by char) is copied straight into the
   * segment it is allocated in; any other is encoded once.
   */
  private static void setTextElsewhere(SegmentBuilder seg, int refOff, String value) {
    int n = value.length();
    int i = 0;
    while (i < n && value.charAt(i) < 0x80) {
      i++;
    }
    if (i < n) {
      setText(seg, refOff, new Text.Reader(value));
      return;
    }
    if (n >= (1 << 29) - 1) {
      throw badTextSize(n);
    }
    clearPointer(seg, refOff);
    SegmentBuilder s = allocate(seg, refOff, (n + 8L) >>> 3,
        listTemplate(ElementSize.BYTE.ordinal(), n + 1));
    // A builder segment is a heap array at offset 0: the characters go straight into it.
    copyAscii(value, s.bytes, seg.builderArena.lastOffset << 3);
  }

  /** Copies the low bytes of an ASCII string's chars (its UTF-8 encoding) into {@code dst}. */
  @SuppressWarnings("deprecation") // the low-byte copy is exactly what ASCII needs
  private static void copyAscii(String value, byte[] dst, int at) {
    value.getBytes(0, value.length(), dst, at);
  }

  static void setText(SegmentBuilder seg, int refOff, Text.Reader v) {
    Text.Builder b = initText(seg, refOff, v.size);
    copyBytes(v.buffer, v.offset, b.buffer, b.offset, v.size);
  }

  static Data.Builder initData(SegmentBuilder seg, int refOff, int size) {
    if (size < 0 || size >= (1 << 29)) {
      throw new IllegalArgumentException("bad data size " + size);
    }
    clearPointer(seg, refOff);
    SegmentBuilder s = allocate(seg, refOff, (size + 7L) >>> 3,
        listTemplate(ElementSize.BYTE.ordinal(), size));
    return new Data.Builder(s.buffer, seg.builderArena.lastOffset << 3, size);
  }

  static void setData(SegmentBuilder seg, int refOff, Data.Reader v) {
    Data.Builder b = initData(seg, refOff, v.size);
    copyBytes(v.buffer, v.offset, b.buffer, b.offset, v.size);
  }

  static void setCapabilityIndex(SegmentBuilder seg, int refOff, int index) {
    clearPointer(seg, refOff);
    seg.putWord(refOff, capPointer(index));
  }

  // ================================================================ copying

  /** Deep-copies the (untrusted) pointer at src/srcOff into dst/dstOff. */
  static void copyPointer(SegmentBuilder dst, CapTableBuilder dstCap, int dstOff,
      SegmentReader src, CapTableReader srcCap, int srcOff, int nesting) {
    copyPointer(dst, dstCap, dstOff, src, srcCap, srcOff, nesting, false);
  }

  static void copyPointer(SegmentBuilder dst, CapTableBuilder dstCap, int dstOff,
      SegmentReader src, CapTableReader srcCap, int srcOff, int nesting, boolean canonical) {
    long ref = src == null ? 0 : src.getWord(srcOff);
    if (ref == 0) {
      clearPointer(dst, dstOff);
      return;
    }
    long resolved = kind(ref) == FAR ? farTag(src, ref, srcOff) : ref;
    switch (kind(resolved)) {
      case STRUCT:
        setStruct(dst, dstCap, dstOff,
            readStruct(AnyStruct.FACTORY, src, srcCap, srcOff, null, 0, nesting), canonical);
        return;
      case LIST:
        setList(dst, dstCap, dstOff,
            readList(AnyList.FACTORY, src, srcCap, srcOff, null, 0, nesting), canonical);
        return;
      default:
        if ((int) resolved != OTHER) {
          throw new DecodeException("unknown pointer type " + src.where(srcOff));
        }
        int index = (int) (resolved >>> 32);
        Object c = srcCap.extractCap(index);
        clearPointer(dst, dstOff);
        if (c != null) {
          dst.putWord(dstOff, capPointer(dstCap.injectCap(c)));
        } else if (srcCap == CapTableReader.EMPTY || srcCap == CapTableBuilder.EMPTY) {
          // a message without capability semantics (plain serialization): the index is copied
          dst.putWord(dstOff, capPointer(index));
        }
        // else: the source's table has no capability at that index (a CapDescriptor.none, or an
        // index past its end): a null capability, so the pointer stays null rather than naming
        // whatever capability has that index in the destination's table
    }
  }

  static void setStruct(SegmentBuilder seg, CapTableBuilder cap, int refOff, StructReader v) {
    setStruct(seg, cap, refOff, v, false);
  }

  private static void setStruct(SegmentBuilder seg, CapTableBuilder cap, int refOff,
      StructReader v, boolean canonical) {
    int dw = (v.dataSize + 63) >>> 6;
    int pc = v.pointerCount;
    if (canonical) {
      if ((v.dataSize & 63) == 0) {
        while (dw > 0 && v.segment.getWord((v.data >>> 3) + dw - 1) == 0) {
          dw--;
        }
      } else {
        boolean zero = true;
        for (int i = 0; i < (v.dataSize + 7) >>> 3; i++) {
          zero &= v.segment.buffer.get(v.data + i) == 0;
        }
        if (zero) {
          dw = 0;
        }
      }
      while (pc > 0 && v.segment.getWord(v.pointers + pc - 1) == 0) {
        pc--;
      }
    }
    clearPointer(seg, refOff);
    SegmentBuilder s = allocate(seg, refOff, dw + pc, structTemplate(dw, pc));
    int t = seg.builderArena.lastOffset;
    copyStructData(s, cap, t << 3, dw << 6, t + dw, pc, v.segment, v.capTable, v.data,
        v.dataSize, v.pointers, v.pointerCount, v.nestingLimit, canonical);
  }

  /** Overwrites the struct at the given builder location with a copy of {@code v}. */
  static void copyStructInto(SegmentBuilder seg, CapTableBuilder cap, int data, int dataBits,
      int pointers, int pointerCount, StructReader v) {
    copyStructData(seg, cap, data, dataBits, pointers, pointerCount, v.segment, v.capTable,
        v.data, v.dataSize, v.pointers, v.pointerCount, v.nestingLimit, false);
  }

  private static void copyStructData(SegmentBuilder seg, CapTableBuilder cap, int data,
      int dataBits, int pointers, int pointerCount, SegmentReader src, CapTableReader srcCap,
      int srcData, int srcDataBits, int srcPointers, int srcPointerCount, int nesting,
      boolean canonical) {
    int bits = Math.min(dataBits, srcDataBits);
    int bytes = bits >>> 3;
    copyBytes(src.buffer, srcData, seg.buffer, data, bytes);
    int dstBytes = dataBits >>> 3;
    for (int i = bytes; i < dstBytes; i++) {
      seg.buffer.put(data + i, (byte) 0);
    }
    if ((bits & 7) != 0) {
      int mask = (1 << (bits & 7)) - 1;
      seg.buffer.put(data + bytes, (byte) (src.buffer.get(srcData + bytes) & mask));
    }
    int pc = Math.min(pointerCount, srcPointerCount);
    for (int i = 0; i < pc; i++) {
      copyPointer(seg, cap, pointers + i, src, srcCap, srcPointers + i, nesting, canonical);
    }
    for (int i = pc; i < pointerCount; i++) {
      clearPointer(seg, pointers + i);
    }
  }

  static void setList(SegmentBuilder seg, CapTableBuilder cap, int refOff, ListReader v) {
    setList(seg, cap, refOff, v, false);
  }

  private static void setList(SegmentBuilder seg, CapTableBuilder cap, int refOff, ListReader v,
      boolean canonical) {
    int n = v.elementCount;
    if (v.elementSize == ElementSize.INLINE_COMPOSITE) {
      int dw = v.structDataSize >>> 6;
      int pc = v.structPointerCount;
      if (canonical) {
        int maxDw = 0;
        int maxPc = 0;
        for (int e = 0; e < n; e++) {
          int base = (v.ptr >>> 3) + e * (v.step >>> 6);
          for (int i = dw; i > maxDw; i--) {
            if (v.segment.getWord(base + i - 1) != 0) {
              maxDw = i;
              break;
            }
          }
          for (int i = pc; i > maxPc; i--) {
            if (v.segment.getWord(base + dw + i - 1) != 0) {
              maxPc = i;
              break;
            }
          }
        }
        dw = maxDw;
        pc = maxPc;
      }
      long words = (long) n * (dw + pc);
      clearPointer(seg, refOff);
      SegmentBuilder s = allocate(seg, refOff, words + 1, listTemplate(7, (int) words));
      int t = seg.builderArena.lastOffset;
      s.putWord(t, compositeTag(n, dw, pc));
      for (int e = 0; e < n; e++) {
        int srcData = v.ptr + (int) (((long) e * v.step) >>> 3);
        int dst = t + 1 + e * (dw + pc);
        copyStructData(s, cap, dst << 3, dw << 6, dst + dw, pc, v.segment, v.capTable, srcData,
            v.structDataSize, (srcData + (v.structDataSize >>> 3)) >>> 3, v.structPointerCount,
            v.nestingLimit, canonical);
      }
      return;
    }
    ElementSize es = v.elementSize;
    clearPointer(seg, refOff);
    if (es == ElementSize.POINTER) {
      SegmentBuilder s = allocate(seg, refOff, n, listTemplate(es.ordinal(), n));
      int t = seg.builderArena.lastOffset;
      int srcFirst = v.ptr >>> 3;
      for (int i = 0; i < n; i++) {
        copyPointer(s, cap, t + i, v.segment, v.capTable, srcFirst + i, v.nestingLimit,
            canonical);
      }
      return;
    }
    long bits = (long) n * es.stepBits();
    SegmentBuilder s = allocate(seg, refOff, (bits + 63) >>> 6, listTemplate(es.ordinal(), n));
    int t = seg.builderArena.lastOffset;
    int bytes = (int) (bits >>> 3);
    copyBytes(v.segment.buffer, v.ptr, s.buffer, t << 3, bytes);
    if ((bits & 7) != 0) {
      int mask = (1 << (bits & 7)) - 1;
      s.buffer.put((t << 3) + bytes, (byte) (v.segment.buffer.get(v.ptr + bytes) & mask));
    }
  }

  // ================================================================ canonical form

  static byte[] canonicalize(StructReader struct) {
    long size = structTotalSize(struct) + 1;
    if (size > BuilderArena.MAX_SEGMENT_WORDS) {
      throw new IllegalArgumentException("struct too large to canonicalize: " + size + " words");
    }
    MessageBuilder mb = new MessageBuilder((int) size);
    SegmentBuilder root = mb.rootSegment();
    setStruct(root, CapTableBuilder.EMPTY, 0, struct, true);
    if (mb.segmentCount() != 1) {
      throw new IllegalStateException("canonical form did not fit in one segment");
    }
    ByteBuffer out = root.allocatedSlice();
    byte[] bytes = new byte[out.remaining()];
    out.get(bytes);
    return bytes;
  }
}
