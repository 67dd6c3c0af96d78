package dev.capnp.runtime;

import java.util.Iterator;

/** {@code List(AnyPointer)}. */
public final class AnyPointerList {
  private AnyPointerList() {}

  /** Factory for this list type. */
  public static final Factory FACTORY = new Factory();

  /** Reads and builds {@code List(AnyPointer)}. */
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

  /** Read-only {@code List(AnyPointer)}. */
  public static final class Reader extends ListReader implements Iterable<AnyPointer.Reader> {
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
    public AnyPointer.Reader get(int index) {
      return _getPointerElement(AnyPointer.FACTORY, index);
    }

    @Override
    public Iterator<AnyPointer.Reader> iterator() {
      return new ElementIterator<>(this::get, elementCount);
    }
  }

  /** Mutable {@code List(AnyPointer)}. */
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
    public AnyPointer.Builder get(int index) {
      return _getPointerElement(AnyPointer.FACTORY, index);
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
     * Sets element {@code index} to a deep copy of what {@code value} points to.
     *
     * @param index the element index, from 0
     * @param value the value to copy
     */
    public void set(int index, AnyPointer.Reader value) {
      _setPointerElement(AnyPointer.FACTORY, index, value);
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
