package dev.capnp.rpc;

import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import java.util.concurrent.CompletableFuture;

/**
 * The questions table: our questions to the peer ({@code Bootstrap} and {@code Call}), by ids
 * we choose. Sends each call, applies the peer's {@code Return}, and sends our {@code Finish}
 * once nobody here needs the answer any more.
 *
 * <h2>Lifecycle of a {@link Question}</h2>
 * <pre>
 *   (Bootstrap or Call sent) ──► AWAITING_RETURN
 *   AWAITING_RETURN ──(Return received)──► RETURNED
 *   AWAITING_RETURN ──(last reference dropped: Finish sent)──► CANCELED
 *   RETURNED ──(last reference dropped: Finish sent)──► DONE, removed
 *   CANCELED ──(Return received)──► DONE, removed
 *   any ──(disconnect)──► DONE, removed
 * </pre>
 * "References" are the caller's hold (dropped when the Return is handled or the caller cancels)
 * plus one per pipelined capability still naming the question ({@link PipelineClient}) and, for
 * a tail call, the tail-calling answer's pipeline. The id is reused only once the question is
 * removed, that is once both our Finish and the peer's Return happened.
 *
 * <p>Invariants (see {@link #invariantViolation()}): no DONE entry in the table, no negative
 * reference count, every entry's id is its slot. Confined to the connection's loop.
 */
final class QuestionTable {
  /** The state of one question (see the class comment for the transitions). */
  enum State {
    /** Sent; no Return yet, no Finish sent. */
    AWAITING_RETURN,
    /** The Return arrived; some reference still holds the question (no Finish sent yet). */
    RETURNED,
    /** Finish sent before the Return: the question waits for the Return to free its id. */
    CANCELED,
    /** Return received and Finish sent (or the connection ended): no longer in the table. */
    DONE
  }

  /** A question we asked; its position in the table is its question id. */
  static final class Question {
    final int id;
    State state = State.AWAITING_RETURN;
    final CompletableFuture<Results> promise = new CompletableFuture<>();
    RpcPipeline pipeline;
    /** The exports our Call's cap table counted, until the Return says what to release. */
    int[] paramExports;
    /** Sent with {@code sendResultsTo.yourself}: our tail call's results go to the peer. */
    boolean isTailCall;
    /** A tail call whose results our Return (takeFromOtherQuestion) handed to the peer. */
    boolean tailClaimed;
    /** The answer whose call's results this question takes (Return.takeFromOtherQuestion). */
    AnswerTable.Answer takesFrom;
    /** The caller's hold (dropped on Return or cancel) plus one per pipelined client. */
    int refs = 1;

    Question(int id) {
      this.id = id;
    }

    boolean returned() {
      return state == State.RETURNED || state == State.DONE;
    }

    boolean finishSent() {
      return state == State.CANCELED || state == State.DONE;
    }

    /** AWAITING_RETURN → RETURNED, CANCELED → DONE. */
    void onReturn() {
      state = state == State.CANCELED ? State.DONE : State.RETURNED;
    }

    /** AWAITING_RETURN → CANCELED, RETURNED → DONE. */
    void onFinishSent() {
      state = state == State.RETURNED ? State.DONE : State.CANCELED;
    }
  }

  private final RpcProtocol protocol;
  private final IdTable<Question> questions = new IdTable<>();

  QuestionTable(RpcProtocol protocol) {
    this.protocol = protocol;
  }

  int size() {
    return questions.size();
  }

  private Question newQuestion() {
    int id = questions.add(null);
    Question q = new Question(id);
    questions.set(id, q);
    q.pipeline = new RpcPipeline(protocol, q);
    return q;
  }

  // ========================================================================= questions out

