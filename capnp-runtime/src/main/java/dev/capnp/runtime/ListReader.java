package dev.capnp.runtime;

/**
 * Base class of every list reader. Holds the list's location (see {@link ListFactory} for the
 * parameters) and offers protected element accessors to subclasses. Element reads are
 * bounds-checked against {@link #size()} ({@link IndexOutOfBoundsException}); the list itself was
 * validated when its pointer was read.
 */
public abstract class ListReader {
  // Not final: a reader can be moved to another list of its type (a generated
  // getX(reuse) for a list field), so that a walk needs one list reader per field, not one
  // per list.
  SegmentReader segment;
  CapTableReader capTable;
  int ptr;
  int elementCount;
  int step;
  int structDataSize;
  int structPointerCount;
  ElementSize elementSize;
  int nestingLimit;

  /**
   * A reader for the list at the given location (see {@link ListFactory}).
   *
   * @param segment the segment holding the value
   * @param capTable the message's capability table
   * @param ptr byte offset of the first element within the segment
   * @param elementCount the number of elements
   * @param step distance between elements, in bits
   * @param structDataSize data bits of each element viewed as a struct
   * @param structPointerCount pointers of each element viewed as a struct
   * @param elementSize the element size encoded in the list pointer
   * @param nestingLimit remaining nesting depth for the value
   */
  protected ListReader(SegmentReader segment, CapTableReader capTable, int ptr, int elementCount,
      int step, int structDataSize, int structPointerCount, ElementSize elementSize,
      int nestingLimit) {
    this.segment = segment == null ? SegmentReader.EMPTY : segment;
    this.capTable = capTable == null ? CapTableReader.EMPTY : capTable;
    this.ptr = ptr;
    this.elementCount = elementCount;
    this.step = step;
    this.structDataSize = structDataSize;
    this.structPointerCount = structPointerCount;
    this.elementSize = elementSize;
    this.nestingLimit = nestingLimit;
  }

  /**
   * A reader sharing {@code other}'s location.
   *
   * @param other the reader whose location is shared
   */
  protected ListReader(ListReader other) {
    this(other.segment, other.capTable, other.ptr, other.elementCount, other.step,
        other.structDataSize, other.structPointerCount, other.elementSize, other.nestingLimit);
  }

  /** Moves this reader to another list (same parameters as the constructor, non-null). */
  final void moveTo(SegmentReader segment, CapTableReader capTable, int ptr, int elementCount,
      int step, int structDataSize, int structPointerCount, ElementSize elementSize,
      int nestingLimit) {
    this.segment = segment;
    this.capTable = capTable;
    this.ptr = ptr;
    this.elementCount = elementCount;
    this.step = step;
    this.structDataSize = structDataSize;
    this.structPointerCount = structPointerCount;
    this.elementSize = elementSize;
    this.nestingLimit = nestingLimit;
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
  protected final SegmentReader _segment() {
    return segment;
  }

  /**
   * The message's capability table.
   *
   * @return the message's capability table
   */
  protected final CapTableReader _capTable() {
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
   * Remaining nesting depth for the elements.
   *
   * @return the remaining nesting depth for the elements
   */
  protected final int _nestingLimit() {
    return nestingLimit;
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
   * Reads the byte element {@code index}.
   *
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final byte _getByteElement(int index) {
    return segment.buffer.get(byteOffset(index));
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
   * Reads the int element {@code index}.
   *
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final int _getIntElement(int index) {
    return segment.buffer.getInt(byteOffset(index));
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
   * Reads the float element {@code index}.
   *
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final float _getFloatElement(int index) {
    return Float.intBitsToFloat(_getIntElement(index));
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

  /** Word offset of the pointer of element {@code index} (its first pointer for structs). */
  final int pointerWord(int index) {
    return (byteOffset(index) + (structDataSize >>> 3)) >>> 3;
  }

  /**
   * Whether element {@code index}'s pointer is null.
   *
   * @param index the element index, from 0
   * @return {@code true} if element {@code index}'s pointer is null
   */
  protected final boolean _pointerElementIsNull(int index) {
    return structPointerCount == 0 || segment.getWord(pointerWord(index)) == 0;
  }

  /**
   * Reads the value behind element {@code index}'s pointer.
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final <R> R _getPointerElement(PointerFactory<?, R> factory, int index) {
    // One call site (elements without a pointer read as null: no segment), so that the reader
    // is constructed at one place once this is inlined.
    int word = structPointerCount == 0 ? checkIndex(index) : pointerWord(index);
    return factory.fromPointerReader(structPointerCount == 0 ? null : segment, capTable, word,
        null, 0, nestingLimit);
  }

  /**
   * Reads element {@code index} as a struct.
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @param index the element index, from 0
   * @return the element's value
   */
  protected final <R extends StructReader> R _getStructElement(StructFactory<?, R> factory,
      int index) {
    int data = byteOffset(index);
    return factory.constructReader(segment, capTable, data, structDataSize,
        (data + (structDataSize >>> 3)) >>> 3, structPointerCount, nestingLimit - 1);
  }
}
