package dev.capnp.runtime;

/** {@code AnyPointer}: a pointer of unknown type, interpreted on demand with a factory. */
public final class AnyPointer {
  private AnyPointer() {}

  /** Factory for {@code AnyPointer} fields. */
  public static final Factory FACTORY = new Factory();

  /**
   * Reads pointer field {@code pointerIndex} of {@code struct} (an {@code AnyPointer} field)
   * as {@code factory}'s type, as {@code getX().getAs(factory)} would, without the
   * {@link Reader} in between: code that reads the same kind of field once per message (the
   * RPC layer's payloads) allocates only the value's reader. A pointer beyond the struct's
   * pointer section reads as null.
   *
   * @param <R> the reader type
   * @param struct the struct holding the field
   * @param pointerIndex the index of the field's pointer in the struct's pointer section
   * @param factory the type to read the value as
   * @return the value read by {@code factory}
   */
  public static <R> R readField(StructReader struct, int pointerIndex,
      PointerFactory<?, R> factory) {
    return struct._getPointerField(factory, pointerIndex);
  }

  /** Reads, builds and copies {@code AnyPointer} values. */
  public static final class Factory implements PointerFactory<Builder, Reader> {
    private Factory() {}

    @Override
    public Reader fromPointerReader(SegmentReader segment, CapTableReader capTable,
        int pointerOffset, SegmentReader defaultSegment, int defaultOffset, int nestingLimit) {
      if ((segment == null || segment.getWord(pointerOffset) == 0) && defaultSegment != null) {
        return new Reader(defaultSegment, CapTableReader.EMPTY, defaultOffset, Integer.MAX_VALUE);
      }
      return new Reader(segment, capTable, pointerOffset, nestingLimit);
    }

    @Override
    public Builder fromPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int pointerOffset, SegmentReader defaultSegment, int defaultOffset) {
      if (segment.getWord(pointerOffset) == 0 && defaultSegment != null) {
        Wire.copyPointer(segment, capTable, pointerOffset, defaultSegment, CapTableReader.EMPTY,
            defaultOffset, Integer.MAX_VALUE);
      }
      return new Builder(segment, capTable, pointerOffset);
    }

