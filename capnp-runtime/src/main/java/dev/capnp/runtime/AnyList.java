package dev.capnp.runtime;

/** {@code AnyList}: a list of unknown element type. */
public final class AnyList {
  private AnyList() {}

  /**
   * Factory reading any list. Initialising through it creates a list of {@code Void} (use a
   * concrete list factory to build real lists).
   */
  public static final Factory FACTORY = new Factory();

  /** Factory for {@code AnyList} values. */
  public static final class Factory extends ListFactory<Builder, Reader> {
    private Factory() {
      super(ElementSize.VOID);
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

  /** Read-only list of unknown type. */
  public static final class Reader extends ListReader {
    Reader(SegmentReader segment, CapTableReader capTable, int ptr, int elementCount, int step,
        int structDataSize, int structPointerCount, ElementSize elementSize, int nestingLimit) {
      super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
          elementSize, nestingLimit);
    }

    /**
     * This list viewed as the type read by {@code factory}.
     *
     * @param <R> the reader type
     * @param factory the type to read or build the value as
     * @return this list viewed as the type read by {@code factory}
     * @throws DecodeException if the element types are incompatible
     */
    public <R extends ListReader> R as(ListFactory<?, R> factory) {
      Wire.checkListCompatible(factory.elementSize, elementSize, structDataSize,
          structPointerCount, "list");
      return factory.constructReader(segment, capTable, ptr, elementCount, step, structDataSize,
          structPointerCount, elementSize, nestingLimit);
    }
  }

  /** Mutable list of unknown type. */
  public static final class Builder extends ListBuilder {
    Builder(SegmentBuilder segment, CapTableBuilder capTable, int ptr, int elementCount,
        int step, int structDataSize, int structPointerCount, ElementSize elementSize) {
      super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
          elementSize);
    }

    /**
     * This list viewed as the type built by {@code factory}.
     *
     * @param <B> the builder type
     * @param factory the type to read or build the value as
     * @return this list viewed as the type built by {@code factory}
     */
    public <B extends ListBuilder> B as(ListFactory<B, ?> factory) {
      Wire.checkListCompatible(factory.elementSize, elementSize, structDataSize,
          structPointerCount, "list");
      return factory.constructBuilder(segment, capTable, ptr, elementCount, step,
          structDataSize, structPointerCount, elementSize);
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
