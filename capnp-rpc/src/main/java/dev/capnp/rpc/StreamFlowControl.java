package dev.capnp.rpc;

import java.util.function.LongSupplier;

/**
 * Makes the {@link FlowController} of each stream: an {@link RpcConnection} asks for one the
 * first time a streaming call is made on a capability of the peer (see
 * {@link RpcConnection#streamFlowControl(StreamFlowControl)}).
 *
 * <p>Two policies are provided, like the C++ implementation's:
 * <ul>
 *   <li>{@link #fixedWindow(long)}: at most about a window of bytes unacknowledged (plus one
 *       message, so that a message larger than the window does not stall the stream);
 *   <li>{@link #adaptive(long)}: a window that follows the measured bandwidth-delay product of
 *       the stream (bytes acknowledged per unit of time times the smallest round trip seen),
 *       doubling per round trip while it keeps growing, then growing by at most 5/4 and shrinking
 *       by at most 7/8 per round trip, never below 64 KiB nor above 1 GiB.
 * </ul>
 * The default ({@link #DEFAULT}) is adaptive, starting from 64 KiB: on a short path it behaves
 * like the fixed 64 KiB window; on a long fat path it grows to keep the path full.
 */
@FunctionalInterface
public interface StreamFlowControl {
  /** The window of the fixed policy and the initial window of the default, in bytes (64 KiB). */
  long DEFAULT_WINDOW = 65536;

  /** The policy connections use unless told otherwise: {@code adaptive(DEFAULT_WINDOW)}. */
  StreamFlowControl DEFAULT = adaptive(DEFAULT_WINDOW);

  /**
   * A controller for a new stream.
   *
   * @return a new controller
   */
  FlowController newController();

  /**
   * A fixed window of {@code windowBytes} (must be positive).
   *
   * @param windowBytes the window in bytes
   * @return a flow control with that fixed window
   */
  static StreamFlowControl fixedWindow(long windowBytes) {
    if (windowBytes <= 0) {
      throw new IllegalArgumentException("flow control window must be positive: " + windowBytes);
    }
    return () -> new WindowFlowController(() -> windowBytes);
  }

  /**
   * A window that varies with {@code window} (read whenever readiness is decided; e.g. a socket's
   * send buffer size).
   *
   * @param window supplies the window in bytes
   * @return a flow control with a variable window
   */
  static StreamFlowControl variableWindow(LongSupplier window) {
    java.util.Objects.requireNonNull(window, "window");
    return () -> new WindowFlowController(window);
  }

  /**
   * An adaptive window starting at {@code initialWindowBytes}, timed by {@link System#nanoTime}.
   *
   * @param initialWindowBytes the first window in bytes
   * @return an adaptive flow control
   */
  static StreamFlowControl adaptive(long initialWindowBytes) {
    return adaptive(initialWindowBytes, System::nanoTime);
  }

  /**
   * An adaptive window starting at {@code initialWindowBytes}, timed by {@code nanoClock} (a
   * monotonic clock in nanoseconds; tests pass a fake one).
   *
   * @param initialWindowBytes the first window in bytes
   * @param nanoClock a monotonic clock in nanoseconds
   * @return an adaptive flow control
   */
  static StreamFlowControl adaptive(long initialWindowBytes, LongSupplier nanoClock) {
    if (initialWindowBytes <= 0) {
      throw new IllegalArgumentException(
          "initial flow control window must be positive: " + initialWindowBytes);
    }
    java.util.Objects.requireNonNull(nanoClock, "nanoClock");
    return () -> new AdaptiveFlowController(initialWindowBytes, nanoClock);
  }
}
