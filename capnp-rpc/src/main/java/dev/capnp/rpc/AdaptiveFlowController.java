package dev.capnp.rpc;

import java.util.function.LongSupplier;

/**
 * A flow controller whose window tracks the stream's bandwidth-delay product, measured from the
 * times calls are sent and acknowledged (see {@link StreamFlowControl#adaptive(long)}).
 *
 * <p>On each acknowledgement the delivery rate is estimated over the interval from the
 * acknowledgement that preceded the call's send (the first acknowledgement for calls sent before
 * any) to now, and multiplied by the smallest round trip seen: that is the bytes the path holds.
 * The new window is that estimate times the growth factor (2 while starting up, 5/4 after), but
 * grows by at most that factor and, if the window was full when the call was sent, shrinks by at
 * most 7/8 relative to the window then. When the window was not full the application, not the
 * path, limited the rate, so the window does not shrink. Start-up ends after three round trips in
 * a row without growth beyond 5/4.
 */
final class AdaptiveFlowController extends WindowedStream {
  static final long MIN_WINDOW = 64 * 1024;
  static final long MAX_WINDOW = 1024L * 1024 * 1024;
  private static final int STARTUP_FLAT_ROUNDS = 3;

  private final LongSupplier clock;
  private final long minWindow;
  private long window;
  private long delivered;
  private boolean anyAck;
  private long lastAckTime;
  private long firstAckTime;
  private long firstAckDelivered;
  private long minRtt = Long.MAX_VALUE;
  private boolean startup = true;
  private int flatRounds;
  private long roundWindow;
  private boolean roundStarted;
  private long roundStart;

  /** What was true when one call was sent. */
  private record Sent(long time, long deliveredBefore, boolean hadAck, long lastAckBefore,
      long windowThen, boolean windowFull) {}

  AdaptiveFlowController(long initialWindow, LongSupplier clock) {
    this.window = Math.min(initialWindow, MAX_WINDOW);
    this.minWindow = Math.min(MIN_WINDOW, window);
    this.clock = clock;
  }

  @Override
  public long window() {
    return window;
  }

  @Override
  Object onSend(long bytes) {
    return new Sent(clock.getAsLong(), delivered, anyAck, lastAckTime, window, !isReady());
  }

  private long grow(double value) {
    double g = startup ? value * 2 : value * 5 / 4;
    return g >= MAX_WINDOW ? MAX_WINDOW : (long) g;
  }

  @Override
  void onAck(long bytes, Object sendState) {
    Sent s = (Sent) sendState;
    long now = clock.getAsLong();
    delivered += bytes;
    minRtt = Math.min(minRtt, Math.max(0, now - s.time()));
    if (!anyAck) {
      anyAck = true;
      firstAckTime = now;
      firstAckDelivered = delivered;
      lastAckTime = now;
      return;
    }
    long baseTime = s.hadAck() ? s.lastAckBefore() : firstAckTime;
    long baseDelivered = s.hadAck() ? s.deliveredBefore() : firstAckDelivered;
    lastAckTime = now;
    long interval = now - baseTime;
    if (interval <= 0) {
      return;
    }
    double pathBytes = (double) (delivered - baseDelivered) * minRtt / interval;
    long next = Math.min(grow(pathBytes), grow(s.windowThen()));
    if (s.windowFull()) {
      next = Math.max(next, s.windowThen() * 7 / 8);
    } else {
      next = Math.max(next, window);
    }
    window = Math.max(minWindow, Math.min(MAX_WINDOW, next));
    if (startup && (!roundStarted || s.time() >= roundStart)) {
      if (window > roundWindow * 5 / 4) {
        flatRounds = 0;
      } else if (++flatRounds >= STARTUP_FLAT_ROUNDS) {
        startup = false;
      }
      roundStarted = true;
      roundStart = now;
      roundWindow = window;
    }
  }

  /** Whether the controller is still in its start-up phase (a diagnostic for tests). */
  boolean inStartup() {
    return startup;
  }
}
