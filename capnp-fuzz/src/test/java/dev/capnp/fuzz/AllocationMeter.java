package dev.capnp.fuzz;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated by the current thread, from HotSpot's per-thread allocation counter
 * ({@code com.sun.management.ThreadMXBean}). Lets an oracle check that decoding allocates in
 * proportion to the bytes it was given, not to sizes the input merely claims. When the JVM does
 * not offer the counter, {@link #available()} is false and callers skip the check (the small
 * heap of the fuzz JVM still turns a large allocation into an {@link OutOfMemoryError}).
 */
final class AllocationMeter {
  private static final com.sun.management.ThreadMXBean THREADS = threads();

  private AllocationMeter() {}

  private static com.sun.management.ThreadMXBean threads() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported()) {
      t.setThreadAllocatedMemoryEnabled(true);
      return t;
    }
    return null;
  }

  /** Whether allocation can be measured on this JVM. */
  static boolean available() {
    return THREADS != null;
  }

  /** Total bytes the current thread has allocated so far (0 when unavailable). */
  static long allocatedBytes() {
    return THREADS == null ? 0 : THREADS.getCurrentThreadAllocatedBytes();
  }
}