  /**
   * Sends {@code Bootstrap} (with {@code objectId} as its deprecatedObjectId, or none) and
   * returns the promised capability. If {@code answerTimeoutMillis > 0} and no Return came by
   * then, the capability breaks and the question is canceled.
   */
  ClientHook bootstrap(byte[] objectId, long answerTimeoutMillis) {
    Question q = newQuestion();
    MessageBuilder mb = new MessageBuilder(16 + (objectId == null ? 0 : objectId.length / 8));
    Rpc.Bootstrap.Builder b = mb.initRoot(Rpc.Message.FACTORY).initBootstrap();
    b.setQuestionId(q.id);
    if (objectId != null) {
      b.initDeprecatedObjectId().setAs(dev.capnp.runtime.Text.FACTORY,
          new dev.capnp.runtime.Text.Reader(objectId));
    }
    ClientHook cap = q.pipeline.getPipelinedCap(RpcMessages.NO_OPS);
    q.promise.whenComplete((r, e) -> {
      if (r != null) {
        r.release();
      }
    });
    protocol.send(mb);
    if (answerTimeoutMillis > 0) {
      Runnable cancelTimer = protocol.outbox().schedule(
          () -> expireBootstrap(q, answerTimeoutMillis), answerTimeoutMillis);
      q.promise.whenComplete((r, e) -> cancelTimer.run());
    }
    return cap;
  }

  /**
   * The bootstrap question {@code q} got no Return in time: its pipelined capabilities break
   * now, and the question is treated as canceled by its caller (Finish once nothing pipelines on
   * it; the Return, if it ever comes, finds a canceled question and is released).
   */
  private void expireBootstrap(Question q, long timeoutMillis) {
    if (q.returned() || q.promise.isDone() || protocol.isDisconnected()) {
      return;
    }
    RpcException e = RpcException.failed("No answer to the bootstrap within "
        + Request.describeMillis(timeoutMillis));
    q.pipeline.onError(e);
    if (q.promise.cancel(false)) {
      dropRef(q);
    }
  }

  /** Sends a call to {@code target} (an import or pipelined answer of this connection). */
  CallResult sendCall(RpcClient target, CallParams params) {
    MessageBuilder mb;
    Rpc.Call.Builder call;
    HookCapTable caps;
    if (params.message != null && !params.messageUsed) {
      params.messageUsed = true;
      mb = params.message;
      call = params.callBuilder;
      caps = params.caps;
    } else {
      mb = RpcMessages.newMessage();
      caps = new HookCapTable();
      mb.setCapTable(caps);
      call = mb.initRoot(Rpc.Message.FACTORY).initCall();
      call.setInterfaceId(params.interfaceId);
      call.setMethodId(params.methodId);
      call.initParams().getContent().set(params.content());
      params.release();
    }
    Question q = newQuestion();
    call.setQuestionId(q.id);
    target.writeTarget(call.initTarget());
    CallContextImpl tail = params.tailCallOf;
    if (tail != null && tail.params.answerConnection == protocol) {
      call.initSendResultsTo().setYourself();
      q.isTailCall = true;
    }
    q.paramExports = protocol.exports.writeDescriptors(caps, call.getParams());
    if (q.isTailCall) {
      // the tail-calling answer's pipeline goes on using this question's pipelined results
      // after our Return, and after the peer's resultsSentElsewhere: no Finish before the
      // answer lets go of the pipeline (rpc.c++: the tail pipeline holds the QuestionRef)
      q.refs++;
      q.pipeline.holdsQuestion = true;
    }
    long streamBytes = params.streamReady != null && !q.isTailCall ? mb.sizeInWords() * 8 : -1;
    protocol.send(mb);
    caps.releaseAll();
    if (streamBytes >= 0) {
      flowControl(target, params, streamBytes, q.promise);
    }
    q.promise.whenComplete((r, e) -> {
      if (q.promise.isCancelled()) {
        protocol.loop.run(() -> {
          dropRef(q);
          cancelTakenCall(q);
        });
      }
    });
    if (q.isTailCall) {
      // Like C++: the original question is answered with takeFromOtherQuestion at once; the
      // peer only sends resultsSentElsewhere after it has seen that.
      Results marker = new Results(Results.NULL_CONTENT, new HookCapTable(), null);
      marker.sentElsewhereQuestion = q.id;
      // a marker dropped without becoming our Return (the tail-calling call was canceled or
      // had returned already) leaves nobody to claim the tail call's results: cancel it, as
      // rpc.c++ drops the tail question's promise
      marker.onRelease = () -> protocol.loop.run(() -> {
        if (!q.tailClaimed && !q.promise.isDone()) {
          q.promise.cancel(false);
        }
      });
      return new CallResult(CompletableFuture.completedFuture(marker), q.pipeline);
    }
    return new CallResult(q.promise, q.pipeline);
  }

