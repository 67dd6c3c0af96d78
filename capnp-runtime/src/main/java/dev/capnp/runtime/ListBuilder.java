package dev.capnp.runtime;

/**
 * Base class of every list builder. Holds the list's location (see {@link ListFactory}) and
 * offers protected element accessors to subclasses.
 */
public abstract class ListBuilder {
  final SegmentBuilder segment;
  final CapTableBuilder capTable;
  final int ptr;
  final int elementCount;
  final int step;
  final int structDataSize;
  final int structPointerCount;
  final ElementSize elementSize;

  /**
   * A builder for the list at the given location (see {@link ListFactory}).
   *
   * @param segment the segment holding the value
   * @param capTable the message's capability table
   * @param ptr byte offset of the first element within the segment
   * @param elementCount the number of elements
   * @param step distance between elements, in bits
   * @param structDataSize data bits of each element viewed as a struct
   * @param structPointerCount pointers of each element viewed as a struct
   * @param elementSize the element size encoded in the list pointer
   */
  protected ListBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
      int elementCount, int step, int structDataSize, int structPointerCount,
      ElementSize elementSize) {
    this.segment = segment;
    this.capTable = capTable == null ? CapTableBuilder.EMPTY : capTable;
    this.ptr = ptr;
    this.elementCount = elementCount;
    this.step = step;
    this.structDataSize = structDataSize;
    this.structPointerCount = structPointerCount;
    this.elementSize = elementSize;
  }

  /**
   * A builder sharing {@code other}'s location.
   *
   * @param other the builder whose location is shared
   */
  protected ListBuilder(ListBuilder other) {
    this(other.segment, other.capTable, other.ptr, other.elementCount, other.step,
        other.structDataSize, other.structPointerCount, other.elementSize);
  }

  /**
   * Number of elements.
   *
   * @return the number of elements
   */
  public final int size() {
    return elementCount;
  }

  /**
   * The element size encoded in the list pointer.
   *
   * @return the element size encoded in the list pointer
   */
  public final ElementSize elementSize() {
    return elementSize;
  }

  /**
   * The segment holding the list.
   *
   * @return the segment holding the list
   */
  protected final SegmentBuilder _segment() {
    return segment;
  }

  /**
   * The message's capability table.
   *
   * @return the message's capability table
   */
  protected final CapTableBuilder _capTable() {
    return capTable;
  }

  /**
   * Distance between elements, in bits.
   *
   * @return the distance between elements, in bits
   */
  protected final int _stepBits() {
    return step;
  }

  /**
   * Data bits of each element viewed as a struct.
   *
   * @return the data bits of each element viewed as a struct
   */
  protected final int _structDataSizeBits() {
    return structDataSize;
  }

  /**
   * Pointers of each element viewed as a struct.
   *
   * @return the number of pointers of each element viewed as a struct
   */
  protected final int _structPointerCount() {
    return structPointerCount;
  }

  /**
   * A reader of this list built by {@code factory}.
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @return a reader of this list built by {@code factory}
   */
  protected final <R extends ListReader> R _asReader(ListFactory<?, R> factory) {
    return factory.asReader(this);
  }

  final int checkIndex(int index) {
    if (index < 0 || index >= elementCount) {
      throw new IndexOutOfBoundsException("index " + index + " of list of size " + elementCount);
    }
    return index;
  }

  final int byteOffset(int index) {
    return ptr + (int) (((long) checkIndex(index) * step) >>> 3);
  }

  final int pointerWord(int index) {
    if (structPointerCount == 0) {
      throw new IllegalStateException("list elements have no pointers");
    }
    return (byteOffset(index) + (structDataSize >>> 3)) >>> 3;
  }

  /**
   * Reads the boolean element {@code index}.
   *
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final boolean _getBooleanElement(int index) {
    long bit = (long) checkIndex(index) * step;
    byte b = segment.buffer.get(ptr + (int) (bit >>> 3));
    return (b & (1 << (bit & 7))) != 0;
  }

  /**
   * Writes the boolean element {@code index}.
   *
   * @param index the element index, from 0
   * @param value the value to write
   */
  protected final void _setBooleanElement(int index, boolean value) {
    long bitIndex = (long) checkIndex(index) * step;
    int at = ptr + (int) (bitIndex >>> 3);
    int bit = 1 << (bitIndex & 7);
    byte b = segment.bytes[at];
    segment.bytes[at] = (byte) (value ? (b | bit) : (b & ~bit));
  }

  /**
   * Reads the byte element {@code index}.
   *
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final byte _getByteElement(int index) {
    return segment.buffer.get(byteOffset(index));
  }

  /**
   * Writes the byte element {@code index}.
   *
   * @param index the element index, from 0
   * @param value the value to write
   */
  protected final void _setByteElement(int index, byte value) {
    segment.setByteAt(byteOffset(index), value);
  }

  /**
   * Reads the short element {@code index}.
   *
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final short _getShortElement(int index) {
    return segment.buffer.getShort(byteOffset(index));
  }

  /**
   * Writes the short element {@code index}.
   *
   * @param index the element index, from 0
   * @param value the value to write
   */
  protected final void _setShortElement(int index, short value) {
    segment.setShortAt(byteOffset(index), value);
  }

  /**
   * Reads the int element {@code index}.
   *
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final int _getIntElement(int index) {
    return segment.buffer.getInt(byteOffset(index));
  }

  /**
   * Writes the int element {@code index}.
   *
   * @param index the element index, from 0
   * @param value the value to write
   */
  protected final void _setIntElement(int index, int value) {
    segment.setIntAt(byteOffset(index), value);
  }

  /**
   * Reads the long element {@code index}.
   *
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final long _getLongElement(int index) {
    return segment.buffer.getLong(byteOffset(index));
  }

  /**
   * Writes the long element {@code index}.
   *
   * @param index the element index, from 0
   * @param value the value to write
   */
  protected final void _setLongElement(int index, long value) {
    segment.setLongAt(byteOffset(index), value);
  }

  /**
   * Reads the float element {@code index}.
   *
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final float _getFloatElement(int index) {
    return Float.intBitsToFloat(_getIntElement(index));
  }

  /**
   * Writes the float element {@code index}.
   *
   * @param index the element index, from 0
   * @param value the value to write
   */
  protected final void _setFloatElement(int index, float value) {
    _setIntElement(index, Float.floatToRawIntBits(value));
  }

  /**
   * Reads the double element {@code index}.
   *
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final double _getDoubleElement(int index) {
    return Double.longBitsToDouble(_getLongElement(index));
  }

  /**
   * Writes the double element {@code index}.
   *
   * @param index the element index, from 0
   * @param value the value to write
   */
  protected final void _setDoubleElement(int index, double value) {
    _setLongElement(index, Double.doubleToRawLongBits(value));
  }

  /**
   * Whether element {@code index}'s pointer is null.
   *
   * @param index the element index, from 0
   * @return {@code true} if element {@code index}'s pointer is null
   */
  protected final boolean _pointerElementIsNull(int index) {
    return segment.getWord(pointerWord(index)) == 0;
  }

  /**
   * A builder for the value behind element {@code index}'s pointer.
   *
   * @param <B> the builder type
   * @param factory the type to read or build the value as
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final <B> B _getPointerElement(PointerFactory<B, ?> factory, int index) {
    return factory.fromPointerBuilder(segment, capTable, pointerWord(index), null, 0);
  }

  /**
   * Replaces element {@code index}'s pointer by a new value.
   *
   * @param <B> the builder type
   * @param factory the type to read or build the value as
   * @param index the element index, from 0
   * @param elementCount the number of elements
   * @return the builder of the new value
   */
  protected final <B> B _initPointerElement(PointerFactory<B, ?> factory, int index,
      int elementCount) {
    return factory.initFromPointerBuilder(segment, capTable, pointerWord(index), elementCount);
  }

  /**
   * Sets element {@code index}'s pointer to a deep copy of {@code value}.
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @param index the element index, from 0
   * @param value the value to copy
   */
  protected final <R> void _setPointerElement(PointerFactory<?, R> factory, int index, R value) {
    factory.setPointerBuilder(segment, capTable, pointerWord(index), value);
  }

  /**
   * Clears element {@code index}'s pointer.
   *
   * @param index the element index, from 0
   */
  protected final void _clearPointerElement(int index) {
    Wire.clearPointer(segment, pointerWord(index));
  }

  /**
   * Detaches element {@code index}'s value as an orphan.
   *
   * @param <T> the type of the orphaned value
   * @param factory the type to read or build the value as
   * @param index the element index, from 0
   * @return the orphan; the caller owns it
   */
  protected final <T> Orphan<T> _disownPointerElement(PointerFactory<T, ?> factory, int index) {
    return Orphan.disown(factory, segment, capTable, pointerWord(index));
  }

  /**
   * Moves {@code orphan} into element {@code index}'s pointer.
   *
   * @param index the element index, from 0
   * @param orphan the orphan to adopt; it is no longer usable afterwards
   */
  protected final void _adoptPointerElement(int index, Orphan<?> orphan) {
    orphan.adoptInto(segment, pointerWord(index));
  }

  /**
   * Element {@code index} as a struct builder.
   *
   * @param <B> the builder type
   * @param factory the type to read or build the value as
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final <B extends StructBuilder> B _getStructElement(StructFactory<B, ?> factory,
      int index) {
    int data = byteOffset(index);
    return factory.constructBuilder(segment, capTable, data, structDataSize,
        (data + (structDataSize >>> 3)) >>> 3, structPointerCount);
  }
}
