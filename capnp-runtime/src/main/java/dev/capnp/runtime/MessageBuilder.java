package dev.capnp.runtime;

import java.nio.ByteBuffer;

/**
 * A message under construction. The first segment has the hinted size; later segments grow with
 * the message. Word 0 of segment 0 is the root pointer.
 */
public final class MessageBuilder {
  /** Default size of the first segment, in words. */
  public static final int DEFAULT_FIRST_SEGMENT_WORDS = 1024;

  final BuilderArena arena;
  /** Made on first use: most messages never need one. */
  private Orphanage orphanage;

  /** A message whose first segment is {@value #DEFAULT_FIRST_SEGMENT_WORDS} words. */
  public MessageBuilder() {
    this(DEFAULT_FIRST_SEGMENT_WORDS);
  }

  /**
   * A message whose first segment is {@code firstSegmentWords} words (at least 1).
   *
   * @param firstSegmentWords the size of the first segment in words (8 bytes each)
   */
  public MessageBuilder(int firstSegmentWords) {
    this.arena = new BuilderArena(Math.max(1, firstSegmentWords));
    arena.allocate(1); // root pointer
  }

  /**
   * A message whose first segment is sized from the messages built before with the same
   * {@code sizing}: large enough for what the previous one used, plus a quarter (or
   * {@value #DEFAULT_FIRST_SEGMENT_WORDS} words for the first message). A program that builds
   * one message after another, of about the same size, then allocates (and the JVM zeroes)
   * about the memory each message needs instead of a fixed first segment, and each message
   * usually fits its first segment. {@link #reset()} is the other way to build messages in a
   * loop: it reuses one message's memory.
   *
   * @param sizing the sizes of the messages built before with it (updated: this message is
   *     the next one's "previous message")
   */
  public MessageBuilder(Sizing sizing) {
    this(sizing.nextFirstSegmentWords());
    sizing.previous = arena;
  }

  /**
   * Sizes the first segment of each new message from the previous one (see
   * {@link MessageBuilder#MessageBuilder(Sizing)}). Not thread-safe: use one per thread or per
   * stream of messages. It keeps a reference to the last message built with it (to read its
   * size when the next one is made).
   */
  public static final class Sizing {
    private BuilderArena previous;

    /** A sizing that has seen no message yet. */
    public Sizing() {}

    /**
     * The first segment size, in words, for the next message: what the previous message
     * used, plus a quarter, rounded up to 8 words; {@value #DEFAULT_FIRST_SEGMENT_WORDS} if
     * there was none.
     *
     * @return the first segment size, in words, for the next message
     */
    public int nextFirstSegmentWords() {
      BuilderArena p = previous;
      if (p == null) {
        return DEFAULT_FIRST_SEGMENT_WORDS;
      }
      long used = p.usedWords();
      return (int) Math.min(BuilderArena.MAX_SEGMENT_WORDS, (used + (used >>> 2) + 7) & ~7L);
    }
  }

  /**
   * Empties this message so that it can be built again, reusing its memory: afterwards it is
   * like a new message whose first segment is large enough for everything the previous content
   * used (several segments are merged into one), so that building messages of about the same
   * size in a loop allocates no segments. Builders, readers and buffers obtained from the
   * previous content must not be used any more (they would see the new content). The
   * capability table stays as set.
   */
  public void reset() {
    arena.reset();
    arena.allocate(1); // root pointer
  }

  /**
   * Takes this message back to the size it had when {@link #sizeInWords()} returned
   * {@code words}: what was allocated since is zeroed and free again, what came before (and the
   * builders over it) stays as it is. A pointer written before into the freed part must be
   * cleared first (it would point at zeroed memory, later at new content). Only a message still
   * in its first segment can be taken back; otherwise nothing changes.
   *
   * @param words a size this message had, at least 1 (the root pointer)
   * @return whether the message was taken back (false: it has more than one segment)
   * @throws IllegalArgumentException if {@code words} is below 1 or above the current size
   */
  public boolean rewind(long words) {
    if (arena.segments.size() != 1) {
      return false;
    }
    SegmentBuilder first = arena.segment(0);
    if (words < 1 || words > first.pos) {
      throw new IllegalArgumentException("cannot rewind a message of " + first.pos
          + " words to " + words);
    }
    first.zeroFrom((int) words);
    return true;
  }

  SegmentBuilder rootSegment() {
    return arena.segment(0);
  }

  /**
   * Sets the capability table used for capability pointers (for RPC).
   *
   * @param capTable the message's capability table
   */
  public void setCapTable(CapTableBuilder capTable) {
    arena.capTable = capTable;
  }

  /**
   * Replaces the root with a new, zeroed struct.
   *
   * @param <B> the builder type
   * @param factory the type to read or build the value as
   * @return the builder of the new value
   */
  public <B extends StructBuilder> B initRoot(StructFactory<B, ?> factory) {
    return factory.initFromPointerBuilder(rootSegment(), arena.capTable, 0, 0);
  }

  /**
   * The root struct (initialised empty if the root is null).
   *
   * @param <B> the builder type
   * @param factory the type to read or build the value as
   * @return the root struct (initialised empty if the root is null)
   */
  public <B extends StructBuilder> B getRoot(StructFactory<B, ?> factory) {
    return factory.fromPointerBuilder(rootSegment(), arena.capTable, 0, null, 0);
  }

  /**
   * Sets the root to a deep copy of {@code value}, which may come from any message.
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @param value the value to copy
   */
  public <R extends StructReader> void setRoot(StructFactory<?, R> factory, R value) {
    factory.setPointerBuilder(rootSegment(), arena.capTable, 0, value);
  }

  /**
   * The root pointer, uninterpreted.
   *
   * @return the root pointer, uninterpreted
   */
  public AnyPointer.Builder getRootAnyPointer() {
    return new AnyPointer.Builder(rootSegment(), arena.capTable, 0);
  }

  /**
   * The orphanage of this message.
   *
   * @return the orphanage of this message
   */
  public Orphanage getOrphanage() {
    Orphanage o = orphanage;
    if (o == null) {
      orphanage = o = new Orphanage(arena);
    }
    return o;
  }

  /**
   * Number of segments so far.
   *
   * @return the number of segments so far
   */
  public int segmentCount() {
    return arena.segments.size();
  }

  /**
   * Words allocated over all segments.
   *
   * @return the words allocated over all segments
   */
  public long sizeInWords() {
    return arena.usedWords();
  }

  /**
   * The allocated part of every segment, as little-endian buffers sharing the message memory
   * (position 0, limit = allocated bytes).
   *
   * @return the allocated part of every segment, as little-endian buffers sharing the message
   *     memory (position 0, limit = allocated bytes)
   */
  public ByteBuffer[] getSegmentsForOutput() {
    ByteBuffer[] out = new ByteBuffer[arena.segments.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arena.segments.get(i).allocatedSlice();
    }
    return out;
  }

  /**
   * A reader over this message's current content (shares memory; no limits).
   *
   * @return a reader over this message's current content
   */
  public MessageReader asReader() {
    return new MessageReader(getSegmentsForOutput(),
        new ReaderOptions(Long.MAX_VALUE, Integer.MAX_VALUE));
  }
}
