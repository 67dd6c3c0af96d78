package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.Text;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On a {@link DrivenIoEventLoop}, {@link NettyTransport}'s flush steps behind the tasks queued
 * after it, so that messages written by those tasks leave in the same flush (the second half of
 * a burst of calls that the RPC loop handles in two batches of tasks), within bounds.
 */
class FlushBehindQueuedTasksTest {
  private DrivenIoEventLoop loop;
  private Channel server;
  private Channel client;

  @AfterEach
  void shutDown() throws Exception {
    if (client != null) {
      client.close().await(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close().await(5, TimeUnit.SECONDS);
    }
    if (loop != null) {
      loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  private static MessageBuilder text(String s) {
    MessageBuilder m = new MessageBuilder();
    m.getRootAnyPointer().setAs(Text.FACTORY, new Text.Reader(s));
    return m;
  }

  /** A client transport on a fresh loop, connected to a server that counts the bytes it reads. */
  private NettyTransport connect(AtomicLong received) throws Exception {
    loop = new DrivenIoEventLoop("flush-test", NioIoHandler.newFactory());
    server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                received.addAndGet(b.readableBytes());
                b.release();
              }
            });
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    client = new Bootstrap().group(loop).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
          }
        }).connect(server.localAddress()).sync().channel();
    CompletableFuture<NettyTransport> t = new CompletableFuture<>();
    loop.execute(() -> {
      client.pipeline().addLast("encoder", new FrameEncoder());
      NettyTransport transport = new NettyTransport(client, null);
      client.pipeline().addLast("rpc", transport);
      t.complete(transport);
    });
    return t.get(10, TimeUnit.SECONDS);
  }

  private static long frameBytes(MessageBuilder m) {
    return Serialize.computeSerializedSizeInWords(m) * 8;
  }

  /** Waits until the server has read {@code bytes}, then returns the client's flush count. */
  private long flushesOnceReceived(NettyTransport t, AtomicLong received, long bytes)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (received.get() < bytes && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(received.get()).isEqualTo(bytes);
    CompletableFuture<Long> f = new CompletableFuture<>();
    loop.execute(() -> f.complete(t.flushes()));
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aMessageWrittenByATaskQueuedBehindTheFlushLeavesWithIt() throws Exception {
    AtomicLong received = new AtomicLong();
    NettyTransport t = connect(received);
    MessageBuilder first = text("first");
    MessageBuilder second = text("second, from a task queued after the flush");
    loop.execute(() -> {
      t.send(first); // queues the flush
      loop.execute(() -> t.send(second)); // queued behind the flush
    });
    long flushes = flushesOnceReceived(t, received, frameBytes(first) + frameBytes(second));
    assertThat(flushes).isEqualTo(1);
  }

  @Test
  void aFlushStepsBehindQueuedTasksOnlyAFewTimes() throws Exception {
    AtomicLong received = new AtomicLong();
    NettyTransport t = connect(received);
    MessageBuilder first = text("first");
    // a task that requeues itself many times: the flush must not wait for it to stop
    int steps = NettyTransport.MAX_FLUSH_DEFERRALS * 4;
    int[] left = {steps};
    Runnable busy = new Runnable() {
      @Override
      public void run() {
        if (--left[0] > 0) {
          loop.execute(this);
        }
      }
    };
    CompletableFuture<Integer> leftAtFlush = new CompletableFuture<>();
    loop.execute(() -> {
      client.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
        @Override
        public void flush(ChannelHandlerContext ctx) {
          leftAtFlush.complete(left[0]);
          ctx.flush();
        }
      });
      t.send(first);
      loop.execute(busy);
    });
    assertThat(flushesOnceReceived(t, received, frameBytes(first))).isEqualTo(1);
    // it stepped behind the busy task (so it waited), but at most MAX_FLUSH_DEFERRALS times
    assertThat(leftAtFlush.get(10, TimeUnit.SECONDS))
        .isLessThan(steps)
        .isGreaterThanOrEqualTo(steps - NettyTransport.MAX_FLUSH_DEFERRALS);
  }
}
