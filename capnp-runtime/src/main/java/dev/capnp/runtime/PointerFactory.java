package dev.capnp.runtime;

/**
 * Knows how to read ({@code R}), build ({@code B}), initialise and set the value behind one
 * pointer. Implemented by {@link StructFactory}, {@link Text#FACTORY}, {@link Data#FACTORY},
 * {@link AnyPointer#FACTORY} and every list factory; type parameters of generic schema types are
 * passed around as {@code PointerFactory}s.
 *
 * <p>The methods are low-level hooks called by the runtime: a pointer is identified by its
 * segment and word offset. A default, when present, is the pointer at word {@code defaultOffset}
 * of {@code defaultSegment} ({@code null} for none).
 *
 * @param <B> builder type
 * @param <R> reader type
 */
public interface PointerFactory<B, R> {
  /**
   * Reads the value behind the pointer at {@code pointerOffset} of {@code segment}.
   *
   * @param segment the segment holding the value
   * @param capTable the message's capability table
   * @param pointerOffset word offset of the pointer within the segment
   * @param defaultSegment the segment holding the default value, or {@code null} for none
   * @param defaultOffset word offset of the default pointer within {@code defaultSegment}
   * @param nestingLimit remaining nesting depth for the value
   * @return the value; a null pointer reads as the default (or an empty value without one)
   */
  R fromPointerReader(SegmentReader segment, CapTableReader capTable, int pointerOffset,
      SegmentReader defaultSegment, int defaultOffset, int nestingLimit);

  /**
   * Returns a builder for the value behind the pointer, first copying the default in if the
   * pointer is null (and upgrading an older, smaller struct or list in place if needed).
   *
   * @param segment the segment holding the value
   * @param capTable the message's capability table
   * @param pointerOffset word offset of the pointer within the segment
   * @param defaultSegment the segment holding the default value, or {@code null} for none
   * @param defaultOffset word offset of the default pointer within {@code defaultSegment}
   * @return the builder of the value
   */
  B fromPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable, int pointerOffset,
      SegmentReader defaultSegment, int defaultOffset);

  /**
   * Replaces the value behind the pointer with a new, zeroed one. {@code elementCount} is the list
   * length or text/data byte count; struct factories ignore it.
   *
   * @param segment the segment holding the value
   * @param capTable the message's capability table
   * @param pointerOffset word offset of the pointer within the segment
   * @param elementCount the number of elements
   * @return the builder of the new value
   */
  B initFromPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable, int pointerOffset,
      int elementCount);

  /**
   * Replaces the value behind the pointer with a deep copy of {@code value}.
   *
   * @param segment the segment holding the value
   * @param capTable the message's capability table
   * @param pointerOffset word offset of the pointer within the segment
   * @param value the value to copy
   */
  void setPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable, int pointerOffset,
      R value);
}
