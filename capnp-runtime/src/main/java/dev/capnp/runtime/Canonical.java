package dev.capnp.runtime;

/**
 * Canonical form (per the encoding spec): a single segment, no far pointers, objects laid out in
 * pre-order, struct data sections truncated of trailing zero words and pointer sections of
 * trailing null pointers. Two equal values have byte-identical canonical forms, so it is suitable
 * for hashing and comparison.
 */
public final class Canonical {
  private Canonical() {}

  /** The canonical encoding of {@code struct}: the words of one segment, root pointer first. */
  public static byte[] canonicalize(StructReader struct) {
    return Wire.canonicalize(struct);
  }
}
