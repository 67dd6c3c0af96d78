package dev.capnp.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** Where an {@link Unpacker} gets packed bytes from once its window is used up. */
interface PackedInput {
  /**
   * Reads at least {@code atLeast} bytes (unless the input ends first) and at most {@code len}
   * into {@code dst} at {@code off}; returns the count, or -1 at the end of input.
   */
  int read(byte[] dst, int off, int len, int atLeast) throws IOException;

  /** A stream, read exactly as far as needed (never past the message). */
  static PackedInput of(InputStream in) {
    return (dst, off, len, atLeast) -> {
      int got = 0;
      while (got < atLeast) {
        int n = in.read(dst, off + got, atLeast - got);
        if (n < 0) {
          return got == 0 ? -1 : got;
        }
        got += n;
      }
      return got;
    };
  }

  /** A channel, read exactly as far as needed (never past the message). */
  static PackedInput of(ReadableByteChannel channel) {
    return (dst, off, len, atLeast) -> {
      ByteBuffer b = ByteBuffer.wrap(dst, off, atLeast);
      while (b.hasRemaining()) {
        if (channel.read(b) < 0) {
          return b.position() == off ? -1 : b.position() - off;
        }
      }
      return atLeast;
    };
  }

  /**
   * A buffer without an accessible array, read ahead as far as {@code len} allows; the reader
   * moves the buffer's position back over what the unpacker did not consume.
   */
  static PackedInput of(ByteBuffer buffer) {
    return (dst, off, len, atLeast) -> {
      int n = Math.min(len, buffer.remaining());
      if (n == 0) {
        return -1;
      }
      buffer.get(dst, off, n);
      return n;
    };
  }
}
