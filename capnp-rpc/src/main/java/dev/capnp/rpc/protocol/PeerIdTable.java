package dev.capnp.rpc.protocol;

import java.util.HashMap;
import java.util.TreeMap;

/**
 * A table of entries keyed by ids the peer chooses (the answers table: the peer's question
 * ids). Peers allocate such ids from 0 and reuse freed ones (rpc.capnp), so they stay small:
 * ids below {@value #DIRECT_IDS} live in an array (no boxing, no map node per entry); others, which
 * only an unusual or hostile peer uses, in a map. The array grows with the largest small id
 * used, so a peer cannot make it larger than {@value #DIRECT_IDS} entries. Confined to the
 * connection's loop.
 */
final class PeerIdTable<T> {
  /** Ids below this are stored in the array. */
  static final int DIRECT_IDS = 1024;

  private Object[] direct = new Object[8];
  private final HashMap<Integer, T> others = new HashMap<>();
  private int size;

  /** The entry with {@code id}, or null. */
  @SuppressWarnings("unchecked")
  T get(int id) {
    if (id >= 0 && id < DIRECT_IDS) {
      return id < direct.length ? (T) direct[id] : null;
    }
    return others.get(id);
  }

  /** Stores {@code value} (not null) under {@code id}, which must be free. */
  void put(int id, T value) {
    if (id >= 0 && id < DIRECT_IDS) {
      if (id >= direct.length) {
        direct = java.util.Arrays.copyOf(direct, Math.min(DIRECT_IDS,
            Math.max(direct.length * 2, Integer.highestOneBit(id) * 2)));
      }
      direct[id] = value;
    } else {
      others.put(id, value);
    }
    size++;
  }

  /** Removes the entry with {@code id}, if any. */
  void remove(int id) {
    if (id >= 0 && id < DIRECT_IDS) {
      if (id < direct.length && direct[id] != null) {
        direct[id] = null;
        size--;
      }
    } else if (others.remove(id) != null) {
      size--;
    }
  }

  int size() {
    return size;
  }

  /** Every entry by id, in id order (diagnostics and teardown; allocates). */
  @SuppressWarnings("unchecked")
  TreeMap<Integer, T> snapshot() {
    TreeMap<Integer, T> all = new TreeMap<>(others);
    for (int i = 0; i < direct.length; i++) {
      if (direct[i] != null) {
        all.put(i, (T) direct[i]);
      }
    }
    return all;
  }

  void clear() {
    java.util.Arrays.fill(direct, null);
    others.clear();
    size = 0;
  }
}
