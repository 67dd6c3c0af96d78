package dev.capnp.runtime;

/**
 * Canonical form (per the encoding spec): a single segment, no far pointers, objects laid out in
 * pre-order, struct data sections truncated of trailing zero words and pointer sections of
 * trailing null pointers. Two equal values have byte-identical canonical forms, so it is suitable
 * for hashing and comparison.
 */
public final class Canonical {
  private Canonical() {}

  /**
   * The canonical encoding of {@code struct}: the words of one segment, root pointer first.
   *
   * @param struct the struct to encode, with everything reachable from it
   * @return the canonical encoding of {@code struct}: the words of one segment, root pointer first
   */
  public static byte[] canonicalize(StructReader struct) {
    return Wire.canonicalize(struct);
  }

  /**
   * Whether {@code message} is already in canonical form: one segment whose words are exactly the
   * canonical encoding of its root struct.
   *
   * @param message the message to check
   * @return {@code true} if {@code message} is already in canonical form: one segment whose words
   *     are exactly the canonical encoding of its root struct
   */
  public static boolean isCanonical(MessageReader message) {
    if (message.segmentCount() != 1) {
      return false;
    }
    java.nio.ByteBuffer seg = message.getSegment(0).asByteBuffer();
    AnyPointer.Reader root = message.getRootAnyPointer();
    if (!root.isNull() && !root.isStruct()) {
      return false;
    }
    byte[] canonical = canonicalize(message.getRoot(AnyStruct.FACTORY));
    if (seg.remaining() != canonical.length) {
      return false;
    }
    return seg.equals(java.nio.ByteBuffer.wrap(canonical));
  }
}
