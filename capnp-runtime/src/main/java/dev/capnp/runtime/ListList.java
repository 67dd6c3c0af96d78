package dev.capnp.runtime;

import java.util.Iterator;

/** {@code List(List(T))} and more generally lists whose elements are pointers to lists. */
public final class ListList {
  private ListList() {}

  /**
   * The factory for lists whose elements are read and built by {@code elementFactory}.
   *
   * @param <B> the builder type
   * @param <R> the reader type
   * @param elementFactory reads and builds each element list
   * @return the factory for lists whose elements are read and built by {@code elementFactory}
   */
  public static <B, R> Factory<B, R> factory(PointerFactory<B, R> elementFactory) {
    return new Factory<>(elementFactory);
  }

  /** Reads and builds lists of pointers to one element type. */
  public static final class Factory<B, R> extends ListFactory<Builder<B, R>, Reader<R>> {
    final PointerFactory<B, R> elementFactory;

    Factory(PointerFactory<B, R> elementFactory) {
      super(ElementSize.POINTER);
      this.elementFactory = elementFactory;
    }

    /**
     * The element factory.
     *
     * @return the element factory
     */
    public PointerFactory<B, R> elementFactory() {
      return elementFactory;
    }

    @Override
    public Reader<R> constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
        int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize, int nestingLimit) {
      return new Reader<>(elementFactory, segment, capTable, ptr, elementCount, step,
          structDataSize, structPointerCount, elementSize, nestingLimit);
    }

    @Override
    public Builder<B, R> constructBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int ptr, int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize) {
      return new Builder<>(elementFactory, segment, capTable, ptr, elementCount, step,
          structDataSize, structPointerCount, elementSize);
    }
  }

  /** Read-only list of lists. */
  public static final class Reader<R> extends ListReader implements Iterable<R> {
    private final PointerFactory<?, R> factory;

    Reader(PointerFactory<?, R> factory, SegmentReader segment, CapTableReader capTable, int ptr,
        int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize, int nestingLimit) {
      super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
          elementSize, nestingLimit);
      this.factory = factory;
    }

    /**
     * Element {@code index}.
     *
     * @param index the element index, from 0
     * @return element {@code index}
     */
    public R get(int index) {
      return _getPointerElement(factory, index);
    }

    /**
     * Element {@code index}, read into {@code reuse}: a list reader of the element type (for
     * instance one returned by {@link #get(int)}) is moved to the element and returned, so that
     * a walk needs one element reader, not one per element; {@code null} (or an element type
     * that is not a list) reads a new reader.
     *
     * @param index the element index, from 0
     * @param reuse the reader to move to the element, or {@code null} for a new one
     * @return {@code reuse} moved to element {@code index}, or a new reader
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public R get(int index, R reuse) {
      if (!(reuse instanceof ListReader) || !(factory instanceof ListFactory)) {
        return get(index);
      }
      int word = structPointerCount == 0 ? checkIndex(index) : pointerWord(index);
      Wire.readListInto((ListFactory) factory, (ListReader) reuse,
          structPointerCount == 0 ? null : segment, capTable, word, null, 0, nestingLimit);
      return reuse;
    }

    @Override
    public Iterator<R> iterator() {
      return new ElementIterator<>(this::get, elementCount);
    }
  }

  /** Mutable list of lists. */
  public static final class Builder<B, R> extends ListBuilder {
    private final PointerFactory<B, R> factory;

    Builder(PointerFactory<B, R> factory, SegmentBuilder segment, CapTableBuilder capTable,
        int ptr, int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize) {
      super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
          elementSize);
      this.factory = factory;
    }

    /**
     * Element {@code index}.
     *
     * @param index the element index, from 0
     * @return element {@code index}
     */
    public B get(int index) {
      return _getPointerElement(factory, index);
    }

    /**
     * Replaces element {@code index} by a new list of {@code size} elements.
     *
     * @param index the element index, from 0
     * @param size the number of elements (bytes for Text and Data)
     * @return the builder of the new value
     */
    public B init(int index, int size) {
      return _initPointerElement(factory, index, size);
    }

    /**
     * Sets element {@code index} to a deep copy of {@code value}.
     *
     * @param index the element index, from 0
     * @param value the value to copy
     */
    public void set(int index, R value) {
      _setPointerElement(factory, index, value);
    }

    /**
     * A reader of the same list.
     *
     * @return a reader of the same list
     */
    public Reader<R> asReader() {
      return new Reader<>(factory, segment, capTable, ptr, elementCount, step, structDataSize,
          structPointerCount, elementSize, Integer.MAX_VALUE);
    }
  }
}