  /** Reports a streaming call just sent to {@code target} to the target's flow controller. */
  private void flowControl(RpcClient target, CallParams params, long bytes,
      CompletableFuture<Results> ack) {
    if (target.flow == null) {
      target.flow = protocol.flowControl().newController();
    }
    CompletableFuture<Void> signal = params.streamReady;
    params.streamFlowTaken = true;
    target.flow.send(bytes, ack).whenComplete((v, e) -> {
      if (e != null) {
        signal.completeExceptionally(e);
      } else {
        signal.complete(null);
      }
    });
  }

  /** Our Return (takeFromOtherQuestion) handed tail question {@code id}'s results to the peer. */
  void tailClaimed(int id) {
    Question q = questions.get(id);
    if (q != null) {
      q.tailClaimed = true;
    }
  }

  /** Drops one reference to {@code q}; the last sends Finish (and frees a returned question). */
  void dropRef(Question q) {
    if (--q.refs > 0) {
      return;
    }
    if (!q.finishSent()) {
      q.onFinishSent();
      if (!protocol.isDisconnected()) {
        protocol.send(RpcMessages.finish(q.id, false));
      }
    }
    if (q.returned()) {
      remove(q);
    }
  }

  private void remove(Question q) {
    if (questions.get(q.id) == q) {
      questions.remove(q.id);
    }
  }

  // ============================================================================= Return in

  /** {@code Return}: the peer answered question {@code answerId}. */
  void handleReturn(MessageReader m, Rpc.Return.Reader ret0) {
    Question q = questions.get(ret0.getAnswerId());
    if (q == null || q.returned()) {
      throw new ProtocolError("Invalid question ID in Return message: " + ret0.getAnswerId());
    }
    q.onReturn();
    if (ret0.getReleaseParamCaps()) {
      protocol.exports.releaseAll(q.paramExports);
    }
    q.paramExports = null;
    switch (ret0.which()) {
      case RESULTS: {
        HookCapTable caps = protocol.imports.receiveCaps(ret0.getResults().getCapTable());
        m.setCapTable(caps);
        Rpc.Return.Reader ret = m.getRoot(Rpc.Message.FACTORY).getReturn();
        Results r = new Results(ret.getResults().getContent(), caps, null);
        q.pipeline.onReturn(r);
        if (q.isTailCall || !q.promise.complete(r)) {
          r.release(); // (a tail call's results were redirected; nobody waits for them here)
        }
        break;
      }
      case EXCEPTION:
        fail(q, RpcMessages.readException(ret0.getException()));
        break;
      case CANCELED:
        fail(q, RpcException.failed("Call canceled"));
        break;
      case RESULTS_SENT_ELSEWHERE: {
        if (!q.isTailCall) {
          throw new ProtocolError("'Return' with 'resultsSentElsewhere' for a call that did not"
              + " set sendResultsTo.yourself");
        }
        Results r = new Results(Results.NULL_CONTENT, new HookCapTable(), null);
        r.sentElsewhereQuestion = q.id;
        if (!q.promise.complete(r)) {
          r.release();
        }
        break;
      }
      case TAKE_FROM_OTHER_QUESTION:
        takeFromOtherQuestion(q, protocol.answers.takeRedirected(ret0.getTakeFromOtherQuestion()));
        return;
      default:
        fail(q, RpcException.unimplemented("Unsupported Return type " + ret0.which()));
        break;
    }
    finishReturn(q);
  }

