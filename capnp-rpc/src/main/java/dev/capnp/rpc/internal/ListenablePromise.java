package dev.capnp.rpc.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * A promise of a call's results that runs one listener when it completes, as
 * {@code whenComplete} would call it but without the stage and callback objects
 * {@code whenComplete} makes per call (issue 12): the protocol core's question
 * ({@code RpcPipeline}) and a local call's context promise extend it, and whoever started the
 * call registers its completion with {@link #listenOnce}. The listener runs once, on the thread
 * that completes the promise ({@code complete}, {@code completeExceptionally}, {@code cancel},
 * {@code obtrudeValue} or {@code obtrudeException}); the slot is taken atomically.
 */
public abstract class ListenablePromise extends CompletableFuture<Results> {
  /** The one listener (null: none, or already called). */
  @SuppressWarnings("unused") // (through LISTENER)
  private volatile BiConsumer<Results, Throwable> listener;

  private static final VarHandle LISTENER;

  static {
    try {
      LISTENER = MethodHandles.lookup().findVarHandle(ListenablePromise.class, "listener",
          BiConsumer.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A promise not completed yet. */
  protected ListenablePromise() {
  }

  /**
   * Registers {@code l} to run once when this promise completes, with the results or the
   * failure as {@code whenComplete} would pass them. False if a listener was registered
   * already or the promise is done: the caller then uses {@code whenComplete}.
   *
   * @param l the listener
   * @return whether it was registered
   */
  public final boolean listenOnce(BiConsumer<Results, Throwable> l) {
    if (isDone() || !LISTENER.compareAndSet(this, null, l)) {
      return false;
    }
    fireListener(); // (completed in between, on another thread: run it now)
    return true;
  }

  /** Runs the listener, if any and not run yet, with the promise's outcome (once done). */
  private void fireListener() {
    if (listener == null || !isDone()) {
      return;
    }
    @SuppressWarnings("unchecked")
    BiConsumer<Results, Throwable> l = (BiConsumer<Results, Throwable>) LISTENER.getAndSet(this,
        null);
    if (l == null) {
      return;
    }
    Results r = null;
    Throwable e = null;
    try {
      r = getNow(null);
    } catch (CancellationException x) {
      e = x;
    } catch (CompletionException x) {
      e = x.getCause() != null ? x.getCause() : x;
    }
    l.accept(r, e);
  }

  /** Completes the promise (then runs the listener). */
  @Override
  public boolean complete(Results value) {
    boolean completed = super.complete(value);
    if (completed) {
      fireListener();
    }
    return completed;
  }

  /** Forces the promise's value (then runs the listener if it has not run). */
  @Override
  public void obtrudeValue(Results value) {
    super.obtrudeValue(value);
    fireListener();
  }

  /** Cancels the promise (then runs the listener if it has not run). */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean canceled = super.cancel(mayInterruptIfRunning);
    fireListener();
    return canceled;
  }

  /** Fails the promise (then runs the listener). */
  @Override
  public boolean completeExceptionally(Throwable ex) {
    boolean completed = super.completeExceptionally(ex);
    if (completed) {
      fireListener();
    }
    return completed;
  }

  /** Forces the promise's failure (then runs the listener if it has not run). */
  @Override
  public void obtrudeException(Throwable ex) {
    super.obtrudeException(ex);
    fireListener();
  }
}
