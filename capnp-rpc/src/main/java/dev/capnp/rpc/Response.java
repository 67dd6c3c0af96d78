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

  Response(Results results, PointerFactory<?, R> factory, EventLoop loop) {
    this.results = results;
    this.factory = factory;
    this.loop = loop;
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
    loop.run(results::release);
  }
}
