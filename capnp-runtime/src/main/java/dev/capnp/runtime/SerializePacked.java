package dev.capnp.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Packed framing: the standard framing ({@link Serialize}) compressed with Cap'n Proto's packing
 * scheme (per word a tag byte with one bit per non-zero byte, runs of zero words and of literal
 * words). Reading unpacks incrementally, so the same limits as for standard framing apply.
 */
public final class SerializePacked {
  /** Window of an unpacker reading a buffer without an accessible array. */
  private static final int BUFFER_WINDOW = 8 * 1024;
  /** Window of an unpacker reading a stream or channel (refilled a step at a time). */
  private static final int STREAM_WINDOW = 32;

  private SerializePacked() {}

  // ---------------------------------------------------------------- reading

  /**
   * Reads one packed message from a buffer, advancing its position past the message.
   *
   * @param buffer the buffer to read from, positioned at the message
   * @return the message
   */
  public static MessageReader read(ByteBuffer buffer) {
    return read(buffer, ReaderOptions.DEFAULT);
  }

  /**
   * Reads one packed message from a buffer with explicit limits. A heap buffer is unpacked
   * straight from its array; any other buffer through a small window.
   *
   * @param buffer the buffer to read from, positioned at the message
   * @param options the limits for reading the message
   * @return the message
   */
  public static MessageReader read(ByteBuffer buffer, ReaderOptions options) {
    try {
      if (buffer.hasArray()) {
        int base = buffer.arrayOffset();
        Unpacker u = new Unpacker(buffer.array(), base + buffer.position(),
            base + buffer.limit());
        MessageReader message = Serialize.read(u, options);
        buffer.position(u.windowPosition() - base);
        return message;
      }
      Unpacker u = new Unpacker(PackedInput.of(buffer), BUFFER_WINDOW);
      MessageReader message = Serialize.read(u, options);
      buffer.position(buffer.position() - u.unconsumed());
      return message;
    } catch (IOException e) {
      throw new DecodeException("unexpected I/O error reading a buffer", e);
    }
  }

  /**
   * Reads one packed message from a channel.
   *
   * @param channel the channel to read from
   * @return the message
   * @throws IOException if reading from the channel fails
   */
  public static MessageReader read(ReadableByteChannel channel) throws IOException {
    return read(channel, ReaderOptions.DEFAULT);
  }

  /**
   * Reads one packed message from a channel with explicit limits.
   *
   * @param channel the channel to read from
   * @param options the limits for reading the message
   * @return the message
   * @throws IOException if reading from the channel fails
   */
  public static MessageReader read(ReadableByteChannel channel, ReaderOptions options)
      throws IOException {
    return Serialize.read(new Unpacker(PackedInput.of(channel), STREAM_WINDOW), options);
  }

  /**
   * Reads one packed message from a stream.
   *
   * @param in the stream to read from
   * @return the message
   * @throws IOException if reading from the stream fails
   */
  public static MessageReader read(InputStream in) throws IOException {
    return read(in, ReaderOptions.DEFAULT);
  }

  /**
   * Reads one packed message from a stream with explicit limits.
   *
   * @param in the stream to read from
   * @param options the limits for reading the message
   * @return the message
   * @throws IOException if reading from the stream fails
   */
  public static MessageReader read(InputStream in, ReaderOptions options) throws IOException {
    return Serialize.read(new Unpacker(PackedInput.of(in), STREAM_WINDOW), options);
  }

