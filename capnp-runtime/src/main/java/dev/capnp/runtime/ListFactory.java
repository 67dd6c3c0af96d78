package dev.capnp.runtime;

/**
 * Factory for one list type. Subclasses implement {@link #constructReader} and
 * {@link #constructBuilder}, which pass their arguments on to the {@link ListReader} /
 * {@link ListBuilder} constructors.
 *
 * <p>Location parameters: {@code ptr} is the byte offset of element 0 in the segment,
 * {@code step} the distance between elements in bits, {@code structDataSize} (bits) and
 * {@code structPointerCount} describe each element viewed as a struct (for a list of
 * {@code Int32}: 32 and 0; for a list of pointers: 0 and 1), and {@code elementSize} is the
 * element size encoded in the list pointer (the actual wire encoding, which may be "bigger" than
 * the one this factory expects thanks to list upgrades).
 *
 * @param <B> builder type
 * @param <R> reader type
 */
public abstract class ListFactory<B extends ListBuilder, R extends ListReader>
    implements PointerFactory<B, R> {
  final ElementSize elementSize;
  final StructSize structSize;
  /** Step, data bits and pointers per element of an empty (null) list read with this factory. */
  final int emptyStepBits;
  final int emptyDataBits;
  final int emptyPointerCount;

  /**
   * A factory for lists of non-struct elements of the given encoded size.
   *
   * @param elementSize the element size encoded in the list pointer
   */
  protected ListFactory(ElementSize elementSize) {
    if (elementSize == ElementSize.INLINE_COMPOSITE) {
      throw new IllegalArgumentException("struct lists need a StructSize");
    }
    this.elementSize = elementSize;
    this.structSize = null;
    this.emptyStepBits = elementSize.stepBits();
    this.emptyDataBits = elementSize.dataBits;
    this.emptyPointerCount = elementSize.pointers;
  }

  /**
   * A factory for lists of structs of the given size (inline composite encoding).
   *
   * @param structSize the size of each struct
   */
  protected ListFactory(StructSize structSize) {
    this.elementSize = ElementSize.INLINE_COMPOSITE;
    this.structSize = structSize;
    this.emptyStepBits = structSize.total() << 6;
    this.emptyDataBits = structSize.dataWords << 6;
    this.emptyPointerCount = structSize.pointerCount;
  }

  /**
   * The element size new lists are built with (and that readers require at least).
   *
   * @return the element size new lists are built with (and that readers require at least)
   */
  public final ElementSize elementSize() {
    return elementSize;
  }

  /**
   * For struct lists the element struct size, otherwise {@code null}.
   *
   * @return the element struct size, or {@code null} for lists of non-structs
   */
  public final StructSize structSize() {
    return structSize;
  }

  /**
   * Creates a reader for the list at the given location.
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
   * @return the reader
   */
  public abstract R constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
      int elementCount, int step, int structDataSize, int structPointerCount,
      ElementSize elementSize, int nestingLimit);

  /**
   * Creates a builder for the list at the given location.
   *
   * @param segment the segment holding the value
   * @param capTable the message's capability table
   * @param ptr byte offset of the first element within the segment
   * @param elementCount the number of elements
   * @param step distance between elements, in bits
   * @param structDataSize data bits of each element viewed as a struct
   * @param structPointerCount pointers of each element viewed as a struct
   * @param elementSize the element size encoded in the list pointer
   * @return the builder
   */
  public abstract B constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
      int elementCount, int step, int structDataSize, int structPointerCount,
      ElementSize elementSize);

  @Override
  public final R fromPointerReader(SegmentReader segment, CapTableReader capTable,
      int pointerOffset, SegmentReader defaultSegment, int defaultOffset, int nestingLimit) {
    return Wire.readList(this, segment, capTable, pointerOffset, defaultSegment, defaultOffset,
        nestingLimit);
  }

  @Override
  public final B fromPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
      int pointerOffset, SegmentReader defaultSegment, int defaultOffset) {
    return Wire.getWritableList(this, segment, capTable, pointerOffset, defaultSegment,
        defaultOffset);
  }

  @Override
  public final B initFromPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
      int pointerOffset, int elementCount) {
    return Wire.initList(this, segment, capTable, pointerOffset, elementCount);
  }

  @Override
  public final void setPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
      int pointerOffset, R value) {
    Wire.setList(segment, capTable, pointerOffset, value);
  }

  /**
   * A reader for the list a builder refers to.
   *
   * @param builder the builder whose location is read
   * @return a reader for the list a builder refers to
   */
  public final R asReader(ListBuilder builder) {
    return constructReader(builder.segment, builder.capTable, builder.ptr, builder.elementCount,
        builder.step, builder.structDataSize, builder.structPointerCount, builder.elementSize,
        Integer.MAX_VALUE);
  }
}
