package dev.capnp.rpc;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs blocking handlers: virtual threads on JDK 21+, else a cached daemon pool. */
final class BlockingExecutor {
  static final Executor INSTANCE = create();

  private BlockingExecutor() {
  }

  private static Executor create() {
    try {
      Object ex = Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
      return (ExecutorService) ex;
    } catch (ReflectiveOperationException | RuntimeException e) {
      AtomicInteger n = new AtomicInteger();
      return Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "capnp-blocking-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
  }
}
