package dev.capnp.runtime;

/**
 * Base class of every struct reader (generated {@code Foo.Reader}, {@link AnyStruct.Reader},
 * dynamic structs). Holds the struct's location and offers protected field accessors to
 * subclasses. Offsets are in units of the field's own size (bits for booleans), exactly like
 * {@code Field.slot.offset} in {@code schema.capnp}; fields beyond the struct's data or pointer
 * section read as their default (older-schema compatibility). Primitive reads allocate nothing.
 */
public abstract class StructReader {
  // Not final: a reader can be moved to another element of its list (StructList.Reader.get(int,
  // R)), so that iterating a list needs one reader, not one per element.
  SegmentReader segment;
  CapTableReader capTable;
  /** Byte offset of the data section. */
  int data;
  /** Data section size in bits. */
  int dataSize;
  /** Word offset of the pointer section. */
  int pointers;
  int pointerCount;
  int nestingLimit;

  /**
   * A reader for the struct at the given location (see {@link StructFactory}).
   *
   * @param segment the segment holding the value
   * @param capTable the message's capability table
   * @param dataOffset byte offset of the data section within the segment
   * @param dataSizeBits size of the data section in bits
   * @param pointerOffset word offset of the pointer within the segment
   * @param pointerCount number of pointers in the pointer section
   * @param nestingLimit remaining nesting depth for the value
   */
  protected StructReader(SegmentReader segment, CapTableReader capTable, int dataOffset,
      int dataSizeBits, int pointerOffset, int pointerCount, int nestingLimit) {
    this.segment = segment == null ? SegmentReader.EMPTY : segment;
    this.capTable = capTable == null ? CapTableReader.EMPTY : capTable;
    this.data = dataOffset;
    this.dataSize = dataSizeBits;
    this.pointers = pointerOffset;
    this.pointerCount = pointerCount;
    this.nestingLimit = nestingLimit;
  }

  /**
   * A reader sharing {@code other}'s location (used for groups).
   *
   * @param other the reader whose location is shared
   */
  protected StructReader(StructReader other) {
    this.segment = other.segment;
    this.capTable = other.capTable;
    this.data = other.data;
    this.dataSize = other.dataSize;
    this.pointers = other.pointers;
    this.pointerCount = other.pointerCount;
    this.nestingLimit = other.nestingLimit;
  }

  /** Moves this reader to the struct at the given location (same parameters as the constructor). */
  final void moveTo(SegmentReader segment, CapTableReader capTable, int dataOffset,
      int dataSizeBits, int pointerOffset, int pointerCount, int nestingLimit) {
    this.segment = segment;
    this.capTable = capTable;
    this.data = dataOffset;
    this.dataSize = dataSizeBits;
    this.pointers = pointerOffset;
    this.pointerCount = pointerCount;
    this.nestingLimit = nestingLimit;
  }

  /**
   * The segment holding this struct.
   *
   * @return the segment holding this struct
   */
  protected final SegmentReader _segment() {
    return segment;
  }

  /**
   * The capability table of the message.
   *
   * @return the capability table of the message
   */
  protected final CapTableReader _capTable() {
    return capTable;
  }

  /**
   * Byte offset of the data section within the segment.
   *
   * @return the byte offset of the data section within the segment
   */
  protected final int _dataOffset() {
    return data;
  }

  /**
   * Size of the data section in bits.
   *
   * @return the size of the data section in bits
   */
  protected final int _dataSizeBits() {
    return dataSize;
  }

  /**
   * Word offset of the pointer section within the segment.
   *
   * @return the word offset of the pointer section within the segment
   */
  protected final int _pointerOffset() {
    return pointers;
  }

  /**
   * Number of pointers in the pointer section.
   *
   * @return the number of pointers in the pointer section
   */
  protected final int _pointerCount() {
    return pointerCount;
  }

  /**
   * Remaining nesting depth allowed below this struct.
   *
   * @return the remaining nesting depth allowed below this struct
   */
  protected final int _nestingLimit() {
    return nestingLimit;
  }

