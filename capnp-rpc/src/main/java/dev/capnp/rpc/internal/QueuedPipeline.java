package dev.capnp.rpc.internal;

import dev.capnp.rpc.EventLoop;
import java.util.ArrayList;

/** A pipeline whose real pipeline is not known yet (queued or tail calls). */
public final class QueuedPipeline implements PipelineHook {
  public final EventLoop loop;
  private PipelineHook inner;
  private ArrayList<Object[]> waiting = new ArrayList<>(0);
  private boolean released;
  /** When this is the pipeline of a call queued on a promise: that promise (else null). */
  public QueuedClient queuedIn;

  public QueuedPipeline(EventLoop loop) {
    this.loop = loop;
  }

  @Override
  public ClientHook getPipelinedCap(short[] ops) {
    if (inner != null) {
      return inner.getPipelinedCap(ops);
    }
    QueuedClient q = new QueuedClient(loop, "pipelined");
    q.owner = this;
    q.addRef();
    waiting.add(new Object[] {ops, q});
    return q;
  }

  /** Whether the real pipeline is known. */
  public boolean isResolved() {
    return inner != null;
  }

  /** Supplies the real pipeline (this takes over the caller's hold on it). */
  public void resolve(PipelineHook p) {
    if (inner != null) {
      p.release();
      return;
    }
    inner = p;
    ArrayList<Object[]> w = waiting;
    waiting = null;
    for (Object[] e : w) {
      QueuedClient q = (QueuedClient) e[1];
      q.resolve(p.getPipelinedCap((short[]) e[0]));
      q.release();
    }
    if (released) {
      p.release();
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
