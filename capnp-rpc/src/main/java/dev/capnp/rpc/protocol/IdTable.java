package dev.capnp.rpc.protocol;

import java.util.ArrayList;
import java.util.function.BiConsumer;

/**
 * A table of entries keyed by small integer ids that the local side allocates (questions,
 * exports, embargoes). Ids start at 0; freed ids are reused last-in-first-out.
 */
public final class IdTable<T> {
  private final ArrayList<T> slots = new ArrayList<>();
  /** Freed ids to reuse; made at the first free (most tables of an idle connection free none). */
  private int[] free = NO_IDS;
  private static final int[] NO_IDS = new int[0];
  private int freeCount;
  private int size;

  /** Stores {@code value} under a fresh id. */
  int add(T value) {
    size++;
    if (freeCount > 0) {
      int id = free[--freeCount];
      slots.set(id, value);
      return id;
    }
    slots.add(value);
    return slots.size() - 1;
  }

  /** Puts {@code value} in the slot {@code id} that {@link #add} reserved. */
  void set(int id, T value) {
    slots.set(id, value);
  }

  /** The entry with {@code id}, or null. */
  T get(int id) {
    return id >= 0 && id < slots.size() ? slots.get(id) : null;
  }

  /** Removes and returns the entry with {@code id} (null if absent). */
  T remove(int id) {
    T v = get(id);
    if (v != null) {
      slots.set(id, null);
      size--;
      if (freeCount == free.length) {
        free = java.util.Arrays.copyOf(free, Math.max(8, freeCount * 2));
      }
      free[freeCount++] = id;
    }
    return v;
  }

  int size() {
    return size;
  }

  void forEach(BiConsumer<Integer, T> f) {
    for (int i = 0; i < slots.size(); i++) {
      T v = slots.get(i);
      if (v != null) {
        f.accept(i, v);
      }
    }
  }

  /** All entries, in id order. */
  ArrayList<T> values() {
    ArrayList<T> r = new ArrayList<>();
    for (T v : slots) {
      if (v != null) {
        r.add(v);
      }
    }
    return r;
  }

  void clear() {
    slots.clear();
    freeCount = 0;
    size = 0;
  }
}
