package dev.capnp.rpc.internal;

import dev.capnp.rpc.EventLoop;
import java.util.ArrayList;

/**
 * A pipeline whose real pipeline is not known yet (queued or tail calls, and a local call's
 * pipeline until its results exist). On its loop.
 */
public final class QueuedPipeline implements PipelineHook {
  public final EventLoop loop;
  private PipelineHook inner;
  /**
   * The results it resolved to ({@link #resolve(Results)}: a local call's own results, read
   * directly rather than through a resolved pipeline object per call; issue 12), or null.
   */
  private Results results;
  /** The capabilities taken before it resolved, with their paths (null until the first). */
  private ArrayList<Object[]> waiting;
  private boolean released;
  /** When this is the pipeline of a call queued on a promise: that promise (else null). */
  public QueuedClient queuedIn;

  /**
   * A pipeline of the capabilities of {@code loop} that waits for its real one.
   *
   * @param loop the loop it and its capabilities belong to
   */
  public QueuedPipeline(EventLoop loop) {
    this.loop = loop;
  }

  @Override
  public ClientHook getPipelinedCap(short[] ops) {
    if (inner != null) {
      return inner.getPipelinedCap(ops);
    }
    if (results != null) {
      return results.capAt(ops, loop);
    }
    QueuedClient q = new QueuedClient(loop, "pipelined");
    q.owner = this;
    q.addRef();
    if (waiting == null) {
      waiting = new ArrayList<>(2);
    }
    waiting.add(new Object[] {ops, q});
    return q;
  }

  /**
   * Whether the real pipeline is known.
   *
   * @return whether it resolved
   */
  public boolean isResolved() {
    return inner != null || results != null;
  }

  /**
   * Supplies the real pipeline (this takes over the caller's hold on it).
   *
   * @param p the real pipeline
   */
  public void resolve(PipelineHook p) {
    if (isResolved()) {
      p.release();
      return;
    }
    inner = p;
    resolveWaiting();
    if (released) {
      p.release();
    }
  }

  /**
   * Resolves to results that exist: what {@code resolve(PipelineHook.resolved(r, loop))} does,
   * without the pipeline object (a local call's completion; issue 12). Nothing if it resolved
   * already.
   *
   * @param r the results whose capabilities the pipeline gives
   */
  public void resolve(Results r) {
    if (isResolved()) {
      return;
    }
    results = r;
    resolveWaiting();
  }

  /** Each capability taken before the resolution resolves to its path's capability now. */
  private void resolveWaiting() {
    ArrayList<Object[]> w = waiting;
    waiting = null;
    if (w == null) {
      return;
    }
    for (Object[] e : w) {
      QueuedClient q = (QueuedClient) e[1];
      q.resolve(getPipelinedCap((short[]) e[0]));
      q.release();
    }
  }

  @Override
  public void release() {
    if (!released) {
      released = true;
      if (inner != null) {
        inner.release();
      }
    }
  }
}
