package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.Text;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link NettyTransport#sendReplyReusable}: a reply written on the channel's event loop that
 * our {@link FrameEncoder} copied during the write may be rebuilt at once, and the frames
 * written keep their own content; a reply that did not reach the encoder during the call (a
 * handler in front of it queues it) is reported as kept.
 */
class ReplyReuseTest {
  private static MessageBuilder text(MessageBuilder m, String s) {
    m.getRootAnyPointer().setAs(Text.FACTORY, new Text.Reader(s));
    return m;
  }

  private static List<String> framesWritten(EmbeddedChannel ch) {
    ch.runPendingTasks(); // (the transport's flush task)
    List<String> r = new ArrayList<>();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      try {
        // (frames written between two flushes share a buffer: FrameEncoder's batch)
        java.nio.ByteBuffer frames = b.nioBuffer();
        while (frames.hasRemaining()) {
          MessageReader m = Serialize.read(frames);
          r.add(m.getRootAnyPointer().getAs(Text.FACTORY).toString());
        }
      } finally {
        b.release();
      }
    }
    return r;
  }

  @Test
  void encodedRepliesMayBeRebuiltAndKeepTheirFrames() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast("encoder", new FrameEncoder());
    NettyTransport t = new NettyTransport(ch, null);
    ch.pipeline().addLast("rpc", t);
    MessageBuilder m = text(new MessageBuilder(), "first");
    assertThat(t.sendReplyReusable(m)).isTrue();
    m.reset();
    assertThat(t.sendReplyReusable(text(m, "second"))).isTrue();
    m.reset();
    text(m, "overwritten after the send");
    assertThat(framesWritten(ch)).containsExactly("first", "second");
    ch.finishAndReleaseAll();
  }

  @Test
  void repliesQueuedInFrontOfTheEncoderAreKept() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast("encoder", new FrameEncoder());
    List<Object> queued = new ArrayList<>();
    ch.pipeline().addLast("queue", new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        queued.add(msg); // written on later: the message must stay as it is
      }
    });
    NettyTransport t = new NettyTransport(ch, null);
    ch.pipeline().addLast("rpc", t);
    MessageBuilder m = text(new MessageBuilder(), "kept");
    assertThat(t.sendReplyReusable(m)).isFalse();
    assertThat(queued).containsExactly(m);
    // and an earlier encoded message is not mistaken for this one
    MessageBuilder m2 = text(new MessageBuilder(), "kept too");
    assertThat(t.sendReplyReusable(m2)).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void aPipelineWithoutOurEncoderKeepsTheReply() {
    EmbeddedChannel ch = new EmbeddedChannel();
    List<Object> seen = new ArrayList<>();
    ch.pipeline().addLast("other", new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        seen.add(msg);
        promise.setSuccess();
      }
    });
    NettyTransport t = new NettyTransport(ch, null);
    ch.pipeline().addLast("rpc", t);
    MessageBuilder m = text(new MessageBuilder(), "x");
    assertThat(t.sendReplyReusable(m)).isFalse();
    assertThat(seen).containsExactly(m);
    ch.finishAndReleaseAll();
  }

  /**
   * {@link NettyTransport#sendReusable} (the core's Finish messages): the same rule as for
   * replies, and a message queued in front of the encoder is kept.
   */
  @Test
  void encodedMessagesMayBeRebuiltAndQueuedOnesAreKept() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast("encoder", new FrameEncoder());
    NettyTransport t = new NettyTransport(ch, null);
    ch.pipeline().addLast("rpc", t);
    MessageBuilder m = text(new MessageBuilder(), "one");
    assertThat(t.sendReusable(m)).isTrue();
    m.reset();
    assertThat(t.sendReusable(text(m, "two"))).isTrue();
    m.reset();
    text(m, "overwritten after the send");
    assertThat(framesWritten(ch)).containsExactly("one", "two");
    ch.finishAndReleaseAll();

    EmbeddedChannel q = new EmbeddedChannel();
    q.pipeline().addLast("encoder", new FrameEncoder());
    List<Object> queued = new ArrayList<>();
    q.pipeline().addLast("queue", new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        queued.add(msg);
      }
    });
    NettyTransport qt = new NettyTransport(q, null);
    q.pipeline().addLast("rpc", qt);
    MessageBuilder k = text(new MessageBuilder(), "kept");
    assertThat(qt.sendReusable(k)).isFalse();
    assertThat(queued).containsExactly(k);
    q.finishAndReleaseAll();
  }
}
