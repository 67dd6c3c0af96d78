package dev.capnp.net.testlog;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that logged a WARN or ERROR it did not announce (the seed suite's "no warnings
 * logged" check). A test announces what it provokes with {@link #expect(String, int)}: exactly
 * that many events whose message contains the text must appear. Tests run one at a time, so
 * the expectations are JVM-wide; they are reset before each test. The check runs after the
 * test's own {@code @AfterEach} methods (vats closed), so warnings logged while closing count.
 */
public final class NoWarnings implements BeforeEachCallback, AfterEachCallback {
  private static final List<Expected> EXPECTED = new ArrayList<>();
  private static int mark;

  private record Expected(String text, int count) {}

  /** Announces that exactly {@code count} WARN/ERROR events containing {@code text} will be logged. */
  public static synchronized void expect(String text, int count) {
    EXPECTED.add(new Expected(text, count));
  }

  /**
   * Waits up to {@code millis} for {@code count} WARN/ERROR events containing {@code text} since
   * the test started; returns how many there are.
   */
  public static long await(String text, int count, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    long n = count(text);
    while (n < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
      n = count(text);
    }
    return n;
  }

  /** WARN/ERROR events containing {@code text} since the test started. */
  public static long count(String text) {
    int from;
    synchronized (NoWarnings.class) {
      from = mark;
    }
    return LogRecorder.since(from).stream().filter(e -> e.message().contains(text)).count();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    synchronized (NoWarnings.class) {
      EXPECTED.clear();
      mark = LogRecorder.mark();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<Expected> expected;
    int from;
    synchronized (NoWarnings.class) {
      expected = new ArrayList<>(EXPECTED);
      EXPECTED.clear();
      from = mark;
    }
    List<LogRecorder.Event> events = LogRecorder.since(from);
    StringBuilder problems = new StringBuilder();
    for (Expected x : expected) {
      long n = events.stream().filter(e -> e.message().contains(x.text())).count();
      if (n != x.count()) {
        problems.append("\n  expected ").append(x.count()).append(" event(s) containing \"")
            .append(x.text()).append("\", got ").append(n);
      }
    }
    for (LogRecorder.Event e : events) {
      if (expected.stream().noneMatch(x -> e.message().contains(x.text()))) {
        problems.append("\n  unexpected: ").append(e);
      }
    }
    if (problems.length() > 0) {
      throw new AssertionError("log of " + context.getDisplayName() + ":" + problems);
    }
  }
}
