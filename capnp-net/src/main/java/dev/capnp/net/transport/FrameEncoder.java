package dev.capnp.net.transport;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.ByteBuffer;

/**
 * Encodes {@link MessageBuilder}s with the standard framing into one pooled buffer each. The
 * frame is copied straight from the message's segments into the buffer (no segment views), so
 * the message's memory is no longer needed once {@code encode} returns.
 */
public final class FrameEncoder extends MessageToByteEncoder<MessageBuilder> {
  /**
   * The last message encoded, if {@link #takeEncoded} has not taken it yet (on the channel's
   * event loop only).
   */
  private MessageBuilder lastEncoded;

  /** An encoder preferring direct buffers. */
  public FrameEncoder() {
    super(MessageBuilder.class, true);
  }

  @Override
  protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, MessageBuilder msg,
      boolean preferDirect) {
    int size = frameBytes(msg);
    return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, MessageBuilder msg, ByteBuf out) {
    int size = frameBytes(msg);
    out.ensureWritable(size);
    int at = out.writerIndex();
    if (out.nioBufferCount() == 1) {
      // (the buffer's own cached NIO view: no allocation for pooled buffers)
      Serialize.write(msg, out.internalNioBuffer(at, size));
      out.writerIndex(at + size);
    } else {
      ByteBuffer frame = ByteBuffer.allocate(size);
      Serialize.write(msg, frame);
      out.writeBytes(frame.flip());
    }
    lastEncoded = msg; // (copied: the message's memory is no longer needed)
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

  private static int frameBytes(MessageBuilder msg) {
    return Math.toIntExact(Serialize.computeSerializedSizeInWords(msg) * 8);
  }
}
