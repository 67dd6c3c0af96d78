package dev.capnp.net.transport;

import dev.capnp.runtime.MessageBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.ByteBuffer;

/** Encodes {@link MessageBuilder}s with the standard framing into one pooled buffer each. */
public final class FrameEncoder extends MessageToByteEncoder<MessageBuilder> {
  /** An encoder preferring direct buffers. */
  public FrameEncoder() {
    super(MessageBuilder.class, true);
  }

  @Override
  protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, MessageBuilder msg,
      boolean preferDirect) {
    ByteBuffer[] segs = msg.getSegmentsForOutput();
    int size = headerBytes(segs.length);
    for (ByteBuffer s : segs) {
      size += s.remaining();
    }
    return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, MessageBuilder msg, ByteBuf out) {
    ByteBuffer[] segs = msg.getSegmentsForOutput();
    out.writeIntLE(segs.length - 1);
    for (ByteBuffer s : segs) {
      out.writeIntLE(s.remaining() / 8);
    }
    if ((segs.length & 1) == 0) {
      out.writeIntLE(0);
    }
    for (ByteBuffer s : segs) {
      out.writeBytes(s.duplicate());
    }
  }

  private static int headerBytes(int segments) {
    return ((4 + 4 * segments) + 7) & ~7;
  }
}