  /**
   * Total words of this struct and everything reachable from it (for sizing copies).
   *
   * @return the total words of this struct and everything reachable from it (for sizing copies)
   */
  protected final long _totalSizeInWords() {
    return Wire.structTotalSize(this);
  }

  /**
   * Reads the boolean field at the given offset (default 0 beyond the data section).
   *
   * @param bitOffset the field's offset in bits from the start of the data section
   * @return the field's value
   */
  protected final boolean _getBooleanField(int bitOffset) {
    if (bitOffset >= dataSize) {
      return false;
    }
    byte b = segment.buffer.get(data + (bitOffset >>> 3));
    return (b & (1 << (bitOffset & 7))) != 0;
  }

  /**
   * Reads the boolean field at the given offset (default 0 beyond the data section), XORed with
   * the default {@code mask}.
   *
   * @param bitOffset the field's offset in bits from the start of the data section
   * @param mask the field's default value, XORed with the stored value
   * @return the field's value
   */
  protected final boolean _getBooleanField(int bitOffset, boolean mask) {
    return _getBooleanField(bitOffset) ^ mask;
  }

  /**
   * Reads the byte field at the given offset (default 0 beyond the data section).
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @return the field's value
   */
  protected final byte _getByteField(int offset) {
    if ((offset + 1) * 8 > dataSize) {
      return 0;
    }
    return segment.buffer.get(data + offset);
  }

  /**
   * Reads the byte field at the given offset (default 0 beyond the data section), XORed with the
   * default {@code mask}.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param mask the field's default value, XORed with the stored value
   * @return the field's value
   */
  protected final byte _getByteField(int offset, byte mask) {
    return (byte) (_getByteField(offset) ^ mask);
  }

  /**
   * Reads the short field at the given offset (default 0 beyond the data section).
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @return the field's value
   */
  protected final short _getShortField(int offset) {
    if ((offset + 1) * 16 > dataSize) {
      return 0;
    }
    return segment.buffer.getShort(data + offset * 2);
  }

  /**
   * Reads the short field at the given offset (default 0 beyond the data section), XORed with the
   * default {@code mask}.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param mask the field's default value, XORed with the stored value
   * @return the field's value
   */
  protected final short _getShortField(int offset, short mask) {
    return (short) (_getShortField(offset) ^ mask);
  }

  /**
   * Reads the int field at the given offset (default 0 beyond the data section).
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @return the field's value
   */
  protected final int _getIntField(int offset) {
    if ((offset + 1) * 32 > dataSize) {
      return 0;
    }
    return segment.buffer.getInt(data + offset * 4);
  }

  /**
   * Reads the int field at the given offset (default 0 beyond the data section), XORed with the
   * default {@code mask}.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param mask the field's default value, XORed with the stored value
   * @return the field's value
   */
  protected final int _getIntField(int offset, int mask) {
    return _getIntField(offset) ^ mask;
  }

  /**
   * Reads the long field at the given offset (default 0 beyond the data section).
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @return the field's value
   */
  protected final long _getLongField(int offset) {
    if ((offset + 1) * 64 > dataSize) {
      return 0;
    }
    return segment.buffer.getLong(data + offset * 8);
  }

  /**
   * Reads the long field at the given offset (default 0 beyond the data section), XORed with the
   * default {@code mask}.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param mask the field's default value, XORed with the stored value
   * @return the field's value
   */
  protected final long _getLongField(int offset, long mask) {
    return _getLongField(offset) ^ mask;
  }

  /**
   * Reads the float field at the given offset (default 0 beyond the data section).
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @return the field's value
   */
  protected final float _getFloatField(int offset) {
    return Float.intBitsToFloat(_getIntField(offset));
  }

  /**
   * Reads the float field at the given offset (default 0 beyond the data section), XORed with the
   * default {@code mask}.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param maskBits the raw bits of the field's default value, XORed with the stored bits
   * @return the field's value
   */
  protected final float _getFloatField(int offset, int maskBits) {
    return Float.intBitsToFloat(_getIntField(offset) ^ maskBits);
  }

