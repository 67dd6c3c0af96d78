package dev.capnp.testing;

import dev.capnp.rpc.Capability;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that left capability references open: a JUnit 5 extension comparing
 * {@link Capability#liveReferenceCount()} after each test (and its {@code @AfterEach} methods)
 * with the count before it.
 *
 * <pre>{@code
 * @ExtendWith(ReferenceLeakCheck.class)
 * class MyServiceTest { ... }
 * }</pre>
 *
 * <p>References are released on event-loop threads and by the garbage collector's cleaners, so
 * the check waits (up to 5 s, running the collector) before it fails; {@link #assertNoLeaks}
 * does the same check by hand. The count is JVM-wide: run the tests of one JVM one at a time.
 */
public final class ReferenceLeakCheck implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ReferenceLeakCheck.class);
  private static final Duration PATIENCE = Duration.ofSeconds(5);

  /** The extension; JUnit makes it from {@code @ExtendWith(ReferenceLeakCheck.class)}. */
  public ReferenceLeakCheck() {
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NAMESPACE).put("before", Capability.liveReferenceCount());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    long before = context.getStore(NAMESPACE).get("before", Long.class);
    assertNoLeaks(before, PATIENCE);
  }

  /**
   * Waits until no more capability references are live than {@code before}.
   *
   * @param before a value of {@link Capability#liveReferenceCount()} taken earlier
   * @param patience how long to wait (running the garbage collector) before failing
   * @throws AssertionError naming how many references are still open
   */
  public static void assertNoLeaks(long before, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    long live = Capability.liveReferenceCount();
    while (live > before && System.nanoTime() < deadline) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      live = Capability.liveReferenceCount();
    }
    if (live > before) {
      throw new AssertionError((live - before) + " capability reference(s) still open after "
          + patience.toMillis() + " ms (live " + live + ", before the test " + before
          + "): close every Capability, client and Response you take");
    }
  }
}
