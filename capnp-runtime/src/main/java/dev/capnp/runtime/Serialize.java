package dev.capnp.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Standard stream framing: a segment table ({@code segmentCount - 1} as a 32-bit little-endian
 * integer, then each segment's size in words, padded to a whole word) followed by the segments.
 *
 * <p>Frame headers are validated before anything is allocated: at most
 * {@value #MAX_SEGMENTS} segments, and a total size no larger than the bytes available (buffers)
 * or {@link ReaderOptions#maxMessageSizeInWords()} (streams).
 */
public final class Serialize {
  /** Largest segment count accepted (as C++). */
  public static final int MAX_SEGMENTS = 512;

  /** Message bodies up to this size are allocated at once when read from a stream. */
  static final int EAGER_BODY_BYTES = 256 * 1024;

  private Serialize() {}

  // ---------------------------------------------------------------- reading

  /**
   * Reads one message from {@code buffer} starting at its position, without copying: the
   * segments are slices of {@code buffer}. Advances the position past the message.
   *
   * @param buffer the buffer to read from, positioned at the message
   * @return the message
   */
  public static MessageReader read(ByteBuffer buffer) {
    return read(buffer, ReaderOptions.DEFAULT);
  }

  /**
   * Like {@link #read(ByteBuffer)} with explicit limits.
   *
   * @param buffer the buffer to read from, positioned at the message
   * @param options the limits for reading the message
   * @return the message
   */
  public static MessageReader read(ByteBuffer buffer, ReaderOptions options) {
    // absolute reads of the caller's buffer (no duplicate made to change its byte order)
    ByteBuffer b = buffer;
    boolean little = b.order() == ByteOrder.LITTLE_ENDIAN;
    int start = b.position();
    if (b.remaining() < 8) {
      throw new DecodeException("truncated message: " + b.remaining()
          + " bytes is too short for a segment table (at byte " + start + ")");
    }
    long count = (intLe(b, start, little) & 0xffffffffL) + 1;
    checkSegmentCount(count);
    int headerBytes = headerBytes((int) count);
    if (b.remaining() < headerBytes) {
      throw new DecodeException("truncated message: segment table of " + count
          + " segments needs " + headerBytes + " bytes, only " + b.remaining() + " available");
    }
    long total = 0;
    for (int i = 0; i < count; i++) {
      total += intLe(b, start + 4 + 4 * i, little) & 0xffffffffL;
    }
    long available = (b.remaining() - headerBytes) / 8;
    if (total > available) {
      throw new DecodeException("truncated message: segment table declares " + total
          + " words but only " + available + " words follow (at byte " + start + ")");
    }
    ByteBuffer[] segs = new ByteBuffer[(int) count];
    int pos = start + headerBytes;
    for (int i = 0; i < count; i++) {
      int bytes = intLe(b, start + 4 + 4 * i, little) * 8; // (total fits: checked above)
      segs[i] = b.slice(pos, bytes).order(ByteOrder.LITTLE_ENDIAN);
      pos += bytes;
    }
    buffer.position(pos);
    return new MessageReader(segs, options, true);
  }

  /** The little-endian int at {@code index} of {@code b}, whatever its byte order. */
  private static int intLe(ByteBuffer b, int index, boolean little) {
    int v = b.getInt(index);
    return little ? v : Integer.reverseBytes(v);
  }

  /**
   * Reads one message from a channel.
   *
   * @param channel the channel to read from
   * @return the message
   * @throws IOException if reading from the channel fails
   */
  public static MessageReader read(ReadableByteChannel channel) throws IOException {
    return read(channel, ReaderOptions.DEFAULT);
  }

  /**
   * Reads one message from a channel with explicit limits.
   *
   * @param channel the channel to read from
   * @param options the limits for reading the message
   * @return the message
   * @throws IOException if reading from the channel fails
   */
  public static MessageReader read(ReadableByteChannel channel, ReaderOptions options)
      throws IOException {
    return read(channelSource(channel), options);
  }

  /**
   * Reads one message from a stream (reads exactly the message's bytes).
   *
   * @param in the stream to read from
   * @return the message
   * @throws IOException if reading from the stream fails
   */
  public static MessageReader read(InputStream in) throws IOException {
    return read(in, ReaderOptions.DEFAULT);
  }

  /**
   * Reads one message from a stream with explicit limits.
   *
   * @param in the stream to read from
   * @param options the limits for reading the message
   * @return the message
   * @throws IOException if reading from the stream fails
   */
  public static MessageReader read(InputStream in, ReaderOptions options) throws IOException {
    return read(streamSource(in), options);
  }

  /**
   * Reads the next message from a stream of messages, or returns {@code null} if the stream ends
   * cleanly before the first byte of a message.
   *
   * @param in the stream to read from
   * @param options the limits for reading the message
   * @return the message, or {@code null} at a clean end of the stream
   * @throws IOException if reading from the stream fails
   */
  public static MessageReader tryRead(InputStream in, ReaderOptions options) throws IOException {
    return tryRead(streamSource(in), options);
  }

  /**
   * Like {@link #tryRead(InputStream, ReaderOptions)} for a channel.
   *
   * @param channel the channel to read from
   * @param options the limits for reading the message
   * @return the message, or {@code null} at a clean end of the stream
   * @throws IOException if reading from the channel fails
   */
  public static MessageReader tryRead(ReadableByteChannel channel, ReaderOptions options)
      throws IOException {
    return tryRead(channelSource(channel), options);
  }

  /** Something bytes can be read from, completely or not at all. */
  interface Source {
    /** Fills {@code dst} completely; returns false if the stream ended before any byte. */
    boolean readFully(ByteBuffer dst) throws IOException;

    /**
     * Called where the input must end cleanly: after the segment table's first word, after the
     * segment table, and after the message (packed input may not continue a run past these).
     */
    default void requireSectionEnd(String section) {}
  }

  static MessageReader read(Source source, ReaderOptions options) throws IOException {
    MessageReader m = tryRead(source, options);
    if (m == null) {
      throw new DecodeException("premature end of stream: no message");
    }
    return m;
  }

  static MessageReader tryRead(Source source, ReaderOptions options) throws IOException {
    ByteBuffer first = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    if (!source.readFully(first)) {
      return null;
    }
    source.requireSectionEnd("first word of the segment table");
    long count = (first.getInt(0) & 0xffffffffL) + 1;
    checkSegmentCount(count);
    int headerBytes = headerBytes((int) count);
    ByteBuffer header = ByteBuffer.allocate(headerBytes).order(ByteOrder.LITTLE_ENDIAN);
    header.put(first.flip());
    if (headerBytes > 8) {
      if (!source.readFully(header)) {
        throw new DecodeException("premature end of stream inside the segment table");
      }
      source.requireSectionEnd("segment table");
    }
    long total = 0;
    for (int i = 0; i < count; i++) {
      total += header.getInt(4 + 4 * i) & 0xffffffffL;
    }
    long max = Math.min(options.maxMessageSizeInWords(), Integer.MAX_VALUE / 8);
    if (total > max) {
      throw new DecodeException("message of " + total + " words exceeds the limit of " + max
          + " words (ReaderOptions.maxMessageSizeInWords)");
    }
    ByteBuffer body = readBody(source, (int) total * 8);
    source.requireSectionEnd("message");
    ByteBuffer[] segs = new ByteBuffer[(int) count];
    int pos = 0;
    for (int i = 0; i < count; i++) {
      int size = header.getInt(4 + 4 * i);
      ByteBuffer s = body.duplicate();
      s.limit(pos + size * 8).position(pos);
      segs[i] = s.slice().order(ByteOrder.LITTLE_ENDIAN);
      pos += size * 8;
    }
    return new MessageReader(segs, options);
  }

  /**
   * Reads a message body of {@code bytes} bytes. Bodies up to {@value #EAGER_BODY_BYTES} bytes
   * are allocated at once; larger ones grow by doubling as their bytes actually arrive, so a
   * segment table that merely claims a huge message cannot make us allocate it.
   */
  private static ByteBuffer readBody(Source source, int bytes) throws IOException {
    byte[] body = new byte[Math.min(bytes, EAGER_BODY_BYTES)];
    int filled = 0;
    while (filled < bytes) {
      if (filled == body.length) {
        body = java.util.Arrays.copyOf(body, (int) Math.min(2L * body.length, bytes));
      }
      if (!source.readFully(ByteBuffer.wrap(body, filled, body.length - filled))) {
        throw new DecodeException("premature end of stream: message body of " + bytes / 8
            + " words missing");
      }
      filled = body.length;
    }
    return ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void checkSegmentCount(long count) {
    if (count > MAX_SEGMENTS) {
      throw new DecodeException("segment table declares " + count + " segments; at most "
          + MAX_SEGMENTS + " are accepted");
    }
  }

  static int headerBytes(int segmentCount) {
    return ((segmentCount + 2) / 2) * 8;
  }

  /** One read of some bytes into a buffer: the count, or -1 at the end of input. */
  private interface ChunkReader {
    int read(ByteBuffer dst) throws IOException;
  }

  /** A source filling buffers from repeated reads, which may each deliver only a few bytes. */
  private static Source source(ChunkReader reader) {
    return dst -> {
      boolean any = false;
      while (dst.hasRemaining()) {
        int n = reader.read(dst);
        if (n < 0) {
          if (!any) {
            return false;
          }
          throw new DecodeException("premature end of stream: " + dst.remaining()
              + " more bytes expected");
        }
        any |= n > 0;
      }
      return true;
    };
  }

  private static Source channelSource(ReadableByteChannel channel) {
    return source(channel::read);
  }

  private static Source streamSource(InputStream in) {
    return source(dst -> {
      int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
      if (n > 0) {
        dst.position(dst.position() + n);
      }
      return n;
    });
  }

  // ---------------------------------------------------------------- writing

  /** The segment table for {@code segments}. */
  static ByteBuffer header(ByteBuffer[] segments) {
    ByteBuffer h = ByteBuffer.allocate(headerBytes(segments.length))
        .order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(0, segments.length - 1);
    for (int i = 0; i < segments.length; i++) {
      h.putInt(4 + 4 * i, segments[i].remaining() / 8);
    }
    return h;
  }

  /**
   * Size of the framed message in words.
   *
   * @param message the message
   * @return the size of the framed message in words
   */
  public static long computeSerializedSizeInWords(MessageBuilder message) {
    java.util.List<SegmentBuilder> segs = message.arena.segments;
    long n = headerBytes(segs.size()) / 8;
    for (int i = 0; i < segs.size(); i++) {
      n += segs.get(i).pos;
    }
    return n;
  }

  /**
   * Writes the framed message to a channel (a gathering write when supported).
   *
   * @param channel the channel to write to
   * @param message the message to write
   * @throws IOException if writing fails
   */
  public static void write(WritableByteChannel channel, MessageBuilder message)
      throws IOException {
    ByteBuffer[] segs = message.getSegmentsForOutput();
    ByteBuffer[] all = new ByteBuffer[segs.length + 1];
    all[0] = header(segs);
    System.arraycopy(segs, 0, all, 1, segs.length);
    if (channel instanceof GatheringByteChannel) {
      GatheringByteChannel g = (GatheringByteChannel) channel;
      long remaining = 0;
      for (ByteBuffer b : all) {
        remaining += b.remaining();
      }
      while (remaining > 0) {
        remaining -= g.write(all);
      }
    } else {
      for (ByteBuffer b : all) {
        while (b.hasRemaining()) {
          channel.write(b);
        }
      }
    }
  }

  /**
   * Writes the framed message to a stream.
   *
   * @param out the stream to write to
   * @param message the message to write
   * @throws IOException if writing fails
   */
  public static void write(OutputStream out, MessageBuilder message) throws IOException {
    java.util.List<SegmentBuilder> segs = message.arena.segments;
    int count = segs.size();
    byte[] h = new byte[headerBytes(count)];
    SegmentReader.INTS.set(h, 0, count - 1);
    for (int i = 0; i < count; i++) {
      SegmentReader.INTS.set(h, 4 + 4 * i, segs.get(i).pos);
    }
    out.write(h, 0, h.length);
    for (int i = 0; i < count; i++) {
      SegmentBuilder s = segs.get(i);
      out.write(s.bytes, 0, s.pos << 3);
    }
  }

  /**
   * Writes the framed message into {@code out} at its position, which advances past it;
   * {@code out} needs {@link #computeSerializedSizeInWords} times 8 bytes remaining. Copies
   * straight from the segments (no views, no segment table buffer), whatever the byte order
   * of {@code out}: a transport can frame a message into its own (direct, pooled) buffer.
   *
   * @param message the message to write
   * @param out the buffer to write into
   * @throws java.nio.BufferOverflowException if {@code out} has not enough room (nothing is
   *     written then)
   */
  public static void write(MessageBuilder message, ByteBuffer out) {
    java.util.List<SegmentBuilder> segs = message.arena.segments;
    int count = segs.size();
    if (computeSerializedSizeInWords(message) * 8 > out.remaining()) {
      throw new java.nio.BufferOverflowException();
    }
    boolean little = out.order() == ByteOrder.LITTLE_ENDIAN;
    int start = out.position();
    out.putInt(little ? count - 1 : Integer.reverseBytes(count - 1));
    for (int i = 0; i < count; i++) {
      int words = segs.get(i).pos;
      out.putInt(little ? words : Integer.reverseBytes(words));
    }
    out.position(start + headerBytes(count));
    if ((count & 1) == 0) {
      out.putInt(start + headerBytes(count) - 4, 0); // padding
    }
    for (int i = 0; i < count; i++) {
      SegmentBuilder s = segs.get(i);
      out.put(s.bytes, 0, s.pos << 3);
    }
  }

  /**
   * The framed message in a new heap buffer (position 0, limit = size).
   *
   * @param message the message to write
   * @return the framed message in a new heap buffer (position 0, limit = size)
   */
  public static ByteBuffer toByteBuffer(MessageBuilder message) {
    // Straight from the segments' arrays into one right-sized array: no views of the segments,
    // no separate segment table buffer.
    java.util.List<SegmentBuilder> segs = message.arena.segments;
    int count = segs.size();
    int header = headerBytes(count);
    long total = header;
    for (int i = 0; i < count; i++) {
      total += (long) segs.get(i).pos << 3;
    }
    byte[] out = new byte[(int) total];
    SegmentReader.INTS.set(out, 0, count - 1);
    int at = header;
    for (int i = 0; i < count; i++) {
      SegmentBuilder s = segs.get(i);
      int n = s.pos << 3;
      SegmentReader.INTS.set(out, 4 + 4 * i, s.pos);
      System.arraycopy(s.bytes, 0, out, at, n);
      at += n;
    }
    return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The framed message as bytes.
   *
   * @param message the message to write
   * @return the framed message as bytes
   */
  public static byte[] toBytes(MessageBuilder message) {
    return toByteBuffer(message).array();
  }
}
