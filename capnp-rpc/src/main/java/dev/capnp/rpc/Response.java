package dev.capnp.rpc;

import dev.capnp.rpc.internal.Results;
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
  private volatile boolean closed;

  private final ResponsePromise.PipelineHold pipelineHold;
  /**
   * A response lent to a {@link ResponseListener}: the caller's only while the listener runs;
   * whoever made the call releases the results when it returns (closing does nothing else).
   */
  private final boolean lent;

  /** A response lent to a listener (see {@link #lent}). */
  Response(Results results, PointerFactory<?, R> factory, EventLoop loop) {
    this.results = results;
    this.pipelineHold = null;
    this.factory = factory;
    this.loop = loop;
    this.lent = true;
    this.leak = null;
    this.cleanable = null;
  }

  Response(Results results, PointerFactory<?, R> factory, EventLoop loop,
      ResponsePromise.PipelineHold pipelineHold) {
    this.results = results;
    this.pipelineHold = pipelineHold;
    this.factory = factory;
    this.loop = loop;
    this.lent = false;
    if (results.caps.size() > 0) {
      // only responses holding capabilities can leak references
      leak = new Leak(results, loop, pipelineHold);
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
    final java.util.concurrent.atomic.AtomicBoolean closed =
        new java.util.concurrent.atomic.AtomicBoolean();

    private final ResponsePromise.PipelineHold pipelineHold;

    Leak(Results results, EventLoop loop, ResponsePromise.PipelineHold pipelineHold) {
      this.pipelineHold = pipelineHold;
      this.results = results;
      this.loop = loop;
    }

    @Override
    public void run() {
      if (closed.compareAndSet(false, true)) {
        Capability.LOG.warn("a response holding {} capabilities was never closed; releasing them",
            results.caps.size());
        loop.run(() -> {
          results.unhold();
          pipelineHold.responseClosed();
        });
      }
    }
  }

  /**
   * The results, read with the request's results factory.
   *
   * @return the typed results
   */
  @SuppressWarnings("unchecked")
  public R get() {
    check();
    return factory == AnyPointer.FACTORY ? (R) results.content() : results.contentAs(factory);
  }

  /**
   * The untyped results pointer.
   *
   * @return the results as an untyped pointer
   */
  public AnyPointer.Reader getPointer() {
    check();
    return results.content();
  }

  /**
   * The capability at a pointer path of the results (a new handle).
   *
   * @param pointerPath the pointer indexes from the results struct down to the capability
   * @return a new handle; the caller owns it
   */
  public Capability getCap(int... pointerPath) {
    check();
    short[] ops = new short[pointerPath.length];
    for (int i = 0; i < ops.length; i++) {
      ops[i] = (short) pointerPath[i];
    }
    return new Capability(results.capAt(ops, loop));
  }

  private void check() {
    if (closed || results.isReleased()) {
      throw new IllegalStateException(lent
          ? "response used after its listener returned (or closed)"
          : "response already closed");
    }
  }

  /**
   * Releases this response's references to the result capabilities (twice is harmless).
   * Pipelines of the call keep their own references: capabilities taken from
   * {@link ResponsePromise#pipeline()} still work after this.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (lent) {
      return; // (its results are released when the listener returns)
    }
    if (leak != null) {
      if (!leak.closed.compareAndSet(false, true)) {
        return;
      }
      cleanable.clean();
    }
    if (loop.inLoop()) {
      closeOnLoop(); // (the usual case: no task, no lambda per response; issue 12)
    } else {
      loop.execute(this::closeOnLoop);
    }
  }

  /** Lets go of the results and the response's hold on the pipeline (on the loop). */
  private void closeOnLoop() {
    results.unhold();
    pipelineHold.responseClosed();
  }
}
