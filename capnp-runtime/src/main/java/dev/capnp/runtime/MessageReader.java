package dev.capnp.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A message being read, made of one or more segments. Readers obtained from it are validated
 * lazily, as pointers are followed, against the {@link ReaderOptions} limits. The buffers are
 * used in place (not copied); each segment is the buffer's bytes from position to limit.
 */
public final class MessageReader {
  private final SegmentReader[] segments;
  private final ReaderOptions options;
  private CapTableReader capTable = CapTableReader.EMPTY;

  /**
   * Reads a message with default limits.
   *
   * @param segmentBuffers the segments, little-endian, each from its position to its limit
   */
  public MessageReader(ByteBuffer[] segmentBuffers) {
    this(segmentBuffers, ReaderOptions.DEFAULT);
  }

  /**
   * Reads a message with the given limits.
   *
   * @param segmentBuffers the segments, little-endian, each from its position to its limit
   * @param options the limits applied while reading
   */
  public MessageReader(ByteBuffer[] segmentBuffers, ReaderOptions options) {
    this(segmentBuffers, options, false);
  }

  /**
   * {@code sliced}: the buffers are already little-endian slices of their segments (made by
   * the framing code), used as they are instead of sliced again.
   */
  MessageReader(ByteBuffer[] segmentBuffers, ReaderOptions options, boolean sliced) {
    this.options = options;
    this.segments = new SegmentReader[segmentBuffers.length];
    Limiter limiter = new Limiter(options.traversalLimitInWords(), segments);
    for (int i = 0; i < segmentBuffers.length; i++) {
      ByteBuffer b = sliced ? segmentBuffers[i]
          : segmentBuffers[i].slice().order(ByteOrder.LITTLE_ENDIAN);
      segments[i] = new SegmentReader(b, i, limiter);
    }
  }

  /**
   * The options this message is read with.
   *
   * @return the options this message is read with
   */
  public ReaderOptions options() {
    return options;
  }

  /**
   * Number of segments.
   *
   * @return the number of segments
   */
  public int segmentCount() {
    return segments.length;
  }

  /**
   * Segment {@code id}.
   *
   * @param id the segment index, from 0
   * @return the segment
   */
  public SegmentReader getSegment(int id) {
    return segments[id];
  }

  /**
   * Sets the capability table used to resolve capability pointers (for RPC).
   *
   * @param capTable the message's capability table
   */
  public void setCapTable(CapTableReader capTable) {
    this.capTable = capTable;
  }

  private SegmentReader rootSegment() {
    if (segments.length == 0 || segments[0].sizeWords == 0) {
      throw new DecodeException("message has no root pointer (first segment is empty)");
    }
    return segments[0];
  }

  /**
   * The root struct, read with {@code factory}.
   *
   * @param <R> the reader type
   * @param factory the type to read or build the value as
   * @return the root struct, read with {@code factory}
   */
  public <R extends StructReader> R getRoot(StructFactory<?, R> factory) {
    return factory.fromPointerReader(rootSegment(), capTable, 0, null, 0,
        options.nestingLimit());
  }

  /**
   * The root struct, read into {@code reuse} (a reader of {@code factory}'s type, moved to the
   * root and returned; a new reader if it is {@code null}): a program that reads message after
   * message can do so with the same readers (see the generated {@code getX(reuse)} methods).
   *
   * @param <R> the reader type
   * @param factory the type to read the value as
   * @param reuse the reader to move to the root, or {@code null} for a new one
   * @return {@code reuse} moved to the root struct, or a new reader if it was {@code null}
   */
  public <R extends StructReader> R getRoot(StructFactory<?, R> factory, R reuse) {
    if (reuse == null) {
      return getRoot(factory);
    }
    return Wire.readStructInto(reuse, rootSegment(), capTable, 0, null, 0,
        options.nestingLimit());
  }

  /**
   * The root pointer, uninterpreted.
   *
   * @return the root pointer, uninterpreted
   */
  public AnyPointer.Reader getRootAnyPointer() {
    return new AnyPointer.Reader(rootSegment(), capTable, 0, options.nestingLimit());
  }

  /** Traversal limiter and segment table shared by the segments of one message. */
  private static final class Limiter implements Arena {
    private long remaining;
    private final SegmentReader[] segments;

    Limiter(long limit, SegmentReader[] segments) {
      this.remaining = limit;
      this.segments = segments;
    }

    @Override
    public SegmentReader tryGetSegment(int id) {
      return id >= 0 && id < segments.length ? segments[id] : null;
    }

    @Override
    public void chargeRead(long words, SegmentReader segment, long offset) {
      if (words > remaining) {
        remaining = 0;
        throw new DecodeException("traversal limit exceeded reading " + words + " words "
            + segment.where(offset) + "; the message is too large or contains amplifying"
            + " pointers (see ReaderOptions)");
      }
      remaining -= words;
    }
  }
}