  private static void fail(Question q, RpcException e) {
    q.pipeline.onError(e);
    q.promise.completeExceptionally(e);
  }

  /** {@code q}'s results are those of our answer {@code other} (the peer's tail call to us). */
  private void takeFromOtherQuestion(Question q, AnswerTable.Answer other) {
    if (q.promise.isCancelled()) {
      // nobody waits for these results (Finish was sent): the question is done now, and the
      // call whose results it took over is canceled (as rpc.c++ drops the tail call), instead
      // of running on (possibly forever: a call forwarded around a cycle of promises)
      // The results move to our question, as in the other branch, and nobody takes them:
      // release them now. Kept in the answer, they could keep our question alive (a
      // pipelined capability of it among them) and so the peer's tail-calling answer, whose
      // pipeline holds the question of this very answer: a cycle across the two vats.
      other.redirected.whenComplete((r, e) -> protocol.loop.run(() -> {
        if (r != null) {
          if (other.results == r) {
            other.results = null;
          }
          r.release();
        }
      }));
      AnswerTable.cancelCall(other);
      finishReturn(q);
      return;
    }
    q.takesFrom = other;
    // The peer may send this right after its Call(sendResultsTo.yourself), before our
    // answer has completed: wait for the answer's results.
    other.redirected.whenComplete((r, e) -> protocol.loop.run(() -> {
      if (e != null) {
        fail(q, RpcException.of(e));
      } else {
        if (other.results == r) {
          other.results = null;
        }
        q.pipeline.onReturn(r);
        if (!q.promise.complete(r)) {
          r.release();
        }
      }
      finishReturn(q);
    }));
  }

  /** A canceled question that had taken over another answer's call cancels that call. */
  private static void cancelTakenCall(Question q) {
    AnswerTable.Answer other = q.takesFrom;
    if (other == null) {
      return;
    }
    q.takesFrom = null;
    AnswerTable.cancelCall(other);
  }

  /** After a question's Return was handled: drop the caller's hold (maybe sending Finish). */
  private void finishReturn(Question q) {
    if (q.promise.isCancelled()) {
      // the caller already dropped its reference; Finish was (or will be) sent
      if (q.finishSent()) {
        remove(q);
      }
      return;
    }
    dropRef(q);
  }

  /** {@code Unimplemented} echoed our Bootstrap or Call {@code id}: it fails with {@code e}. */
  void failUnimplemented(int id, RpcException e, boolean releaseParams) {
    Question q = questions.get(id);
    if (releaseParams && q != null) {
      protocol.exports.releaseAll(q.paramExports);
      q.paramExports = null;
    }
    if (q == null || q.returned()) {
      throw new ProtocolError("Unimplemented for unknown question " + id);
    }
    q.onReturn();
    fail(q, e);
    dropRef(q);
  }

  // ============================================================================ teardown

  /** The connection is gone: every question fails with {@code e}; the table empties. */
  void clear(RpcException e) {
    for (Question q : questions.values()) {
      q.state = State.DONE;
      fail(q, e);
    }
    questions.clear();
  }

  String invariantViolation() {
    String[] bad = new String[1];
    questions.forEach((id, q) -> {
      if (bad[0] == null && q.id != id) {
        bad[0] = "question " + id + " thinks it is " + q.id;
      } else if (bad[0] == null && q.state == State.DONE) {
        bad[0] = "question " + id + " returned and finished but still in the table";
      } else if (bad[0] == null && q.refs < 0) {
        bad[0] = "question " + id + " has refs " + q.refs;
      }
    });
    return bad[0];
  }

  void dump(StringBuilder sb) {
    sb.append("  questions:\n");
    questions.forEach((id, q) -> sb.append("    ").append(id).append(' ').append(q.state)
        .append(" refs=").append(q.refs).append(q.isTailCall ? " tail" : "")
        .append(q.takesFrom != null ? " takes-answer-" + q.takesFrom.id : "")
        .append(q.promise.isCancelled() ? " canceled" : q.promise.isDone() ? " done" : "")
        .append('\n'));
  }
}
