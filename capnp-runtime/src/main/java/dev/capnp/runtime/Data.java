package dev.capnp.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The {@code Data} type: arbitrary bytes stored as a byte list. */
public final class Data {
  private Data() {}

  /** Factory for {@code Data} pointers. */
  public static final Factory FACTORY = new Factory();

  /** Reads, builds and copies {@code Data} values. */
  public static final class Factory implements PointerFactory<Builder, Reader> {
    private Factory() {}

    @Override
    public Reader fromPointerReader(SegmentReader segment, CapTableReader capTable,
        int pointerOffset, SegmentReader defaultSegment, int defaultOffset, int nestingLimit) {
      return Wire.readData(segment, pointerOffset, defaultSegment, defaultOffset);
    }

    @Override
    public Builder fromPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int pointerOffset, SegmentReader defaultSegment, int defaultOffset) {
      return Wire.getWritableData(segment, pointerOffset, defaultSegment, defaultOffset);
    }

    @Override
    public Builder initFromPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int pointerOffset, int elementCount) {
      return Wire.initData(segment, pointerOffset, elementCount);
    }

    @Override
    public void setPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int pointerOffset, Reader value) {
      Wire.setData(segment, pointerOffset, value);
    }
  }

  /**
   * Read-only bytes, wrapping the message buffer without copying. A reader given to a generated
   * {@code getX(Data.Reader reuse)} as {@code reuse} is moved to that field's bytes (and
   * returned) instead of a new one being made (see {@link Text.Reader}).
   */
  public static final class Reader {
    static final Reader EMPTY = new Reader(new byte[0]);

    // Not final: a reader can be moved to other bytes.
    ByteBuffer buffer;
    int offset;
    int size;

    /**
     * Data holding {@code bytes} (not copied).
     *
     * @param bytes the bytes; later changes to the array show through
     */
    public Reader(byte[] bytes) {
      this(ByteBuffer.wrap(bytes), 0, bytes.length);
    }

    /**
     * Data of {@code size} bytes at absolute {@code offset} of {@code buffer}.
     *
     * @param buffer the buffer holding the bytes
     * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
     * @param size the number of bytes
     */
    public Reader(ByteBuffer buffer, int offset, int size) {
      this.buffer = buffer;
      this.offset = offset;
      this.size = size;
    }

    /** Moves this reader to the {@code size} bytes at {@code offset} of {@code buffer}. */
    final void moveTo(ByteBuffer buffer, int offset, int size) {
      this.buffer = buffer;
      this.offset = offset;
      this.size = size;
    }

    /**
     * Size in bytes.
     *
     * @return the size in bytes
     */
    public int size() {
      return size;
    }

    /**
     * A read-only view of the bytes (no copy).
     *
     * @return a read-only view of the bytes (no copy)
     */
    public ByteBuffer asByteBuffer() {
      ByteBuffer dup = buffer.asReadOnlyBuffer();
      dup.limit(offset + size).position(offset);
      return dup.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A copy of the bytes.
     *
     * @return a copy of the bytes
     */
    public byte[] toArray() {
      byte[] out = new byte[size];
      buffer.get(offset, out, 0, size);
      return out;
    }

    /**
     * Byte {@code index}.
     *
     * @param index the byte index, from 0
     * @return the byte {@code index}
     */
    public byte get(int index) {
      if (index < 0 || index >= size) {
        throw new IndexOutOfBoundsException("index " + index + " of data of size " + size);
      }
      return buffer.get(offset + index);
    }

    @Override
    public boolean equals(Object o) {
      if (this == o) {
        return true;
      }
      if (!(o instanceof Reader)) {
        return false;
      }
      Reader other = (Reader) o;
      return other.size == size && buffer.slice(offset, size).equals(
          other.buffer.slice(other.offset, other.size));
    }

    @Override
    public int hashCode() {
      int h = 1;
      for (int i = size - 1; i >= 0; i--) {
        h = 31 * h + buffer.get(offset + i);
      }
      return h;
    }
  }

  /** Data inside a message being built; its bytes can be modified in place. */
  public static final class Builder {
    final ByteBuffer buffer;
    final int offset;
    final int size;

    Builder(ByteBuffer buffer, int offset, int size) {
      this.buffer = buffer;
      this.offset = offset;
      this.size = size;
    }

    /**
     * Size in bytes.
     *
     * @return the size in bytes
     */
    public int size() {
      return size;
    }

    /**
     * A writable view of the bytes (no copy).
     *
     * @return a writable view of the bytes (no copy)
     */
    public ByteBuffer asByteBuffer() {
      ByteBuffer dup = buffer.duplicate();
      dup.limit(offset + size).position(offset);
      return dup.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A copy of the bytes.
     *
     * @return a copy of the bytes
     */
    public byte[] toArray() {
      return asReader().toArray();
    }

    /**
     * Sets byte {@code index}.
     *
     * @param index the byte index, from 0
     * @param value the value to write
     */
    public void set(int index, byte value) {
      if (index < 0 || index >= size) {
        throw new IndexOutOfBoundsException("index " + index + " of data of size " + size);
      }
      buffer.put(offset + index, value);
    }

    /**
     * A reader of the same bytes.
     *
     * @return a reader of the same bytes
     */
    public Reader asReader() {
      return new Reader(buffer, offset, size);
    }
  }
}