    @Override
    public Builder initFromPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int pointerOffset, int elementCount) {
      Wire.clearPointer(segment, pointerOffset);
      return new Builder(segment, capTable, pointerOffset);
    }

    @Override
    public void setPointerBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int pointerOffset, Reader value) {
      Wire.copyPointer(segment, capTable, pointerOffset, value.segment, value.capTable,
          value.pointer, value.nestingLimit);
    }
  }

  /** Read-only view of one pointer. */
  public static final class Reader {
    final SegmentReader segment;
    final CapTableReader capTable;
    final int pointer;
    final int nestingLimit;

    Reader(SegmentReader segment, CapTableReader capTable, int pointer, int nestingLimit) {
      this.segment = segment;
      this.capTable = capTable == null ? CapTableReader.EMPTY : capTable;
      this.pointer = pointer;
      this.nestingLimit = nestingLimit;
    }

    private long word() {
      return segment == null ? 0 : segment.getWord(pointer);
    }

    /**
     * Whether the pointer is null.
     *
     * @return {@code true} if the pointer is null
     */
    public boolean isNull() {
      return word() == 0;
    }

    /**
     * Whether the pointer refers to a struct (following far pointers).
     *
     * @return {@code true} if the pointer refers to a struct (following far pointers)
     */
    public boolean isStruct() {
      return !isNull() && Wire.targetKind(segment, pointer) == Wire.STRUCT;
    }

    /**
     * Whether the pointer refers to a list (following far pointers).
     *
     * @return {@code true} if the pointer refers to a list (following far pointers)
     */
    public boolean isList() {
      return !isNull() && Wire.targetKind(segment, pointer) == Wire.LIST;
    }

    /**
     * Whether the pointer is a capability.
     *
     * @return {@code true} if the pointer is a capability
     */
    public boolean isCapability() {
      return !isNull() && Wire.targetKind(segment, pointer) == Wire.OTHER;
    }

    /**
     * Interprets the pointer with {@code factory}.
     *
     * @param <R> the reader type
     * @param factory the type to read or build the value as
     * @return the value read by {@code factory}
     */
    public <R> R getAs(PointerFactory<?, R> factory) {
      return factory.fromPointerReader(segment, capTable, pointer, null, 0, nestingLimit);
    }

    /**
     * The capability-table index of a capability pointer.
     *
     * @return the capability-table index of a capability pointer
     */
    public int getCapabilityIndex() {
      return Wire.readCapabilityIndex(segment, pointer);
    }

    /**
     * The capability this pointer refers to, from the message's cap table (may be null).
     *
     * @return the capability this pointer refers to, from the message's cap table (may be null)
     */
    public Object getCapability() {
      return capTable.extractCap(getCapabilityIndex());
    }

    /**
     * Words of everything reachable from this pointer (counts against the traversal limit).
     *
     * @return the words of everything reachable from this pointer (counts against the traversal
     *     limit)
     */
    public long targetSizeInWords() {
      return Wire.pointerTotalSize(segment, pointer, nestingLimit);
    }
  }

  /** Mutable view of one pointer in a message being built. */
  public static final class Builder {
    final SegmentBuilder segment;
    final CapTableBuilder capTable;
    final int pointer;

    Builder(SegmentBuilder segment, CapTableBuilder capTable, int pointer) {
      this.segment = segment;
      this.capTable = capTable == null ? CapTableBuilder.EMPTY : capTable;
      this.pointer = pointer;
    }

    /**
     * Whether the pointer is null.
     *
     * @return {@code true} if the pointer is null
     */
    public boolean isNull() {
      return segment.getWord(pointer) == 0;
    }

    /**
     * Whether the pointer refers to a struct.
     *
     * @return {@code true} if the pointer refers to a struct
     */
    public boolean isStruct() {
      return asReader().isStruct();
    }

    /**
     * Whether the pointer refers to a list.
     *
     * @return {@code true} if the pointer refers to a list
     */
    public boolean isList() {
      return asReader().isList();
    }

    /**
     * Whether the pointer is a capability.
     *
     * @return {@code true} if the pointer is a capability
     */
    public boolean isCapability() {
      return asReader().isCapability();
    }

    /**
     * A builder for the value, interpreted with {@code factory}.
     *
     * @param <B> the builder type
     * @param factory the type to read or build the value as
     * @return a builder for the value, interpreted with {@code factory}
     */
    public <B> B getAs(PointerFactory<B, ?> factory) {
      return factory.fromPointerBuilder(segment, capTable, pointer, null, 0);
    }

    /**
     * Replaces the value with a new struct (or empty list / blob) built by {@code factory}.
     *
     * @param <B> the builder type
     * @param factory the type to read or build the value as
     * @return the builder of the new value
     */
    public <B> B initAs(PointerFactory<B, ?> factory) {
      return factory.initFromPointerBuilder(segment, capTable, pointer, 0);
    }

    /**
     * Replaces the value with a new list or blob of {@code elementCount} elements.
     *
     * @param <B> the builder type
     * @param factory the type to read or build the value as
     * @param elementCount the number of elements
     * @return the builder of the new value
     */
    public <B> B initAs(PointerFactory<B, ?> factory, int elementCount) {
      return factory.initFromPointerBuilder(segment, capTable, pointer, elementCount);
    }

    /**
     * Replaces the value with a deep copy of {@code value}.
     *
     * @param <R> the reader type
     * @param factory the type to read or build the value as
     * @param value the value to copy
     */
    public <R> void setAs(PointerFactory<?, R> factory, R value) {
      factory.setPointerBuilder(segment, capTable, pointer, value);
    }

    /**
     * Replaces the value with a deep copy of whatever {@code value} points to.
     *
     * @param value the value to copy
     */
    public void set(Reader value) {
      FACTORY.setPointerBuilder(segment, capTable, pointer, value);
    }

    /**
     * Makes this a capability pointer with the given cap-table index.
     *
     * @param index the index in the message's capability table
     */
    public void setCapabilityIndex(int index) {
      Wire.setCapabilityIndex(segment, pointer, index);
    }

    /**
     * Adds {@code cap} to the message's capability table (see {@link CapTableBuilder#injectCap})
     * and makes this a capability pointer to it.
     *
     * @param cap the capability, as the message's cap table accepts it
     */
    public void setCapability(Object cap) {
      Wire.setCapabilityIndex(segment, pointer, capTable.injectCap(cap));
    }

    /**
     * The capability this pointer refers to, from the message's cap table (may be null).
     *
     * @return the capability this pointer refers to, from the message's cap table (may be null)
     */
    public Object getCapability() {
      return asReader().getCapability();
    }

    /**
     * The capability-table index of a capability pointer.
     *
     * @return the capability-table index of a capability pointer
     */
    public int getCapabilityIndex() {
      return asReader().getCapabilityIndex();
    }

    /** Clears the pointer (zeroing what it pointed to). */
    public void clear() {
      Wire.clearPointer(segment, pointer);
    }

    /**
     * Detaches the value as an orphan, leaving this pointer null.
     *
     * @param <T> the type of the orphaned value
     * @param factory the type to read or build the value as
     * @return the orphan; the caller owns it
     */
    public <T> Orphan<T> disownAs(PointerFactory<T, ?> factory) {
      return Orphan.disown(factory, segment, capTable, pointer);
    }

    /**
     * Moves {@code orphan} into this pointer.
     *
     * @param orphan the orphan to adopt; it is no longer usable afterwards
     */
    public void adopt(Orphan<?> orphan) {
      orphan.adoptInto(segment, pointer);
    }

    /**
     * A reader of the same pointer.
     *
     * @return a reader of the same pointer
     */
    public Reader asReader() {
      return new Reader(segment, capTable, pointer, Integer.MAX_VALUE);
    }
  }
}
