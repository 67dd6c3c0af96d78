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

/**
 * Decodes the standard (unpacked) stream framing into {@link MessageReader}s. The segment table
 * is checked before any segment data is buffered: more than {@link Serialize#MAX_SEGMENTS}
 * segments or a total above {@code maxMessageWords} fails with a {@link DecodeException} at
 * once, so a hostile peer cannot make the vat buffer a huge message. Each message is copied once
 * into its own heap buffer, which the reader owns (no reference counting leaks into RPC).
 */
public final class FrameDecoder extends ByteToMessageDecoder {
  private final long maxMessageWords;
  private final ReaderOptions options;
  private boolean failed;

  /** A decoder accepting messages up to {@code maxMessageWords}, read with {@code options}. */
  public FrameDecoder(long maxMessageWords, ReaderOptions options) {
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
      decodeFrames(in, out);
    } catch (DecodeException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
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
        return;
      }
      byte[] copy = new byte[(int) total];
      in.readBytes(copy);
      out.add(Serialize.read(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN), options));
    }
  }
}
