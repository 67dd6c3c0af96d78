package dev.capnp.net.testlog;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J binding of capnp-net's tests: prints INFO and above to standard error (like
 * slf4j-simple) and records every WARN and ERROR in {@link LogRecorder}, so a test can check
 * that nothing unexpected was logged ({@link NoWarnings}). DEBUG is printed too with
 * {@code -Dcapnp.test.log.debug=true}.
 */
public final class RecordingLoggerProvider implements SLF4JServiceProvider {
  private final ILoggerFactory factory = RecordingLogger::new;
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

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
}
