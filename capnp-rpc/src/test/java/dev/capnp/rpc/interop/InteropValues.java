package dev.capnp.rpc.interop;

import java.nio.ByteBuffer;

/** The value rules of interop.capnp shared by both sides (mirrors interop/src/common.h). */
final class InteropValues {
  private InteropValues() {}

  /** The FNV-1a offset basis: the hash of nothing. */
  static final long FNV_OFFSET = 0xcbf29ce484222325L;

  /** 64-bit FNV-1a of the remaining bytes of {@code data} (bigEcho's checksum). */
  static long fnv1a64(ByteBuffer data) {
    return fnv1a64(FNV_OFFSET, data);
  }

  /** 64-bit FNV-1a continued from {@code h} over the remaining bytes of {@code data}. */
  static long fnv1a64(long h, ByteBuffer data) {
    for (int i = data.position(); i < data.limit(); i++) {
      h ^= data.get(i) & 0xFF;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** Byte {@code i} of the data bigEcho returns. */
  static byte replyByte(long i) {
    return (byte) ((i * 7 + 3) & 0xFF);
  }

  /** Byte {@code i} of write number {@code seq} in the streaming scenario. */
  static byte streamByte(int seq, int i) {
    return (byte) ((seq * 31L + i) & 0xFF);
  }

  /** {@code s} reversed (ASCII). */
  static String reversed(String s) {
    return new StringBuilder(s).reverse().toString();
  }
}
