package dev.capnp.net.testlog;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.event.Level;

/** Every WARN and ERROR logged in this JVM (through {@link RecordingLoggerProvider}), in order. */
public final class LogRecorder {
  private static final List<Event> EVENTS = new ArrayList<>();

  private LogRecorder() {}

  /**
   * One logged warning or error.
   *
   * @param level WARN or ERROR
   * @param logger the logger's name
   * @param thread the logging thread
   * @param message the formatted message
   * @param throwable the attached exception, or null
   */
  public record Event(Level level, String logger, String thread, String message,
      Throwable throwable) {
    @Override
    public String toString() {
      return "[" + thread + "] " + level + " " + logger + " - " + message
          + (throwable == null ? "" : " (" + throwable + ")");
    }
  }

  private static final java.util.Set<String> TRACED =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final List<String> TRACES = new ArrayList<>();

  /** Turns TRACE on or off for the logger {@code name}; its TRACE lines are kept in memory. */
  public static synchronized void trace(String name, boolean on) {
    if (on) {
      TRACED.add(name);
    } else {
      TRACED.remove(name);
      TRACES.clear();
    }
  }

  static boolean traced(String name) {
    return TRACED.contains(name);
  }

  static synchronized void recordTrace(String line) {
    TRACES.add(line);
  }

  /** The TRACE lines recorded since TRACE was turned on ("logger - message"). */
  public static synchronized List<String> traces() {
    return new ArrayList<>(TRACES);
  }

  static synchronized void record(Event e) {
    EVENTS.add(e);
  }

  /** A position to read events from ({@link #since}). */
  public static synchronized int mark() {
    return EVENTS.size();
  }

  /** The events logged since {@code mark}. */
  public static synchronized List<Event> since(int mark) {
    return new ArrayList<>(EVENTS.subList(Math.min(mark, EVENTS.size()), EVENTS.size()));
  }
}
