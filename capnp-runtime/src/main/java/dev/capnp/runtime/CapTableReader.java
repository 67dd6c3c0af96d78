package dev.capnp.runtime;

/**
 * Resolves capability pointers (which hold indexes into a message's capability table) while
 * reading. The serialization layer only sees indexes; RPC supplies real tables.
 */
public interface CapTableReader {
  /** A table with no capabilities: every lookup yields {@code null}. */
  CapTableReader EMPTY = index -> null;

  /**
   * The capability at {@code index}, or {@code null} if there is none.
   *
   * @param index the index in the message's capability table
   * @return the capability at {@code index}, or {@code null} if there is none
   */
  Object extractCap(int index);
}