  /**
   * Reads the double field at the given offset (default 0 beyond the data section).
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @return the field's value
   */
  protected final double _getDoubleField(int offset) {
    return Double.longBitsToDouble(_getLongField(offset));
  }

  /**
   * Reads the double field at the given offset (default 0 beyond the data section), XORed with the
   * default {@code mask}.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param maskBits the raw bits of the field's default value, XORed with the stored bits
   * @return the field's value
   */
  protected final double _getDoubleField(int offset, long maskBits) {
    return Double.longBitsToDouble(_getLongField(offset) ^ maskBits);
  }

  /**
   * Whether pointer {@code pointerIndex} is null (or beyond the pointer section).
   *
   * @param pointerIndex the index of the pointer in the pointer section
   * @return {@code true} if pointer {@code pointerIndex} is null (or beyond the pointer section)
   */
  protected final boolean _pointerFieldIsNull(int pointerIndex) {
    return pointerIndex >= pointerCount || segment.getWord(pointers + pointerIndex) == 0;
  }

  /**
   * Reads pointer {@code pointerIndex}; a null pointer reads as the type's empty value.
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @param pointerIndex the index of the pointer in the pointer section
   * @return the field's value
   */
  protected final <R> R _getPointerField(PointerFactory<?, R> factory, int pointerIndex) {
    // One call site (a pointer beyond the section reads as null: no segment), so that the
    // reader is constructed at one place once this is inlined.
    return factory.fromPointerReader(pointerIndex < pointerCount ? segment : null, capTable,
        pointers + pointerIndex, null, 0, nestingLimit);
  }

  /**
   * Reads pointer {@code pointerIndex}; a null pointer reads as the given default.
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @param pointerIndex the index of the pointer in the pointer section
   * @param defaultSegment the segment holding the default value, or {@code null} for none
   * @param defaultOffsetWords word offset of the default pointer within {@code defaultSegment}
   * @return the field's value
   */
  protected final <R> R _getPointerField(PointerFactory<?, R> factory, int pointerIndex,
      SegmentReader defaultSegment, int defaultOffsetWords) {
    return factory.fromPointerReader(pointerIndex < pointerCount ? segment : null, capTable,
        pointers + pointerIndex, defaultSegment, defaultOffsetWords, nestingLimit);
  }

  // Typed pointer reads. Generated getters call these rather than _getPointerField: each is
  // specific to one kind of value, so when the JIT compiles one on its own (it is shared by
  // every getter of that kind) it stays small enough to be inlined later into each getter,
  // where the reader it returns is then removed by escape analysis.

  private SegmentReader pointerSegment(int pointerIndex) {
    return pointerIndex < pointerCount ? segment : null;
  }

  /**
   * Reads the {@code Text} pointer {@code pointerIndex}; a null pointer reads as empty.
   *
   * @param pointerIndex the index of the pointer in the pointer section
   * @return the field's value
   */
  protected final Text.Reader _getTextField(int pointerIndex) {
    return Wire.readText(pointerSegment(pointerIndex), pointers + pointerIndex, null, 0);
  }

  /**
   * Reads the {@code Text} pointer {@code pointerIndex}; a null pointer reads as the default.
   *
   * @param pointerIndex the index of the pointer in the pointer section
   * @param defaultSegment the segment holding the default value, or {@code null} for none
   * @param defaultOffsetWords word offset of the default pointer within {@code defaultSegment}
   * @return the field's value
   */
  protected final Text.Reader _getTextField(int pointerIndex, SegmentReader defaultSegment,
      int defaultOffsetWords) {
    return Wire.readText(pointerSegment(pointerIndex), pointers + pointerIndex, defaultSegment,
        defaultOffsetWords);
  }

