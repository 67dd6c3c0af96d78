package dev.capnp.net.transport;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run TLS handshakes' delegated tasks for every vat in the JVM, one per core,
 * so that a burst of handshakes does not stall the I/O loops that serve established connections:
 * with the JDK's provider the key exchange and signatures; with OpenSSL ({@link Tls#provider()})
 * the checks of certificates and the choice of key (BoringSSL's signature, about 0.3 ms for
 * RSA-2048, stays on the loop). Daemon threads,
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
