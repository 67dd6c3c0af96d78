package dev.capnp.runtime;

/**
 * Factory for one struct type; generated code subclasses it (one {@code FACTORY} per struct) and
 * implements {@link #constructReader} and {@link #constructBuilder} by calling its
 * {@code Reader}/{@code Builder} constructors, which pass the same arguments on to
 * {@link StructReader}/{@link StructBuilder}.
 *
 * <p>Location parameters: {@code dataOffset} is the byte offset of the data section in the
 * segment, {@code dataSizeBits} its size in bits (a multiple of 64 except for structs read out of
 * primitive lists), {@code pointerOffset} the word offset of the pointer section,
 * {@code pointerCount} its size.
 *
 * @param <B> builder type
 * @param <R> reader type
 */
public abstract class StructFactory<B extends StructBuilder, R extends StructReader>
    implements PointerFactory<B, R> {
  private final StructSize structSize;

  /**
   * A factory for structs of the given size (the size new instances are allocated with).
   *
   * @param structSize the size of each struct
   */
  protected StructFactory(StructSize structSize) {
    this.structSize = structSize;
  }

  /**
   * The size new instances of this struct are allocated with.
   *
   * @return the size new instances of this struct are allocated with
   */
  public final StructSize structSize() {
    return structSize;
  }

  /**
   * Creates a reader for the struct at the given location.
   *
   * @param segment the segment holding the value
   * @param capTable the message's capability table
   * @param dataOffset byte offset of the data section within the segment
   * @param dataSizeBits size of the data section in bits
   * @param pointerOffset word offset of the pointer within the segment
   * @param pointerCount number of pointers in the pointer section
   * @param nestingLimit remaining nesting depth for the value
   * @return the reader
   */
  public abstract R constructReader(SegmentReader segment, CapTableReader capTable,
      int dataOffset, int dataSizeBits, int pointerOffset, int pointerCount, int nestingLimit);

  /**
   * Creates a builder for the struct at the given location.
   *
   * @param segment the segment holding the value
   * @param capTable the message's capability table
   * @param dataOffset byte offset of the data section within the segment
   * @param dataSizeBits size of the data section in bits
   * @param pointerOffset word offset of the pointer within the segment
   * @param pointerCount number of pointers in the pointer section
   * @return the builder
   */
  public abstract B constructBuilder(SegmentBuilder segment, CapTableBuilder capTable,
      int dataOffset, int dataSizeBits, int pointerOffset, int pointerCount);

  /**
   * A reader for the struct a builder refers to (same location).
   *
   * @param builder the builder whose location is read
   * @return a reader for the struct a builder refers to (same location)
   */
  public final R asReader(B builder) {
    return constructReader(builder.segment, builder.capTable, builder.data, builder.dataSize,
        builder.pointers, builder.pointerCount, Integer.MAX_VALUE);
  }

  @Override
  public final R fromPointerReader(SegmentReader segment, CapTableReader capTable,
      int pointerOffset, SegmentReader defaultSegment, int defaultOffset, int nestingLimit) {
    return Wire.readStruct(this, segment, capTable, pointerOffset, defaultSegment, defaultOffset,
        nestingLimit);
  }

  @Override
  public final B fromPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
      int pointerOffset, SegmentReader defaultSegment, int defaultOffset) {
    return Wire.getWritableStruct(this, segment, capTable, pointerOffset, defaultSegment,
        defaultOffset);
  }

  @Override
  public final B initFromPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
      int pointerOffset, int elementCount) {
    return Wire.initStruct(this, segment, capTable, pointerOffset);
  }

  @Override
  public final void setPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
      int pointerOffset, R value) {
    Wire.setStruct(segment, capTable, pointerOffset, value);
  }
}
