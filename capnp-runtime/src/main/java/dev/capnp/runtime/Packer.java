package dev.capnp.runtime;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Streaming packer: packs buffers of whole words into a fixed output array, handing full chunks
 * to a {@link Sink}. Words are read as {@code long}s: a zero word costs one compare, a word's
 * tag (one bit per non-zero byte) is computed without a loop, and only its non-zero bytes are
 * visited. Runs never span two input buffers (still valid packing). The output is byte-for-byte
 * that of the C++ implementation.
 */
final class Packer {
  /** Receives packed output in chunks. */
  interface Sink {
    /** Consumes all remaining bytes of {@code chunk} (a heap buffer). */
    void accept(ByteBuffer chunk) throws IOException;
  }

  static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final int DEFAULT_CAPACITY = 16 * 1024;
  /** Worst case for one step: tag + 8 bytes + count + 255 literal words. */
  static final int MAX_STEP = 10 + 255 * 8;
  /** Longest zero or literal run after a tag word, in bytes. */
  private static final int MAX_RUN_BYTES = 255 * 8;

  private final Sink sink;
  private final byte[] out;
  private int o;

  Packer(Sink sink) {
    this(DEFAULT_CAPACITY, sink);
  }

  /** A packer whose output array holds {@code capacity} bytes (at least one step). */
  Packer(int capacity, Sink sink) {
    this.sink = sink;
    this.out = new byte[Math.max(capacity, MAX_STEP)];
  }

  /** A copy of the packed bytes not yet flushed to the sink. */
  byte[] packedCopy() {
    return java.util.Arrays.copyOf(out, o);
  }

  /** Packs the remaining bytes of {@code words} (a whole number of words; not consumed). */
  void pack(ByteBuffer words) throws IOException {
    if (words.hasArray()) {
      int off = words.arrayOffset() + words.position();
      pack(words.array(), off, off + (words.remaining() & ~7));
    } else {
      byte[] copy = new byte[words.remaining() & ~7];
      words.duplicate().get(copy);
      pack(copy, 0, copy.length);
    }
  }

  private void pack(byte[] src, int p, int end) throws IOException {
    byte[] out = this.out;
    int o = this.o;
    while (p < end) {
      if (out.length - o < MAX_STEP) {
        this.o = o;
        flush();
        o = 0;
      }
      long word = (long) LONGS.get(src, p);
      p += 8;
      if (word == 0) {
        int runEnd = Math.min(end, p + MAX_RUN_BYTES);
        int q = p;
        while (q < runEnd && (long) LONGS.get(src, q) == 0) {
          q += 8;
        }
        out[o] = 0;
        out[o + 1] = (byte) ((q - p) >>> 3);
        o += 2;
        p = q;
        continue;
      }
      int tag = tag(word);
      out[o++] = (byte) tag;
      // One store per non-zero byte: typical words (pointers, small numbers, padding) have few.
      for (int t = tag; t != 0; t &= t - 1) {
        out[o++] = (byte) (word >>> (Integer.numberOfTrailingZeros(t) << 3));
      }
      if (tag == 0xff) {
        int runStart = p;
        int runEnd = Math.min(end, p + MAX_RUN_BYTES);
        // A word with at most one zero byte costs no more unpacked than packed.
        while (p < runEnd && Integer.bitCount(tag((long) LONGS.get(src, p))) >= 7) {
          p += 8;
        }
        int run = p - runStart;
        out[o++] = (byte) (run >>> 3);
        System.arraycopy(src, runStart, out, o, run);
        o += run;
      }
    }
    this.o = o;
  }

  /** Bit {@code i} set where byte {@code i} (little-endian) of {@code word} is non-zero. */
  static int tag(long word) {
    long t = word | (word >>> 4);
    t |= t >>> 2;
    t |= t >>> 1;
    t &= 0x0101010101010101L;
    // Gathers bit 0 of each byte into the top byte, byte i landing on bit 56 + i.
    return (int) ((t * 0x0102040810204080L) >>> 56);
  }

  void flush() throws IOException {
    if (o > 0) {
      sink.accept(ByteBuffer.wrap(out, 0, o));
      o = 0;
    }
  }
}
