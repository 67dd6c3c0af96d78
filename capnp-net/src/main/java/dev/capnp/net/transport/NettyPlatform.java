package dev.capnp.net.transport;

import dev.capnp.net.NetAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Netty plumbing: epoll where available (Linux), NIO otherwise; socket options as spec section
 * 7 ({@code TCP_NODELAY}, {@code SO_KEEPALIVE}, {@code TCP_KEEPIDLE} 60 s on dialled and
 * accepted sockets).
 */
public final class NettyPlatform {
  /** Keep-alive idle time in seconds. */
  public static final int KEEPALIVE_IDLE_SECONDS = 60;
  private static final boolean EPOLL = !Boolean.getBoolean("capnp.net.noEpoll")
      && Epoll.isAvailable();

  private NettyPlatform() {}

  /** Whether the native epoll transport is used. */
  public static boolean epoll() {
    return EPOLL;
  }

  /** A one-thread event loop group (daemon thread called {@code name}). */
  public static EventLoopGroup newGroup(String name) {
    DefaultThreadFactory tf = new DefaultThreadFactory(name, true);
    return EPOLL ? new EpollEventLoopGroup(1, tf) : new NioEventLoopGroup(1, tf);
  }

  /** The socket address for {@code a} (TCP names resolved now: first result). */
  public static SocketAddress socketAddress(NetAddress a) {
    if (a instanceof NetAddress.Tcp) {
      NetAddress.Tcp t = (NetAddress.Tcp) a;
      return new InetSocketAddress(t.host(), t.port());
    }
    return new DomainSocketAddress(((NetAddress.Unix) a).path());
  }

  /** Sets up a client bootstrap for {@code a}. */
  public static void configureClient(Bootstrap b, NetAddress a) {
    if (a instanceof NetAddress.Unix) {
      requireEpollForUnix();
      b.channel(EpollDomainSocketChannel.class);
      return;
    }
    b.channel(EPOLL ? EpollSocketChannel.class : NioSocketChannel.class);
    b.option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.SO_KEEPALIVE, true);
    if (EPOLL) {
      b.option(EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
    } else {
      b.option(NioChannelOption.of(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE),
          KEEPALIVE_IDLE_SECONDS);
    }
    b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
  }

  /** Sets up a server bootstrap for {@code a}. */
  public static void configureServer(ServerBootstrap b, NetAddress a, int backlog) {
    b.option(ChannelOption.SO_BACKLOG, backlog);
    if (a instanceof NetAddress.Unix) {
      requireEpollForUnix();
      b.channel(EpollServerDomainSocketChannel.class);
      return;
    }
    Class<? extends ServerChannel> c = EPOLL ? EpollServerSocketChannel.class
        : NioServerSocketChannel.class;
    b.channel(c).option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true);
    if (EPOLL) {
      b.childOption(EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
    } else {
      b.childOption(NioChannelOption.of(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE),
          KEEPALIVE_IDLE_SECONDS);
    }
  }

  /** The address a bound server channel listens on, in {@code requested}'s form. */
  public static NetAddress boundAddress(Channel server, NetAddress requested) {
    SocketAddress sa = server.localAddress();
    if (requested instanceof NetAddress.Tcp && sa instanceof InetSocketAddress) {
      return ((NetAddress.Tcp) requested).withPort(((InetSocketAddress) sa).getPort());
    }
    return requested;
  }

  private static void requireEpollForUnix() {
    if (!EPOLL) {
      throw new UnsupportedOperationException(
          "Unix-domain sockets need Netty's native epoll transport (Linux x86_64)");
    }
  }
}
