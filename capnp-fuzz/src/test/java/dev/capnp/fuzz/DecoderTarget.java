package dev.capnp.fuzz;

import dev.capnp.dynamic.DynamicStruct;
import dev.capnp.dynamic.SchemaRegistry;
import dev.capnp.dynamic.StructSchema;
import dev.capnp.dynamic.TextFormat;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.Canonical;
import dev.capnp.runtime.DecodeException;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.SerializePacked;
import dev.capnp.runtime.StructReader;
import dev.capnp.test.TestSchema;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The decoder fuzz target: one input is a selector byte followed by a framed message.
 *
 * <p>Selector bits 0-3 choose the root type ({@link RootType#select}); bit 4 selects packed
 * framing; bit 5 makes the stream reader receive at most 3 bytes per {@code read} call; bit 6
 * reads with a tiny traversal limit (64 words) instead of {@value #TRAVERSAL_LIMIT_WORDS} words.
 *
 * <p>The message is read from a {@link ByteBuffer} and from an {@link InputStream}; then, for
 * each successfully read message, the root is walked through the generated reader, through the
 * dynamic reader and text printer, canonicalized, and deep-copied into a builder.
 *
 * <p>Oracles (any violation throws something other than {@link DecodeException}, which the
 * fuzzer reports):
 * <ul>
 *   <li>only {@link DecodeException} escapes from the library;
 *   <li>the buffer and the stream reader agree on whether the frame is valid and on its segments;
 *   <li>reading a frame allocates in proportion to the input, never to a size it merely claims;
 *   <li>every walk stays within a {@link WorkBudget} derived from the traversal limit;
 *   <li>the text printers' output is bounded by the work of the walk;
 *   <li>a copy made by {@link MessageBuilder#setRoot} has the same canonical form as the original,
 *       and a canonical form is itself canonical.
 * </ul>
 */
final class DecoderTarget {
  /** Traversal limit for fuzzing: above any input libFuzzer generates, far below the default. */
  static final long TRAVERSAL_LIMIT_WORDS = 8192;
  private static final long SMALL_TRAVERSAL_LIMIT_WORDS = 64;
  /** Walk units allowed per traversed word (a word holds 64 bits of a bit list, etc.). */
  private static final long UNITS_PER_WORD = 1024;
  /**
   * Fixed allowance of any read: segment table, reader objects, and the first chunk of a stream
   * body (the runtime allocates bodies up to 256 KiB at once, larger ones as their bytes arrive).
   */
  private static final long ALLOCATION_SLACK_BYTES = 320 * 1024;
  /**
   * Allowed allocation per input byte: a stream body grows by doubling (at most 4 bytes per
   * byte received), and one byte of packed input can stand for up to 1024 bytes (a zero run
   * of 255 words takes 2 bytes).
   */
  private static final long BYTES_PER_INPUT_BYTE = 8;
  private static final long BYTES_PER_PACKED_INPUT_BYTE = 4 * 1024;

  private static final SchemaRegistry REGISTRY = TestSchema.SCHEMA.registry();

  private DecoderTarget() {}

  /** Runs every stage and oracle on one input. */
  static void run(byte[] input) {
    if (input.length == 0) {
      return;
    }
    int selector = input[0] & 0xff;
    RootType root = RootType.select(selector);
    boolean packed = (selector & 0x10) != 0;
    boolean trickle = (selector & 0x20) != 0;
    long limit = (selector & 0x40) != 0 ? SMALL_TRAVERSAL_LIMIT_WORDS : TRAVERSAL_LIMIT_WORDS;
    ReaderOptions options = new ReaderOptions(limit, ReaderOptions.DEFAULT_NESTING_LIMIT);
    byte[] frame = Arrays.copyOfRange(input, 1, input.length);

    MessageReader fromBuffer = readBuffer(frame, packed, options);
    MessageReader fromStream = readStream(frame, packed, trickle, options);
    if ((fromBuffer == null) != (fromStream == null)) {
      throw new AssertionError("buffer and stream readers disagree: buffer "
          + (fromBuffer == null ? "rejected" : "accepted") + " the frame, stream "
          + (fromStream == null ? "rejected" : "accepted") + " it");
    }
    if (fromBuffer == null) {
      return;
    }
    checkSameSegments(fromBuffer, fromStream);
    // Each stage gets a fresh reader: the traversal limit is charged per message reader.
    walkGenerated(fromBuffer, root, limit);
    walkDynamic(fromStream, root, limit);
    canonicalizeAndCopy(fromBuffer, options);
  }

  private static MessageReader fresh(MessageReader message, ReaderOptions options) {
    ByteBuffer[] segments = new ByteBuffer[message.segmentCount()];
    for (int i = 0; i < segments.length; i++) {
      segments[i] = message.getSegment(i).asByteBuffer();
    }
    return new MessageReader(segments, options);
  }

  private static long allowedAllocation(byte[] frame, boolean packed) {
    return ALLOCATION_SLACK_BYTES + (long) frame.length
        * (packed ? BYTES_PER_PACKED_INPUT_BYTE : BYTES_PER_INPUT_BYTE);
  }

  /** One way of reading the frame; returns null when the frame is rejected. */
  private interface Read {
    MessageReader read();
  }

  /**
   * Runs {@code read}, checking that it allocates no more than {@code allowed} bytes. A first
   * run over the limit is repeated once, so that class loading and other one-time work is not
   * counted.
   */
  private static MessageReader measured(Read read, long allowed, String what) {
    for (int attempt = 0; ; attempt++) {
      long before = AllocationMeter.allocatedBytes();
      MessageReader message = read.read();
      long allocated = AllocationMeter.allocatedBytes() - before;
      if (!AllocationMeter.available() || allocated <= allowed) {
        return message;
      }
      if (attempt > 0) {
        throw new AssertionError(what + " allocated " + allocated + " bytes, more than the "
            + allowed + " bytes the input can account for");
      }
    }
  }

  private static MessageReader readBuffer(byte[] frame, boolean packed, ReaderOptions options) {
    return measured(() -> {
      try {
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        MessageReader message =
            packed ? SerializePacked.read(buffer, options) : Serialize.read(buffer, options);
        if (buffer.position() > frame.length) {
          throw new AssertionError("buffer position " + buffer.position() + " past the input");
        }
        return message;
      } catch (DecodeException e) {
        return null;
      }
    }, allowedAllocation(frame, packed), "reading a buffer");
  }

  private static MessageReader readStream(byte[] frame, boolean packed, boolean trickle,
      ReaderOptions options) {
    return measured(() -> {
      InputStream in =
          trickle ? new TrickleInputStream(frame, 3) : new ByteArrayInputStream(frame);
      try {
        return packed ? SerializePacked.read(in, options) : Serialize.read(in, options);
      } catch (DecodeException e) {
        return null;
      } catch (IOException e) {
        throw new AssertionError("in-memory stream threw an IOException", e);
      }
    }, allowedAllocation(frame, packed), "reading a stream");
  }

  private static void checkSameSegments(MessageReader a, MessageReader b) {
    if (a.segmentCount() != b.segmentCount()) {
      throw new AssertionError("buffer reader found " + a.segmentCount()
          + " segments, stream reader " + b.segmentCount());
    }
    for (int i = 0; i < a.segmentCount(); i++) {
      ByteBuffer x = a.getSegment(i).asByteBuffer();
      ByteBuffer y = b.getSegment(i).asByteBuffer();
      if (!x.equals(y)) {
        throw new AssertionError("segment " + i + " differs between buffer and stream reader");
      }
    }
  }

  private static long budgetFor(long limit) {
    return UNITS_PER_WORD * (limit + 64);
  }

  private static void walkGenerated(MessageReader message, RootType root, long limit) {
    WorkBudget budget = new WorkBudget(budgetFor(limit), "walking generated readers");
    try {
      StructReader reader = message.getRoot(root.factory());
      new GeneratedReaderWalker(budget).walk(reader);
    } catch (DecodeException e) {
      // expected for malformed input
    }
  }

  private static void walkDynamic(MessageReader message, RootType root, long limit) {
    StructSchema schema = REGISTRY.getStruct(root.typeId());
    WorkBudget budget = new WorkBudget(budgetFor(limit), "walking dynamic readers");
    DynamicStruct.Reader reader;
    try {
      reader = message.getRoot(schema.factory());
      new DynamicReaderWalker(budget).walk(reader);
    } catch (DecodeException e) {
      return;
    }
    long units = budget.spent();
    checkPrinted("one-line text", () -> TextFormat.toString(reader).length(), units, 64);
    checkPrinted("pretty text", () -> TextFormat.prettyPrintBytes(reader).length, units, 256);
  }

  private interface Printer {
    long printedLength();
  }

  private static void checkPrinted(String what, Printer printer, long walkUnits,
      long charsPerUnit) {
    long length;
    try {
      length = printer.printedLength();
    } catch (DecodeException e) {
      return;
    }
    long allowed = charsPerUnit * (walkUnits + 64);
    if (length > allowed) {
      throw new AssertionError(what + " of " + length + " characters for a walk of "
          + walkUnits + " units (allowed " + allowed + ")");
    }
  }

  private static void canonicalizeAndCopy(MessageReader message, ReaderOptions options) {
    byte[] canonical;
    try {
      canonical = Canonical.canonicalize(fresh(message, options).getRoot(AnyStruct.FACTORY));
      Canonical.isCanonical(fresh(message, options));
    } catch (DecodeException e) {
      return;
    }
    MessageBuilder copy = new MessageBuilder();
    try {
      copy.setRoot(AnyStruct.FACTORY, fresh(message, options).getRoot(AnyStruct.FACTORY));
    } catch (DecodeException e) {
      throw new AssertionError("copying a message that canonicalizes failed", e);
    }
    byte[] again = Canonical.canonicalize(copy.asReader().getRoot(AnyStruct.FACTORY));
    if (!Arrays.equals(canonical, again)) {
      throw new AssertionError("canonical form changed by a deep copy (" + canonical.length
          + " bytes before, " + again.length + " after)");
    }
    MessageReader canonicalMessage = new MessageReader(
        new ByteBuffer[] {ByteBuffer.wrap(canonical)}, ReaderOptions.DEFAULT);
    if (!Canonical.isCanonical(canonicalMessage)) {
      throw new AssertionError("the canonical form of a message is not canonical");
    }
  }
}
