package dev.capnp.runtime;

import java.util.Iterator;

/** {@code List(Text)}. */
public final class TextList {
  private TextList() {}

  /** Factory for this list type. */
  public static final Factory FACTORY = new Factory();

  /** Reads and builds {@code List(Text)}. */
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

  /** Read-only {@code List(Text)}. */
  public static final class Reader extends ListReader implements Iterable<Text.Reader> {
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
    public Text.Reader get(int index) {
      return _getPointerElement(Text.FACTORY, index);
    }

    /**
     * Element {@code index}, read into {@code reuse} (moved to the element and returned; see
     * {@link Text.Reader}), or a new reader if {@code reuse} is {@code null}.
     *
     * @param index the element index, from 0
     * @param reuse the reader to move to the element, or {@code null} for a new one
     * @return {@code reuse} moved to element {@code index}, or a new reader
     */
    public Text.Reader get(int index, Text.Reader reuse) {
      if (reuse == null || reuse == Text.Reader.EMPTY) {
        return get(index);
      }
      int word = structPointerCount == 0 ? checkIndex(index) : pointerWord(index);
      return Wire.readTextInto(reuse, structPointerCount == 0 ? null : segment, word, null, 0);
    }

    @Override
    public Iterator<Text.Reader> iterator() {
      return new ElementIterator<>(this::get, elementCount);
    }
  }

  /** Mutable {@code List(Text)}. */
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
    public Text.Builder get(int index) {
      return _getPointerElement(Text.FACTORY, index);
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
    public void set(int index, Text.Reader value) {
      _setPointerElement(Text.FACTORY, index, value);
    }

    /**
     * Sets element {@code index} to {@code value}.
     *
     * @param index the element index, from 0
     * @param value the value to write
     */
    public void set(int index, String value) {
      _setPointerElement(Text.FACTORY, index, new Text.Reader(value));
    }

    /**
     * Replaces element {@code index} by new zeroed text of {@code size} bytes.
     *
     * @param index the element index, from 0
     * @param size the number of elements (bytes for Text and Data)
     * @return the builder of the new value
     */
    public Text.Builder init(int index, int size) {
      return _initPointerElement(Text.FACTORY, index, size);
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
