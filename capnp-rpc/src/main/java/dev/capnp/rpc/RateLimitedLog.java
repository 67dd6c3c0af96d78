package dev.capnp.rpc;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A log for events a remote peer can cause (a failed handshake, a dropped connection, a
 * protocol violation), so that an attacker cannot control how much is logged: each event is one
 * line whose peer-supplied text is {@link #bounded bounded} (no payload dumps), at most
 * {@code burst} lines are written per window, and the events beyond that are counted and
 * summarised in one line when the window ends ("... and 340 more in the last 10 s").
 *
 * <p>Thread-safe.
 */
public final class RateLimitedLog {
  /** Longest text taken from an event's details. */
  public static final int MAX_DETAIL_CHARS = 200;
  private static final ScheduledThreadPoolExecutor SUMMARIES = summaries();

  private final Logger log;
  private final String what;
  private final int burst;
  private final long windowNanos;
  private long windowStart = Long.MIN_VALUE;
  private int written;
  private long suppressed;
  private boolean summaryScheduled;

  /**
   * A log writing to {@code log} at most {@code burst} lines per {@code windowMillis};
   * {@code what} names the events in summaries (e.g. {@code "rejected connections"}).
   *
   * @param log the logger lines are written to
   * @param what names the events in the summary lines
   * @param burst the maximum number of lines per window
   * @param windowMillis the window length in milliseconds
   */
  public RateLimitedLog(Logger log, String what, int burst, long windowMillis) {
    if (burst < 1 || windowMillis < 1) {
      throw new IllegalArgumentException("burst and window must be positive");
    }
    this.log = log;
    this.what = what;
    this.burst = burst;
    this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
  }

  /**
   * Logs at WARN unless this window's lines are used up ({@code args} as in SLF4J).
   *
   * @param format the SLF4J format string
   * @param args the format arguments, as in SLF4J
   */
  public void warn(String format, Object... args) {
    if (admit()) {
      log.warn(format, args);
    }
  }

  /**
   * Logs at INFO unless this window's lines are used up ({@code args} as in SLF4J).
   *
   * @param format the SLF4J format string
   * @param args the format arguments, as in SLF4J
   */
  public void info(String format, Object... args) {
    if (admit()) {
      log.info(format, args);
    }
  }

  private synchronized boolean admit() {
    long now = System.nanoTime();
    if (windowStart == Long.MIN_VALUE || now - windowStart >= windowNanos) {
      flushSummary();
      windowStart = now;
      written = 0;
    }
    if (written < burst) {
      written++;
      return true;
    }
    suppressed++;
    if (!summaryScheduled) {
      summaryScheduled = true;
      long left = windowNanos - (now - windowStart);
      SUMMARIES.schedule(this::summaryDue, Math.max(left, 0), TimeUnit.NANOSECONDS);
    }
    return false;
  }

  /** Writes the summary of the events not logged so far, if any (e.g. when a vat closes). */
  public synchronized void flush() {
    flushSummary();
  }

  private synchronized void summaryDue() {
    summaryScheduled = false;
    flushSummary();
  }

  private void flushSummary() {
    if (suppressed > 0) {
      log.warn("... and {} more {} in the last {} s (not logged one by one)", suppressed, what,
          TimeUnit.NANOSECONDS.toSeconds(windowNanos));
      suppressed = 0;
    }
  }

  /**
   * {@code text} made safe to log: control characters replaced, long runs of hex digits (payload
   * dumps) replaced by their length, and cut to {@link #MAX_DETAIL_CHARS} characters.
   *
   * @param text the text to log; may be {@code null}
   * @return the bounded text
   */
  public static String bounded(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_DETAIL_CHARS + 16));
    int i = 0;
    while (i < text.length() && b.length() < MAX_DETAIL_CHARS) {
      int run = hexRun(text, i);
      if (run >= 32) {
        b.append("<").append(run / 2).append(" bytes>");
        i += run;
        continue;
      }
      char c = text.charAt(i++);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    if (i < text.length()) {
      b.append("...");
    }
    return b.toString();
  }

  private static int hexRun(String s, int from) {
    int i = from;
    while (i < s.length() && Character.digit(s.charAt(i), 16) >= 0) {
      i++;
    }
    return i - from;
  }

  private static ScheduledThreadPoolExecutor summaries() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "capnp-log-summaries");
      th.setDaemon(true);
      return th;
    });
    t.setRemoveOnCancelPolicy(true);
    return t;
  }
}
