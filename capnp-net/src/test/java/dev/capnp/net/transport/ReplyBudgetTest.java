package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.transport.QueueBudget;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Text;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * The vat-wide {@link QueueBudget}: peers that never read their replies cannot together make
 * the vat hold each one's per-connection limit. Without it, 64 such peers of EchoServerMain
 * (2 MiB limit each) could hold 128 MiB, and a 64 MiB server died of OutOfMemoryError.
 */
class ReplyBudgetTest {
  private static final long BUDGET = 64 << 10;
  private static final long PER_CONNECTION = 1 << 20;

  /** A channel whose peer reads nothing until {@link #drain} is set. */
  private static final class Peer extends EmbeddedChannel {
    boolean drain;

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
      if (drain) {
        super.doWrite(in);
      }
    }
  }

  private static NettyTransport transport(Peer ch, QueueBudget budget) {
    ch.pipeline().addLast("encoder", new FrameEncoder());
    NettyTransport t = new NettyTransport(ch, null, PER_CONNECTION).replyBudget(budget);
    ch.pipeline().addLast("rpc", t);
    return t;
  }

  private static void reply(Peer ch, NettyTransport t) {
    MessageBuilder m = new MessageBuilder();
    m.getRootAnyPointer().setAs(Text.FACTORY, new Text.Reader("reply"));
    t.sendReply(m);
    ch.runPendingTasks(); // the flush
  }

  /** What a transport charges the budget: its queued replies in whole steps of the floor. */
  private static long charged(NettyTransport t) {
    return t.queuedReplyBytes() - t.queuedReplyBytes() % QueueBudget.FLOOR_BYTES;
  }

  /** A peer that reads its replies never holds a whole step: it never touches the budget. */
  @Test
  void peersThatReadTheirRepliesDoNotChargeTheBudget() {
    QueueBudget budget = new QueueBudget(BUDGET);
    Peer a = new Peer();
    a.drain = true;
    NettyTransport ta = transport(a, budget);
    for (int i = 0; i < 1000; i++) {
      MessageBuilder m = new MessageBuilder();
      m.getRootAnyPointer().setAs(Text.FACTORY, new Text.Reader("reply"));
      ta.sendReply(m);
      // queued until the flush, but less than a step: nothing charged to the shared total
      assertThat(ta.queuedReplyBytes()).isPositive();
      assertThat(budget.queued()).isZero();
      a.runPendingTasks(); // the flush
    }
    assertThat(ta.queuedReplyBytes()).isZero();
    a.finishAndReleaseAll();
  }

  @Test
  void peersThatDoNotReadShareOneBudget() {
    QueueBudget budget = new QueueBudget(BUDGET);
    Peer a = new Peer();
    NettyTransport ta = transport(a, budget);
    Peer b = new Peer();
    NettyTransport tb = transport(b, budget);

    // a alone: it stops reading at the budget, far below its own limit
    while (ta.isReading() && ta.queuedReplyBytes() < PER_CONNECTION) {
      reply(a, ta);
    }
    assertThat(ta.isReading()).isFalse();
    // (charged in whole steps of the floor: up to a step late)
    assertThat(ta.queuedReplyBytes()).isGreaterThan(BUDGET)
        .isLessThan(BUDGET + QueueBudget.FLOOR_BYTES + 512);
    assertThat(budget.queued()).isEqualTo(charged(ta));

    // b, while the total is over: it reads on up to the floor, then stops too
    while (tb.isReading() && tb.queuedReplyBytes() < PER_CONNECTION) {
      reply(b, tb);
    }
    assertThat(tb.isReading()).isFalse();
    assertThat(tb.queuedReplyBytes()).isGreaterThan(QueueBudget.FLOOR_BYTES)
        .isLessThan(QueueBudget.FLOOR_BYTES + 512);
    assertThat(budget.queued()).isEqualTo(charged(ta) + charged(tb));

    // a closed connection gives its share back, with the replies it had not flushed yet; b's
    // peer reads again: b drains and resumes
    MessageBuilder unflushed = new MessageBuilder();
    unflushed.getRootAnyPointer().setAs(Text.FACTORY, new Text.Reader("not flushed"));
    ta.sendReply(unflushed);
    a.close();
    assertThat(budget.queued()).isEqualTo(charged(tb));
    b.drain = true;
    b.flush();
    b.runPendingTasks();
    assertThat(tb.queuedReplyBytes()).isZero();
    assertThat(tb.isReading()).isTrue();
    assertThat(budget.queued()).isZero();
    a.finishAndReleaseAll();
    b.finishAndReleaseAll();
  }
}
