package dev.capnp.net.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a scenario that leaves more capability references alive than before it started
 * ({@link Capability#liveReferenceCount()}, JVM-wide: scenarios run one at a time). Releases
 * travel between event loops, so the check waits up to five seconds for the count to settle.
 */
final class NoLeaks implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(NoLeaks.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put("live", Capability.liveReferenceCount());
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    long before = context.getStore(NS).get("live", Long.class);
    long deadline = System.nanoTime() + 5_000_000_000L;
    long live = Capability.liveReferenceCount();
    while (live > before && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
      live = Capability.liveReferenceCount();
    }
    assertThat(live).as("live capability references after %s (before: %d)",
        context.getDisplayName(), before).isLessThanOrEqualTo(before);
  }
}
