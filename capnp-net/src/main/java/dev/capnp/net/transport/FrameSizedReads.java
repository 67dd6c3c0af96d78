package dev.capnp.net.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * A connection's read sizes, as Netty's default chooses them (at most 64 KiB a read), except
 * while a large frame is gathered in its own array: then a read may take up to the bytes the
 * frame still lacks ({@link FrameDecoder#largeFrameBytesMissing()}), at most
 * {@link #MAX_READ_BYTES}. Whatever the socket holds of the frame then comes in one system call
 * instead of one per 64 KiB, nearer the C++ implementation, which reads a message's segments
 * straight into place.
 *
 * <p>A read sized this way goes straight into the frame's array and is released at once, so a
 * peer trickling a frame makes the vat hold no more than before: the frame's array (made once a
 * quarter of the frame has arrived, for at most 4 times the bytes that arrived) and no lasting
 * read buffer. Before that quarter, reads keep the default sizes, since their bytes wait in the
 * decoder's cumulation buffer.
 *
 * <p>Where ({@link #appliesTo}): plain Unix-domain sockets. Under TLS the read buffer would
 * become the TLS handler's cumulation buffer, held as long as a partial record is. On TCP the
 * reads fell by a third to a half too, but 1 MiB echoes got slower in two experiments (a
 * large read frees the receive window in one step at its end instead of 64 KiB at a time, so
 * the sender waits), while on Unix sockets they got a little faster (see
 * {@code benchmarks/README.md}, "Reads sized by the frame").
 * {@code -Dcapnp.net.frameSizedReads=false} turns it off.
 *
 * <p>Threading: the handle is used on the channel's event loop only.
 */
public final class FrameSizedReads implements RecvByteBufAllocator {
  /** The largest read buffer for a large frame. */
  static final int MAX_READ_BYTES = 1 << 20;
  /** Off with {@code -Dcapnp.net.frameSizedReads=false}. */
  private static final boolean ENABLED =
      !"false".equals(System.getProperty("capnp.net.frameSizedReads"));

  private final RecvByteBufAllocator defaults;
  private final FrameDecoder decoder;

  /**
   * Reads sized for {@code decoder}'s frames, else by {@code defaults}.
   *
   * @param defaults the channel's allocator until now (Netty's default)
   * @param decoder the channel's frame decoder
   */
  FrameSizedReads(RecvByteBufAllocator defaults, FrameDecoder decoder) {
    this.defaults = defaults;
    this.decoder = decoder;
  }

  /**
   * Whether {@code ch}'s reads are to be sized for large frames: a Unix-domain socket without
   * TLS (its pipeline as set up so far), unless {@code -Dcapnp.net.frameSizedReads=false}.
   *
   * @param ch a new connection's channel, its TLS handler (if any) already added
   * @return whether to {@link #install} it
   */
  public static boolean appliesTo(Channel ch) {
    return ENABLED && NettyPlatform.isUnixDomain(ch)
        && ch.pipeline().get(io.netty.handler.ssl.SslHandler.class) == null;
  }

  /**
   * Makes {@code config}'s channel size its reads for {@code decoder}'s large frames. Call it
   * before the channel's first read (Netty keeps the read handle it made then).
   *
   * @param config the channel's configuration
   * @param decoder the channel's frame decoder
   */
  public static void install(ChannelConfig config, FrameDecoder decoder) {
    config.setRecvByteBufAllocator(new FrameSizedReads(config.getRecvByteBufAllocator(), decoder));
  }

  @Override
  @SuppressWarnings("deprecation")
  public Handle newHandle() {
    return new SizedHandle((ExtendedHandle) defaults.newHandle());
  }

  /**
   * The default handle, with larger buffers while a large frame arrives. (Netty's
   * {@link DelegatingHandle} is not an {@link ExtendedHandle}, which the epoll transport needs.)
   */
  @SuppressWarnings("deprecation")
  private final class SizedHandle extends DelegatingHandle implements ExtendedHandle {
    private final ExtendedHandle d;

    SizedHandle(ExtendedHandle d) {
      super(d);
      this.d = d;
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      return alloc.ioBuffer(guess());
    }

    @Override
    public int guess() {
      int usual = d.guess();
      int missing = decoder.largeFrameBytesMissing();
      return missing > usual ? Math.min(missing, MAX_READ_BYTES) : usual;
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
      return d.continueReading(maybeMoreDataSupplier);
    }
  }
}