  /**
   * Reads the {@code Data} pointer {@code pointerIndex}; a null pointer reads as empty.
   *
   * @param pointerIndex the index of the pointer in the pointer section
   * @return the field's value
   */
  protected final Data.Reader _getDataField(int pointerIndex) {
    return Wire.readData(pointerSegment(pointerIndex), pointers + pointerIndex, null, 0);
  }

  /**
   * Reads the {@code Data} pointer {@code pointerIndex}; a null pointer reads as the default.
   *
   * @param pointerIndex the index of the pointer in the pointer section
   * @param defaultSegment the segment holding the default value, or {@code null} for none
   * @param defaultOffsetWords word offset of the default pointer within {@code defaultSegment}
   * @return the field's value
   */
  protected final Data.Reader _getDataField(int pointerIndex, SegmentReader defaultSegment,
      int defaultOffsetWords) {
    return Wire.readData(pointerSegment(pointerIndex), pointers + pointerIndex, defaultSegment,
        defaultOffsetWords);
  }

  /**
   * Reads the struct pointer {@code pointerIndex} with {@code factory}, a {@link StructFactory};
   * a null pointer reads as the struct's default (all fields at their defaults).
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @param pointerIndex the index of the pointer in the pointer section
   * @return the field's value
   */
  @SuppressWarnings("unchecked")
  protected final <R extends StructReader> R _getStructField(PointerFactory<?, R> factory,
      int pointerIndex) {
    return Wire.readStruct((StructFactory<?, R>) factory, pointerSegment(pointerIndex), capTable,
        pointers + pointerIndex, null, 0, nestingLimit);
  }

  /**
   * Like {@link #_getStructField(PointerFactory, int)}, a null pointer reading as the default.
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @param pointerIndex the index of the pointer in the pointer section
   * @param defaultSegment the segment holding the default value, or {@code null} for none
   * @param defaultOffsetWords word offset of the default pointer within {@code defaultSegment}
   * @return the field's value
   */
  @SuppressWarnings("unchecked")
  protected final <R extends StructReader> R _getStructField(PointerFactory<?, R> factory,
      int pointerIndex, SegmentReader defaultSegment, int defaultOffsetWords) {
    return Wire.readStruct((StructFactory<?, R>) factory, pointerSegment(pointerIndex), capTable,
        pointers + pointerIndex, defaultSegment, defaultOffsetWords, nestingLimit);
  }

  /**
   * Reads the list pointer {@code pointerIndex} with {@code factory}, a {@link ListFactory}; a
   * null pointer reads as an empty list.
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @param pointerIndex the index of the pointer in the pointer section
   * @return the field's value
   */
  @SuppressWarnings("unchecked")
  protected final <R extends ListReader> R _getListField(PointerFactory<?, R> factory,
      int pointerIndex) {
    return Wire.readList((ListFactory<?, R>) factory, pointerSegment(pointerIndex), capTable,
        pointers + pointerIndex, null, 0, nestingLimit);
  }

  /**
   * Like {@link #_getListField(PointerFactory, int)}, a null pointer reading as the default.
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @param pointerIndex the index of the pointer in the pointer section
   * @param defaultSegment the segment holding the default value, or {@code null} for none
   * @param defaultOffsetWords word offset of the default pointer within {@code defaultSegment}
   * @return the field's value
   */
  @SuppressWarnings("unchecked")
  protected final <R extends ListReader> R _getListField(PointerFactory<?, R> factory,
      int pointerIndex, SegmentReader defaultSegment, int defaultOffsetWords) {
    return Wire.readList((ListFactory<?, R>) factory, pointerSegment(pointerIndex), capTable,
        pointers + pointerIndex, defaultSegment, defaultOffsetWords, nestingLimit);
  }

  // Reads into a reused reader: generated getX(reuse) call these. Each moves reuse (a reader
  // of the field's type) to the field's value and returns it, or reads a new reader when
  // reuse is null; the checks and errors are those of the reads above. A walk that passes the
  // same readers again and again allocates nothing, with or without escape analysis.

