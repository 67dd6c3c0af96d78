package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.runtime.DecodeException;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.ReaderOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameDecoder}'s large frames: gathered in their own array once a quarter has arrived
 * (not in a cumulation buffer that grows by copying), decoded intact whatever the read sizes, and
 * still bounded by the message limit and made only for bytes that have arrived.
 */
class FrameDecoderLargeFrameTest {
  private static final long MAX_WORDS = 8L << 20; // 64 MiB

  /** A one-segment frame of {@code words} words, each word holding its index and a salt. */
  private static byte[] frame(int words, int salt) {
    ByteBuffer b = ByteBuffer.allocate(8 + words * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0).putInt(words);
    for (int i = 0; i < words; i++) {
      b.putLong(((long) salt << 32) | i);
    }
    return b.array();
  }

  private static void assertMessage(MessageReader m, int words, int salt) {
    assertThat(m.segmentCount()).isEqualTo(1);
    ByteBuffer seg = m.getSegment(0).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    assertThat(m.getSegment(0).sizeInWords()).isEqualTo(words);
    for (int i = 0; i < words; i++) {
      long w = seg.getLong(seg.position() + i * 8);
      if (w != (((long) salt << 32) | i)) {
        throw new AssertionError("word " + i + " of message " + salt + " is " + Long.toHexString(w));
      }
    }
  }

  private static FrameDecoder decoder() {
    return new FrameDecoder(MAX_WORDS, ReaderOptions.DEFAULT);
  }

  @Test
  void aLargeFrameReadIn64KiBPiecesIsGatheredInItsOwnArrayAndDecodedIntact() {
    FrameDecoder d = decoder();
    EmbeddedChannel ch = new EmbeddedChannel(d);
    int words = 1 << 17; // 1 MiB
    byte[] big = frame(words, 1);
    byte[] small = frame(3, 2);
    byte[] all = new byte[big.length + small.length];
    System.arraycopy(big, 0, all, 0, big.length);
    System.arraycopy(small, 0, all, big.length, small.length);
    int piece = 64 * 1024;
    int fed = 0;
    while (fed < all.length) {
      int n = Math.min(piece, all.length - fed);
      ch.writeInbound(Unpooled.wrappedBuffer(all, fed, n));
      fed += n;
      if (fed >= big.length / 4 && fed < big.length) {
        // gathered in the frame's array; nothing left growing in the cumulation buffer
        assertThat(d.largeFrameBytesGathered()).isEqualTo(fed);
        assertThat(d.bufferedBytes()).isZero();
      }
    }
    MessageReader m1 = ch.readInbound();
    MessageReader m2 = ch.readInbound();
    assertMessage(m1, words, 1);
    assertMessage(m2, 3, 2);
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(d.largeFrameBytesGathered()).isZero();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void aLargeFrameTrickledByteByByteAfterSmallOnesIsDecodedIntact() {
    FrameDecoder d = decoder();
    EmbeddedChannel ch = new EmbeddedChannel(d);
    int words = 10_000; // 80 KiB
    byte[][] frames = {frame(5, 1), frame(words, 2), frame(1, 3), frame(words, 4)};
    int gatheredAtMost = 0;
    for (byte[] f : frames) {
      int at = 0;
      while (at < f.length) {
        int n = f.length > 1000 && at > 100 && at < f.length - 100 ? 997 : 1;
        n = Math.min(n, f.length - at);
        ch.writeInbound(Unpooled.wrappedBuffer(f, at, n));
        at += n;
        if (f.length > 1000 && at < f.length / 4) {
          assertThat(d.largeFrameBytesGathered()).as("no array before a quarter arrived").isZero();
        }
        gatheredAtMost = Math.max(gatheredAtMost, d.largeFrameBytesGathered());
      }
    }
    assertThat(gatheredAtMost).isGreaterThan(words * 8 / 2);
    assertMessage(ch.readInbound(), 5, 1);
    assertMessage(ch.readInbound(), words, 2);
    assertMessage(ch.readInbound(), 1, 3);
    assertMessage(ch.readInbound(), words, 4);
    assertThat((Object) ch.readInbound()).isNull();
    ch.finish();
  }

  @Test
  void aHeaderAloneMakesNoArrayAndAFrameAboveTheLimitFailsAtOnce() {
    FrameDecoder d = new FrameDecoder(100_000, ReaderOptions.DEFAULT);
    EmbeddedChannel ch = new EmbeddedChannel(d);
    ByteBuf header = Unpooled.buffer(16).writeIntLE(0).writeIntLE(90_000).writeLongLE(7);
    ch.writeInbound(header);
    assertThat(d.largeFrameBytesGathered()).isZero();
    assertThat(d.bufferedBytes()).isEqualTo(16);
    ch.finishAndReleaseAll();

    EmbeddedChannel ch2 = new EmbeddedChannel(new FrameDecoder(100_000, ReaderOptions.DEFAULT));
    assertThatThrownBy(() -> ch2.writeInbound(
        Unpooled.buffer(8).writeIntLE(0).writeIntLE(100_001)))
        .hasRootCauseInstanceOf(DecodeException.class).hasMessageContaining("exceeds the limit");
    ch2.finishAndReleaseAll();
  }
}
