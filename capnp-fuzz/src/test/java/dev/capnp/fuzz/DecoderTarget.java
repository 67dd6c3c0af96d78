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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * The decoder fuzz target: one input is a selector byte followed by a framed message.
 *
 * <p>Selector bits 0-3 choose the root type ({@link RootType#select}); bit 4 selects packed
 * framing; bit 5 makes the stream reader receive at most 3 bytes per {@code read} call; bit 6
 * reads with a tiny traversal limit (64 words) instead of {@value #TRAVERSAL_LIMIT_WORDS} words.
 *
 * <p>The message is read from a {@link ByteBuffer}, an {@link java.io.InputStream} and a
 * {@link ReadableByteChannel}; then, for
 * each successfully read message, the root is walked through the generated reader, through the
 * dynamic reader and text printer, through both side by side, canonicalized, and deep-copied into
 * a builder.
 *
 * <p>Oracles (any violation throws something other than {@link DecodeException}, which the
 * fuzzer reports):
 * <ul>
 *   <li>only {@link DecodeException} escapes from the library;
 *   <li>the buffer, stream and channel readers agree on whether the frame is valid, on its
 *       segments and on the bytes consumed (stream readers never read past the message);
 *   <li>reading a frame allocates in proportion to the input, never to a size it merely claims;
 *   <li>every walk stays within a {@link WorkBudget} derived from the traversal limit;
 *   <li>the text printers' output is bounded by the work of the walk;
 *   <li>the generated and the dynamic reader agree on every field ({@link DifferentialWalker});
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

    Framed fromBuffer = readBuffer(frame, packed, options);
    Framed fromStream = readStream(frame, packed, trickle, false, options);
    Framed fromChannel = readStream(frame, packed, trickle, true, options);
    agree("buffer", fromBuffer, "stream", fromStream);
    agree("buffer", fromBuffer, "channel", fromChannel);
    if (fromBuffer.message() == null) {
      return;
    }
    // Each stage gets a fresh reader: the traversal limit is charged per message reader.
    walkGenerated(fromBuffer.message(), root, limit);
    walkDynamic(fromStream.message(), root, limit);
    compareGeneratedWithDynamic(fromBuffer.message(), root, options);
    canonicalizeAndCopy(fromBuffer.message(), options);
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

  /** The result of reading a frame: the message (null if rejected) and the bytes consumed. */
  private record Framed(MessageReader message, int consumed) {}

  /** One way of reading the frame. */
  private interface Read {
    Framed read();
  }

  /**
   * Runs {@code read}, checking that it allocates no more than {@code allowed} bytes. A first
   * run over the limit is repeated once, so that class loading and other one-time work is not
   * counted.
   */
  private static Framed measured(Read read, long allowed, String what) {
    for (int attempt = 0; ; attempt++) {
      long before = AllocationMeter.allocatedBytes();
      Framed framed = read.read();
      long allocated = AllocationMeter.allocatedBytes() - before;
      if (!AllocationMeter.available() || allocated <= allowed) {
        return framed;
      }
      if (attempt > 0) {
        throw new AssertionError(what + " allocated " + allocated + " bytes, more than the "
            + allowed + " bytes the input can account for");
      }
    }
  }

  private static Framed readBuffer(byte[] frame, boolean packed, ReaderOptions options) {
    return measured(() -> {
      ByteBuffer buffer = ByteBuffer.wrap(frame);
      try {
        MessageReader message =
            packed ? SerializePacked.read(buffer, options) : Serialize.read(buffer, options);
        return new Framed(message, buffer.position());
      } catch (DecodeException e) {
        return new Framed(null, 0);
      }
    }, allowedAllocation(frame, packed), "reading a buffer");
  }

  private static Framed readStream(byte[] frame, boolean packed, boolean trickle,
      boolean channel, ReaderOptions options) {
    return measured(() -> {
      TrickleInputStream in = new TrickleInputStream(frame, trickle ? 3 : Integer.MAX_VALUE);
      try {
        MessageReader message;
        if (channel) {
          ReadableByteChannel ch = Channels.newChannel(in);
          message = packed ? SerializePacked.read(ch, options) : Serialize.read(ch, options);
        } else {
          message = packed ? SerializePacked.read(in, options) : Serialize.read(in, options);
        }
        return new Framed(message, in.position());
      } catch (DecodeException e) {
        return new Framed(null, 0);
      } catch (IOException e) {
        throw new AssertionError("in-memory stream threw an IOException", e);
      }
    }, allowedAllocation(frame, packed), channel ? "reading a channel" : "reading a stream");
  }

  /**
   * The readers must agree on whether the frame is valid, on its segments, and on where the
   * message ends (stream readers never consume bytes past the message).
   */
  private static void agree(String aName, Framed a, String bName, Framed b) {
    if ((a.message() == null) != (b.message() == null)) {
      throw new AssertionError(aName + " and " + bName + " readers disagree: " + aName + " "
          + (a.message() == null ? "rejected" : "accepted") + " the frame, " + bName + " "
          + (b.message() == null ? "rejected" : "accepted") + " it");
    }
    if (a.message() == null) {
      return;
    }
    if (a.consumed() != b.consumed()) {
      throw new AssertionError(aName + " reader consumed " + a.consumed() + " bytes, " + bName
          + " reader " + b.consumed());
    }
    checkSameSegments(a.message(), b.message());
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

  private static void compareGeneratedWithDynamic(MessageReader message, RootType root,
      ReaderOptions options) {
    StructSchema schema = REGISTRY.getStruct(root.typeId());
    WorkBudget budget = new WorkBudget(2 * budgetFor(options.traversalLimitInWords()),
        "comparing generated and dynamic readers");
    try {
      StructReader generated = fresh(message, options).getRoot(root.factory());
      DynamicStruct.Reader dynamic = fresh(message, options).getRoot(schema.factory());
      new DifferentialWalker(budget).compare(generated, dynamic);
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
