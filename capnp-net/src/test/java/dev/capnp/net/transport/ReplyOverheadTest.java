package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Text;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * Small replies a peer leaves unread: each counts its encoded size plus
 * {@link NettyTransport#REPLY_OVERHEAD_BYTES} against {@code maxQueuedReplyBytes}, so the
 * connection stops reading once the replies it holds cost about the limit in memory. Counting
 * the encoded bytes alone, 16-byte replies stopped it only after 17 times as many replies (the
 * objects holding each queued reply, ~220 bytes, then made the real cost 4-5 times the limit:
 * 74 MiB live in the heap for 8 such peers of a server with a 2 MiB limit).
 */
class ReplyOverheadTest {
  private static final long LIMIT = 64 << 10;

  @Test
  void smallUnreadRepliesStopReadingAtTheirRealCost() {
    EmbeddedChannel ch = new EmbeddedChannel() {
      @Override
      protected void doWrite(ChannelOutboundBuffer in) {
        // a peer that reads nothing: every frame stays in the outbound buffer
      }
    };
    ch.pipeline().addLast("encoder", new FrameEncoder());
    NettyTransport t = new NettyTransport(ch, null, LIMIT);
    ch.pipeline().addLast("rpc", t);
    int replies = 0;
    long encoded = 0;
    while (t.isReading() && replies < 100_000) {
      MessageBuilder m = new MessageBuilder();
      m.getRootAnyPointer().setAs(Text.FACTORY, new Text.Reader("r"));
      encoded += m.sizeInWords() * 8;
      t.sendReply(m);
      replies++;
    }
    assertThat(t.isReading()).as("reading stopped").isFalse();
    assertThat(encoded).as("encoded bytes of the replies queued (%d replies)", replies)
        .isLessThan(LIMIT / 8);
    assertThat(replies).isEqualTo(
        (int) (LIMIT / (encoded / replies + NettyTransport.REPLY_OVERHEAD_BYTES)) + 1);
    assertThat(t.queuedReplyBytes())
        .isEqualTo(encoded + (long) replies * NettyTransport.REPLY_OVERHEAD_BYTES);
    ch.finishAndReleaseAll();
  }
}
