package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Text;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The connections of one {@link DrivenIoEventLoop} share one kept write buffer
 * ({@link SpareBatchBuffer}): sequential flushes on any of them take no buffer from the pool once
 * the socket has written the last one, idle connections hold none, and the loop lets it go when
 * it shuts down.
 */
class SpareBatchBufferLoopTest {

  private static MessageBuilder text(String s) {
    MessageBuilder m = new MessageBuilder();
    m.getRootAnyPointer().setAs(Text.FACTORY, new Text.Reader(s));
    return m;
  }

  @Test
  void theConnectionsOfALoopShareOneKeptBuffer() throws Exception {
    DrivenIoEventLoop loop = new DrivenIoEventLoop("spare-test", NioIoHandler.newFactory());
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread drain = new Thread(() -> {
        try {
          for (;;) {
            Socket s = server.accept();
            Thread t = new Thread(() -> {
              try (InputStream in = s.getInputStream()) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
              } catch (java.io.IOException e) {
                // closed
              }
            });
            t.setDaemon(true);
            t.start();
          }
        } catch (java.io.IOException e) {
          // server closed
        }
      });
      drain.setDaemon(true);
      drain.start();
      Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new FrameEncoder());
            }
          });
      InetSocketAddress at = (InetSocketAddress) server.getLocalSocketAddress();
      Channel a = b.connect(at).sync().channel();
      Channel c = b.connect(at).sync().channel();
      SpareBatchBuffer kept = loop.spareBatchBuffer();
      for (Channel ch : new Channel[] {a, c}) {
        for (int i = 0; i < 20; i++) {
          // each written (and its buffer released by the channel) before the next
          ch.writeAndFlush(text("call " + i)).sync();
        }
      }
      // the first flush took a buffer from the pool; the 39 after it used the kept one, the
      // second connection's included
      assertThat(kept.reuses()).isEqualTo(39);
      assertThat(a.pipeline().get(FrameEncoder.class).spareReuses()).isEqualTo(39);
      assertThat(kept.holdsBuffer()).isTrue();
      a.close().sync();
      c.close().sync();
    } finally {
      loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
    assertThat(loop.spareBatchBuffer().holdsBuffer()).as("kept after the loop ended").isFalse();
  }
}
