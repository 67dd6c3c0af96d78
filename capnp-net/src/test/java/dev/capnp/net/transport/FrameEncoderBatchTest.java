package dev.capnp.net.transport;

import static dev.capnp.net.transport.SocketTestSupport.blob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.Data;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.Text;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameEncoder} writes the frames of one flush into one buffer (issue 12: one allocation,
 * one leak-detector sample chance and one outbound entry per flush instead of per message), in
 * order with everything else written, and holds nothing after a close.
 */
class FrameEncoderBatchTest {
  /** An allocator that remembers every buffer it made (to check that all were released). */
  private static final class CountingAllocator extends AbstractByteBufAllocator {
    final List<ByteBuf> made = new ArrayList<>();

    CountingAllocator() {
      super(true);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      ByteBuf b = Unpooled.directBuffer(initialCapacity, maxCapacity);
      made.add(b);
      return b;
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      ByteBuf b = Unpooled.buffer(initialCapacity, maxCapacity);
      made.add(b);
      return b;
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }

  private final CountingAllocator alloc = new CountingAllocator();
  private final FrameEncoder encoder = new FrameEncoder();
  private final EmbeddedChannel ch = new EmbeddedChannel();

  FrameEncoderBatchTest() {
    ch.config().setAllocator(alloc);
    ch.pipeline().addLast(encoder);
  }

  private static MessageBuilder text(String s) {
    MessageBuilder m = new MessageBuilder();
    m.getRootAnyPointer().setAs(Text.FACTORY, new Text.Reader(s));
    return m;
  }

  /** The buffers written to the socket so far (taken out of the channel). */
  private List<ByteBuf> outbound() {
    List<ByteBuf> r = new ArrayList<>();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      r.add((ByteBuf) o);
    }
    return r;
  }

  /** The frames of {@code b}, as text (a root of over 1,000 bytes: "data:N"), releasing it. */
  private static List<String> frames(ByteBuf b) {
    List<String> r = new ArrayList<>();
    try {
      ByteBuffer in = b.nioBuffer();
      while (in.hasRemaining()) {
        MessageReader m = Serialize.read(in);
        int size = m.getRootAnyPointer().getAs(Data.FACTORY).size();
        r.add(size > 1000 ? "data:" + size
            : m.getRootAnyPointer().getAs(Text.FACTORY).toString());
      }
    } finally {
      b.release();
    }
    return r;
  }

  @Test
  void theFramesOfOneFlushShareOneBuffer() {
    for (int i = 0; i < 50; i++) {
      ch.write(text("m" + i), ch.voidPromise());
    }
    assertThat(outbound()).as("nothing passed on before the flush").isEmpty();
    assertThat(encoder.batchedBytes()).isPositive();
    ch.flush();
    List<ByteBuf> out = outbound();
    assertThat(out).hasSize(1);
    List<String> got = frames(out.get(0));
    assertThat(got).hasSize(50);
    assertThat(got.get(0)).isEqualTo("m0");
    assertThat(got.get(49)).isEqualTo("m49");
    assertThat(encoder.batchedBytes()).isZero();
  }

