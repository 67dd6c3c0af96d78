package dev.capnp.runtime;

/**
 * Base class of every struct builder (generated {@code Foo.Builder}, {@link AnyStruct.Builder},
 * dynamic structs). Holds the struct's location and offers protected field accessors to
 * subclasses, with the same offset conventions as {@link StructReader}.
 */
public abstract class StructBuilder {
  // Not final: a builder can be moved to a newly initialised struct (generated
  // initX(reuse), through _initStructField(factory, i, reuse)), so that code writing many
  // messages of the same shape needs one builder per field, not one per message.
  SegmentBuilder segment;
  CapTableBuilder capTable;
  /** Byte offset of the data section. */
  int data;
  /** Data section size in bits. */
  int dataSize;
  /** Word offset of the pointer section. */
  int pointers;
  int pointerCount;

  /**
   * A builder for the struct at the given location (see {@link StructFactory}).
   *
   * @param segment the segment holding the value
   * @param capTable the message's capability table
   * @param dataOffset byte offset of the data section within the segment
   * @param dataSizeBits size of the data section in bits
   * @param pointerOffset word offset of the pointer within the segment
   * @param pointerCount number of pointers in the pointer section
   */
  protected StructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int dataOffset,
      int dataSizeBits, int pointerOffset, int pointerCount) {
    moveTo(segment, capTable, dataOffset, dataSizeBits, pointerOffset, pointerCount);
  }

  /**
   * A builder sharing {@code other}'s location (used for groups).
   *
   * @param other the builder whose location is shared
   */
  protected StructBuilder(StructBuilder other) {
    this.segment = other.segment;
    this.capTable = other.capTable;
    this.data = other.data;
    this.dataSize = other.dataSize;
    this.pointers = other.pointers;
    this.pointerCount = other.pointerCount;
  }

  /** Moves this builder to the struct at the given location (same parameters as the constructor). */
  final void moveTo(SegmentBuilder segment, CapTableBuilder capTable, int dataOffset,
      int dataSizeBits, int pointerOffset, int pointerCount) {
    this.segment = segment;
    this.capTable = capTable == null ? CapTableBuilder.EMPTY : capTable;
    this.data = dataOffset;
    this.dataSize = dataSizeBits;
    this.pointers = pointerOffset;
    this.pointerCount = pointerCount;
  }

  /**
   * The segment holding this struct.
   *
   * @return the segment holding this struct
   */
  protected final SegmentBuilder _segment() {
    return segment;
  }

  /**
   * The capability table of the message.
   *
   * @return the capability table of the message
   */
  protected final CapTableBuilder _capTable() {
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
   * A reader of this struct built by {@code factory} (for generated {@code asReader()}).
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @return a reader of this struct built by {@code factory} (for generated {@code asReader()})
   */
  protected final <R extends StructReader> R _asReader(StructFactory<?, R> factory) {
    return factory.constructReader(segment, capTable, data, dataSize, pointers, pointerCount,
        Integer.MAX_VALUE);
  }

  private IndexOutOfBoundsException outside(long bitEnd) {
    return new IndexOutOfBoundsException(
        "field ends at bit " + bitEnd + " beyond data section of " + dataSize + " bits");
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
   * Writes the boolean field at the given offset.
   *
   * @param bitOffset the field's offset in bits from the start of the data section
   * @param value the value to write
   */
  protected final void _setBooleanField(int bitOffset, boolean value) {
    if (bitOffset >= dataSize) {
      throw outside(bitOffset + 1L);
    }
    int index = data + (bitOffset >>> 3);
    int bit = 1 << (bitOffset & 7);
    byte b = segment.bytes[index];
    segment.bytes[index] = (byte) (value ? (b | bit) : (b & ~bit));
  }

  /**
   * Writes the boolean field at the given offset, XORed with the default {@code mask}.
   *
   * @param bitOffset the field's offset in bits from the start of the data section
   * @param value the value to write
   * @param mask the field's default value, XORed with the stored value
   */
  protected final void _setBooleanField(int bitOffset, boolean value, boolean mask) {
    _setBooleanField(bitOffset, value ^ mask);
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
   * Writes the byte field at the given offset.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param value the value to write
   */
  protected final void _setByteField(int offset, byte value) {
    if ((offset + 1) * 8 > dataSize) {
      throw outside((offset + 1L) * 8);
    }
    segment.setByteAt(data + offset, value);
  }

  /**
   * Writes the byte field at the given offset, XORed with the default {@code mask}.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param value the value to write
   * @param mask the field's default value, XORed with the stored value
   */
  protected final void _setByteField(int offset, byte value, byte mask) {
    _setByteField(offset, (byte) (value ^ mask));
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
   * Writes the short field at the given offset.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param value the value to write
   */
  protected final void _setShortField(int offset, short value) {
    if ((offset + 1) * 16 > dataSize) {
      throw outside((offset + 1L) * 16);
    }
    segment.setShortAt(data + offset * 2, value);
  }

  /**
   * Writes the short field at the given offset, XORed with the default {@code mask}.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param value the value to write
   * @param mask the field's default value, XORed with the stored value
   */
  protected final void _setShortField(int offset, short value, short mask) {
    _setShortField(offset, (short) (value ^ mask));
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
   * Writes the int field at the given offset.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param value the value to write
   */
  protected final void _setIntField(int offset, int value) {
    if ((offset + 1) * 32 > dataSize) {
      throw outside((offset + 1L) * 32);
    }
    segment.setIntAt(data + offset * 4, value);
  }

  /**
   * Writes the int field at the given offset, XORed with the default {@code mask}.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param value the value to write
   * @param mask the field's default value, XORed with the stored value
   */
  protected final void _setIntField(int offset, int value, int mask) {
    _setIntField(offset, value ^ mask);
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
   * Writes the long field at the given offset.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param value the value to write
   */
  protected final void _setLongField(int offset, long value) {
    if ((offset + 1) * 64 > dataSize) {
      throw outside((offset + 1L) * 64);
    }
    segment.setLongAt(data + offset * 8, value);
  }

  /**
   * Writes the long field at the given offset, XORed with the default {@code mask}.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param value the value to write
   * @param mask the field's default value, XORed with the stored value
   */
  protected final void _setLongField(int offset, long value, long mask) {
    _setLongField(offset, value ^ mask);
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
   * Writes the float field at the given offset.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param value the value to write
   */
  protected final void _setFloatField(int offset, float value) {
    _setIntField(offset, Float.floatToRawIntBits(value));
  }

  /**
   * Writes the float field at the given offset, XORed with the default {@code mask}.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param value the value to write
   * @param maskBits the raw bits of the field's default value, XORed with the stored bits
   */
  protected final void _setFloatField(int offset, float value, int maskBits) {
    _setIntField(offset, Float.floatToRawIntBits(value) ^ maskBits);
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
   * Writes the double field at the given offset.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param value the value to write
   */
  protected final void _setDoubleField(int offset, double value) {
    _setLongField(offset, Double.doubleToRawLongBits(value));
  }

  /**
   * Writes the double field at the given offset, XORed with the default {@code mask}.
   *
   * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
   * @param value the value to write
   * @param maskBits the raw bits of the field's default value, XORed with the stored bits
   */
  protected final void _setDoubleField(int offset, double value, long maskBits) {
    _setLongField(offset, Double.doubleToRawLongBits(value) ^ maskBits);
  }

  private int pointer(int pointerIndex) {
    if (pointerIndex < 0 || pointerIndex >= pointerCount) {
      throw new IndexOutOfBoundsException(
          "pointer " + pointerIndex + " beyond pointer section of " + pointerCount);
    }
    return pointers + pointerIndex;
  }

  /**
   * Whether pointer {@code pointerIndex} is null.
   *
   * @param pointerIndex the index of the pointer in the pointer section
   * @return {@code true} if pointer {@code pointerIndex} is null
   */
  protected final boolean _pointerFieldIsNull(int pointerIndex) {
    return pointerIndex >= pointerCount || segment.getWord(pointers + pointerIndex) == 0;
  }

  /**
   * A builder for pointer {@code i}'s value; a null pointer is initialised to an empty value.
   *
   * @param <B> the builder type
   * @param factory the type to read or build the value as
   * @param i the index of the pointer in the pointer section
   * @return the field's value
   */
  protected final <B> B _getPointerField(PointerFactory<B, ?> factory, int i) {
    return factory.fromPointerBuilder(segment, capTable, pointer(i), null, 0);
  }

  /**
   * A builder for pointer {@code i}'s value; a null pointer is first set to the default.
   *
   * @param <B> the builder type
   * @param factory the type to read or build the value as
   * @param i the index of the pointer in the pointer section
   * @param defaultSegment the segment holding the default value, or {@code null} for none
   * @param defaultOffsetWords word offset of the default pointer within {@code defaultSegment}
   * @return the field's value
   */
  protected final <B> B _getPointerField(PointerFactory<B, ?> factory, int i,
      SegmentReader defaultSegment, int defaultOffsetWords) {
    return factory.fromPointerBuilder(segment, capTable, pointer(i), defaultSegment,
        defaultOffsetWords);
  }

  /**
   * Replaces pointer {@code i}'s value by a new one ({@code elementCount} for lists/blobs).
   *
   * @param <B> the builder type
   * @param factory the type to read or build the value as
   * @param i the index of the pointer in the pointer section
   * @param elementCount the number of elements
   * @return the builder of the new value
   */
  protected final <B> B _initPointerField(PointerFactory<B, ?> factory, int i, int elementCount) {
    return factory.initFromPointerBuilder(segment, capTable, pointer(i), elementCount);
  }

  /**
   * Replaces the struct pointer {@code i}'s value by a new, zeroed struct: what
   * {@link #_initPointerField} does for a struct type, through a call the JIT can inline into
   * each generated {@code initX()} (so that the builder it returns can be removed by escape
   * analysis), unlike the generic one that every pointer type shares.
   *
   * @param <B> the builder type
   * @param factory the struct type (a {@link StructFactory})
   * @param i the index of the pointer in the pointer section
   * @return the builder of the new struct
   */
  @SuppressWarnings("unchecked")
  protected final <B extends StructBuilder> B _initStructField(PointerFactory<B, ?> factory,
      int i) {
    return Wire.initStruct((StructFactory<B, ?>) factory, segment, capTable, pointer(i));
  }

  /**
   * Replaces the struct pointer {@code i}'s value by a new, zeroed struct, as
   * {@link #_initStructField(PointerFactory, int)} does, and moves {@code reuse} (a builder of
   * {@code factory}'s type, e.g. one an earlier call returned) to it instead of making a new
   * builder; a new one if {@code reuse} is null. Generated {@code initX(reuse)} call this. The
   * builder keeps no state of its own besides its location, so moving it is the same as making
   * a new one: whoever still holds {@code reuse} sees the new struct from then on (it is the
   * caller's to make sure nobody does).
   *
   * @param <B> the builder type
   * @param factory the struct type (a {@link StructFactory})
   * @param i the index of the pointer in the pointer section
   * @param reuse the builder to move to the new struct, or {@code null} for a new one
   * @return {@code reuse} moved to the new struct, or a new builder if it was {@code null}
   */
  @SuppressWarnings("unchecked")
  protected final <B extends StructBuilder> B _initStructField(PointerFactory<B, ?> factory,
      int i, B reuse) {
    return Wire.initStructInto(reuse, (StructFactory<B, ?>) factory, segment, capTable,
        pointer(i));
  }

  /**
   * Replaces the list pointer {@code i}'s value by a new, zeroed list of {@code elementCount}
   * elements: {@link #_initPointerField} for a list type, inlinable (see
   * {@link #_initStructField}).
   *
   * @param <B> the builder type
   * @param factory the list type (a {@link ListFactory})
   * @param i the index of the pointer in the pointer section
   * @param elementCount the number of elements
   * @return the builder of the new list
   */
  @SuppressWarnings("unchecked")
  protected final <B extends ListBuilder> B _initListField(PointerFactory<B, ?> factory, int i,
      int elementCount) {
    return Wire.initList((ListFactory<B, ?>) factory, segment, capTable, pointer(i),
        elementCount);
  }

  /**
   * Replaces the {@code Text} pointer {@code i}'s value by new, zeroed text of {@code size}
   * bytes (plus the NUL terminator): {@link #_initPointerField} for {@code Text}, inlinable
   * (see {@link #_initStructField}).
   *
   * @param i the index of the pointer in the pointer section
   * @param size the text's size in bytes, without the terminator
   * @return the builder of the new text
   */
  protected final Text.Builder _initTextField(int i, int size) {
    return Wire.initText(segment, pointer(i), size);
  }

  /**
   * Replaces the {@code Data} pointer {@code i}'s value by new, zeroed data of {@code size}
   * bytes: {@link #_initPointerField} for {@code Data}, inlinable (see
   * {@link #_initStructField}).
   *
   * @param i the index of the pointer in the pointer section
   * @param size the size in bytes
   * @return the builder of the new data
   */
  protected final Data.Builder _initDataField(int i, int size) {
    return Wire.initData(segment, pointer(i), size);
  }

  /**
   * Sets pointer {@code i} to a deep copy of {@code value}.
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @param i the index of the pointer in the pointer section
   * @param value the value to copy
   */
  protected final <R> void _setPointerField(PointerFactory<?, R> factory, int i, R value) {
    factory.setPointerBuilder(segment, capTable, pointer(i), value);
  }

  /**
   * Sets the {@code Text} pointer {@code i} to the UTF-8 encoding of {@code value}, encoded
   * straight into the message (ASCII strings without any intermediate array).
   *
   * @param i the index of the pointer in the pointer section
   * @param value the value to write
   */
  protected final void _setTextField(int i, String value) {
    Wire.setText(segment, pointer(i), value);
  }

  /**
   * Clears pointer {@code i} (zeroing what it pointed to).
   *
   * @param i the index of the pointer in the pointer section
   */
  protected final void _clearPointerField(int i) {
    Wire.clearPointer(segment, pointer(i));
  }

  /**
   * Detaches pointer {@code i}'s value as an orphan, leaving the pointer null.
   *
   * @param <T> the type of the orphaned value
   * @param factory the type to read or build the value as
   * @param i the index of the pointer in the pointer section
   * @return the orphan; the caller owns it
   */
  protected final <T> Orphan<T> _disownPointerField(PointerFactory<T, ?> factory, int i) {
    return Orphan.disown(factory, segment, capTable, pointer(i));
  }

  /**
   * Moves {@code orphan} into pointer {@code i} (which must belong to the same message).
   *
   * @param i the index of the pointer in the pointer section
   * @param orphan the orphan to adopt; it is no longer usable afterwards
   */
  protected final void _adoptPointerField(int i, Orphan<?> orphan) {
    orphan.adoptInto(segment, pointer(i));
  }
}
