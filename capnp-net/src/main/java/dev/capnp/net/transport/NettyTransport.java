package dev.capnp.net.transport;

import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.RateLimitedLog;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.rpc.transport.QueueBudget;
import dev.capnp.runtime.DecodeException;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A {@link MessageTransport} over a Netty channel whose pipeline ends with a
 * {@link FrameDecoder} / {@link FrameEncoder} pair and then this handler.
 *
 * <p>Write batching: messages sent while the channel's event loop is busy (for example while
 * the RPC loop, running on the same thread, processes a burst of incoming calls) are written
 * without flushing; one flush task, queued behind the current work, sends them together. On a
 * {@link DrivenIoEventLoop}, a blocking caller that has its reply holds that flush (its Finish)
 * back for its next call, for at most the loop's grace period. On a {@link DrivenIoEventLoop}
 * the flush task, when it finds other tasks queued behind it, steps behind them (at most
 * {@value #MAX_FLUSH_DEFERRALS} times, and only while less than {@value #DEFER_FLUSH_BELOW_BYTES}
 * bytes wait): a burst of calls whose handling the RPC loop splits into several batches of tasks
 * (256 tasks each, about 57 calls) is then answered with one write, not one per batch.
 *
 * <p>Backpressure: reading from the peer stops while the connection has too many received
 * messages still to handle ({@link #pauseReading()}) or while more than
 * {@code maxQueuedReplyBytes} of replies ({@link #sendReply}) wait to be written because the
 * peer does not read them; it resumes when both have drained (the replies to half the limit).
 * A stopped channel reads nothing, so TCP flow control stops the peer, and a peer that never
 * reads its replies can make this side hold at most about the limit. Each reply counts its
 * encoded size plus {@value #REPLY_OVERHEAD_BYTES} bytes for the objects that hold it while it
 * waits (Netty's outbound entry, buffer, NIO view and reference count: about 220 bytes
 * measured): counting the encoded size alone, a peer leaving small replies unread (an echo of a
 * few bytes) made each connection hold 4-5 times the limit in the heap (8 such peers: 74 MiB
 * live for a 2 MiB limit). Only replies count: a side
 * busy sending requests of its own keeps reading the answers that drain them (two peers that
 * only flood each other with requests would otherwise both stop reading).
 *
 * <p>Threading: every field below is confined to the channel's event loop.
 *
 * <p>An undecodable or oversized incoming message aborts the connection: an RPC {@code Abort}
 * (type failed, the decoder's message) is flushed before the channel is closed.
 *
 * <p>Closing: the channel allows half-closure, so an end of stream from the peer (TCP FIN or a
 * TLS {@code close_notify}) is reported to the receiver while the output is still open; the RPC
 * connection can still answer it (spec section 7: {@code Abort(disconnected, "Connection
 * closed")}) before it closes the transport. A closing transport flushes, ends its output and
 * closes the channel once both directions are done (or after {@link #LINGER_MILLIS}).
 */
public final class NettyTransport extends ChannelInboundHandlerAdapter
    implements MessageTransport {
  /** How long a closing connection waits for the peer to close before closing anyway. */
  public static final long LINGER_MILLIS = 3000;
  /**
   * What a queued reply costs besides its encoded bytes, counted against
   * {@code maxQueuedReplyBytes}: the frame header and the objects holding the reply until it is
   * written (about 220 bytes measured on JDK 17 with Netty's adaptive allocator, for a reply
   * flushed alone; replies flushed together share one buffer and its objects, see
   * {@link FrameEncoder}, and are still counted whole: the bound is a ceiling).
   */
  public static final int REPLY_OVERHEAD_BYTES = 256;
  private final Channel channel;
  private final EventLoop eventLoop;
  /**
   * The loop to tell of written replies (it may yield after them, {@link AnswerYield}, or spin,
   * {@link ReplySpin}), or {@code null}: a {@link DrivenIoEventLoop}.
   */
  private final DrivenIoEventLoop answerLoop;
  /**
   * A TCP connection: the loop yields after replies on TCP only. On a Unix-domain socket, reading
   * a peer's bytes already wakes a peer that waits for its socket to be writable (the kernel
   * signals writability on every read there; the C++ client waits for it), and after a yield that
   * peer preempts us at every read: more context switches, not fewer
   * ({@code benchmarks/README.md}).
   */
  private final boolean tcp;
  /** See {@link #finishFollowsReplies}: true until the protocol core says otherwise. */
  private volatile boolean finishFollowsReplies = true;
  private final TransportMetrics metrics;
  /** Held back by a {@link DrivenIoEventLoop} waiter that has its reply (see there). */
  private final DrivenIoEventLoop.Flush flushTask = this::flushNow;
  private boolean flushScheduled;
  /** How many times a flush may step behind the tasks queued after it (see the class comment). */
  static final int MAX_FLUSH_DEFERRALS = 4;
  /** A flush steps behind queued tasks only while fewer bytes than this wait to be written. */
  static final long DEFER_FLUSH_BELOW_BYTES = 64 * 1024;
  /** How many times the scheduled flush has stepped behind queued tasks. */
  private int flushDeferrals;
  /** How many flushes this transport has made ({@link #flushNow}; tests, benchmarks). */
  private long flushes;
  private Receiver receiver;
  private ArrayList<MessageReader> early = new ArrayList<>();
  private Throwable closedCause;
  private boolean closedSeen;
  private boolean closing;
  private boolean inputDone;
  private boolean outputDone;
  private final long maxQueuedReplyBytes;
  /** Bytes of replies handed to the channel and not yet written to the socket. */
  private long queuedReplyBytes;
  private boolean pausedByReplies;
  /**
   * The vat-wide bound on queued replies, or null. Every reply charged to it is given back in
   * {@link #repliesWritten}, also when the connection closes (the write of the marker behind
   * them fails then, see {@link #confirmReplies}).
   */
  private QueueBudget budget;
  /** What this connection has charged to {@link #budget}: see {@link #chargeBudget}. */
  private long budgetCharged;
  private boolean pausedByReceiver;
  private long repliesWritten;
  /** Bytes and count of replies written since the last {@link #confirmReplies}. */
  private long unconfirmedReplyBytes;
  private long unconfirmedReplies;
  /** This channel's encoder, once looked up (on the event loop). */
  private FrameEncoder encoder;
  private boolean stallCheckPending;
  private long replyStallMillis = 60_000;
  private boolean messageSeen;
  /**
   * The first-message timer until it is no longer needed (a message came, the channel closed):
   * left to fire, it would keep the closed connection in memory for up to the timeout.
   */
  private io.netty.util.concurrent.ScheduledFuture<?> firstMessageTimer;
  private boolean dropLogged;
  private java.util.function.Consumer<Throwable> fatalHandler;
  private RateLimitedLog peerLog = DEFAULT_LOG;
  private static final RateLimitedLog DEFAULT_LOG = new RateLimitedLog(
      org.slf4j.LoggerFactory.getLogger(NettyTransport.class), "dropped connections", 20,
      10_000);

  /**
   * A transport over {@code channel} with the default reply limit
   * ({@link ConnectionLimits#DEFAULT}); add it as the last handler of the channel's pipeline.
   *
   * @param channel the connection's channel
   * @param metrics the counters to update
   */
  public NettyTransport(Channel channel, TransportMetrics metrics) {
    this(channel, metrics, ConnectionLimits.DEFAULT.maxQueuedReplyBytes());
  }

  /**
   * A transport over {@code channel} that stops reading while more than
   * {@code maxQueuedReplyBytes} of replies wait to be written; add it as the last handler of the
   * channel's pipeline.
   *
   * @param channel the connection's channel
   * @param metrics the counters to update
   * @param maxQueuedReplyBytes the reply limit in bytes
   */
  public NettyTransport(Channel channel, TransportMetrics metrics, long maxQueuedReplyBytes) {
    if (maxQueuedReplyBytes <= 0) {
      throw new IllegalArgumentException("maxQueuedReplyBytes must be positive, got "
          + maxQueuedReplyBytes);
    }
    this.maxQueuedReplyBytes = maxQueuedReplyBytes;
    this.channel = channel;
    this.eventLoop = channel.eventLoop();
    this.answerLoop = eventLoop instanceof DrivenIoEventLoop
        ? (DrivenIoEventLoop) eventLoop : null;
    this.tcp = channel instanceof io.netty.channel.socket.SocketChannel;
    if (channel.config() instanceof DuplexChannelConfig) {
      // an end of stream is reported to us instead of closing the channel (so it can be answered)
      ((DuplexChannelConfig) channel.config()).setAllowHalfClosure(true);
    }
    this.metrics = metrics == null ? TransportMetrics.NONE : metrics;
  }

  /**
   * The underlying channel.
   *
   * @return the channel
   */
  public Channel channel() {
    return channel;
  }

  @Override
  public void send(MessageBuilder message) {
    metrics.messageEnqueued();
    if (eventLoop.inEventLoop()) {
      write(message);
    } else {
      eventLoop.execute(() -> write(message));
    }
  }

  @Override
  public void sendReply(MessageBuilder message) {
    metrics.messageEnqueued();
    if (eventLoop.inEventLoop()) {
      writeReply(message);
    } else {
      eventLoop.execute(() -> writeReply(message));
    }
  }

  /**
   * Writes a call (or a bootstrap); if it is the only one that awaits its answer, tells the
   * loop, which may then poll a short while for that answer before it sleeps
   * ({@link DrivenIoEventLoop#callWritten}). With more calls awaited, answers keep coming
   * anyway, and a loop that polled for each would hold its CPU for nothing (100 calls in flight
   * to a C++ server: 5-15 % fewer calls per second).
   */
  @Override
  public void sendCall(MessageBuilder message, int awaited) {
    if (awaited != 1) {
      send(message);
      return;
    }
    metrics.messageEnqueued();
    if (eventLoop.inEventLoop()) {
      writeCall(message);
    } else {
      eventLoop.execute(() -> writeCall(message));
    }
  }

  private void writeCall(MessageBuilder message) {
    if (write(message) && answerLoop != null) {
      answerLoop.callWritten();
    }
  }

  /**
   * Whether a yield after a reply may pay ({@link AnswerYield}): only if the peer is to write
   * its {@code Finish} for it at once, as libcapnp before 1.0 does in a write of its own. A peer
   * that honours {@code noFinishNeeded} (libcapnp 1.0 and later, this library) sends nothing
   * after such a {@code Return} but its next call, and the yield would be one more system call
   * per call for nothing (issue 12, benchmarks/README.md "The yield only where a Finish
   * follows"). Set on the connection's loop, read where the reply is written.
   */
  @Override
  public void finishFollowsReplies(boolean expected) {
    finishFollowsReplies = expected;
  }

  /**
   * A reply written on the channel's event loop, when this channel's {@link FrameEncoder} copies
   * it into its buffer during the write (it checks that it did), may be reused at once; from
   * another thread, or through a pipeline without our encoder, it may not.
   */
  @Override
  public boolean sendReplyReusable(MessageBuilder message) {
    return sendReusable(message, true);
  }

  /**
   * A message written on the channel's event loop, copied by this channel's
   * {@link FrameEncoder} during the write, may be reused at once (as for
   * {@link #sendReplyReusable}); the protocol core sends its Finish messages so.
   */
  @Override
  public boolean sendReusable(MessageBuilder message) {
    return sendReusable(message, false);
  }

  /** {@link #sendReplyReusable} ({@code reply}) or {@link #sendReusable(MessageBuilder)}. */
  private boolean sendReusable(MessageBuilder message, boolean reply) {
    metrics.messageEnqueued();
    if (!eventLoop.inEventLoop()) {
      eventLoop.execute(reply ? () -> writeReply(message) : () -> write(message));
      return false;
    }
    if (!(reply ? writeReply(message) : write(message))) {
      return true; // (not written: the channel is closing, nothing kept it)
    }
    return encoded(message);
  }

  /** Whether our encoder copied {@code message} during the write just made (on the loop). */
  private boolean encoded(MessageBuilder message) {
    FrameEncoder e = encoder;
    if (e == null) {
      e = encoder = channel.pipeline().get(FrameEncoder.class);
    }
    return e != null && e.takeEncoded(message);
  }

  /** Writes a reply; false if the channel is closing (nothing written). */
  private boolean writeReply(MessageBuilder message) {
    if (closing || !channel.isActive()) {
      return false;
    }
    // the segments, plus the frame header and the objects that hold the reply until written
    long size = message.sizeInWords() * 8 + REPLY_OVERHEAD_BYTES;
    queuedReplyBytes += size;
    chargeBudget();
    // (no promise per reply: the flush that follows confirms the batch, see confirmReplies)
    unconfirmedReplyBytes += size;
    unconfirmedReplies++;
    channel.write(message, channel.voidPromise());
    if (answerLoop != null) {
      // a yield after the turn (TCP, a Finish expected: see finishFollowsReplies) or a spin
      answerLoop.replyWritten(tcp && finishFollowsReplies);
    }
    if (!pausedByReplies && QueueBudget.mustPause(queuedReplyBytes, maxQueuedReplyBytes, budget)) {
      pausedByReplies = true;
      updateReading();
      watchReplyStall();
    }
    scheduleFlush();
    return true;
  }

  /**
   * While reading is held because the peer does not read its replies, the peer must read
   * something within the stall timeout, or the connection is dropped: a peer that never reads
   * would otherwise hold its socket and the replies queued for it forever.
   */
  private void watchReplyStall() {
    if (stallCheckPending) {
      return;
    }
    stallCheckPending = true;
    long writtenThen = repliesWritten;
    long pendingThen = pendingOutboundBytes();
    eventLoop.schedule(() -> {
      stallCheckPending = false;
      if (!pausedByReplies || closing || !channel.isActive()) {
        return;
      }
      if (repliesWritten == writtenThen && pendingOutboundBytes() >= pendingThen) {
        drop("the peer read none of its replies for " + Durations.describe(replyStallMillis));
      } else {
        watchReplyStall();
      }
    }, replyStallMillis, TimeUnit.MILLISECONDS);
  }

  private long pendingOutboundBytes() {
    io.netty.channel.ChannelOutboundBuffer b = channel.unsafe().outboundBuffer();
    return b == null ? 0 : b.totalPendingWriteBytes();
  }

  /**
   * Brings this connection's charge to {@link #budget} to its queued reply bytes, in whole steps
   * of {@link QueueBudget#FLOOR_BYTES}: the budget's total is shared by the vat's I/O threads,
   * and a connection whose peer reads its replies (it never holds a whole step) should not touch
   * that shared counter twice per reply. The total then falls short of the truth by less than
   * a step per connection, within the bound's own slack (a floor per connection). Nothing
   * without a budget.
   */
  private void chargeBudget() {
    if (budget == null) {
      return;
    }
    long target = queuedReplyBytes - queuedReplyBytes % QueueBudget.FLOOR_BYTES;
    if (target != budgetCharged) {
      budget.add(target - budgetCharged);
      budgetCharged = target;
    }
  }

  /**
   * Shares {@code budget}, the vat-wide bound on queued replies, with the vat's other
   * connections (null: none, the default); call before the channel is active. Returns this.
   *
   * @param budget the vat's budget, or {@code null}
   * @return this transport
   */
  public NettyTransport replyBudget(QueueBudget budget) {
    this.budget = budget;
    return this;
  }

  /**
   * How long a peer that leaves its replies unread may hold the connection without reading any
   * (default 60 s); returns this.
   *
   * @param millis the timeout in milliseconds
   * @return this transport
   */
  public NettyTransport replyStallTimeout(long millis) {
    if (millis <= 0) {
      throw new IllegalArgumentException("reply stall timeout must be positive: " + millis);
    }
    this.replyStallMillis = millis;
    return this;
  }

  /**
   * After a flush: the replies written since the last confirmation are written to the socket if
   * nothing is left in the channel's outbound buffer (the usual case: the flush wrote it all),
   * with no allocation. Else (the peer reads slowly, or TLS, whose handler keeps its own queue,
   * or the channel is gone) an empty buffer written behind them confirms them when it is
   * reached (one promise per such flush, not per reply), or when the write fails.
   */
  private void confirmReplies() {
    if (unconfirmedReplies == 0) {
      return;
    }
    long bytes = unconfirmedReplyBytes;
    long count = unconfirmedReplies;
    unconfirmedReplyBytes = 0;
    unconfirmedReplies = 0;
    if (channel.isActive() && pendingOutboundBytes() == 0
        && channel.pipeline().get(SslHandler.class) == null) {
      repliesWritten(bytes, count);
      return;
    }
    ChannelPromise marker = channel.newPromise();
    marker.addListener(f -> repliesWritten(bytes, count));
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER, marker);
  }

  private void repliesWritten(long size, long count) {
    queuedReplyBytes -= size;
    chargeBudget();
    repliesWritten += count;
    if (pausedByReplies && QueueBudget.mayResume(queuedReplyBytes, maxQueuedReplyBytes, budget)) {
      pausedByReplies = false;
      updateReading();
    }
  }

  @Override
  public void pauseReading() {
    onLoop(() -> {
      pausedByReceiver = true;
      updateReading();
    });
  }

  @Override
  public void resumeReading() {
    onLoop(() -> {
      pausedByReceiver = false;
      updateReading();
    });
  }

  /**
   * Whether the channel is reading from the peer now (false while backpressure holds it).
   *
   * @return {@code true} if the channel is reading
   */
  public boolean isReading() {
    return !(pausedByReceiver || pausedByReplies);
  }

  /**
   * Bytes of replies queued for the peer and not yet written: their encoded size plus
   * {@value #REPLY_OVERHEAD_BYTES} per reply.
   *
   * @return the queued bytes
   */
  public long queuedReplyBytes() {
    return queuedReplyBytes;
  }

  private void updateReading() {
    channel.config().setAutoRead(isReading());
  }

  private void onLoop(Runnable r) {
    if (eventLoop.inEventLoop()) {
      r.run();
    } else {
      eventLoop.execute(r);
    }
  }

  /** Writes a message; false if the channel is closing (nothing written). */
  private boolean write(MessageBuilder message) {
    if (closing || !channel.isActive()) {
      return false;
    }
    channel.write(message, channel.voidPromise());
    scheduleFlush();
    return true;
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      eventLoop.execute(flushTask);
    }
  }

  private void flushNow() {
    if (flushDeferrals < MAX_FLUSH_DEFERRALS && eventLoop instanceof DrivenIoEventLoop
        && ((DrivenIoEventLoop) eventLoop).hasQueuedTasks()
        && pendingOutboundBytes() < DEFER_FLUSH_BELOW_BYTES) {
      // more work is queued behind us (the rest of a burst of calls, say): write it all at once
      flushDeferrals++;
      eventLoop.execute(flushTask);
      return;
    }
    flushDeferrals = 0;
    flushScheduled = false;
    flushes++;
    channel.flush();
    confirmReplies();
  }

  /** How many flushes this transport has made (on the channel's event loop; tests). */
  long flushes() {
    return flushes;
  }

  @Override
  public void start(Receiver r) {
    eventLoop.execute(() -> {
      receiver = r;
      ArrayList<MessageReader> pending = early;
      early = null;
      for (MessageReader m : pending) {
        r.onMessage(m);
      }
      if (closedSeen) {
        r.onClosed(closedCause);
      }
    });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    MessageReader m = (MessageReader) msg;
    metrics.messageReceived();
    messageSeen = true;
    cancelFirstMessageTimer();
    if (closing) {
      return; // we have said goodbye; what the peer still sends is dropped
    }
    if (receiver != null) {
      receiver.onMessage(m);
    } else {
      early.add(m);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelFirstMessageTimer();
    reportClosed(null);
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
      endOfInput();
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** The peer will send nothing more (end of stream or TLS close_notify). */
  private void endOfInput() {
    if (inputDone) {
      return;
    }
    inputDone = true;
    if (closing) {
      if (outputDone) {
        channel.close();
      }
      return;
    }
    reportClosed(null);
    SslHandler ssl = receiver == null ? channel.pipeline().get(SslHandler.class) : null;
    if (ssl != null && !ssl.handshakeFuture().isDone()) {
      // the peer ended its stream during the TLS handshake (its last flight read, the
      // handshake still in its tasks): Netty's handler then never finishes it, and the socket
      // would wait for the first-message timeout; nothing can come from this peer any more.
      // Closed from the pipeline's head: the TLS handler's own close would first wait (3 s)
      // for a close_notify that it cannot write before its handshake ends
      channel.pipeline().firstContext().close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (closing) {
      return;
    }
    Throwable c = cause instanceof DecoderException && cause.getCause() != null
        ? cause.getCause() : cause;
    logDrop(c);
    if (dev.capnp.rpc.EventLoop.isFatal(c) && fatalHandler != null) {
      fatalHandler.accept(c);
    }
    if (c instanceof DecodeException && channel.isActive()) {
      MessageBuilder abort = new MessageBuilder(32);
      Rpc.Exception.Builder e = abort.initRoot(Rpc.Message.FACTORY).initAbort();
      e.setType(Rpc.Exception.Type.FAILED);
      e.setReason(c.getMessage());
      channel.write(abort, channel.voidPromise());
      gracefulClose();
    } else {
      channel.close();
    }
    reportClosed(c);
  }

  /**
   * One line for the connection this exception ends: the peer's bad frame, our own trouble (an
   * {@code OutOfMemoryError} while buffering its data), or a reset by the peer.
   */
  private void logDrop(Throwable c) {
    if (dropLogged || duringTlsHandshake()) {
      return; // a failed handshake is logged by whoever waits for it
    }
    dropLogged = true;
    String detail = RateLimitedLog.bounded(c.getMessage() == null ? c.toString()
        : c.getMessage());
    if (c instanceof DecodeException) {
      peerLog.warn("Dropped connection {}: bad frame: {}", peer(), detail);
    } else if (c instanceof Error) {
      peerLog.warn("Dropped connection {}: {}: {}", peer(), c.getClass().getSimpleName(),
          detail);
    } else {
      peerLog.info("Connection {} failed: {}", peer(), detail);
    }
  }

  private boolean duringTlsHandshake() {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    return ssl != null && !ssl.handshakeFuture().isSuccess();
  }

  private String peer() {
    return String.valueOf(channel.remoteAddress());
  }

  /**
   * Drops the connection unless a complete message has arrived within {@code millis} (accepted
   * connections: a peer that connects and says nothing, or stalls in the TLS handshake or in its
   * first frame, must not hold a socket forever).
   *
   * @param millis the timeout in milliseconds
   */
  public void expectFirstMessageWithin(long millis) {
    firstMessageTimer = eventLoop.schedule(() -> {
      firstMessageTimer = null;
      if (!messageSeen && !closing && channel.isActive()) {
        drop("no complete message within " + Durations.describe(millis));
      }
    }, millis, TimeUnit.MILLISECONDS);
  }

  private void cancelFirstMessageTimer() {
    if (firstMessageTimer != null) {
      firstMessageTimer.cancel(false);
      firstMessageTimer = null;
    }
  }

  /** Closes the connection for {@code reason}, logged once; the receiver learns of it. */
  private void drop(String reason) {
    if (!dropLogged) {
      dropLogged = true;
      peerLog.warn("Dropped connection {}: {}", peer(), reason);
    }
    abort();
    reportClosed(new java.io.IOException(reason));
  }

  /**
   * Closes the socket at once, without a TLS {@code close_notify}: a peer that stalls or reads
   * nothing would not take it anyway, and TLS would wait for it and then warn ("Last write
   * attempt timed out"), one line per such peer, past our rate-limited log. On the loop only.
   */
  private void abort() {
    closing = true;
    channel.unsafe().close(channel.unsafe().voidPromise());
  }

  /**
   * Whether this transport has logged why its connection ended (on the channel's loop).
   *
   * @return {@code true} once the reason is logged
   */
  public boolean dropLogged() {
    return dropLogged;
  }

  /**
   * What to do when a fatal error ({@link dev.capnp.rpc.EventLoop#isFatal}, e.g. an
   * {@code OutOfMemoryError} buffering the peer's data) reaches this transport: the vat stops.
   *
   * @param handler called with the fatal error
   * @return this transport
   */
  public NettyTransport onFatalError(java.util.function.Consumer<Throwable> handler) {
    this.fatalHandler = handler;
    return this;
  }

  /**
   * Where lines about dropped connections go (default: a JVM-wide rate-limited log).
   *
   * @param log the log
   * @return this transport
   */
  public NettyTransport logTo(RateLimitedLog log) {
    this.peerLog = java.util.Objects.requireNonNull(log);
    return this;
  }

  private void reportClosed(Throwable cause) {
    if (closedSeen) {
      return;
    }
    closedSeen = true;
    closedCause = cause;
    if (receiver != null) {
      receiver.onClosed(cause);
    }
  }

  @Override
  public void close() {
    if (eventLoop.inEventLoop()) {
      gracefulClose();
    } else {
      eventLoop.execute(this::gracefulClose);
    }
  }

  /**
   * Flushes what was written (e.g. an Abort), ends the output (TLS close_notify, then a TCP
   * half-close) and closes once the peer has closed too or after {@link #LINGER_MILLIS}. Closing
   * at once could reset the connection while the peer still has data in flight, and the peer's
   * kernel would then drop our last messages.
   */
  private void gracefulClose() {
    if (closing) {
      return;
    }
    closing = true;
    flushScheduled = false;
    if (!channel.isActive()) {
      channel.close();
      return;
    }
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    ChannelFuture sent;
    if (ssl != null) {
      channel.flush();
      sent = ssl.closeOutbound();
    } else {
      sent = channel.writeAndFlush(Unpooled.EMPTY_BUFFER);
    }
    confirmReplies(); // (written, or failed with the channel: as before, they count no more)
    sent.addListener(f -> {
      if (channel instanceof DuplexChannel && channel.isActive() && f.isSuccess()
          && !inputDone) {
        ((DuplexChannel) channel).shutdownOutput().addListener(x -> {
          outputDone = true;
          if (inputDone) {
            channel.close();
          }
        });
        eventLoop.schedule(() -> {
          channel.close();
        }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
      } else {
        channel.close();
      }
    });
  }

  @Override
  public String toString() {
    return "NettyTransport(" + channel + ")";
  }
}