  /**
   * Reads the {@code Text} pointer {@code pointerIndex} into {@code reuse} (see
   * {@link Text.Reader}); a null pointer reads as empty.
   *
   * @param pointerIndex the index of the pointer in the pointer section
   * @param reuse the reader to move to the field's text, or {@code null} for a new one
   * @return {@code reuse} moved to the field's text, or a new reader if it was {@code null}
   */
  protected final Text.Reader _getTextField(int pointerIndex, Text.Reader reuse) {
    if (reuse == null || reuse == Text.Reader.EMPTY) {
      return _getTextField(pointerIndex);
    }
    return Wire.readTextInto(reuse, pointerSegment(pointerIndex), pointers + pointerIndex, null,
        0);
  }

  /**
   * Like {@link #_getTextField(int, Text.Reader)}, a null pointer reading as the default.
   *
   * @param pointerIndex the index of the pointer in the pointer section
   * @param defaultSegment the segment holding the default value, or {@code null} for none
   * @param defaultOffsetWords word offset of the default pointer within {@code defaultSegment}
   * @param reuse the reader to move to the field's text, or {@code null} for a new one
   * @return {@code reuse} moved to the field's text, or a new reader if it was {@code null}
   */
  protected final Text.Reader _getTextField(int pointerIndex, SegmentReader defaultSegment,
      int defaultOffsetWords, Text.Reader reuse) {
    if (reuse == null || reuse == Text.Reader.EMPTY) {
      return _getTextField(pointerIndex, defaultSegment, defaultOffsetWords);
    }
    return Wire.readTextInto(reuse, pointerSegment(pointerIndex), pointers + pointerIndex,
        defaultSegment, defaultOffsetWords);
  }

  /**
   * Reads the {@code Data} pointer {@code pointerIndex} into {@code reuse}; a null pointer
   * reads as empty.
   *
   * @param pointerIndex the index of the pointer in the pointer section
   * @param reuse the reader to move to the field's bytes, or {@code null} for a new one
   * @return {@code reuse} moved to the field's bytes, or a new reader if it was {@code null}
   */
  protected final Data.Reader _getDataField(int pointerIndex, Data.Reader reuse) {
    if (reuse == null || reuse == Data.Reader.EMPTY) {
      return _getDataField(pointerIndex);
    }
    return Wire.readDataInto(reuse, pointerSegment(pointerIndex), pointers + pointerIndex, null,
        0);
  }

  /**
   * Like {@link #_getDataField(int, Data.Reader)}, a null pointer reading as the default.
   *
   * @param pointerIndex the index of the pointer in the pointer section
   * @param defaultSegment the segment holding the default value, or {@code null} for none
   * @param defaultOffsetWords word offset of the default pointer within {@code defaultSegment}
   * @param reuse the reader to move to the field's bytes, or {@code null} for a new one
   * @return {@code reuse} moved to the field's bytes, or a new reader if it was {@code null}
   */
  protected final Data.Reader _getDataField(int pointerIndex, SegmentReader defaultSegment,
      int defaultOffsetWords, Data.Reader reuse) {
    if (reuse == null || reuse == Data.Reader.EMPTY) {
      return _getDataField(pointerIndex, defaultSegment, defaultOffsetWords);
    }
    return Wire.readDataInto(reuse, pointerSegment(pointerIndex), pointers + pointerIndex,
        defaultSegment, defaultOffsetWords);
  }

  /**
   * Reads the struct pointer {@code pointerIndex} into {@code reuse}, a reader of
   * {@code factory}'s type; a null pointer reads as the struct's default.
   *
   * @param <R> the reader type
   * @param factory the type to read the value as
   * @param pointerIndex the index of the pointer in the pointer section
   * @param reuse the reader to move to the field's struct, or {@code null} for a new one
   * @return {@code reuse} moved to the field's struct, or a new reader if it was {@code null}
   */
  protected final <R extends StructReader> R _getStructField(PointerFactory<?, R> factory,
      int pointerIndex, R reuse) {
    if (reuse == null) {
      return _getStructField(factory, pointerIndex);
    }
    return Wire.readStructInto(reuse, pointerSegment(pointerIndex), capTable,
        pointers + pointerIndex, null, 0, nestingLimit);
  }

