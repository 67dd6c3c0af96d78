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
  private SerializePacked() {}

  // ---------------------------------------------------------------- reading

  /** Reads one packed message from a buffer, advancing its position past the message. */
  public static MessageReader read(ByteBuffer buffer) {
    return read(buffer, ReaderOptions.DEFAULT);
  }

  /** Reads one packed message from a buffer with explicit limits. */
  public static MessageReader read(ByteBuffer buffer, ReaderOptions options) {
    try {
      return Serialize.read(new Unpacker(new BufferInput(buffer)), options);
    } catch (IOException e) {
      throw new DecodeException("unexpected I/O error reading a buffer", e);
    }
  }

  /** Reads one packed message from a channel. */
  public static MessageReader read(ReadableByteChannel channel) throws IOException {
    return read(channel, ReaderOptions.DEFAULT);
  }

  /** Reads one packed message from a channel with explicit limits. */
  public static MessageReader read(ReadableByteChannel channel, ReaderOptions options)
      throws IOException {
    return Serialize.read(new Unpacker(new ChannelInput(channel)), options);
  }

  /** Reads one packed message from a stream. */
  public static MessageReader read(InputStream in) throws IOException {
    return read(in, ReaderOptions.DEFAULT);
  }

  /** Reads one packed message from a stream with explicit limits. */
  public static MessageReader read(InputStream in, ReaderOptions options) throws IOException {
    return Serialize.read(new Unpacker(new StreamInput(in)), options);
  }

  /**
   * Reads the next packed message from a stream of messages, or returns {@code null} if the
   * stream ends cleanly before the first byte of a message.
   */
  public static MessageReader tryRead(InputStream in, ReaderOptions options) throws IOException {
    return Serialize.tryRead(new Unpacker(new StreamInput(in)), options);
  }

  // ---------------------------------------------------------------- writing

  /** Writes the packed message to a channel (packing straight from the segments). */
  public static void write(WritableByteChannel channel, MessageBuilder message)
      throws IOException {
    Packer packer = new Packer(chunk -> {
      while (chunk.hasRemaining()) {
        channel.write(chunk);
      }
    });
    packMessage(packer, message);
  }

  /** Writes the packed message to a stream (packing straight from the segments). */
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

  /** The packed message in a new heap buffer. */
  public static ByteBuffer toByteBuffer(MessageBuilder message) {
    return ByteBuffer.wrap(toBytes(message)).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The packed message as bytes. */
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

  /** Packs whole words ({@code unpacked.length} must be a multiple of 8). */
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

  /** Receives packed output in chunks. */
  interface Sink {
    /** Consumes all remaining bytes of {@code chunk} (a heap buffer). */
    void accept(ByteBuffer chunk) throws IOException;
  }

  /**
   * Streaming packer: packs buffers of whole words into a fixed output buffer, handing full
   * chunks to a {@link Sink}. Runs never span two input buffers (still valid packing).
   */
  static final class Packer {
    private static final int DEFAULT_CAPACITY = 16 * 1024;
    /** Worst case for one step: tag + 8 bytes + count + 255 literal words. */
    static final int MAX_STEP = 10 + 255 * 8;

    private final Sink sink;
    private final byte[] out;
    private int o;

    Packer(Sink sink) {
      this(DEFAULT_CAPACITY, sink);
    }

    /** A packer whose output buffer holds {@code capacity} bytes (at least one step). */
    Packer(int capacity, Sink sink) {
      this.sink = sink;
      this.out = new byte[Math.max(capacity, MAX_STEP)];
    }

    /** A copy of the packed bytes not yet flushed to the sink. */
    byte[] packedCopy() {
      return java.util.Arrays.copyOf(out, o);
    }

    void pack(ByteBuffer words) throws IOException {
      byte[] src;
      int off;
      if (words.hasArray()) {
        src = words.array();
        off = words.arrayOffset() + words.position();
      } else {
        src = new byte[words.remaining()];
        words.duplicate().get(src);
        off = 0;
      }
      int count = words.remaining() >>> 3;
      int w = 0;
      while (w < count) {
        if (out.length - o < MAX_STEP) {
          flush();
        }
        int base = off + w * 8;
        int tagPos = o++;
        int tag = 0;
        for (int b = 0; b < 8; b++) {
          byte v = src[base + b];
          if (v != 0) {
            tag |= 1 << b;
            out[o++] = v;
          }
        }
        out[tagPos] = (byte) tag;
        w++;
        if (tag == 0) {
          int run = 0;
          while (w < count && run < 255 && zeroBytes(src, off + w * 8) == 8) {
            run++;
            w++;
          }
          out[o++] = (byte) run;
        } else if (tag == 0xff) {
          int runStart = w;
          int run = 0;
          while (w < count && run < 255 && zeroBytes(src, off + w * 8) < 2) {
            run++;
            w++;
          }
          out[o++] = (byte) run;
          System.arraycopy(src, off + runStart * 8, out, o, run * 8);
          o += run * 8;
        }
      }
    }

    void flush() throws IOException {
      if (o > 0) {
        sink.accept(ByteBuffer.wrap(out, 0, o));
        o = 0;
      }
    }

    private static int zeroBytes(byte[] a, int at) {
      int n = 0;
      for (int b = 0; b < 8; b++) {
        if (a[at + b] == 0) {
          n++;
        }
      }
      return n;
    }
  }

  /**
   * Unpacks a complete packed byte sequence.
   *
   * @throws DecodeException if it is truncated
   */
  public static byte[] unpack(byte[] packed) {
    Unpacker u = new Unpacker(new BufferInput(ByteBuffer.wrap(packed)));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(packed.length * 2);
    ByteBuffer word = ByteBuffer.allocate(8);
    try {
      while (true) {
        word.clear();
        if (!u.readFully(word)) {
          break;
        }
        out.write(word.array(), 0, 8);
      }
    } catch (IOException e) {
      throw new DecodeException("unexpected I/O error", e);
    }
    return out.toByteArray();
  }

  // ---------------------------------------------------------------- unpacking

  /** Byte input for the unpacker. */
  interface ByteInput {
    /** The next byte (0..255), or -1 at end of input. */
    int read() throws IOException;

    /** Reads up to {@code len} bytes into {@code dst}; -1 at end of input. */
    int read(byte[] dst, int off, int len) throws IOException;
  }

  /** Incremental unpacker producing whole words. */
  static final class Unpacker implements Serialize.Source {
    private final ByteInput in;
    private int zeroWords;
    private int literalWords;
    private long consumed;

    Unpacker(ByteInput in) {
      this.in = in;
    }

    private int nextByte(boolean required) throws IOException {
      int b = in.read();
      if (b < 0 && required) {
        throw new DecodeException("truncated packed data at packed byte " + consumed);
      }
      if (b >= 0) {
        consumed++;
      }
      return b;
    }

    /** Unpacks one word into {@code dst} at {@code off}; false at a clean end of input. */
    private boolean word(byte[] dst, int off) throws IOException {
      if (zeroWords > 0) {
        zeroWords--;
        java.util.Arrays.fill(dst, off, off + 8, (byte) 0);
        return true;
      }
      if (literalWords > 0) {
        literalWords--;
        readLiteral(dst, off, 8);
        return true;
      }
      int tag = nextByte(false);
      if (tag < 0) {
        return false;
      }
      for (int b = 0; b < 8; b++) {
        dst[off + b] = (tag & (1 << b)) != 0 ? (byte) nextByte(true) : 0;
      }
      if (tag == 0) {
        zeroWords = nextByte(true);
      } else if (tag == 0xff) {
        literalWords = nextByte(true);
      }
      return true;
    }

    private void readLiteral(byte[] dst, int off, int len) throws IOException {
      while (len > 0) {
        int n = in.read(dst, off, len);
        if (n < 0) {
          throw new DecodeException("truncated packed data in a literal run at packed byte "
              + consumed);
        }
        consumed += n;
        off += n;
        len -= n;
      }
    }

    /**
     * A zero run or literal run must not continue past the end of a section (as C++: "Packed
     * input did not end cleanly on a segment boundary"); otherwise the run's remaining words
     * would be silently dropped or the next message would start inside a literal run.
     */
    @Override
    public void requireSectionEnd(String section) {
      if (zeroWords > 0 || literalWords > 0) {
        throw new DecodeException("packed input does not end cleanly at the end of the "
            + section + ": a " + (zeroWords > 0 ? "zero" : "literal") + " run continues for "
            + (zeroWords + literalWords) + " more words (at packed byte " + consumed + ")");
      }
    }

    @Override
    public boolean readFully(ByteBuffer dst) throws IOException {
      if ((dst.remaining() & 7) != 0 || !dst.hasArray()) {
        throw new IllegalArgumentException("unpacking needs whole words in a heap buffer");
      }
      byte[] arr = dst.array();
      int off = dst.arrayOffset() + dst.position();
      int end = off + dst.remaining();
      boolean first = true;
      while (off < end) {
        if (literalWords > 0 && end - off >= 8) {
          int n = Math.min(literalWords, (end - off) / 8);
          readLiteral(arr, off, n * 8);
          literalWords -= n;
          off += n * 8;
        } else if (zeroWords > 0) {
          int n = Math.min(zeroWords, (end - off) / 8);
          java.util.Arrays.fill(arr, off, off + n * 8, (byte) 0);
          zeroWords -= n;
          off += n * 8;
        } else if (!word(arr, off)) {
          if (first) {
            return false;
          }
          throw new DecodeException("premature end of packed stream: "
              + (end - off) + " more bytes expected");
        } else {
          off += 8;
        }
        first = false;
      }
      dst.position(dst.limit());
      return true;
    }
  }

  private static final class BufferInput implements ByteInput {
    private final ByteBuffer buffer;

    BufferInput(ByteBuffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public int read() {
      return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] dst, int off, int len) {
      if (!buffer.hasRemaining()) {
        return -1;
      }
      int n = Math.min(len, buffer.remaining());
      buffer.get(dst, off, n);
      return n;
    }
  }

  private static final class StreamInput implements ByteInput {
    private final InputStream in;

    StreamInput(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      return in.read();
    }

    @Override
    public int read(byte[] dst, int off, int len) throws IOException {
      return in.read(dst, off, len);
    }
  }

  /**
   * Channel input that never reads past the current message (so several messages can be read
   * from one channel); wrap slow channels in a buffered stream and use the stream variant for
   * speed.
   */
  private static final class ChannelInput implements ByteInput {
    private final ReadableByteChannel channel;
    private final ByteBuffer one = ByteBuffer.allocate(1);

    ChannelInput(ReadableByteChannel channel) {
      this.channel = channel;
    }

    @Override
    public int read() throws IOException {
      one.clear();
      int n;
      do {
        n = channel.read(one);
      } while (n == 0);
      return n < 0 ? -1 : one.get(0) & 0xff;
    }

    @Override
    public int read(byte[] dst, int off, int len) throws IOException {
      ByteBuffer b = ByteBuffer.wrap(dst, off, len);
      int n;
      do {
        n = channel.read(b);
      } while (n == 0 && len > 0);
      return n;
    }
  }
}