  /**
   * Reads the next packed message from a stream of messages, or returns {@code null} if the
   * stream ends cleanly before the first byte of a message.
   *
   * @param in the stream to read from
   * @param options the limits for reading the message
   * @return the message, or {@code null} at a clean end of the stream
   * @throws IOException if reading from the stream fails
   */
  public static MessageReader tryRead(InputStream in, ReaderOptions options) throws IOException {
    return Serialize.tryRead(new Unpacker(PackedInput.of(in), STREAM_WINDOW), options);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes the packed message to a channel (packing straight from the segments).
   *
   * @param channel the channel to write to
   * @param message the message to write
   * @throws IOException if writing fails
   */
  public static void write(WritableByteChannel channel, MessageBuilder message)
      throws IOException {
    Packer packer = new Packer(chunk -> {
      while (chunk.hasRemaining()) {
        channel.write(chunk);
      }
    });
    packMessage(packer, message);
  }

  /**
   * Writes the packed message to a stream (packing straight from the segments).
   *
   * @param out the stream to write to
   * @param message the message to write
   * @throws IOException if writing fails
   */
  public static void write(OutputStream out, MessageBuilder message) throws IOException {
    Packer packer = new Packer(
        chunk -> out.write(chunk.array(), chunk.arrayOffset() + chunk.position(),
            chunk.remaining()));
    packMessage(packer, message);
  }

  private static void packMessage(Packer packer, MessageBuilder message) throws IOException {
    ByteBuffer[] segs = message.getSegmentsForOutput();
    packer.pack(Serialize.header(segs));
    for (ByteBuffer s : segs) {
      packer.pack(s);
    }
    packer.flush();
  }

  /**
   * The packed message in a new heap buffer.
   *
   * @param message the message to write
   * @return the packed message in a new heap buffer
   */
  public static ByteBuffer toByteBuffer(MessageBuilder message) {
    return ByteBuffer.wrap(toBytes(message)).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The packed message as bytes.
   *
   * @param message the message to write
   * @return the packed message as bytes
   */
  public static byte[] toBytes(MessageBuilder message) {
    ByteBuffer[] segments = message.getSegmentsForOutput();
    ByteBuffer header = Serialize.header(segments);
    long bytes = header.remaining();
    for (ByteBuffer segment : segments) {
      bytes += segment.remaining();
    }
    // Worst case: every word costs its 8 bytes plus a tag and a run count.
    long bound = bytes + (bytes >>> 2) + Packer.MAX_STEP;
    if (bound > Integer.MAX_VALUE - 16) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      try {
        write(out, message);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return out.toByteArray();
    }
    // One right-sized output buffer: the packer never needs to hand a chunk to its sink.
    Packer packer = new Packer((int) bound, chunk -> {
      throw new IllegalStateException("packed size bound exceeded");
    });
    try {
      packer.pack(header);
      for (ByteBuffer segment : segments) {
        packer.pack(segment);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return packer.packedCopy();
  }

  // ---------------------------------------------------------------- raw packing

  /**
   * Packs whole words ({@code unpacked.length} must be a multiple of 8).
   *
   * @param unpacked the words to pack
   * @return the packed bytes
   */
  public static byte[] pack(byte[] unpacked) {
    if ((unpacked.length & 7) != 0) {
      throw new IllegalArgumentException("packing needs whole words, got " + unpacked.length
          + " bytes");
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    Packer packer = new Packer(chunk -> out.write(chunk.array(),
        chunk.arrayOffset() + chunk.position(), chunk.remaining()));
    try {
      packer.pack(ByteBuffer.wrap(unpacked));
      packer.flush();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Unpacks a complete packed byte sequence.
   *
   * @param packed the packed bytes
   * @return the unpacked words
   * @throws DecodeException if it is truncated
   */
  public static byte[] unpack(byte[] packed) {
    Unpacker u = new Unpacker(packed, 0, packed.length);
    byte[] out = new byte[Math.max(64, (packed.length * 2) & ~7)];
    int filled = 0;
    try {
      while (true) {
        filled = u.unpack(out, filled, out.length);
        if (filled < out.length) {
          break;
        }
        out = java.util.Arrays.copyOf(out, out.length * 2);
      }
    } catch (IOException e) {
      throw new DecodeException("unexpected I/O error", e);
    }
    return java.util.Arrays.copyOf(out, filled);
  }
}
