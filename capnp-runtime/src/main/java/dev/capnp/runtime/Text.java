package dev.capnp.runtime;

import java.io.IOException;
import java.io.OutputStream;
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
   *
   * <p>A reader given to a generated {@code getX(Text.Reader reuse)} as {@code reuse} is moved
   * to that field's text (and returned) instead of a new one being made: reading text that
   * way needs one reader for a whole walk. Such a reader is a cursor: it shows the last text
   * it was moved to (its {@code String}, if {@link #toString()} made one, is forgotten).
   */
  public static final class Reader implements CharSequence {
    static final Reader EMPTY = new Reader(new byte[0]);

    // Not final: a reader can be moved to other text (see the class comment).
    ByteBuffer buffer;
    int offset;
    int size;
    private String string;

    /**
     * Text with the given content (encoded as UTF-8).
     *
     * @param value the text
     */
    public Reader(String value) {
      this(value.getBytes(StandardCharsets.UTF_8));
      this.string = value;
    }

    /**
     * Text whose UTF-8 encoding is {@code utf8} (not copied).
     *
     * @param utf8 the UTF-8 bytes; later changes to the array show through
     */
    public Reader(byte[] utf8) {
      this(ByteBuffer.wrap(utf8), 0, utf8.length);
    }

    /**
     * Text of {@code size} UTF-8 bytes at absolute {@code offset} of {@code buffer}.
     *
     * @param buffer the buffer holding the bytes
     * @param offset the field's offset in units of its own size (e.g. 4 bytes for an int)
     * @param size the number of UTF-8 bytes
     */
    public Reader(ByteBuffer buffer, int offset, int size) {
      this.buffer = buffer;
      this.offset = offset;
      this.size = size;
    }

    /** Moves this reader to the text of {@code size} bytes at {@code offset} of {@code buffer}. */
    final void moveTo(ByteBuffer buffer, int offset, int size) {
      this.buffer = buffer;
      this.offset = offset;
      this.size = size;
      this.string = null;
      this.ascii = 0;
    }

    /**
     * Size in bytes (without the NUL terminator).
     *
     * @return the size in bytes (without the NUL terminator)
     */
    public int size() {
      return size;
    }

    /** Whether the text is empty. */
    public boolean isEmpty() {
      return size == 0;
    }

    /**
     * A read-only view of the UTF-8 bytes (no copy).
     *
     * @return a read-only view of the UTF-8 bytes (no copy)
     */
    public ByteBuffer asByteBuffer() {
      ByteBuffer dup = buffer.asReadOnlyBuffer();
      dup.limit(offset + size).position(offset);
      return dup.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A copy of the UTF-8 bytes.
     *
     * @return a copy of the UTF-8 bytes
     */
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

    /**
     * UTF-8 byte {@code index} (0 to {@code size() - 1}).
     *
     * @param index the byte index, from 0
     * @return the byte
     */
    public byte byteAt(int index) {
      if (index < 0 || index >= size) {
        throw new IndexOutOfBoundsException("index " + index + " of text of " + size + " bytes");
      }
      return buffer.get(offset + index);
    }

    /**
     * Whether every byte is ASCII (then chars and bytes are the same); computed once.
     *
     * @return {@code true} if every byte is ASCII (then chars and bytes are the same)
     */
    public boolean isAscii() {
      int a = ascii;
      if (a == 0) {
        a = 1;
        for (int i = 0; i < size; i++) {
          if (buffer.get(offset + i) < 0) {
            a = 2;
            break;
          }
        }
        ascii = a;
      }
      return a == 1;
    }

    /** 0: not known yet, 1: every byte is ASCII, 2: some byte is not. */
    private int ascii;

    /**
     * Length in UTF-16 chars. For ASCII text (the common case) this is {@link #size()} and no
     * {@code String} is built; otherwise the text is decoded once (see {@link #toString()}).
     */
    @Override
    public int length() {
      return isAscii() ? size : toString().length();
    }

    /** Char {@code index}; for ASCII text read straight from the bytes, without a String. */
    @Override
    public char charAt(int index) {
      if (isAscii()) {
        return (char) byteAt(index);
      }
      return toString().charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return toString().subSequence(start, end);
    }

    /**
     * Whether this text is {@code chars} (compared as UTF-8, without decoding this text or
     * building a String). Unpaired surrogates in {@code chars} compare like their UTF-8
     * replacement, '?' (as {@link String#getBytes} encodes them).
     *
     * @param chars the characters to compare with
     * @return {@code true} if this text is {@code chars} (compared as UTF-8, without decoding this
     *     text or building a String)
     */
    public boolean contentEquals(CharSequence chars) {
      int n = chars.length();
      int at = offset;
      int end = offset + size;
      for (int i = 0; i < n; i++) {
        char c = chars.charAt(i);
        if (c < 0x80) {
          if (at >= end || buffer.get(at++) != c) {
            return false;
          }
          continue;
        }
        int cp = c;
        if (Character.isHighSurrogate(c) && i + 1 < n
            && Character.isLowSurrogate(chars.charAt(i + 1))) {
          cp = Character.toCodePoint(c, chars.charAt(++i));
        } else if (Character.isSurrogate(c)) {
          cp = '?';
        }
        int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (end - at < len) {
          return false;
        }
        if (len == 1) {
          if (buffer.get(at++) != cp) {
            return false;
          }
          continue;
        }
        int lead = len == 2 ? 0xc0 | (cp >>> 6)
            : len == 3 ? 0xe0 | (cp >>> 12) : 0xf0 | (cp >>> 18);
        if ((buffer.get(at++) & 0xff) != lead) {
          return false;
        }
        for (int shift = (len - 2) * 6; shift >= 0; shift -= 6) {
          if ((buffer.get(at++) & 0xff) != (0x80 | ((cp >>> shift) & 0x3f))) {
            return false;
          }
        }
      }
      return at == end;
    }

    /**
     * Writes the UTF-8 bytes to {@code out} (no copy for heap buffers).
     *
     * @param out the stream to write to
     * @throws IOException if writing fails
     */
    public void writeTo(OutputStream out) throws IOException {
      if (buffer.hasArray()) {
        out.write(buffer.array(), buffer.arrayOffset() + offset, size);
      } else {
        out.write(toArray());
      }
    }

    /**
     * Puts the UTF-8 bytes into {@code dst} at its position and advances it.
     *
     * @param dst the buffer to write to
     * @throws java.nio.BufferOverflowException if {@code dst} has less room than {@link #size()}
     */
    public void writeTo(ByteBuffer dst) {
      if (dst.remaining() < size) {
        throw new java.nio.BufferOverflowException();
      }
      dst.put(dst.position(), buffer, offset, size);
      dst.position(dst.position() + size);
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

    /**
     * Size in bytes (without the NUL terminator).
     *
     * @return the size in bytes (without the NUL terminator)
     */
    public int size() {
      return size;
    }

    /**
     * A writable view of the UTF-8 bytes (no copy).
     *
     * @return a writable view of the UTF-8 bytes (no copy)
     */
    public ByteBuffer asByteBuffer() {
      ByteBuffer dup = buffer.duplicate();
      dup.limit(offset + size).position(offset);
      return dup.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A reader of the same bytes.
     *
     * @return a reader of the same bytes
     */
    public Reader asReader() {
      return new Reader(buffer, offset, size);
    }

    @Override
    public String toString() {
      return asReader().toString();
    }
  }
}
