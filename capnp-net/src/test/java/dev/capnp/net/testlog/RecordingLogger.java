package dev.capnp.net.testlog;

import java.io.PrintStream;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A logger of {@link RecordingLoggerProvider}. */
final class RecordingLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;
  private static final boolean DEBUG = Boolean.getBoolean("capnp.test.log.debug");

  RecordingLogger(String name) {
    this.name = name;
  }

  @Override
  public boolean isTraceEnabled() {
    return LogRecorder.traced(name);
  }

  @Override
  public boolean isDebugEnabled() {
    return DEBUG;
  }

  @Override
  public boolean isInfoEnabled() {
    return true;
  }

  @Override
  public boolean isWarnEnabled() {
    return true;
  }

  @Override
  public boolean isErrorEnabled() {
    return true;
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern,
      Object[] arguments, Throwable throwable) {
    String message = MessageFormatter.basicArrayFormat(messagePattern, arguments);
    String thread = Thread.currentThread().getName();
    if (level == Level.WARN || level == Level.ERROR) {
      LogRecorder.record(new LogRecorder.Event(level, name, thread, message, throwable));
    }
    if (level == Level.TRACE) {
      LogRecorder.recordTrace(name + " - " + message);
      return; // kept for the test that asked for it, not printed
    }
    PrintStream err = System.err;
    synchronized (err) {
      err.println("[" + thread + "] " + level + " " + name + " - " + message);
      if (throwable != null) {
        throwable.printStackTrace(err);
      }
    }
  }
}
