package dev.capnp.testing.log;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.event.Level;

/** Every WARN and ERROR logged in this JVM through {@link RecordingLoggerProvider}, in order. */
public final class LogRecorder {
  private static final List<Event> EVENTS = new ArrayList<>();

  private LogRecorder() {
  }

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

  static synchronized void record(Event e) {
    EVENTS.add(e);
  }

  /**
   * A position to read events from.
   *
   * @return the number of events recorded so far
   */
  public static synchronized int mark() {
    return EVENTS.size();
  }

  /**
   * The events logged since {@code mark}.
   *
   * @param mark a value of {@link #mark()}
   * @return the events recorded after it, oldest first
   */
  public static synchronized List<Event> since(int mark) {
    return new ArrayList<>(EVENTS.subList(Math.min(mark, EVENTS.size()), EVENTS.size()));
  }
}
