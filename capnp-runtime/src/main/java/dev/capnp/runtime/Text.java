package dev.capnp.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The {@code Text} type: UTF-8 bytes stored as a byte list with a NUL terminator (not counted in
 * {@link Reader#size()}).
 */
public final class Text {
  private Text() {}

  /** Factory for {@code Text} pointers. */
  public static final Factory FACTORY = new Factory();

  /** Reads, builds and copies {@code Text} values. */
  public static final class Factory implements PointerFactory<Builder, Reader> {
    private Factory() {}

    @Override
    public Reader fromPointerReader(SegmentReader segment, CapTableReader capTable,
        int pointerOffset, SegmentReader defaultSegment, int defaultOffset, int nestingLimit) {
      return Wire.readText(segment, pointerOffset, defaultSegment, defaultOffset);
    }

    @Override
    public Builder fromPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int pointerOffset, SegmentReader defaultSegment, int defaultOffset) {
      return Wire.getWritableText(segment, pointerOffset, defaultSegment, defaultOffset);
    }

    @Override
    public Builder initFromPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int pointerOffset, int elementCount) {
      return Wire.initText(segment, pointerOffset, elementCount);
    }

    @Override
    public void setPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int pointerOffset, Reader value) {
      Wire.setText(segment, pointerOffset, value);
    }
  }

  /**
   * Read-only text. Wraps the message buffer without copying; {@link #toString()} decodes the
   * UTF-8 once and caches the result.
   */
  public static final class Reader implements CharSequence {
    static final Reader EMPTY = new Reader(new byte[0]);

    final ByteBuffer buffer;
    final int offset;
    final int size;
    private String string;

    /** Text with the given content (encoded as UTF-8). */
    public Reader(String value) {
      this(value.getBytes(StandardCharsets.UTF_8));
      this.string = value;
    }

    /** Text whose UTF-8 encoding is {@code utf8} (not copied). */
    public Reader(byte[] utf8) {
      this(ByteBuffer.wrap(utf8), 0, utf8.length);
    }

    /** Text of {@code size} UTF-8 bytes at absolute {@code offset} of {@code buffer}. */
    public Reader(ByteBuffer buffer, int offset, int size) {
      this.buffer = buffer;
      this.offset = offset;
      this.size = size;
    }

    /** Size in bytes (without the NUL terminator). */
    public int size() {
      return size;
    }

    /** Whether the text is empty. */
    public boolean isEmpty() {
      return size == 0;
    }

    /** A read-only view of the UTF-8 bytes (no copy). */
    public ByteBuffer asByteBuffer() {
      ByteBuffer dup = buffer.asReadOnlyBuffer();
      dup.limit(offset + size).position(offset);
      return dup.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A copy of the UTF-8 bytes. */
    public byte[] toArray() {
      byte[] out = new byte[size];
      buffer.get(offset, out, 0, size);
      return out;
    }

    @Override
    public String toString() {
      String s = string;
      if (s == null) {
        if (buffer.hasArray()) {
          s = new String(buffer.array(), buffer.arrayOffset() + offset, size,
              StandardCharsets.UTF_8);
        } else {
          s = new String(toArray(), StandardCharsets.UTF_8);
        }
        string = s;
      }
      return s;
    }

    @Override
    public int length() {
      return toString().length();
    }

    @Override
    public char charAt(int index) {
      return toString().charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return toString().subSequence(start, end);
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
      if (other.size != size) {
        return false;
      }
      for (int i = 0; i < size; i++) {
        if (buffer.get(offset + i) != other.buffer.get(other.offset + i)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      int h = 1;
      for (int i = 0; i < size; i++) {
        h = 31 * h + buffer.get(offset + i);
      }
      return h;
    }
  }

  /** Text inside a message being built; its bytes can be modified in place. */
  public static final class Builder {
    final ByteBuffer buffer;
    final int offset;
    final int size;

    Builder(ByteBuffer buffer, int offset, int size) {
      this.buffer = buffer;
      this.offset = offset;
      this.size = size;
    }

    /** Size in bytes (without the NUL terminator). */
    public int size() {
      return size;
    }

    /** A writable view of the UTF-8 bytes (no copy). */
    public ByteBuffer asByteBuffer() {
      ByteBuffer dup = buffer.duplicate();
      dup.limit(offset + size).position(offset);
      return dup.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A reader of the same bytes. */
    public Reader asReader() {
      return new Reader(buffer, offset, size);
    }

    @Override
    public String toString() {
      return asReader().toString();
    }
  }
}
