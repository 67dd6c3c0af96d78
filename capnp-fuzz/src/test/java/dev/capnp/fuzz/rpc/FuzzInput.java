package dev.capnp.fuzz.rpc;

/** Reads choices from fuzzer bytes; once the bytes run out every choice is 0. */
final class FuzzInput {
  private final byte[] data;
  private int pos;

  FuzzInput(byte[] data) {
    this.data = data;
  }

  boolean more() {
    return pos < data.length;
  }

  /** A value in {@code [0, bound)} from the next byte (or two bytes when bound > 256). */
  int next(int bound) {
    if (bound <= 1) {
      return 0;
    }
    int v = byteAt();
    if (bound > 256) {
      v = (v << 8) | byteAt();
    }
    return v % bound;
  }

  private int byteAt() {
    return pos < data.length ? data[pos++] & 0xff : 0;
  }
}
