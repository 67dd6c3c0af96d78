package dev.capnp.testing.log;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails a test which logged a WARN or ERROR it did not announce:
 * capnp-java logs a warning for protocol problems (a peer's abort, a failed restore, a leaked
 * response), so a test whose calls all succeeded can still reveal one here.
 *
 * <pre>{@code
 * @ExtendWith(NoWarnings.class)
 * class MyServiceTest {
 *   @Test
 *   void aBadPeerIsReported() {
 *     NoWarnings.expect("Unknown persistent service ID", 1);   // announced: exactly once
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>It needs {@link RecordingLoggerProvider} as the test JVM's SLF4J provider (system property
 * {@code slf4j.provider=dev.capnp.testing.log.RecordingLoggerProvider}); without it every test
 * fails, saying so. Expectations are JVM-wide and reset before each test: run the tests of one
 * JVM one at a time. The check runs after the test's own {@code @AfterEach} methods, so warnings
 * logged while closing vats count.
 */
public final class NoWarnings implements BeforeEachCallback, AfterEachCallback {
  private static final List<Expected> EXPECTED = new ArrayList<>();
  private static int mark;

  private record Expected(String text, int count) {
  }

  /** The extension; JUnit makes it from {@code @ExtendWith(NoWarnings.class)}. */
  public NoWarnings() {
  }

  /**
   * Announces that exactly {@code count} WARN/ERROR events whose message contains {@code text}
   * will be logged by the current test.
   *
   * @param text a part of the expected messages
   * @param count how many such events must be logged
   */
  public static synchronized void expect(String text, int count) {
    EXPECTED.add(new Expected(text, count));
  }

  /**
   * WARN/ERROR events containing {@code text} logged since the current test started.
   *
   * @param text a part of the messages to count
   * @return how many there are
   */
  public static long count(String text) {
    int from;
    synchronized (NoWarnings.class) {
      from = mark;
    }
    return LogRecorder.since(from).stream().filter(e -> e.message().contains(text)).count();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!RecordingLoggerProvider.isActive()) {
      throw new IllegalStateException("NoWarnings needs SLF4J to log through "
          + RecordingLoggerProvider.class.getName() + ": run the tests with -Dslf4j.provider="
          + RecordingLoggerProvider.class.getName()
          + " (e.g. surefire's <systemPropertyVariables>)");
    }
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
