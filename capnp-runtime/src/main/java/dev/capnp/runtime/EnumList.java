package dev.capnp.runtime;

import java.util.Iterator;

/** {@code List(SomeEnum)}: 16-bit enumerant numbers mapped to a Java enum. */
public final class EnumList {
  private EnumList() {}

  /**
   * The factory for lists of enum {@code E}; {@code values[i]} is enumerant number {@code i} and
   * numbers outside the array (or mapping to nothing) read as {@code notInSchema}.
   *
   * @param <E> the enum type
   * @param values the enumerants, indexed by number
   * @param notInSchema the enumerant read for numbers not in {@code values}
   * @return the factory for lists of enum {@code E}
   */
  public static <E extends Enum<E>> Factory<E> factory(E[] values, E notInSchema) {
    return new Factory<>(values, notInSchema);
  }

  /** Reads and builds lists of one enum type. */
  public static final class Factory<E extends Enum<E>>
      extends ListFactory<Builder<E>, Reader<E>> {
    final E[] values;
    final E notInSchema;

    Factory(E[] values, E notInSchema) {
      super(ElementSize.TWO_BYTES);
      this.values = values.clone();
      this.notInSchema = notInSchema;
    }

    E decode(short raw) {
      int v = raw & 0xffff;
      return v < values.length ? values[v] : notInSchema;
    }

    @Override
    public Reader<E> constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
        int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize, int nestingLimit) {
      return new Reader<>(this, segment, capTable, ptr, elementCount, step, structDataSize,
          structPointerCount, elementSize, nestingLimit);
    }

    @Override
    public Builder<E> constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
        int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize) {
      return new Builder<>(this, segment, capTable, ptr, elementCount, step, structDataSize,
          structPointerCount, elementSize);
    }
  }

  /** Read-only list of enums. */
  public static final class Reader<E extends Enum<E>> extends ListReader implements Iterable<E> {
    private final Factory<E> factory;

    Reader(Factory<E> factory, SegmentReader segment, CapTableReader capTable, int ptr,
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
    public E get(int index) {
      return factory.decode(_getShortElement(index));
    }

    /**
     * The raw enumerant number of element {@code index}.
     *
     * @param index the element index, from 0
     * @return the raw enumerant number of element {@code index}
     */
    public int getRaw(int index) {
      return _getShortElement(index) & 0xffff;
    }

    @Override
    public Iterator<E> iterator() {
      return new ElementIterator<>(this::get, elementCount);
    }
  }

  /** Mutable list of enums. */
  public static final class Builder<E extends Enum<E>> extends ListBuilder {
    private final Factory<E> factory;

    Builder(Factory<E> factory, SegmentBuilder segment, CapTableBuilder capTable, int ptr,
        int elementCount, int step, int structDataSize, int structPointerCount,
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
    public E get(int index) {
      return factory.decode(_getShortElement(index));
    }

    /**
     * Sets element {@code index}.
     *
     * @param index the element index, from 0
     * @param value the value to write
     */
    public void set(int index, E value) {
      if (value == factory.notInSchema) {
        throw new IllegalArgumentException("cannot write " + value);
      }
      _setShortElement(index, (short) value.ordinal());
    }

    /**
     * Sets element {@code index} to a raw enumerant number.
     *
     * @param index the element index, from 0
     * @param value the value to write
     */
    public void setRaw(int index, int value) {
      _setShortElement(index, (short) value);
    }

    /**
     * A reader of the same list.
     *
     * @return a reader of the same list
     */
    public Reader<E> asReader() {
      return _asReader(factory);
    }
  }
}
