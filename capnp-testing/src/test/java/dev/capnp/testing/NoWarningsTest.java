package dev.capnp.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.testing.log.NoWarnings;
import dev.capnp.testing.log.RecordingLoggerProvider;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link NoWarnings}, driven by hand (this module's surefire selects the recording provider). */
class NoWarningsTest {
  private static final Logger LOG = LoggerFactory.getLogger(NoWarningsTest.class);
  private final NoWarnings check = new NoWarnings();
  private final ExtensionContext context = (ExtensionContext) Proxy.newProxyInstance(
      getClass().getClassLoader(), new Class<?>[] {ExtensionContext.class},
      (proxy, method, args) -> method.getName().equals("getDisplayName") ? "a test" : null);

  @Test
  void theRecordingProviderIsActive() {
    assertThat(RecordingLoggerProvider.isActive()).isTrue();
  }

  @Test
  void aQuietTestPasses() {
    check.beforeEach(context);
    LOG.info("information is fine");
    check.afterEach(context);
  }

  @Test
  void anUnannouncedWarningFailsTheTest() {
    check.beforeEach(context);
    LOG.warn("something odd: {}", 42);
    assertThatThrownBy(() -> check.afterEach(context)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("log of a test:")
        .hasMessageContaining("unexpected: [")
        .hasMessageContaining("WARN dev.capnp.testing.NoWarningsTest - something odd: 42");
  }

  @Test
  void announcedWarningsMustAppearExactlyAsOftenAsSaid() {
    check.beforeEach(context);
    NoWarnings.expect("peer aborted", 2);
    LOG.warn("peer aborted: x");
    LOG.error("peer aborted: y");
    assertThat(NoWarnings.count("peer aborted")).isEqualTo(2);
    check.afterEach(context);

    check.beforeEach(context);
    NoWarnings.expect("peer aborted", 2);
    LOG.warn("peer aborted: once");
    assertThatThrownBy(() -> check.afterEach(context)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected 2 event(s) containing \"peer aborted\", got 1");
  }
}
