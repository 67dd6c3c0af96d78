package dev.capnp.net.transport;

import dev.capnp.runtime.DecodeException;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Decodes the standard (unpacked) stream framing into {@link MessageReader}s. The segment table
 * is checked before any segment data is buffered: more than {@link Serialize#MAX_SEGMENTS}
 * segments or a total above {@code maxMessageWords} fails with a {@link DecodeException} at
 * once, so a hostile peer cannot make the vat buffer a huge message. Each message is copied once
 * into its own heap buffer, which the reader owns (no reference counting leaks into RPC).
 *
 * <p>A large frame (at least {@link #LARGE_FRAME_BYTES}) is not left to Netty's cumulation
 * buffer, which would copy each arriving read into a buffer it grows by doubling (copying it
 * again) before the frame is copied out once more: once a quarter of it has arrived, the
 * frame's own array is made and every later read is copied straight into it. A 1 MiB message is
 * then copied about 1.5 times instead of about 3 times, and the cumulation buffer stays small.
 * The array is made only for bytes that have arrived (at most 4 times their size), never on the
 * word of a header alone.
 *
 * <p>A frame whose first bytes have arrived must be complete within the frame timeout, or the
 * connection fails with a {@link DecodeException} (a peer trickling a frame, or stopping in the
 * middle of one, must not hold the connection and its buffer forever). Time during which the
 * channel does not read (backpressure) does not count.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
  /** Frames of at least this many bytes are gathered in their own array (see above). */
  static final int LARGE_FRAME_BYTES = 64 * 1024;

  private final long maxMessageWords;
  private final ReaderOptions options;
  private final long frameTimeoutNanos;
  private boolean failed;
  /** When the incomplete frame now buffered began (0: none). */
  private long partialSince;
  private boolean timerPending;
  /**
   * The pending frame timer, canceled when the channel goes: a timer left to fire would keep the
   * closed connection (its pipeline, transport and RPC state) in memory for up to the frame
   * timeout, so that a peer churning connections could make the heap grow with its rate.
   */
  private io.netty.util.concurrent.ScheduledFuture<?> timer;
  /** The large frame being gathered (null: none), header included; on the channel's loop. */
  private byte[] large;
  /** How many bytes of {@link #large} have arrived. */
  private int largeFilled;

  /**
   * A decoder accepting messages up to {@code maxMessageWords}, read with {@code options}, with
   * the default frame timeout (60 s).
   *
   * @param maxMessageWords the largest message accepted, in words (8 bytes each)
   * @param options the limits for reading each message
   */
  public FrameDecoder(long maxMessageWords, ReaderOptions options) {
    this(maxMessageWords, options, 60_000);
  }

  /**
   * A decoder accepting messages up to {@code maxMessageWords}, read with {@code options}; a
   * started frame must be complete within {@code frameTimeoutMillis}.
   *
   * @param maxMessageWords the largest message accepted, in words (8 bytes each)
   * @param options the limits for reading each message
   * @param frameTimeoutMillis the frame timeout in milliseconds
   */
  public FrameDecoder(long maxMessageWords, ReaderOptions options, long frameTimeoutMillis) {
    if (frameTimeoutMillis <= 0) {
      throw new IllegalArgumentException("frame timeout must be positive: " + frameTimeoutMillis);
    }
    this.frameTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(frameTimeoutMillis);
    this.maxMessageWords = maxMessageWords;
    this.options = new ReaderOptions(options.traversalLimitInWords(), options.nestingLimit(),
        Math.max(maxMessageWords, 1));
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes()); // the stream is unusable after a bad frame
      return;
    }
    try {
      int before = out.size();
      if (large != null && !continueLargeFrame(in, out)) {
        return; // (the frame's timer runs since its first bytes)
      }
      decodeFrames(in, out);
      if (!in.isReadable() && large == null) {
        partialSince = 0;
      } else if (partialSince == 0 || out.size() > before) {
        partialSince = System.nanoTime(); // a new frame has started
        if (!timerPending) {
          timerPending = true;
          timer = ctx.executor().schedule(() -> checkFrame(ctx), frameTimeoutNanos,
              TimeUnit.NANOSECONDS);
        }
      }
    } catch (DecodeException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    cancelTimer();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelTimer();
    super.channelInactive(ctx);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    timerPending = false;
  }

  /** The frame timer: fails the connection if the frame begun then is still incomplete. */
  private void checkFrame(ChannelHandlerContext ctx) {
    timerPending = false;
    if (partialSince == 0 || failed || !ctx.channel().isActive()) {
      return;
    }
    long now = System.nanoTime();
    if (!ctx.channel().config().isAutoRead()) {
      partialSince = now; // we are not reading: the peer cannot complete it; start again later
    }
    long left = partialSince + frameTimeoutNanos - now;
    if (left > 0) {
      timerPending = true;
      timer = ctx.executor().schedule(() -> checkFrame(ctx), left, TimeUnit.NANOSECONDS);
      return;
    }
    failed = true;
    ctx.fireExceptionCaught(new DecodeException("Incomplete frame: not completed within "
        + Durations.describe(TimeUnit.NANOSECONDS.toMillis(frameTimeoutNanos))
        + " of its first bytes"));
  }

  /**
   * Copies what has arrived of the large frame into its array; when it is complete, decodes it.
   *
   * @return whether the frame is complete (bytes after it are left in {@code in})
   */
  private boolean continueLargeFrame(ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), large.length - largeFilled);
    in.readBytes(large, largeFilled, n);
    largeFilled += n;
    if (largeFilled < large.length) {
      return false;
    }
    byte[] frame = large;
    large = null;
    emit(frame, out);
    return true;
  }

  /** Reads the complete frame {@code frame} (header included) into a message for {@code out}. */
  private void emit(byte[] frame, List<Object> out) {
    out.add(Serialize.read(ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN), options));
  }

  /**
   * How many bytes the large frame being gathered in its own array still lacks: 0 when none is
   * (before a quarter of a large frame has arrived, its bytes wait in the cumulation buffer,
   * which a larger read would make larger for as long as the frame takes). {@link FrameSizedReads}
   * sizes the next read by it. On the channel's event loop.
   *
   * @return the bytes the frame being gathered still lacks, or 0
   */
  int largeFrameBytesMissing() {
    return large != null ? large.length - largeFilled : 0;
  }

  /**
   * How many bytes of a large frame are gathered in its own array (0: none); for tests.
   *
   * @return the bytes gathered
   */
  int largeFrameBytesGathered() {
    return large == null ? 0 : largeFilled;
  }

  /**
   * How many bytes wait in the cumulation buffer (not yet decoded nor gathered); for tests.
   *
   * @return the bytes buffered
   */
  int bufferedBytes() {
    ByteBuf b = internalBuffer();
    return b == null ? 0 : b.readableBytes();
  }

  private void decodeFrames(ByteBuf in, List<Object> out) {
    while (true) {
      int start = in.readerIndex();
      int readable = in.readableBytes();
      if (readable < 4) {
        return;
      }
      long segmentCount = in.getUnsignedIntLE(start) + 1;
      if (segmentCount > Serialize.MAX_SEGMENTS) {
        throw new DecodeException("Unsupported Cap'n'Proto frame received: " + segmentCount
            + " segments (at most " + Serialize.MAX_SEGMENTS + ")");
      }
      int headerBytes = (int) (((4 + 4 * segmentCount) + 7) & ~7L);
      if (readable < headerBytes) {
        return;
      }
      long words = 0;
      for (int i = 0; i < segmentCount; i++) {
        words += in.getUnsignedIntLE(start + 4 + 4 * i);
      }
      if (words > maxMessageWords) {
        throw new DecodeException("Incoming message of " + words
            + " words exceeds the limit of " + maxMessageWords + " words");
      }
      long total = headerBytes + words * 8;
      if (readable < total) {
        if (total >= LARGE_FRAME_BYTES && readable >= total / 4) {
          large = new byte[(int) total];
          largeFilled = readable;
          in.readBytes(large, 0, readable);
        }
        return;
      }
      byte[] copy = new byte[(int) total];
      in.readBytes(copy);
      emit(copy, out);
    }
  }
}