  @Test
  void anythingElseWrittenGoesAfterTheFramesBeforeIt() {
    ch.write(text("a"), ch.voidPromise());
    ch.write(text("b"), ch.voidPromise());
    ch.write(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), ch.voidPromise()); // a marker
    ch.write(text("c"), ch.voidPromise());
    ch.flush();
    List<ByteBuf> out = outbound();
    assertThat(out).hasSize(3);
    assertThat(frames(out.get(0))).containsExactly("a", "b");
    assertThat(out.get(1).readableBytes()).isEqualTo(3);
    out.get(1).release();
    assertThat(frames(out.get(2))).containsExactly("c");
  }

  @Test
  void aWriteWithItsOwnPromiseCompletesWithItsBatch() {
    ch.write(text("a"), ch.voidPromise());
    ChannelPromise p = ch.newPromise();
    ch.write(text("b"), p);
    ch.write(text("c"), ch.voidPromise());
    assertThat(p.isDone()).as("not written before the flush").isFalse();
    ch.flush();
    assertThat(p.isSuccess()).isTrue();
    List<ByteBuf> out = outbound();
    assertThat(out).hasSize(2);
    assertThat(frames(out.get(0))).containsExactly("a", "b");
    assertThat(frames(out.get(1))).containsExactly("c");
  }

  /** Every test ends with a close, after which no buffer the allocator made is still held. */
  @AfterEach
  void aCloseLeavesNoBufferHeld() {
    ch.close();
    ch.finishAndReleaseAll();
    for (ByteBuf b : alloc.made) {
      assertThat(b.refCnt()).as("a buffer still held after the close").isZero();
    }
  }

  @Test
  void aLargeFrameGetsItsOwnBufferInOrder() {
    ch.write(text("before"), ch.voidPromise());
    ch.write(blob(FrameEncoder.LARGE_FRAME_BYTES + 1), ch.voidPromise());
    ch.write(text("after"), ch.voidPromise());
    ch.flush();
    List<ByteBuf> out = outbound();
    assertThat(out).hasSize(3);
    assertThat(frames(out.get(0))).containsExactly("before");
    assertThat(frames(out.get(1))).containsExactly("data:" + (FrameEncoder.LARGE_FRAME_BYTES + 1));
    assertThat(frames(out.get(2))).containsExactly("after");
  }

  @Test
  void aBatchStopsAtItsLimit() {
    int frames = 0;
    while (frames * 4000 < 3 * FrameEncoder.MAX_BATCH_BYTES) {
      ch.write(blob(4000), ch.voidPromise());
      frames++;
    }
    ch.flush();
    List<ByteBuf> out = outbound();
    assertThat(out).hasSizeGreaterThanOrEqualTo(3);
    int total = 0;
    for (ByteBuf b : out) {
      assertThat(b.readableBytes()).isLessThanOrEqualTo(FrameEncoder.MAX_BATCH_BYTES);
      total += frames(b).size();
    }
    assertThat(total).isEqualTo(frames);
  }

  /**
   * A batch starts at the size the last one reached: flushes of many frames allocate one buffer
   * each; a flush of one frame after them gets a buffer of about its size (moved there if the
   * batch started larger), so a peer that reads nothing, whose replies each wait in a flush of
   * their own, makes us hold about their size, not a batch's.
   */
  @Test
  void batchesStartAtTheLastOnesSizeAndWaitInBuffersOfTheirSize() {
    int before = 0;
    long grown = 0;
    for (int flush = 0; flush < 5; flush++) {
      before = alloc.made.size();
      grown = encoder.batchGrowths();
      for (int i = 0; i < 100; i++) {
        ch.write(text("call " + i), ch.voidPromise());
      }
      ch.flush();
      ByteBuf b = outbound().get(0);
      assertThat(b.readableBytes()).isGreaterThan(2000);
      b.release();
    }
    assertThat(alloc.made.size() - before).as("buffers made by the last flush of many").isOne();
    assertThat(encoder.batchGrowths() - grown).as("growths in the last flush of many").isZero();
    for (int i = 0; i < 3; i++) {
      ch.writeAndFlush(text("one"), ch.voidPromise());
      ByteBuf b = outbound().get(0);
      assertThat(b.capacity()).as("single frame %d", i)
          .isLessThanOrEqualTo(2 * b.readableBytes() + FrameEncoder.SLACK_BYTES);
      b.release();
    }
  }

  /**
   * A connection that answers one call per flush takes no buffer per flush: the small buffer
   * it passed on is used again once the channel has written it (released its reference).
   */
  @Test
  void oneFrameFlushesUseTheirBufferAgainOnceItIsWritten() {
    ch.writeAndFlush(text("first"), ch.voidPromise());
    assertThat(frames(outbound().get(0))).containsExactly("first");
    int made = alloc.made.size();
    for (int i = 0; i < 10; i++) {
      ch.writeAndFlush(text("call " + i), ch.voidPromise());
      List<ByteBuf> out = outbound();
      assertThat(out).hasSize(1);
      assertThat(frames(out.get(0))).containsExactly("call " + i);
    }
    assertThat(alloc.made.size()).as("buffers made after the first flush").isEqualTo(made);
    assertThat(encoder.spareReuses()).isEqualTo(10);
  }

  /** A buffer the channel still holds (a socket not written yet) is never written into. */
  @Test
  void aBufferStillBeingWrittenIsNotUsedAgain() {
    ch.writeAndFlush(text("held"), ch.voidPromise());
    ByteBuf held = outbound().get(0); // not released: still being written
    ch.writeAndFlush(text("next"), ch.voidPromise());
    ByteBuf next = outbound().get(0);
    assertThat(next).isNotSameAs(held);
    assertThat(encoder.spareReuses()).isZero();
    assertThat(frames(held)).containsExactly("held");
    assertThat(frames(next)).containsExactly("next");
  }

  @Test
  void aCloseReleasesTheSpareBuffer() {
    ch.writeAndFlush(text("written"), ch.voidPromise());
    frames(outbound().get(0)); // the channel is done with it: only the encoder holds it now
    ch.close();
    ch.finishAndReleaseAll();
    assertThat(alloc.made).hasSize(1);
    assertThat(alloc.made.get(0).refCnt()).as("the spare still held").isZero();
  }

  @Test
  void aCloseReleasesTheFramesNotFlushed() {
    ch.write(text("never flushed"), ch.voidPromise());
    assertThat(encoder.batchedBytes()).isPositive();
    ch.close();
    ch.finishAndReleaseAll();
    assertThat(alloc.made).isNotEmpty();
    for (ByteBuf b : alloc.made) {
      assertThat(b.refCnt()).as("a buffer still held").isZero();
    }
  }
}
