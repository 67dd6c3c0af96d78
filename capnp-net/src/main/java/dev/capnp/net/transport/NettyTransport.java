package dev.capnp.net.transport;

import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.DecodeException;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;

/**
 * A {@link MessageTransport} over a Netty channel whose pipeline ends with a
 * {@link FrameDecoder} / {@link FrameEncoder} pair and then this handler.
 *
 * <p>Write batching: messages sent while the channel's event loop is busy (for example while
 * the RPC loop, running on the same thread, processes a burst of incoming calls) are written
 * without flushing; one flush task, queued behind the current work, sends them together.
 *
 * <p>An undecodable or oversized incoming message aborts the connection: an RPC {@code Abort}
 * (type failed, the decoder's message) is flushed before the channel is closed.
 */
public final class NettyTransport extends ChannelInboundHandlerAdapter
    implements MessageTransport {
  private final Channel channel;
  private final EventLoop eventLoop;
  private final TransportMetrics metrics;
  private final Runnable flushTask = this::flushNow;
  private boolean flushScheduled;
  private Receiver receiver;
  private ArrayList<MessageReader> early = new ArrayList<>();
  private Throwable closedCause;
  private boolean closedSeen;
  private boolean closing;

  /** A transport over {@code channel}; add it as the last handler of the channel's pipeline. */
  public NettyTransport(Channel channel, TransportMetrics metrics) {
    this.channel = channel;
    this.eventLoop = channel.eventLoop();
    this.metrics = metrics == null ? TransportMetrics.NONE : metrics;
  }

  /** The underlying channel. */
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

  private void write(MessageBuilder message) {
    if (closing) {
      return;
    }
    channel.write(message, channel.voidPromise());
    if (!flushScheduled) {
      flushScheduled = true;
      eventLoop.execute(flushTask);
    }
  }

  private void flushNow() {
    flushScheduled = false;
    channel.flush();
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
    if (receiver != null) {
      receiver.onMessage(m);
    } else {
      early.add(m);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    reportClosed(null);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c = cause instanceof DecoderException && cause.getCause() != null
        ? cause.getCause() : cause;
    if (c instanceof DecodeException && channel.isActive() && !closing) {
      MessageBuilder abort = new MessageBuilder(32);
      Rpc.Exception.Builder e = abort.initRoot(Rpc.Message.FACTORY).initAbort();
      e.setType(Rpc.Exception.Type.FAILED);
      e.setReason(c.getMessage());
      closing = true;
      channel.writeAndFlush(abort).addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
    reportClosed(c);
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
    Runnable r = () -> {
      if (closing) {
        return;
      }
      closing = true;
      flushScheduled = false;
      if (channel.isActive()) {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      } else {
        channel.close();
      }
    };
    if (eventLoop.inEventLoop()) {
      r.run();
    } else {
      eventLoop.execute(r);
    }
  }

  @Override
  public String toString() {
    return "NettyTransport(" + channel + ")";
  }
}
