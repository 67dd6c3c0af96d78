package dev.capnp.net.transport;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run TLS handshakes' expensive steps (key exchange, signatures: the
 * {@code SSLEngine}'s delegated tasks) for every vat in the JVM, one per core, so that a burst of
 * handshakes does not stall the I/O loops that serve established connections. Daemon threads,
 * started on demand and stopped after a minute idle.
 */
public final class TlsWorkers {
  /** The shared executor (one thread per available processor). */
  public static final Executor EXECUTOR = create();

  private TlsWorkers() {}

  private static Executor create() {
    int n = Math.max(1, Runtime.getRuntime().availableProcessors());
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor e = new ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "capnp-tls-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    e.allowCoreThreadTimeOut(true);
    return e;
  }
}
