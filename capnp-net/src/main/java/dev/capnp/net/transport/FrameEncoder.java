package dev.capnp.net.transport;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;

/**
 * Encodes {@link MessageBuilder}s with the standard framing. The frame is copied straight from
 * the message's segments into a direct buffer (no segment views) during the write, so the
 * message's memory is no longer needed once {@code write} returns.
 *
 * <p>Frames written between two flushes share one buffer, the batch (issue 12): a connection
 * with many calls in flight writes dozens of frames per turn of its loop, and a buffer of its own
 * for each cost an allocation from the pool, a sampled leak-detector record, a NIO view and an
 * entry in the channel's outbound buffer per message. The batch is passed on at the flush, before
 * anything else written (a buffer, a marker), when the next frame would take it past
 * {@link #MAX_BATCH_BYTES}, and with a write that has a promise of its own (which then completes
 * with the batch). A frame larger than {@link #LARGE_FRAME_BYTES} gets its own buffer. A batch
 * starts at the size the last one reached (one allocation per flush while the flushes stay
 * alike), and one that started much larger than it ended is moved to a buffer of its size
 * before it is passed on, so a frame waiting to be written (a peer that reads nothing) holds
 * about what it held in a buffer of its own, whatever the pattern of flushes.
 *
 * <p>A small batch buffer is offered, when it is passed on, to the loop's
 * {@link SpareBatchBuffer} (one per {@link DrivenIoEventLoop}; an encoder on another executor
 * has its own), and a new batch takes it from there if the channel has written and released it:
 * a connection that answers one call per flush (sequential calls) then takes no buffer from the
 * pool, makes no leak-detector sample and no NIO view per flush, and idle connections hold no
 * buffer.
 *
 * <p>On a Unix-domain socket the encoder also gives the socket a send buffer that holds a large
 * frame ({@link UnixSendBuffer}).
 *
 * <p>Threading: a channel handler, on the channel's event loop only.
 */
public final class FrameEncoder extends ChannelOutboundHandlerAdapter {
  /** A batch is passed on before the frame that would take it past this size. */
  static final int MAX_BATCH_BYTES = 64 * 1024;
  /** A frame larger than this is written in a buffer of its own. */
  static final int LARGE_FRAME_BYTES = 16 * 1024;
  /** The smallest batch buffer allocated. */
  private static final int MIN_BATCH_BYTES = 256;
  /** A batch with more room left than its bytes and this is moved to a buffer of its size. */
  static final int SLACK_BYTES = 1024;

  /** The frames written since the last flush, not yet passed on; null if none. */
  private ByteBuf batch;
  /** A NIO view of {@link #batch}'s whole capacity (made once per batch buffer). */
  private ByteBuffer batchView;
  /** How many times a batch outgrew its buffer (tests). */
  private long batchGrowths;
  /** Where small batch buffers are kept for the next batch (set when the handler is added). */
  private SpareBatchBuffer spare;
  /** Whether {@link #spare} is this encoder's own (not its loop's), released with it. */
  private boolean ownSpare;
  /** The size the last batch reached: the next one starts at it. */
  private int lastBatchBytes = MIN_BATCH_BYTES;
  /**
   * The last message encoded, if {@link #takeEncoded} has not taken it yet (on the channel's
   * event loop only).
   */
  private MessageBuilder lastEncoded;
  /** Grows a Unix-domain socket's send buffer for large frames; null on other channels. */
  private final UnixSendBuffer sendBuffer;

  /** An encoder writing into direct buffers from the channel's allocator (a TCP connection). */
  public FrameEncoder() {
    this(false);
  }

