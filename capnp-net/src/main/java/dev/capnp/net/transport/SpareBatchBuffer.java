package dev.capnp.net.transport;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;

/**
 * One small write buffer kept for the {@link FrameEncoder}s of one event loop, so that a
 * connection answering one call per flush takes no buffer from the pool per flush (issue 12).
 *
 * <p>When an encoder passes a small batch buffer on to its channel, it {@link #offer}s it: if
 * nothing is kept yet, the buffer is kept with a reference of ours. The next batch of any
 * connection of the loop {@link #take}s it if the channel that wrote it has released it (its
 * reference count is back to our one); a buffer still being written is let go (the channel frees
 * it once written). One buffer per loop, not per connection: idle connections hold nothing.
 *
 * <p>Threading: used by whoever runs the loop (its home thread or a caller driving it), one at a
 * time; not thread-safe.
 */
final class SpareBatchBuffer {
  /** A buffer passed on is kept if its capacity is at most this. */
  static final int MAX_BYTES = 1024;

  private ByteBuf buffer;
  /** A NIO view of {@link #buffer}'s whole capacity, if its encoder had made one. */
  private ByteBuffer view;
  private ByteBuffer takenView;
  private long reuses;

  /**
   * The kept buffer, cleared, if the channel is done with it and it has room for
   * {@code capacity} bytes (its view then in {@link #takenView}); else null, and a kept buffer
   * is let go.
   *
   * @param capacity the bytes the new batch needs
   * @return the buffer (ours to pass on), or null
   */
  ByteBuf take(int capacity) {
    ByteBuf b = buffer;
    takenView = null;
    if (b == null) {
      return null;
    }
    ByteBuffer v = view;
    buffer = null;
    view = null;
    if (b.refCnt() == 1 && b.capacity() >= capacity) {
      b.clear();
      takenView = v;
      reuses++;
      return b;
    }
    b.release();
    return null;
  }

  /** The NIO view of the buffer {@link #take} returned last, if it had one. */
  ByteBuffer takenView() {
    return takenView;
  }

  /**
   * Keeps {@code b}, which its encoder is passing on to its channel, if nothing is kept and it
   * is small.
   *
   * @param b the buffer passed on
   * @param nioView its NIO view over its whole capacity, or null
   */
  void offer(ByteBuf b, ByteBuffer nioView) {
    if (buffer == null && b.capacity() <= MAX_BYTES) {
      buffer = b.retain();
      view = nioView;
    }
  }

  /** Whether a buffer is kept now (tests). */
  boolean holdsBuffer() {
    return buffer != null;
  }

  /** How many batches used a kept buffer again (tests). */
  long reuses() {
    return reuses;
  }

  /** Lets go of the kept buffer (the loop or the encoder is done). */
  void release() {
    if (buffer != null) {
      ReferenceCountUtil.safeRelease(buffer);
      buffer = null;
      view = null;
    }
  }
}
