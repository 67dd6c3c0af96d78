package dev.capnp.runtime;

/**
 * An object that belongs to a message but is not (yet) reachable from its root. Created by
 * {@link Orphanage} or by disowning a pointer; consumed by adopting it into a pointer of the same
 * message. Internally the orphan is held by a private pointer slot in the message.
 *
 * @param <T> builder type of the orphaned value
 */
public final class Orphan<T> {
  private final PointerFactory<T, ?> factory;
  private final SegmentBuilder slotSegment;
  private final int slot;
  private final CapTableBuilder capTable;
  private boolean adopted;

  Orphan(PointerFactory<T, ?> factory, SegmentBuilder slotSegment, int slot,
      CapTableBuilder capTable) {
    this.factory = factory;
    this.slotSegment = slotSegment;
    this.slot = slot;
    this.capTable = capTable;
  }

  /** Allocates a fresh, null orphan slot in the arena of {@code segment}. */
  static <T> Orphan<T> newSlot(PointerFactory<T, ?> factory, BuilderArena arena,
      CapTableBuilder capTable) {
    SegmentBuilder seg = arena.allocate(1);
    return new Orphan<>(factory, seg, arena.lastOffset, capTable);
  }

  static <T> Orphan<T> disown(PointerFactory<T, ?> factory, SegmentBuilder segment,
      CapTableBuilder capTable, int pointer) {
    Orphan<T> orphan = newSlot(factory, segment.builderArena, capTable);
    Wire.transferPointer(orphan.slotSegment, orphan.slot, segment, pointer);
    segment.putWord(pointer, 0);
    return orphan;
  }

  private void checkLive() {
    if (adopted) {
      throw new IllegalStateException("orphan was already adopted");
    }
  }

  /**
   * A builder for the orphaned value.
   *
   * @return a builder for the orphaned value
   */
  public T get() {
    checkLive();
    return factory.fromPointerBuilder(slotSegment, capTable, slot, null, 0);
  }

  /**
   * A reader for the orphaned value, interpreted with {@code readerFactory}.
   *
   * @param <R> the reader type
   * @param readerFactory the type to read the value as
   * @return a reader for the orphaned value, interpreted with {@code readerFactory}
   */
  public <R> R getReader(PointerFactory<?, R> readerFactory) {
    checkLive();
    return readerFactory.fromPointerReader(slotSegment, capTable, slot, null, 0,
        Integer.MAX_VALUE);
  }

  /**
   * Whether the orphan holds nothing (e.g. it was disowned from a null pointer).
   *
   * @return {@code true} if the orphan holds nothing
   */
  public boolean isNull() {
    return adopted || slotSegment.getWord(slot) == 0;
  }

  SegmentBuilder slotSegment() {
    return slotSegment;
  }

  int slot() {
    return slot;
  }

  void adoptInto(SegmentBuilder segment, int pointer) {
    checkLive();
    if (segment.builderArena != slotSegment.builderArena) {
      throw new IllegalArgumentException("an orphan can only be adopted into its own message");
    }
    Wire.clearPointer(segment, pointer);
    Wire.transferPointer(segment, pointer, slotSegment, slot);
    slotSegment.putWord(slot, 0);
    adopted = true;
  }
}