  /**
   * An encoder writing into direct buffers from the channel's allocator; on a Unix-domain
   * socket it also raises the socket's send buffer before a large frame (see
   * {@link UnixSendBuffer}).
   *
   * @param unixDomainSocket whether the channel is a Unix-domain socket
   */
  public FrameEncoder(boolean unixDomainSocket) {
    this.sendBuffer = unixDomainSocket ? new UnixSendBuffer() : null;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.executor() instanceof DrivenIoEventLoop) {
      spare = ((DrivenIoEventLoop) ctx.executor()).spareBatchBuffer();
    } else {
      spare = new SpareBatchBuffer();
      ownSpare = true;
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof MessageBuilder)) {
      passOn(ctx);
      ctx.write(msg, promise);
      return;
    }
    MessageBuilder m = (MessageBuilder) msg;
    try {
      int size = frameBytes(m);
      if (size > LARGE_FRAME_BYTES) {
        passOn(ctx);
        if (sendBuffer != null) {
          sendBuffer.beforeFrame(ctx.channel(), size);
        }
        ByteBuf out = ctx.alloc().ioBuffer(size);
        try {
          encode(m, out, size);
        } catch (RuntimeException e) {
          out.release();
          throw e;
        }
        lastEncoded = m;
        ctx.write(out, promise);
        return;
      }
      if (batch != null && batch.writerIndex() + size > MAX_BATCH_BYTES) {
        passOn(ctx);
      }
      if (batch == null) { // (its view was dropped with the last one: takeBatch, dropBatch)
        batch = newBatch(ctx, Math.max(size, lastBatchBytes));
      } else if (batch.writableBytes() < size) {
        batch.ensureWritable(size); // (may move the batch to a larger buffer)
        batchView = null;
        batchGrowths++;
      }
      appendToBatch(m, size);
    } catch (RuntimeException e) {
      promise.tryFailure(e);
      return;
    }
    lastEncoded = m; // (copied: the message's memory is no longer needed)
    if (!promise.isVoid()) {
      ctx.write(takeBatch(ctx), promise);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    passOn(ctx);
    ctx.flush();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    // (also when the channel closes: frames not flushed are dropped, as the channel drops the
    // writes it has not flushed)
    dropBatch();
    if (ownSpare) {
      spare.release();
    }
  }

  /**
   * Whether {@code msg} is the last message this encoder copied into a buffer, forgetting it.
   * A writer on the channel's event loop calls it right after {@code channel.write(msg)}: true
   * means that the write reached this encoder during the call and the frame's bytes were copied,
   * so the message's memory may be reused (see {@code MessageTransport#sendReplyReusable}).
   * On the channel's event loop only.
   *
   * @param msg the message just written
   * @return true if it was encoded
   */
  boolean takeEncoded(MessageBuilder msg) {
    boolean r = lastEncoded == msg;
    lastEncoded = null;
    return r;
  }

  /**
   * The bytes of frames held in the batch, not yet passed on to the channel (tests; on the
   * channel's event loop).
   */
  int batchedBytes() {
    return batch == null ? 0 : batch.writerIndex();
  }

  /** How many times a batch outgrew its buffer (tests; on the channel's event loop). */
  long batchGrowths() {
    return batchGrowths;
  }

  /** How many batches used a kept buffer again (tests; on the channel's event loop). */
  long spareReuses() {
    return spare.reuses();
  }

  /**
   * A buffer for a new batch of at least {@code capacity} bytes: the loop's kept one if the
   * channel that wrote it is done with it and it is large enough, else one from the channel's
   * allocator.
   */
  private ByteBuf newBatch(ChannelHandlerContext ctx, int capacity) {
    ByteBuf b = spare.take(capacity);
    if (b != null) {
      batchView = spare.takenView();
      return b;
    }
    return ctx.alloc().ioBuffer(capacity);
  }

  /** Copies {@code m}'s frame ({@code size} bytes, room checked) to the end of the batch. */
  private void appendToBatch(MessageBuilder m, int size) {
    int at = batch.writerIndex();
    if (batch.nioBufferCount() != 1) {
      encode(m, batch, size);
      return;
    }
    ByteBuffer v = batchView;
    if (v == null) {
      v = batchView = batch.nioBuffer(0, batch.capacity()); // (one view per batch buffer)
    }
    v.limit(at + size).position(at);
    Serialize.write(m, v);
    batch.writerIndex(at + size);
  }

  /** Writes {@code m}'s frame ({@code size} bytes) at {@code out}'s writer index. */
  private static void encode(MessageBuilder m, ByteBuf out, int size) {
    out.ensureWritable(size);
    int at = out.writerIndex();
    if (out.nioBufferCount() == 1) {
      Serialize.write(m, out.internalNioBuffer(at, size));
      out.writerIndex(at + size);
    } else {
      ByteBuffer frame = ByteBuffer.allocate(size);
      Serialize.write(m, frame);
      out.writeBytes(frame.flip());
    }
  }

  /** Passes the batch on to the channel (not flushed), if there is one. */
  private void passOn(ChannelHandlerContext ctx) {
    if (batch != null) {
      ctx.write(takeBatch(ctx), ctx.voidPromise());
    }
  }

  /**
   * Takes the batch (not null) to pass it on, notes its size for the next one, and moves it to
   * a buffer of its size if it started much larger (after a larger batch): a buffer waiting to
   * be written holds at most about twice its frames' bytes, whatever the pattern of flushes.
   */
  private ByteBuf takeBatch(ChannelHandlerContext ctx) {
    ByteBuf b = batch;
    ByteBuffer view = batchView;
    batch = null;
    batchView = null;
    int used = b.writerIndex();
    lastBatchBytes = Math.max(MIN_BATCH_BYTES, Math.min(MAX_BATCH_BYTES, used));
    if (b.capacity() > 2 * used + SLACK_BYTES) {
      ByteBuf fit = ctx.alloc().ioBuffer(used);
      fit.writeBytes(b, 0, used);
      b.release();
      b = fit;
      view = null;
    }
    spare.offer(b, view);
    return b;
  }

  private void dropBatch() {
    if (batch != null) {
      ReferenceCountUtil.safeRelease(batch);
      batch = null;
      batchView = null;
    }
  }

  private static int frameBytes(MessageBuilder msg) {
    return Math.toIntExact(Serialize.computeSerializedSizeInWords(msg) * 8);
  }
}
