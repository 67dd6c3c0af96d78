package dev.capnp.net.transport;

import dev.capnp.net.NetAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.CleanableDirectBuffer;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty plumbing for one vat: the native epoll transport where available (Linux) unless the
 * vat asks for NIO, NIO otherwise. Both carry TCP and Unix-domain sockets (NIO's through the
 * JDK's {@link UnixDomainSocketAddress}). Socket options as spec section 7: {@code TCP_NODELAY},
 * {@code SO_KEEPALIVE}, {@code TCP_KEEPIDLE} 60 s on dialled and accepted TCP sockets
 * ({@link NettyTransport} turns on half-closure for each connection). The connections' buffers
 * come from {@link #channelAllocator()}.
 */
public final class NettyPlatform {
  /** Keep-alive idle time in seconds. */
  public static final int KEEPALIVE_IDLE_SECONDS = 60;
  private static final Logger LOG = LoggerFactory.getLogger(NettyPlatform.class);
  private static final ByteBufAllocator CHANNEL_ALLOCATOR = chooseChannelAllocator();
  private static final boolean EPOLL_AVAILABLE = !Boolean.getBoolean("capnp.net.noEpoll")
      && Epoll.isAvailable();
  private static final NettyPlatform NATIVE = new NettyPlatform(EPOLL_AVAILABLE);
  private static final NettyPlatform NIO = new NettyPlatform(false);

  private final boolean epoll;

  private NettyPlatform(boolean epoll) {
    this.epoll = epoll;
  }

  /**
   * The platform to use: epoll if {@code preferNative} and it is available (and not disabled
   * with {@code -Dcapnp.net.noEpoll=true}), NIO otherwise.
   *
   * @param preferNative {@code true} to use epoll where available
   * @return the platform
   */
  public static NettyPlatform of(boolean preferNative) {
    return preferNative ? NATIVE : NIO;
  }

  /**
   * Whether this platform uses the native epoll transport.
   *
   * @return {@code true} for epoll, {@code false} for NIO
   */
  public boolean epoll() {
    return epoll;
  }

  /**
   * A one-thread event loop group (daemon thread called {@code name}).
   *
   * @param name the thread name
   * @return the new group
   */
  public EventLoopGroup newGroup(String name) {
    DefaultThreadFactory tf = new DefaultThreadFactory(name, true);
    return new MultiThreadIoEventLoopGroup(1, tf, ioHandlerFactory());
  }

  /**
   * The factory of the I/O handler (epoll or NIO selector) of a vat's event loop.
   *
   * @return a new factory
   */
  public IoHandlerFactory ioHandlerFactory() {
    return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  /**
   * The socket address for {@code a} (TCP names resolved now: first result).
   *
   * @param a the address
   * @return the socket address
   */
  public SocketAddress socketAddress(NetAddress a) {
    if (a instanceof NetAddress.Tcp) {
      NetAddress.Tcp t = (NetAddress.Tcp) a;
      return new InetSocketAddress(t.host(), t.port());
    }
    String path = ((NetAddress.Unix) a).path();
    return epoll ? new DomainSocketAddress(path) : UnixDomainSocketAddress.of(path);
  }

  /**
   * Whether {@code ch} is a Unix-domain socket (epoll's or NIO's).
   *
   * @param ch a connection's channel
   * @return {@code true} for a Unix-domain socket
   */
  public static boolean isUnixDomain(Channel ch) {
    return ch instanceof io.netty.channel.unix.DomainSocketChannel
        || ch instanceof NioDomainSocketChannel;
  }

  /**
   * Sets up a client bootstrap for {@code a}.
   *
   * @param b the bootstrap to configure
   * @param a the address to connect to
   */
  public void configureClient(Bootstrap b, NetAddress a) {
    b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
        .option(ChannelOption.ALLOCATOR, CHANNEL_ALLOCATOR);
    if (a instanceof NetAddress.Unix) {
      b.channel(epoll ? EpollDomainSocketChannel.class : NioDomainSocketChannel.class);
      return;
    }
    b.channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class);
    b.option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.SO_KEEPALIVE, true);
    if (epoll) {
      b.option(EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
    } else {
      b.option(NioChannelOption.of(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE),
          KEEPALIVE_IDLE_SECONDS);
    }
  }

  /**
   * Sets up a server bootstrap for {@code a}.
   *
   * @param b the bootstrap to configure
   * @param a the address to listen on
   * @param backlog the listen backlog (pending connections)
   */
  public void configureServer(ServerBootstrap b, NetAddress a, int backlog) {
    b.option(ChannelOption.SO_BACKLOG, backlog)
        .childOption(ChannelOption.ALLOCATOR, CHANNEL_ALLOCATOR);
    if (a instanceof NetAddress.Unix) {
      b.channel(epoll ? EpollServerDomainSocketChannel.class
          : NioServerDomainSocketChannel.class);
      return;
    }
    Class<? extends ServerChannel> c = epoll ? EpollServerSocketChannel.class
        : NioServerSocketChannel.class;
    b.channel(c).option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true);
    if (epoll) {
      b.childOption(EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
    } else {
      b.childOption(NioChannelOption.of(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE),
          KEEPALIVE_IDLE_SECONDS);
    }
  }

  /**
   * The buffer allocator of a vat's connections (their reads, and the frames
   * {@link FrameEncoder} writes): Netty's default, except where Netty can free direct memory only
   * by closing a shared memory arena ({@link #directFreeIsExpensive}), where it is Netty's pooled
   * allocator.
   *
   * <p>Why: Netty's default allocator (adaptive, in 4.2) carves each connection's short-lived
   * read and write buffers out of chunks of 128 KiB and more, and frees a chunk once its buffers
   * are released, about every 55 calls of a small echo. On JDK 25 without native access Netty
   * frees direct memory by closing a shared {@code Arena}, and each close stops every Java
   * thread for a handshake (tens of microseconds, a VM-thread wake-up and two context switches
   * on a busy CPU). The pooled allocator keeps its chunks, so a call path does no such close
   * (issue 12; see {@code benchmarks/README.md}, "Direct memory on JDK 25"). With
   * {@code --enable-native-access=ALL-UNNAMED} (or Netty's module named there) Netty frees with
   * {@code free()} and the default allocator is kept.
   *
   * @return the allocator set as {@link ChannelOption#ALLOCATOR} on every connection
   */
  public static ByteBufAllocator channelAllocator() {
    return CHANNEL_ALLOCATOR;
  }

  /**
   * Whether Netty frees direct memory by closing a shared memory arena, the case where
   * {@link #channelAllocator()} is the pooled allocator. Netty answers it itself: it hands out
   * direct memory of another kind (left to the garbage collector) to users that do not permit
   * "expensive" frees, so the two kinds differ exactly when its own frees are expensive (on JDK
   * 25 without native access for Netty's module when Netty started; asking the module now would
   * not do, since the JDK grants native access to a module after its first warning).
   *
   * @param unpooledKind the class of direct memory Netty gives to unpooled users
   * @param pooledKind the class of direct memory Netty gives to pools
   * @return {@code true} if a pool's release of direct memory may close a shared arena
   */
  static boolean directFreeIsExpensive(Class<?> unpooledKind, Class<?> pooledKind) {
    return unpooledKind != pooledKind;
  }

  private static ByteBufAllocator chooseChannelAllocator() {
    boolean expensive;
    try {
      CleanableDirectBuffer unpooled = PlatformDependent.allocateDirect(8, false);
      CleanableDirectBuffer pooled = PlatformDependent.allocateDirect(8, true);
      expensive = directFreeIsExpensive(unpooled.getClass(), pooled.getClass());
      unpooled.clean();
      pooled.clean();
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("Cannot tell how Netty frees direct memory; connections use its default allocator",
          e);
      return ByteBufAllocator.DEFAULT;
    }
    if (expensive) {
      LOG.debug("Netty frees direct memory by closing shared arenas on this JDK (no"
          + " --enable-native-access for {}): connections use the pooled allocator",
          PlatformDependent.class.getModule());
      return PooledByteBufAllocator.DEFAULT;
    }
    return ByteBufAllocator.DEFAULT;
  }

  /**
   * The address a bound server channel listens on, in {@code requested}'s form.
   *
   * @param server the bound server channel
   * @param requested the address that was bound
   * @return the bound address
   */
  public static NetAddress boundAddress(Channel server, NetAddress requested) {
    SocketAddress sa = server.localAddress();
    if (requested instanceof NetAddress.Tcp && sa instanceof InetSocketAddress) {
      return ((NetAddress.Tcp) requested).withPort(((InetSocketAddress) sa).getPort());
    }
    return requested;
  }

  @Override
  public String toString() {
    return epoll ? "NettyPlatform(epoll)" : "NettyPlatform(nio)";
  }
}
