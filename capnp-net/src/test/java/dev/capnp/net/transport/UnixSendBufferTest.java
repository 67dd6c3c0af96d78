package dev.capnp.net.transport;

import static dev.capnp.net.transport.SocketTestSupport.blob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capnp.net.NetAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On a Unix-domain socket, {@link FrameEncoder} gives the socket a send buffer that holds a
 * large frame (issue 12: a 1 MiB echo between two vats took 13 context switches with the
 * system's fixed 208 KiB buffer), and leaves connections of small frames at the system default.
 * Real sockets, epoll and NIO; the peer reads nothing, so what the kernel holds is what the
 * buffer allows.
 */
class UnixSendBufferTest {
  @TempDir
  Path dir;

  private EventLoopGroup group;
  private Channel server;
  private Channel client;
  /** The accepted end, which never reads. */
  private final CompletableFuture<Channel> accepted = new CompletableFuture<>();

  @AfterEach
  void close() throws InterruptedException {
    if (client != null) {
      client.close().await(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close().await(5, TimeUnit.SECONDS);
    }
    accepted.thenAccept(Channel::close);
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  /** Connects a client with {@code encoder} to a server that never reads. */
  private void connect(boolean epoll, FrameEncoder encoder) throws Exception {
    NettyPlatform p = NettyPlatform.of(epoll);
    assumeTrue(p.epoll() == epoll, "epoll is not available here");
    group = p.newGroup("unix-sndbuf-test");
    NetAddress a = NetAddress.unix(dir.resolve("s.sock").toString());
    ServerBootstrap sb = new ServerBootstrap().group(group);
    p.configureServer(sb, a, 8);
    sb.childOption(ChannelOption.AUTO_READ, false)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            accepted.complete(ch);
          }
        });
    server = sb.bind(p.socketAddress(a)).sync().channel();
    Bootstrap cb = new Bootstrap().group(group);
    p.configureClient(cb, a);
    cb.handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(encoder, new ChannelInboundHandlerAdapter() {
          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
          }
        });
      }
    });
    client = cb.connect(p.socketAddress(a)).sync().channel();
    accepted.get(5, TimeUnit.SECONDS);
    assertThat(NettyPlatform.isUnixDomain(client)).isTrue();
  }

  /** Runs {@code r} on the client's loop, after everything already queued there. */
  private void onLoop(Runnable r) throws Exception {
    client.eventLoop().submit(r).get(5, TimeUnit.SECONDS);
  }

  private int sendBuffer() {
    return client.config().getOption(ChannelOption.SO_SNDBUF);
  }


  @ParameterizedTest(name = "epoll={0}")
  @ValueSource(booleans = {true, false})
  void aLargeFrameGrowsTheSendBuffer(boolean epoll) throws Exception {
    connect(epoll, new FrameEncoder(true));
    int before = sendBuffer();
    client.writeAndFlush(blob(1 << 20));
    onLoop(() -> { });
    assertThat(sendBuffer()).isGreaterThan(before);
  }

  /** The point of it: the kernel takes the whole 1 MiB frame, though nobody has read any. */
  @ParameterizedTest(name = "epoll={0}")
  @ValueSource(booleans = {true, false})
  void aLargeFrameIsHandedToTheKernelWhole(boolean epoll) throws Exception {
    assumeTrue(SocketTestSupport.netCore("wmem_max") >= 1 << 20, "net.core.wmem_max is below 1 MiB here");
    connect(epoll, new FrameEncoder(true));
    ChannelFuture f = client.writeAndFlush(blob(1 << 20));
    assertThat(f.await(10, TimeUnit.SECONDS)).as("the whole frame was written").isTrue();
    assertThat(f.isSuccess()).isTrue();
  }

  @Test
  void smallFramesKeepTheSystemDefault() throws Exception {
    connect(true, new FrameEncoder(true));
    int before = sendBuffer();
    for (int i = 0; i < 20; i++) {
      client.write(blob(UnixSendBuffer.MIN_FRAME_BYTES - 1024));
    }
    client.flush();
    client.writeAndFlush(blob(100));
    onLoop(() -> { });
    assertThat(sendBuffer()).isEqualTo(before);
  }

  @Test
  void anEncoderNotToldOfAUnixSocketLeavesItAlone() throws Exception {
    connect(true, new FrameEncoder());
    int before = sendBuffer();
    client.writeAndFlush(blob(1 << 20));
    onLoop(() -> { });
    assertThat(sendBuffer()).isEqualTo(before);
  }

  @Test
  void theRequestIsBoundedAndOnlyGrows() throws Exception {
    assumeTrue(SocketTestSupport.netCore("wmem_max") >= 1 << 20, "net.core.wmem_max is below 1 MiB here");
    connect(true, new FrameEncoder());
    UnixSendBuffer sizer = new UnixSendBuffer(512 * 1024);
    onLoop(() -> sizer.beforeFrame(client, 300 * 1024));
    assertThat(sendBuffer()).isEqualTo(2 * 320 * 1024); // (Linux doubles what is asked)
    onLoop(() -> sizer.beforeFrame(client, 100 * 1024));
    assertThat(sendBuffer()).isEqualTo(2 * 320 * 1024);
    onLoop(() -> sizer.beforeFrame(client, 4 << 20));
    assertThat(sendBuffer()).isEqualTo(2 * 512 * 1024);
  }

  @Test
  void zeroTurnsItOff() throws Exception {
    connect(true, new FrameEncoder());
    int before = sendBuffer();
    UnixSendBuffer sizer = new UnixSendBuffer(0);
    onLoop(() -> sizer.beforeFrame(client, 1 << 20));
    assertThat(sendBuffer()).isEqualTo(before);
  }
}
