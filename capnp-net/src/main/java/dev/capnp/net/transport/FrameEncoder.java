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
  }

  private static int frameBytes(MessageBuilder msg) {
    return Math.toIntExact(Serialize.computeSerializedSizeInWords(msg) * 8);
  }
}
