package dev.capnp.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Incremental unpacker producing whole words. It decodes straight out of a window of packed
 * bytes: the backing array of a heap buffer (no copy), or a small array refilled from a
 * {@link PackedInput}. While the window holds a whole step (tag, up to 8 bytes, run count) words
 * are decoded without bounds checks per byte and without calls; near the end of the window, one
 * word at a time with exact refills, so stream and channel inputs are never read past the message.
 */
final class Unpacker implements Serialize.Source {
  /** Bytes of the longest step outside runs: tag, 8 data bytes, run count. */
  private static final int STEP = 10;

  private final PackedInput in;
  private byte[] buf;
  private int pos;
  private int lim;
  /** Packed-input offset of {@code buf[0]} (so {@code offset + pos} bytes have been consumed). */
  private long offset;
  private int zeroWords;
  private int literalWords;

  /** Unpacks {@code buf[pos, lim)} and nothing else (no copy). */
  Unpacker(byte[] buf, int pos, int lim) {
    this.in = null;
    this.buf = buf;
    this.pos = pos;
    this.lim = lim;
    this.offset = -pos;
  }

  /** Unpacks what {@code in} delivers, through a window of {@code windowBytes} bytes. */
  Unpacker(PackedInput in, int windowBytes) {
    this.in = in;
    this.buf = new byte[Math.max(windowBytes, 2 * STEP)];
  }

  /** The position in the window: the array offset just past what was consumed. */
  int windowPosition() {
    return pos;
  }

  /** Bytes fetched from the input but not consumed yet. */
  int unconsumed() {
    return lim - pos;
  }

  private long consumed() {
    return offset + pos;
  }

  /**
   * Makes at least {@code n} (at most {@link #STEP}) bytes available at {@code buf[pos]}; false
   * if the input ends first.
   */
  private boolean require(int n) throws IOException {
    if (lim - pos >= n) {
      return true;
    }
    if (in == null) {
      return false;
    }
    int have = lim - pos;
    System.arraycopy(buf, pos, buf, 0, have);
    offset += pos;
    pos = 0;
    lim = have;
    while (lim < n) {
      int got = in.read(buf, lim, buf.length - lim, n - lim);
      if (got <= 0) {
        return false;
      }
      lim += got;
    }
    return true;
  }

  @Override
  public boolean readFully(ByteBuffer dst) throws IOException {
    if ((dst.remaining() & 7) != 0 || !dst.hasArray()) {
      throw new IllegalArgumentException("unpacking needs whole words in a heap buffer");
    }
    int start = dst.arrayOffset() + dst.position();
    int end = start + dst.remaining();
    int o = unpack(dst.array(), start, end);
    if (o < end) {
      if (o == start) {
        return false;
      }
      throw new DecodeException("premature end of packed stream: " + (end - o)
          + " more bytes expected");
    }
    dst.position(dst.limit());
    return true;
  }

  /**
   * Unpacks into {@code out[o, end)} ({@code end - o} a multiple of 8); returns where it stopped,
   * before {@code end} only at a clean end of input (between two words, outside any run).
   */
  int unpack(byte[] out, int o, int end) throws IOException {
    while (o < end) {
      if (zeroWords > 0) {
        int n = Math.min(zeroWords, (end - o) >>> 3);
        Arrays.fill(out, o, o + n * 8, (byte) 0);
        zeroWords -= n;
        o += n * 8;
      } else if (literalWords > 0) {
        int n = Math.min(literalWords, (end - o) >>> 3);
        literal(out, o, n * 8);
        literalWords -= n;
        o += n * 8;
      } else if (lim - pos >= STEP) {
        o = unpackWindow(out, o, end);
      } else if (!require(1)) {
        return o;
      } else {
        o = unpackOneWord(out, o);
      }
    }
    return o;
  }

  /**
   * Decodes words while the window holds a whole step; runs are expanded at once where they fit
   * (else left in {@code zeroWords}/{@code literalWords} for the caller). Stops at {@code end}.
   */
  private int unpackWindow(byte[] out, int o, int end) {
    byte[] buf = this.buf;
    int p = pos;
    int last = lim - STEP;
    while (o < end && p <= last) {
      int tag = buf[p++] & 0xff;
      if (tag == 0) {
        int run = buf[p++] & 0xff;
        Packer.LONGS.set(out, o, 0L);
        o += 8;
        int n = Math.min(run, (end - o) >>> 3);
        Arrays.fill(out, o, o + n * 8, (byte) 0);
        o += n * 8;
        if (n < run) {
          zeroWords = run - n;
          break;
        }
        continue;
      }
      if (tag == 0xff) {
        System.arraycopy(buf, p, out, o, 8);
        int run = (buf[p + 8] & 0xff) * 8;
        p += 9;
        o += 8;
        if (run > end - o || run > lim - p) {
          literalWords = run >>> 3;
          break;
        }
        System.arraycopy(buf, p, out, o, run);
        p += run;
        o += run;
        continue;
      }
      // The 8 bytes after the tag lie inside the window; the tag's bytes are its first ones,
      // spread out to the positions of its set bits (absent bytes are zero).
      long packed = (long) Packer.LONGS.get(buf, p);
      long word = 0;
      for (int t = tag; t != 0; t &= t - 1) {
        word |= (packed & 0xff) << (Integer.numberOfTrailingZeros(t) << 3);
        packed >>>= 8;
      }
      Packer.LONGS.set(out, o, word);
      p += Integer.bitCount(tag);
      o += 8;
    }
    pos = p;
    return o;
  }

  /** Decodes one word near the end of the window (the tag is available at {@code buf[pos]}). */
  private int unpackOneWord(byte[] out, int o) throws IOException {
    int tag = buf[pos] & 0xff;
    int need = 1 + Integer.bitCount(tag) + (tag == 0 || tag == 0xff ? 1 : 0);
    if (!require(need)) {
      throw new DecodeException("truncated packed data at packed byte " + (offset + lim)
          + ": the word tagged 0x" + Integer.toHexString(tag) + " needs " + need + " bytes");
    }
    int p = pos + 1;
    for (int b = 0; b < 8; b++) {
      if ((tag & (1 << b)) != 0) {
        out[o + b] = buf[p++];
      } else {
        out[o + b] = 0;
      }
    }
    if (tag == 0) {
      zeroWords = buf[p++] & 0xff;
    } else if (tag == 0xff) {
      literalWords = buf[p++] & 0xff;
    }
    pos = p;
    return o + 8;
  }

  /** Copies {@code len} literal bytes: what the window holds, then straight from the input. */
  private void literal(byte[] out, int o, int len) throws IOException {
    int fromWindow = Math.min(len, lim - pos);
    System.arraycopy(buf, pos, out, o, fromWindow);
    pos += fromWindow;
    o += fromWindow;
    len -= fromWindow;
    while (len > 0) {
      int got = in == null ? -1 : in.read(out, o, len, len);
      if (got <= 0) {
        throw new DecodeException("truncated packed data in a literal run at packed byte "
            + consumed());
      }
      offset += got;
      o += got;
      len -= got;
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
          + (zeroWords + literalWords) + " more words (at packed byte " + consumed() + ")");
    }
  }
}
