package dev.capnp.testing.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * An SLF4J provider for tests: prints INFO and above to standard error (like slf4j-simple) and
 * records every WARN and ERROR in {@link LogRecorder}, so that {@link NoWarnings} can fail a test
 * that logged something unexpected. DEBUG is printed too with {@code -Dcapnp.test.log.debug=true}.
 *
 * <p>It is not registered as a service (it would compete with your own logging backend): select
 * it for the test JVM with the system property
 * {@code slf4j.provider=dev.capnp.testing.log.RecordingLoggerProvider}, e.g. in surefire's
 * {@code <systemPropertyVariables>}.
 */
public final class RecordingLoggerProvider implements SLF4JServiceProvider {
  private final ILoggerFactory factory = RecordingLogger::new;
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  /** A provider; SLF4J makes it from the {@code slf4j.provider} system property. */
  public RecordingLoggerProvider() {
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    // nothing to set up
  }

  /**
   * Whether SLF4J logs through this provider in this JVM.
   *
   * @return true if {@code LoggerFactory}'s loggers are recording ones
   */
  public static boolean isActive() {
    return org.slf4j.LoggerFactory.getLogger(RecordingLoggerProvider.class)
        instanceof RecordingLogger;
  }
}