  /**
   * Like {@link #_getStructField(PointerFactory, int, StructReader)}, a null pointer reading as
   * the default.
   *
   * @param <R> the reader type
   * @param factory the type to read the value as
   * @param pointerIndex the index of the pointer in the pointer section
   * @param defaultSegment the segment holding the default value, or {@code null} for none
   * @param defaultOffsetWords word offset of the default pointer within {@code defaultSegment}
   * @param reuse the reader to move to the field's struct, or {@code null} for a new one
   * @return {@code reuse} moved to the field's struct, or a new reader if it was {@code null}
   */
  protected final <R extends StructReader> R _getStructField(PointerFactory<?, R> factory,
      int pointerIndex, SegmentReader defaultSegment, int defaultOffsetWords, R reuse) {
    if (reuse == null) {
      return _getStructField(factory, pointerIndex, defaultSegment, defaultOffsetWords);
    }
    return Wire.readStructInto(reuse, pointerSegment(pointerIndex), capTable,
        pointers + pointerIndex, defaultSegment, defaultOffsetWords, nestingLimit);
  }

  /**
   * Reads the list pointer {@code pointerIndex} into {@code reuse}, a reader of
   * {@code factory}'s list type; a null pointer reads as an empty list.
   *
   * @param <R> the reader type
   * @param factory the type to read the value as
   * @param pointerIndex the index of the pointer in the pointer section
   * @param reuse the reader to move to the field's list, or {@code null} for a new one
   * @return {@code reuse} moved to the field's list, or a new reader if it was {@code null}
   */
  @SuppressWarnings("unchecked")
  protected final <R extends ListReader> R _getListField(PointerFactory<?, R> factory,
      int pointerIndex, R reuse) {
    if (reuse == null) {
      return _getListField(factory, pointerIndex);
    }
    return Wire.readListInto((ListFactory<?, R>) factory, reuse, pointerSegment(pointerIndex),
        capTable, pointers + pointerIndex, null, 0, nestingLimit);
  }

  /**
   * Like {@link #_getListField(PointerFactory, int, ListReader)}, a null pointer reading as the
   * default.
   *
   * @param <R> the reader type
   * @param factory the type to read the value as
   * @param pointerIndex the index of the pointer in the pointer section
   * @param defaultSegment the segment holding the default value, or {@code null} for none
   * @param defaultOffsetWords word offset of the default pointer within {@code defaultSegment}
   * @param reuse the reader to move to the field's list, or {@code null} for a new one
   * @return {@code reuse} moved to the field's list, or a new reader if it was {@code null}
   */
  @SuppressWarnings("unchecked")
  protected final <R extends ListReader> R _getListField(PointerFactory<?, R> factory,
      int pointerIndex, SegmentReader defaultSegment, int defaultOffsetWords, R reuse) {
    if (reuse == null) {
      return _getListField(factory, pointerIndex, defaultSegment, defaultOffsetWords);
    }
    return Wire.readListInto((ListFactory<?, R>) factory, reuse, pointerSegment(pointerIndex),
        capTable, pointers + pointerIndex, defaultSegment, defaultOffsetWords, nestingLimit);
  }

  /**
   * Moves {@code group}, the reader of one of this struct's groups, to this struct (a group
   * shares its struct's location): what a generated {@code getG(reuse)} returns for a non-null
   * {@code reuse}.
   *
   * @param <R> the group's reader type
   * @param group the group reader to move
   * @return {@code group}, moved to this struct
   */
  protected final <R extends StructReader> R _group(R group) {
    group.moveTo(segment, capTable, data, dataSize, pointers, pointerCount, nestingLimit);
    return group;
  }
}
