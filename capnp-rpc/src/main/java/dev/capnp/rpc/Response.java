package dev.capnp.rpc;

import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.PointerFactory;

/**
 * The results of a completed call. Holds references to the capabilities in the results until
 * {@link #close()}; capabilities taken out with {@link Capability#fromPointer} are separate
 * references.
 *
 * @param <R> results reader type
 */
public final class Response<R> implements AutoCloseable {
  private final Results results;
  private final PointerFactory<?, R> factory;
  private final EventLoop loop;
  private final Leak leak;
  private final java.lang.ref.Cleaner.Cleanable cleanable;

  Response(Results results, PointerFactory<?, R> factory, EventLoop loop) {
    this.results = results;
    this.factory = factory;
    this.loop = loop;
    if (results.caps.size() > 0) {
      // only responses holding capabilities can leak references
      leak = new Leak(results, loop);
      cleanable = Capability.CLEANER.register(this, leak);
    } else {
      leak = null;
      cleanable = null;
    }
  }

  /** Releases the capabilities of a response that was never closed (run by the Cleaner). */
  private static final class Leak implements Runnable {
    private final Results results;
    private final EventLoop loop;
    volatile boolean closed;

    Leak(Results results, EventLoop loop) {
      this.results = results;
      this.loop = loop;
    }

    @Override
    public void run() {
      if (!closed) {
        Capability.LOG.warn("a response holding {} capabilities was never closed; releasing them",
            results.caps.size());
        loop.run(results::release);
      }
    }
  }

  /** The results, read with the request's results factory. */
  @SuppressWarnings("unchecked")
  public R get() {
    check();
    return factory == AnyPointer.FACTORY ? (R) results.content : results.content.getAs(factory);
  }

  /** The untyped results pointer. */
  public AnyPointer.Reader getPointer() {
    check();
    return results.content;
  }

  /** The capability at a pointer path of the results (a new handle). */
  public Capability getCap(int... pointerPath) {
    check();
    short[] ops = new short[pointerPath.length];
    for (int i = 0; i < ops.length; i++) {
      ops[i] = (short) pointerPath[i];
    }
    return new Capability(results.capAt(ops, loop));
  }

  private void check() {
    if (results.isReleased()) {
      throw new IllegalStateException("response already closed");
    }
  }

  /** Releases the capabilities held by the results. */
  @Override
  public void close() {
    if (leak != null) {
      leak.closed = true;
      cleanable.clean();
    }
    loop.run(results::release);
  }
}
