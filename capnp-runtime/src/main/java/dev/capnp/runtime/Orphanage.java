package dev.capnp.runtime;

/** Creates {@link Orphan}s inside one message ({@link MessageBuilder#getOrphanage()}). */
public final class Orphanage {
  private final BuilderArena arena;

  Orphanage(BuilderArena arena) {
    this.arena = arena;
  }

  /**
   * A new zeroed orphan: a struct (size ignored), or a list / text / data of {@code size}
   * elements (bytes).
   *
   * @param <T> the type of the orphaned value
   * @param factory the type to read or build the value as
   * @param size the number of elements (bytes for Text and Data)
   * @return a new zeroed orphan: a struct (size ignored), or a list / text / data of {@code size}
   *     elements (bytes)
   */
  public <T> Orphan<T> newOrphan(PointerFactory<T, ?> factory, int size) {
    Orphan<T> orphan = Orphan.newSlot(factory, arena, arena.capTable);
    factory.initFromPointerBuilder(orphan.slotSegment(), arena.capTable, orphan.slot(), size);
    return orphan;
  }

  /**
   * A new orphan holding a deep copy of {@code value} (which may come from any message).
   *
   * @param <B> the builder type
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @param value the value to copy
   * @return a new orphan holding a deep copy of {@code value} (which may come from any message)
   */
  public <B, R> Orphan<B> newOrphanCopy(PointerFactory<B, R> factory, R value) {
    Orphan<B> orphan = Orphan.newSlot(factory, arena, arena.capTable);
    factory.setPointerBuilder(orphan.slotSegment(), arena.capTable, orphan.slot(), value);
    return orphan;
  }
}
