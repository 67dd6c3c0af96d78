package dev.capnp.net.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grows the kernel send buffer of a Unix-domain socket when a large frame is written on it.
 *
 * <p>Why (issue 12): Linux gives a Unix stream socket a fixed send buffer
 * ({@code net.core.wmem_default}, usually 208 KiB), and TCP's automatic tuning does not apply.
 * A writer of a 1 MiB frame fills that buffer, stops, and is woken only when the reader has
 * drained it to a quarter; the reader then waits for the writer again. Between two vats on two
 * CPUs a 1 MiB echo took 13 context switches on the client and 9 on the server, each a wake-up
 * across the CPUs. With room for the whole frame the writer hands it to the kernel at once:
 * 4-6 and 2.3 switches, and about 1.5 times the rate (see {@code benchmarks/README.md}, "A send
 * buffer that holds the frame").
 *
 * <p>The rule: before a frame of at least {@link #MIN_FRAME_BYTES} is written, the socket's
 * {@code SO_SNDBUF} is raised to the frame's size (rounded up to 64 KiB), at most to
 * {@link #maxRequestBytes()}, and never lowered. Linux doubles the value asked for (room for its
 * own bookkeeping) and caps it at {@code net.core.wmem_max}. A connection that only exchanges
 * small messages keeps the system's default, so the kernel memory a peer that never reads can
 * make the vat hold stays what it was on those connections; on one that carried a large frame
 * it is bounded by twice {@link #maxRequestBytes()}. TCP connections are never touched.
 *
 * <p>Threading: one per channel, used on the channel's event loop only.
 */
final class UnixSendBuffer {
  /** Frames smaller than this leave the buffer alone. */
  static final int MIN_FRAME_BYTES = 64 * 1024;
  /** Requests are rounded up to a multiple of this. */
  private static final int ROUND_BYTES = 64 * 1024;
  /**
   * The largest {@code SO_SNDBUF} asked for ({@code -Dcapnp.net.unixSendBufferMaxBytes}, default
   * 1 MiB; 0 leaves every Unix socket at the system's default).
   */
  private static final int MAX_REQUEST_BYTES =
      Math.max(0, Integer.getInteger("capnp.net.unixSendBufferMaxBytes", 1 << 20));
  private static final Logger LOG = LoggerFactory.getLogger(UnixSendBuffer.class);

  private final int maxRequest;
  /** The largest size asked for so far (0: none). */
  private int requested;
  /** The buffer's size as the kernel first reported it (-1: not read yet). */
  private int initial = -1;
  /** Set when the channel refused the option: no more tries. */
  private boolean unsupported;

  /** A sizer with the default (or configured) largest request. */
  UnixSendBuffer() {
    this(MAX_REQUEST_BYTES);
  }

  /**
   * A sizer asking for at most {@code maxRequest} bytes.
   *
   * @param maxRequest the largest {@code SO_SNDBUF} to ask for; 0 to never ask
   */
  UnixSendBuffer(int maxRequest) {
    if (maxRequest < 0) {
      throw new IllegalArgumentException("maxRequest must not be negative: " + maxRequest);
    }
    this.maxRequest = maxRequest;
  }

  /**
   * The largest {@code SO_SNDBUF} a Unix socket is given by default.
   *
   * @return the configured bound in bytes (0: never raised)
   */
  static int maxRequestBytes() {
    return MAX_REQUEST_BYTES;
  }

  /**
   * Makes room in {@code ch}'s send buffer for a frame of {@code frameBytes}, if it is large.
   *
   * @param ch the Unix-domain channel about to write it
   * @param frameBytes the frame's size in bytes
   */
  void beforeFrame(Channel ch, int frameBytes) {
    if (frameBytes < MIN_FRAME_BYTES || unsupported || requested >= maxRequest) {
      return;
    }
    long rounded = ((long) frameBytes + ROUND_BYTES - 1) / ROUND_BYTES * ROUND_BYTES;
    int want = (int) Math.min(rounded, maxRequest);
    if (want <= requested) {
      return;
    }
    try {
      if (initial < 0) {
        Integer now = ch.config().getOption(ChannelOption.SO_SNDBUF);
        initial = now == null ? 0 : now;
      }
      requested = want;
      if ((long) want * 2 <= initial) {
        return; // (the system's default already holds it)
      }
      if (!ch.config().setOption(ChannelOption.SO_SNDBUF, want)) {
        unsupported = true;
      }
    } catch (RuntimeException e) {
      unsupported = true; // (a closed socket, or a platform without the option: keep the default)
      LOG.debug("Could not raise SO_SNDBUF of {} to {} bytes", ch, want, e);
    }
  }
}
