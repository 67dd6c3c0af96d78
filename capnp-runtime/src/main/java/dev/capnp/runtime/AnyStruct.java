package dev.capnp.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@code AnyStruct}: a struct of unknown type, with raw access to its sections. */
public final class AnyStruct {
  private AnyStruct() {}

  /** Factory reading any struct; new instances are allocated empty (no data, no pointers). */
  public static final Factory FACTORY = new Factory(new StructSize(0, 0));

  /**
   * A factory whose new instances have the given size.
   *
   * @param size the size new structs are allocated with
   * @return a factory whose new instances have the given size
   */
  public static Factory factory(StructSize size) {
    return new Factory(size);
  }

  /** Factory for {@code AnyStruct} values. */
  public static final class Factory extends StructFactory<Builder, Reader> {
    Factory(StructSize size) {
      super(size);
    }

    @Override
    public Reader constructReader(SegmentReader segment, CapTableReader capTable,
        int dataOffset, int dataSizeBits, int pointerOffset, int pointerCount, int nestingLimit) {
      return new Reader(segment, capTable, dataOffset, dataSizeBits, pointerOffset, pointerCount,
          nestingLimit);
    }

    @Override
    public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int dataOffset, int dataSizeBits, int pointerOffset, int pointerCount) {
      return new Builder(segment, capTable, dataOffset, dataSizeBits, pointerOffset,
          pointerCount);
    }
  }

  /** Read-only struct of unknown type. */
  public static final class Reader extends StructReader {
    /**
     * A reader at the given location (see {@link StructFactory}).
     *
     * @param segment the segment holding the value
     * @param capTable the message's capability table
     * @param dataOffset byte offset of the data section within the segment
     * @param dataSizeBits size of the data section in bits
     * @param pointerOffset word offset of the pointer within the segment
     * @param pointerCount number of pointers in the pointer section
     * @param nestingLimit remaining nesting depth for the value
     */
    public Reader(SegmentReader segment, CapTableReader capTable, int dataOffset,
        int dataSizeBits, int pointerOffset, int pointerCount, int nestingLimit) {
      super(segment, capTable, dataOffset, dataSizeBits, pointerOffset, pointerCount,
          nestingLimit);
    }

    /**
     * Data section size in bits.
     *
     * @return the data section size in bits
     */
    public int dataSizeBits() {
      return dataSize;
    }

    /**
     * Number of pointers.
     *
     * @return the number of pointers
     */
    public int pointerCount() {
      return pointerCount;
    }

    /**
     * A read-only view of the data section (whole bytes).
     *
     * @return a read-only view of the data section (whole bytes)
     */
    public ByteBuffer getDataSection() {
      ByteBuffer dup = segment.buffer.asReadOnlyBuffer();
      dup.limit(data + ((dataSize + 7) >>> 3)).position(data);
      return dup.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Pointer {@code index} of the pointer section.
     *
     * @param index the index of the pointer in the pointer section
     * @return the pointer {@code index} of the pointer section
     */
    public AnyPointer.Reader getPointer(int index) {
      if (index < 0 || index >= pointerCount) {
        throw new IndexOutOfBoundsException("pointer " + index + " of " + pointerCount);
      }
      return new AnyPointer.Reader(segment, capTable, pointers + index, nestingLimit);
    }

    /**
     * This struct viewed as the type built by {@code factory}.
     *
     * @param <R> the reader type
     * @param factory the type to read or build the value as
     * @return this struct viewed as the type built by {@code factory}
     */
    public <R extends StructReader> R as(StructFactory<?, R> factory) {
      return factory.constructReader(segment, capTable, data, dataSize, pointers, pointerCount,
          nestingLimit);
    }
  }

  /** Mutable struct of unknown type. */
  public static final class Builder extends StructBuilder {
    /**
     * A builder at the given location (see {@link StructFactory}).
     *
     * @param segment the segment holding the value
     * @param capTable the message's capability table
     * @param dataOffset byte offset of the data section within the segment
     * @param dataSizeBits size of the data section in bits
     * @param pointerOffset word offset of the pointer within the segment
     * @param pointerCount number of pointers in the pointer section
     */
    public Builder(SegmentBuilder segment, CapTableBuilder capTable, int dataOffset,
        int dataSizeBits, int pointerOffset, int pointerCount) {
      super(segment, capTable, dataOffset, dataSizeBits, pointerOffset, pointerCount);
    }

    /**
     * Data section size in bits.
     *
     * @return the data section size in bits
     */
    public int dataSizeBits() {
      return dataSize;
    }

    /**
     * Number of pointers.
     *
     * @return the number of pointers
     */
    public int pointerCount() {
      return pointerCount;
    }

    /**
     * A writable view of the data section.
     *
     * @return a writable view of the data section
     */
    public ByteBuffer getDataSection() {
      ByteBuffer dup = segment.buffer.duplicate();
      dup.limit(data + ((dataSize + 7) >>> 3)).position(data);
      return dup.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Pointer {@code index} of the pointer section.
     *
     * @param index the index of the pointer in the pointer section
     * @return the pointer {@code index} of the pointer section
     */
    public AnyPointer.Builder getPointer(int index) {
      if (index < 0 || index >= pointerCount) {
        throw new IndexOutOfBoundsException("pointer " + index + " of " + pointerCount);
      }
      return new AnyPointer.Builder(segment, capTable, pointers + index);
    }

    /**
     * This struct viewed as the type built by {@code factory}.
     *
     * @param <B> the builder type
     * @param factory the type to read or build the value as
     * @return this struct viewed as the type built by {@code factory}
     */
    public <B extends StructBuilder> B as(StructFactory<B, ?> factory) {
      return factory.constructBuilder(segment, capTable, data, dataSize, pointers, pointerCount);
    }

    /**
     * A reader of the same struct.
     *
     * @return a reader of the same struct
     */
    public Reader asReader() {
      return _asReader(FACTORY);
    }
  }
}
