package dev.capnp.fuzz;

import java.io.InputStream;

/**
 * An input stream that hands out at most {@code chunk} bytes per read, as a socket may: exercises
 * the readers' handling of partial reads.
 */
final class TrickleInputStream extends InputStream {
  private final byte[] data;
  private final int chunk;
  private int pos;

  TrickleInputStream(byte[] data, int chunk) {
    this.data = data;
    this.chunk = chunk;
  }

  /** Bytes handed out so far. */
  int position() {
    return pos;
  }

  @Override
  public int read() {
    return pos < data.length ? data[pos++] & 0xff : -1;
  }

  @Override
  public int read(byte[] dst, int off, int len) {
    if (len == 0) {
      return 0;
    }
    if (pos >= data.length) {
      return -1;
    }
    int n = Math.min(Math.min(len, chunk), data.length - pos);
    System.arraycopy(data, pos, dst, off, n);
    pos += n;
    return n;
  }
}
