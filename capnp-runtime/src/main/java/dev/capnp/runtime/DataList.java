package dev.capnp.runtime;

import java.util.Iterator;

/** {@code List(Data)}. */
public final class DataList {
  private DataList() {}

  /** Factory for this list type. */
  public static final Factory FACTORY = new Factory();

  /** Reads and builds {@code List(Data)}. */
  public static final class Factory extends ListFactory<Builder, Reader> {
    private Factory() {
      super(ElementSize.POINTER);
    }

    @Override
    public Reader constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
        int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize, int nestingLimit) {
      return new Reader(segment, capTable, ptr, elementCount, step, structDataSize,
          structPointerCount, elementSize, nestingLimit);
    }

    @Override
    public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
        int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize) {
      return new Builder(segment, capTable, ptr, elementCount, step, structDataSize,
          structPointerCount, elementSize);
    }
  }

  /** Read-only {@code List(Data)}. */
  public static final class Reader extends ListReader implements Iterable<Data.Reader> {
    Reader(SegmentReader segment, CapTableReader capTable, int ptr, int elementCount, int step,
        int structDataSize, int structPointerCount, ElementSize elementSize, int nestingLimit) {
      super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
          elementSize, nestingLimit);
    }

    /**
     * Element {@code index}.
     *
     * @param index the element index, from 0
     * @return element {@code index}
     */
    public Data.Reader get(int index) {
      return _getPointerElement(Data.FACTORY, index);
    }

    /**
     * Element {@code index}, read into {@code reuse} (moved to the element and returned; see
     * {@link Data.Reader}), or a new reader if {@code reuse} is {@code null}.
     *
     * @param index the element index, from 0
     * @param reuse the reader to move to the element, or {@code null} for a new one
     * @return {@code reuse} moved to element {@code index}, or a new reader
     */
    public Data.Reader get(int index, Data.Reader reuse) {
      if (reuse == null || reuse == Data.Reader.EMPTY) {
        return get(index);
      }
      int word = structPointerCount == 0 ? checkIndex(index) : pointerWord(index);
      return Wire.readDataInto(reuse, structPointerCount == 0 ? null : segment, word, null, 0);
    }

    @Override
    public Iterator<Data.Reader> iterator() {
      return new ElementIterator<>(this::get, elementCount);
    }
  }

  /** Mutable {@code List(Data)}. */
  public static final class Builder extends ListBuilder {
    Builder(SegmentBuilder segment, CapTableBuilder capTable, int ptr, int elementCount,
        int step, int structDataSize, int structPointerCount, ElementSize elementSize) {
      super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
          elementSize);
    }

    /**
     * Element {@code index}.
     *
     * @param index the element index, from 0
     * @return element {@code index}
     */
    public Data.Builder get(int index) {
      return _getPointerElement(Data.FACTORY, index);
    }

    /**
     * Whether element {@code index} is null.
     *
     * @param index the element index, from 0
     * @return {@code true} if element {@code index} is null
     */
    public boolean isNull(int index) {
      return _pointerElementIsNull(index);
    }

    /**
     * Sets element {@code index} to a copy of {@code value}.
     *
     * @param index the element index, from 0
     * @param value the value to copy
     */
    public void set(int index, Data.Reader value) {
      _setPointerElement(Data.FACTORY, index, value);
    }

    /**
     * Sets element {@code index} to a copy of {@code value}.
     *
     * @param index the element index, from 0
     * @param value the value to copy
     */
    public void set(int index, byte[] value) {
      _setPointerElement(Data.FACTORY, index, new Data.Reader(value));
    }

    /**
     * Replaces element {@code index} by new zeroed data of {@code size} bytes.
     *
     * @param index the element index, from 0
     * @param size the number of elements (bytes for Text and Data)
     * @return the builder of the new value
     */
    public Data.Builder init(int index, int size) {
      return _initPointerElement(Data.FACTORY, index, size);
    }

    /**
     * A reader of the same list.
     *
     * @return a reader of the same list
     */
    public Reader asReader() {
      return _asReader(FACTORY);
    }
  }
}
