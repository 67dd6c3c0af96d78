package dev.capnp.runtime;

import java.util.Iterator;
import java.util.NoSuchElementException;

/** {@code List(SomeStruct)}, encoded as an inline-composite list. */
public final class StructList {
  private StructList() {}

  /**
   * The factory for lists of the struct type built by {@code elementFactory}.
   *
   * @param <B> the builder type
   * @param <R> the reader type
   * @param elementFactory reads and builds each element struct
   * @return the factory for lists of the struct type built by {@code elementFactory}
   */
  public static <B extends StructBuilder, R extends StructReader> Factory<B, R> factory(
      StructFactory<B, R> elementFactory) {
    return new Factory<>(elementFactory);
  }

  /** Reads and builds lists of one struct type. */
  public static final class Factory<B extends StructBuilder, R extends StructReader>
      extends ListFactory<Builder<B>, Reader<R>> {
    final StructFactory<B, R> elementFactory;

    Factory(StructFactory<B, R> elementFactory) {
      super(elementFactory.structSize());
      this.elementFactory = elementFactory;
    }

    /**
     * The element factory.
     *
     * @return the element factory
     */
    public StructFactory<B, R> elementFactory() {
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
    public Builder<B> constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
        int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize) {
      return new Builder<>(elementFactory, segment, capTable, ptr, elementCount, step,
          structDataSize, structPointerCount, elementSize);
    }
  }

  /**
   * Read-only list of structs. Generated code subclasses it per struct type
   * ({@code Foo.ListReader}) with element access and iteration of its own, which the JIT can
   * inline without allocating element readers.
   */
  public static class Reader<R extends StructReader> extends ListReader
      implements Iterable<R> {
    private final StructFactory<?, R> factory;

    /**
     * A reader for the list at the given location (see {@link ListFactory}).
     *
     * @param factory the type to read or build the value as
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
    protected Reader(StructFactory<?, R> factory, SegmentReader segment, CapTableReader capTable,
        int ptr, int elementCount, int step, int structDataSize, int structPointerCount,
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
      return _getStructElement(factory, index);
    }

    /**
     * Element {@code index}, read through {@code reuse}: moves {@code reuse} (a reader of this
     * list's element type, e.g. one returned by {@link #get(int)}) to the element and returns
     * it. Iterating a list this way needs one reader for the whole list instead of one per
     * element, so the iteration allocates nothing even where the JIT's escape analysis does not
     * remove the readers. The reader {@code reuse} was on before is no longer reachable through
     * it (readers of its fields obtained earlier, and group readers, stay where they were).
     *
     * @param index the element index, from 0
     * @param reuse a reader of this list's element type, moved to the element; {@code null}
     *     reads a new reader (as {@link #get(int)})
     * @return {@code reuse}, moved to element {@code index} (or a new reader)
     */
    public R get(int index, R reuse) {
      if (reuse == null) {
        return get(index);
      }
      int data = byteOffset(index);
      reuse.moveTo(segment, capTable, data, structDataSize,
          (data + (structDataSize >>> 3)) >>> 3, structPointerCount, nestingLimit - 1);
      return reuse;
    }

    @Override
    public Iterator<R> iterator() {
      return new Elements<>(this);
    }
  }

  /**
   * Iterates over a struct list's elements. A plain class holding the list (no lambda), small
   * enough to be inlined, so that escape analysis removes it and the element readers.
   */
  private static final class Elements<R extends StructReader> implements Iterator<R> {
    private final Reader<R> list;
    private int next;

    Elements(Reader<R> list) {
      this.list = list;
    }

    @Override
    public boolean hasNext() {
      return next < list.elementCount;
    }

    @Override
    public R next() {
      if (next >= list.elementCount) {
        throw new NoSuchElementException();
      }
      return list.get(next++);
    }
  }

  /**
   * Mutable list of structs. Generated code subclasses it per struct type
   * ({@code Foo.ListBuilder}) with element access of its own, which the JIT can inline without
   * allocating element builders.
   */
  public static class Builder<B extends StructBuilder> extends ListBuilder {
    private final StructFactory<B, ?> factory;

    /**
     * A builder for the list at the given location (see {@link ListFactory}).
     *
     * @param factory the type to read or build the value as
     * @param segment the segment holding the value
     * @param capTable the message's capability table
     * @param ptr byte offset of the first element within the segment
     * @param elementCount the number of elements
     * @param step distance between elements, in bits
     * @param structDataSize data bits of each element viewed as a struct
     * @param structPointerCount pointers of each element viewed as a struct
     * @param elementSize the element size encoded in the list pointer
     */
    protected Builder(StructFactory<B, ?> factory, SegmentBuilder segment,
        CapTableBuilder capTable, int ptr, int elementCount, int step, int structDataSize,
        int structPointerCount, ElementSize elementSize) {
      super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
          elementSize);
      this.factory = factory;
    }

    /**
     * Element {@code index} (a view into the list).
     *
     * @param index the element index, from 0
     * @return element {@code index} (a view into the list)
     */
    public B get(int index) {
      return _getStructElement(factory, index);
    }

    /**
     * A reader of the same list, whose elements are read with {@code readerFactory}.
     *
     * @param <R> the reader type
     * @param readerFactory the type to read the value as
     * @return a reader of the same list, whose elements are read with {@code readerFactory}
     */
    public <R extends StructReader> Reader<R> asReader(StructFactory<?, R> readerFactory) {
      return new Reader<>(readerFactory, segment, capTable, ptr, elementCount, step,
          structDataSize, structPointerCount, elementSize, Integer.MAX_VALUE);
    }

    /**
     * Overwrites element {@code index} with a copy of {@code value}. Caveat (as in C++): data
     * and pointers beyond this list's element size are dropped.
     *
     * @param index the element index, from 0
     * @param value the value to copy
     */
    public void setWithCaveats(int index, StructReader value) {
      Wire.copyStructInto(segment, capTable, byteOffset(index), structDataSize,
          (byteOffset(index) + (structDataSize >>> 3)) >>> 3, structPointerCount, value);
    }
  }
}
