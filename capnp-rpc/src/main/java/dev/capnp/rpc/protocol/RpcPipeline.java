package dev.capnp.rpc.protocol;

import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.internal.BrokenClient;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.ListenablePromise;
import dev.capnp.rpc.internal.PipelineHook;
import dev.capnp.rpc.internal.Results;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The pipeline and the caller's promise of one of our questions (its
 * {@link QuestionTable.QuestionSink}): a promise per pointer path until the Return arrives, then
 * the capabilities of the results. It is also the caller's promise of the results (it extends
 * {@code CompletableFuture}) and the {@link CallResult} the call returns, so a question costs one
 * object for all three (issue 12): whoever started the call gets it as its promise and its
 * pipeline. Canceling the promise (from any thread: {@code cancel}, or completing it with a
 * {@code CancellationException}) is the core's local event {@link QuestionTable#callerCanceled},
 * posted to the loop; everything else runs on the connection's loop.
 */
public final class RpcPipeline extends ListenablePromise
    implements PipelineHook, CallResult, QuestionTable.QuestionSink {
  private final RpcProtocol protocol;
  private final QuestionTable.Question question;
  /**
   * The generation of {@link #question} this pipeline belongs to: the entry may serve a later
   * question once this one is done (QuestionTable.recycle), and the caller's promise, which may
   * outlive it, must then not act on it.
   */
  private final int questionGen;
  /** Whether a pipelined client was ever made (it names the question: never recycled then). */
  private boolean pipelinedOn;
  /** The promises handed out per pointer path before the Return (null until the first). */
  private Map<String, PromiseClient> clients;
  private Results results;
  private RpcException error;
  /** Whether this pipeline holds a reference on its question (tail calls). */
  private boolean holdsQuestion;

  RpcPipeline(RpcProtocol protocol, QuestionTable.Question question) {
    this.protocol = protocol;
    this.question = question;
    this.questionGen = question.gen;
  }

  /** Whether {@link #question} is still this pipeline's question (not recycled since). */
  private boolean ownsQuestion() {
    return question.gen == questionGen;
  }

  // ============================================================ the call result, the promise

  /** This pipeline is the call's promise of its results. */
  @Override
  public CompletableFuture<Results> promise() {
    return this;
  }

  /** This pipeline is the call's pipeline. */
  @Override
  public PipelineHook pipeline() {
    return this;
  }

  /** Cancels the caller's promise: the question gets the core's callerCanceled on the loop. */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean wasDone = isDone(); // (cancel also returns true if canceled before)
    boolean canceled = super.cancel(mayInterruptIfRunning); // (runs the listener)
    if (!wasDone && canceled) {
      callerCanceled();
    }
    return canceled;
  }

  /** Fails the caller's promise; a {@code CancellationException} is the caller's cancel. */
  @Override
  public boolean completeExceptionally(Throwable ex) {
    boolean completed = super.completeExceptionally(ex); // (runs the listener)
    if (completed && isCancelled()) {
      callerCanceled();
    }
    return completed;
  }

  /** Forces the caller's promise's failure; a new cancellation is the caller's cancel. */
  @Override
  public void obtrudeException(Throwable ex) {
    boolean wasCanceled = isCancelled();
    super.obtrudeException(ex); // (runs the listener if it has not run)
    if (!wasCanceled && isCancelled()) {
      callerCanceled();
    }
  }

  private void callerCanceled() {
    loop().run(() -> {
      // a cancel reaching the loop after the question was done and its entry recycled (a
      // promise obtruded late) belongs to no question any more: the later one is not ours
      if (ownsQuestion()) {
        protocol.questions.callerCanceled(question);
      }
    });
  }

  /**
   * Runs {@code listener} once when the caller's promise completes, on the completing thread
   * (the loop, but for a cancel from another thread), with the results or the failure as
   * {@code whenComplete} would pass them, without the stage and callback objects
   * {@code whenComplete} makes per call (issue 12). One listener per pipeline: false if one was
   * registered already or the promise is done (the caller then uses {@code whenComplete}).
   */
  @Override
  public boolean listenOnce(CompletableFuture<Results> promise,
      BiConsumer<Results, Throwable> listener) {
    return promise == this && listenOnce(listener);
  }

  @Override
  public void release() {
    if (holdsQuestion) {
      holdsQuestion = false;
      assert ownsQuestion() : "a held question was recycled";
      if (!protocol.isDisconnected()) {
        protocol.questions.dropRef(question);
      }
    }
  }

  @Override
  public ClientHook getPipelinedCap(short[] ops) {
    if (results != null) {
      return results.capAt(ops, loop());
    }
    if (error != null) {
      return new BrokenClient(loop(), error);
    }
    if (protocol.isDisconnected()) {
      return new BrokenClient(loop(), protocol.disconnectReason());
    }
    if (!ownsQuestion()) {
      // (unreachable: a question is recycled only once its caller took the results, so
      // results != null above; kept as a guard against a later question's state)
      throw new IllegalStateException("pipeline of a finished question used after its entry"
          + " served a later question");
    }
    if (question.finishSent()) {
      // the question was canceled (Finish sent): its answer may be gone on the peer's side,
      // so naming it would be a protocol error (e.g. the pipeline of our answer whose call,
      // forwarded as this question, was canceled while the caller still pipelines on it)
      return new BrokenClient(loop(), RpcException.failed("Call canceled"));
    }
    String key = Arrays.toString(ops);
    if (clients == null) {
      clients = new HashMap<>();
    }
    PromiseClient c = clients.get(key);
    if (c != null && c.tryAddRef()) {
      return c;
    }
    pipelinedOn = true;
    c = new PromiseClient(protocol, new PipelineClient(protocol, question, ops), -1);
    clients.put(key, c);
    return c;
  }

  private EventLoop loop() {
    return protocol.delivery.loop;
  }

  // ======================================================================= question sink

  @Override
  public boolean returned(Results r, boolean deliver) {
    results = r;
    Map<String, PromiseClient> cs = clients;
    clients = null;
    if (cs != null) { // (most calls are not pipelined on: nothing to resolve)
      for (PromiseClient c : new ArrayList<>(cs.values())) {
        if (c.isLive()) {
          c.resolve(r.capAt(c.initialOps(), loop()), false);
        }
      }
    }
    return deliver && complete(r);
  }

  /**
   * Level 3: the results of a question the peer forwarded to a third vat came from that vat
   * ({@code r}, from another connection). A pipelined promise that has carried calls (through
   * the peer, which forwards them to the third vat's answer) stays on that path for good, so
   * its calls keep their order without an embargo (no message exists for a Disembargo across
   * the three vats); the others, and the caller's results, point at the third vat directly.
   * Returns whether the caller took {@code r}.
   */
  boolean returnedFromThirdParty(Results r) {
    results = r;
    Map<String, PromiseClient> cs = clients;
    clients = null;
    if (cs != null) {
      for (PromiseClient c : new ArrayList<>(cs.values())) {
        if (!c.isLive()) {
          continue;
        }
        if (c.receivedCall) {
          c.resolve(c.initial.addRef(), false);
        } else {
          c.resolve(r.capAt(c.initialOps(), loop()), false);
        }
      }
    }
    return complete(r);
  }

  @Override
  public void failed(RpcException e) {
    breakPipeline(e);
    completeExceptionally(e);
  }

  @Override
  public boolean sentElsewhere(Results marker) {
    return complete(marker);
  }

  @Override
  public void expire(RpcException e) {
    breakPipeline(e);
    cancel(false);
  }

  @Override
  public boolean isCanceled() {
    return isCancelled();
  }

  @Override
  public void holdQuestion() {
    holdsQuestion = true;
  }

  @Override
  public boolean letsQuestionGo() {
    return !pipelinedOn && !holdsQuestion && isDone() && !isCompletedExceptionally()
        && results != null && error == null;
  }

  /** Each pipelined promise breaks with {@code e}. */
  private void breakPipeline(RpcException e) {
    error = e;
    Map<String, PromiseClient> cs = clients;
    clients = null;
    if (cs == null) {
      return;
    }
    for (PromiseClient c : cs.values()) {
      if (c.isLive()) {
        c.resolve(new BrokenClient(loop(), e), true);
      }
    }
  }
}
