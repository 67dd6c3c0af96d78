package dev.capnp.rpc.protocol;

import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.internal.Results;
import dev.capnp.rpc.proto.Rpc;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink of a question asked with {@code ClientHook.callForResults}: its caller wants only the
 * outcome, so there is no promise and no pipeline, only a listener called once. Part of its
 * {@link QuestionTable.Question} entry and recycled with it, together with the {@link Results}
 * it hands to the listener ({@link #resultsFor}), so a question asked this way costs the core no
 * object (issue 12). The results are the listener's while it runs; after it they are released
 * unless it holds them, and only released results are used again. Confined to the connection's
 * loop.
 */
final class ResultsListenerSink implements QuestionTable.QuestionSink {
  private static final Logger LOG = LoggerFactory.getLogger(ResultsListenerSink.class);

  /** A Return without results: where a kept payload reader waits for the next Return. */
  private static final Rpc.Return.Reader NO_RESULTS =
      new dev.capnp.runtime.MessageBuilder(8).initRoot(Rpc.Message.FACTORY).initReturn()
          .asReader();

  /** The current question's listener: null before it is asked and once it has its outcome. */
  private BiConsumer<Results, Throwable> listener;
  /** Results of an earlier question of the entry that nobody holds, for the next Return. */
  private Results spare;
  /**
   * The payload reader of {@link #spare}, moved to the next Return's results; dropped with the
   * results when someone still holds them (it is theirs then).
   */
  private Rpc.Payload.Reader payload;
  /**
   * The results {@link #resultsFor} made for the current question (null: none yet, or its
   * results came another way, e.g. from an answer of ours the peer's tail call named): only
   * those are kept for the next Return.
   */
  private Results made;

  /** Makes this the sink of a new question of the entry, for {@code l}. */
  void ask(BiConsumer<Results, Throwable> l) {
    listener = l;
  }

  /**
   * The results carried by {@code ret}, the Return of this sink's question, in the spare
   * results if there are some (see {@link Results#receivedInto}).
   */
  Results resultsFor(Rpc.Return.Reader ret, dev.capnp.rpc.internal.HookCapTable caps) {
    if (spare == null) {
      payload = null; // (the last results are still held, or there were none)
    }
    payload = ret.getResults(payload);
    Results r = Results.receivedInto(spare, payload, caps);
    spare = null;
    made = r;
    return r;
  }

  @Override
  public boolean returned(Results r, boolean deliver) {
    if (!deliver || listener == null) {
      return false; // (the core releases them)
    }
    notify(r, null);
    // the listener's hold is over: released unless it holds them, then kept for the next
    // Return (results someone still holds are never used again)
    r.unhold();
    boolean ours = r == made;
    made = null;
    if (ours && r.isReleased()) {
      // kept for the next Return, but not with this one's message: the payload reader moves
      // to an empty Return (a large reply is not pinned while the entry waits)
      payload = NO_RESULTS.getResults(payload);
      r.park(payload);
      spare = r;
    }
    return true;
  }

  @Override
  public void failed(RpcException e) {
    if (listener != null) {
      notify(null, e);
    }
  }

  /** Runs the listener once; what it throws is logged, not the connection's concern. */
  private void notify(Results r, Throwable e) {
    BiConsumer<Results, Throwable> l = listener;
    listener = null;
    try {
      l.accept(r, e);
    } catch (RuntimeException x) {
      LOG.warn("A call's results listener threw", x);
    }
  }

  @Override
  public boolean sentElsewhere(Results marker) {
    return false; // (never a tail call: those are asked with a promise)
  }

  @Override
  public void expire(RpcException e) {
    failed(e);
  }

  @Override
  public boolean isCanceled() {
    return false; // (no promise to cancel)
  }

  @Override
  public void holdQuestion() {
    throw new IllegalStateException("a question asked for its results alone is no tail call");
  }

  @Override
  public boolean letsQuestionGo() {
    return listener == null;
  }
}
