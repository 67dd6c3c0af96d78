package dev.capnp.net;

import dev.capnp.net.transport.Tls;
import dev.capnp.rpc.RateLimitedLog;
import dev.capnp.rpc.RpcException;
import dev.capnp.runtime.MessageReader;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.util.List;

/**
 * The address announcement of a Level 3 connection ({@code level3.capnp}'s {@code VatHello}):
 * when the TLS handshake negotiated {@link Tls#LEVEL3_ALPN}, each side's first message is its
 * hello, sent before any RPC message, and the first message received is the peer's hello, taken
 * out of the stream before the RPC transport sees it. On any other connection (the ALPN name not
 * negotiated: a C++ peer, a vat with handoff off) nothing is sent and every message passes, so
 * such peers see exactly the stream of before.
 *
 * <p>It sits in the channel's pipeline between the frame decoder and the transport and leaves it
 * after the first message. The peer's hello is read before any of its RPC messages is delivered
 * (they follow it on the stream), so by the time this vat imports a capability from the peer it
 * knows the peer's addresses. A bad announcement (too big, more than
 * {@link HandoffAddresses#MAX_ANNOUNCED} addresses, an address that is malformed or cannot be
 * dialled) is ignored as a whole, with one warning: the connection goes on, and the peer's
 * capabilities are proxied when it dialled us. Local addresses (loopback, Unix sockets)
 * announced by a peer that is not itself local are dropped ({@link HandoffAddresses}).
 *
 * <p>Threading: {@link #send} and {@link #channelRead} run on the channel's I/O thread; the
 * announced addresses may be read on any thread.
 */
final class HelloExchange extends ChannelInboundHandlerAdapter {
  /** The channel's exchange (it stays reachable here after leaving the pipeline). */
  static final AttributeKey<HelloExchange> KEY = AttributeKey.valueOf("capnp.level3.hello");

  private final SslHandler ssl;
  private final RateLimitedLog log;
  private volatile List<NetAddress> announced = List.of();
  private volatile boolean received;

  private HelloExchange(SslHandler ssl, RateLimitedLog log) {
    this.ssl = ssl;
    this.log = log;
  }

  /**
   * Adds an exchange to {@code ch}'s pipeline after the handler named {@code after} (the frame
   * decoder) and to its attributes. On the channel's I/O thread, before it reads.
   */
  static HelloExchange install(Channel ch, SslHandler ssl, String after, RateLimitedLog log) {
    HelloExchange h = new HelloExchange(ssl, log);
    ch.pipeline().addAfter(after, "level3-hello", h);
    ch.attr(KEY).set(h);
    return h;
  }

  /** The exchange of {@code ch}, or null if it has none. */
  static HelloExchange of(Channel ch) {
    return ch.attr(KEY).get();
  }

  /**
   * Whether {@code ch} (connected) is local: a Unix socket, or its peer on a loopback address.
   */
  static boolean localConnection(Channel ch) {
    return HandoffAddresses.isLocalConnection(ch.localAddress(), ch.remoteAddress());
  }

  /**
   * Sends this vat's hello, announcing {@code addresses}, if the finished handshake negotiated
   * Level 3; does nothing otherwise. On the I/O thread, right after the handshake and before
   * the connection is handed to RPC (so the hello goes first).
   */
  void send(Channel ch, List<NetAddress> addresses) {
    if (Tls.level3Negotiated(ssl)) {
      ch.writeAndFlush(new HandoffValues.Hello(addresses).message(), ch.voidPromise());
    }
  }

  /**
   * The addresses the peer announced (checked, local ones only from a local peer); empty until
   * its hello is read, or when it announced none or a bad one.
   */
  List<NetAddress> announced() {
    return announced;
  }

  /** Whether the peer's hello has been read (for tests). */
  boolean received() {
    return received;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ctx.pipeline().remove(this);
    if (!Tls.level3Negotiated(ssl)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      announced = HandoffAddresses.fromPeer(
          HandoffValues.Hello.read((MessageReader) msg).addresses(),
          localConnection(ctx.channel()));
    } catch (RpcException e) {
      log.warn("Ignored the address announcement of {}: {}", ctx.channel().remoteAddress(),
          RateLimitedLog.bounded(e.getMessage()));
    }
    received = true;
  }
}
