package dev.capnp.runtime;

/** A capability table that can also receive new capabilities while building a message. */
public interface CapTableBuilder extends CapTableReader {
  /** A table with no capabilities: injecting is not supported, lookups yield {@code null}. */
  CapTableBuilder EMPTY = new CapTableBuilder() {
    @Override
    public Object extractCap(int index) {
      return null;
    }

    @Override
    public int injectCap(Object cap) {
      throw new UnsupportedOperationException("this message has no capability table");
    }

    @Override
    public void dropCap(int index) {
      // nothing to drop
    }
  };

  /**
   * Adds {@code cap} to the table and returns its index.
   *
   * @param cap the capability to add
   * @return its index in the table
   */
  int injectCap(Object cap);

  /**
   * Releases the capability at {@code index} (its pointer was overwritten).
   *
   * @param index the index in the message's capability table
   */
  void dropCap(int index);
}
