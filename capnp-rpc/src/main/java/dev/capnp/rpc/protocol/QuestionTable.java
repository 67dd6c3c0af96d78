package dev.capnp.rpc.protocol;

import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.Durations;
import dev.capnp.rpc.internal.FirstSegmentHint;
import dev.capnp.rpc.internal.HookCapTable;
import dev.capnp.rpc.internal.PipelineHook;
import dev.capnp.rpc.internal.Results;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import java.util.function.BiConsumer;

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
public final class QuestionTable {
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

  /**
   * Where a question's outcome goes: its pipeline and its caller (in the capability layer; see
   * {@link ConnectionDelivery#newQuestionSink}). Called on the loop.
   */
  interface QuestionSink {
    /**
     * The Return brought {@code r}: the pipelined capabilities resolve; if {@code deliver}, the
     * caller gets {@code r}. Returns whether the caller took {@code r} (else the core releases
     * it).
     */
    boolean returned(Results r, boolean deliver);

    /** The question failed with {@code e} (exception, canceled, unimplemented, the end). */
    void failed(RpcException e);

    /** Our tail call's results went to the peer: the caller gets {@code marker}; taken? */
    boolean sentElsewhere(Results marker);

    /** No answer in time: the pipeline breaks with {@code e} and the caller's wait is canceled. */
    void expire(RpcException e);

    /** Whether the caller canceled the question (no longer wants the results). */
    boolean isCanceled();

    /** The pipeline holds a reference on the question until it is released (tail calls). */
    void holdQuestion();

    /**
     * Whether nothing of the capability layer can reach the (removed) question any more except
     * through a generation check, so that its entry may serve a later question: no pipelined
     * client names it, the caller took its results (a later cancel of the caller's promise is
     * refused by the generation), no tail-call hold.
     */
    boolean letsQuestionGo();
  }

  /**
   * A question we asked; its position in the table is its question id. Recycled (issue 12):
   * once removed, a plain call's entry may serve a later question ({@link #recycle}); its
   * {@link #gen} then changes, and a holder that may outlive the question (the caller's promise)
   * checks the generation it was made with before acting on it.
   */
  static final class Question {
    int id;
    /** Bumped each time the entry is recycled for a later question (see {@link #recycle}). */
    int gen;
    State state = State.AWAITING_RETURN;
    /** Where its outcome goes. */
    QuestionSink sink;
    /** A Bootstrap: its results only feed the pipeline (the bootstrap capability). */
    boolean isBootstrap;
    /** The size of the Call message sent (for stream flow control). */
    long callBytes;
    /** The caller's hold on the question: dropped once, at the Return or at its cancel. */
    boolean callerHold = true;
    /** Cancels the timer of a bootstrap's answer timeout (null if none). */
    Runnable cancelTimer;
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
    /**
     * A Level 3 {@code Provide}: never answered by a Return; its one reference is the vine's
     * export, whose removal sends the Finish that frees it at once (see ThirdPartyHandoff).
     */
    boolean isProvide;
    /** We set {@code allowThirdPartyTailCall} in its Call (Level 3 connections). */
    boolean allowsThirdParty;
    /** A tail call we forwarded with {@code sendResultsTo.thirdParty} (also a tail call). */
    boolean forwarded;
    /** After {@code Return.awaitFromThirdParty}: the wait for the third vat's answer. */
    ThirdPartyForwarding.AwaitedCall awaited;
    /** Its Return took another answer's results ({@code takeFromOtherQuestion}: a callback holds it). */
    boolean tookFromOther;
    /**
     * Its Return said {@code noFinishNeeded}: the peer has removed its answer already, so the
     * Finish is not sent (the question still ends when its last reference goes, as ever).
     */
    boolean skipFinish;
    /**
     * The sink this entry uses for a question asked for its results alone
     * ({@link #sendCall(RpcClient, CallParams, BiConsumer)}), kept across recycling with the
     * results it reuses; null until the entry serves such a question.
     */
    ResultsListenerSink listening;

    /** Counted in {@link QuestionTable#awaitedCalls} until its Return. */
    boolean awaitCounted;

    Question(int id) {
      this.id = id;
    }

    /** Makes this removed entry question {@code newId}: a new generation, every field reset. */
    void reuse(int newId) {
      id = newId;
      gen++;
      state = State.AWAITING_RETURN;
      sink = null;
      isBootstrap = false;
      callBytes = 0;
      callerHold = true;
      cancelTimer = null;
      paramExports = null;
      isTailCall = false;
      tailClaimed = false;
      takesFrom = null;
      refs = 1;
      isProvide = false;
      allowsThirdParty = false;
      forwarded = false;
      awaited = null;
      tookFromOther = false;
      skipFinish = false;
      awaitCounted = false;
    }

    boolean returned() {
      return state == State.RETURNED || state == State.DONE;
    }

    boolean finishSent() {
      return state == State.CANCELED || state == State.DONE;
    }

    /** AWAITING_RETURN → RETURNED, CANCELED → DONE. */
    void onReturn() {
      assert state == State.AWAITING_RETURN || state == State.CANCELED : "Return in " + state;
      state = state == State.CANCELED ? State.DONE : State.RETURNED;
    }

    /** AWAITING_RETURN → CANCELED, RETURNED → DONE. */
    void onFinishSent() {
      assert state == State.AWAITING_RETURN || state == State.RETURNED : "Finish in " + state;
      state = state == State.RETURNED ? State.DONE : State.CANCELED;
    }
  }

  private final RpcProtocol protocol;
  private final IdTable<Question> questions = new IdTable<>();
  /**
   * How many questions sent as calls ({@link #sendAwaited}: our Bootstraps and Calls) await
   * their Return. A question whose Return never comes (a timed-out bootstrap the peer never
   * answers) stays counted until the connection ends: the count only errs upwards.
   */
  private int awaitedCalls;
  /**
   * The last Finish sent, if the transport copied it out ({@link RpcProtocol#sendReusable}):
   * the next one is written in it (a Finish has no pointer: its question id is rewritten in
   * place), with its builder. Issue 12; on the loop; null when there is none.
   */
  private MessageBuilder spareFinish;
  private Rpc.Finish.Builder spareFinishBody;
  /**
   * The builder the last ordinary-size Call's target was written through, moved to the next
   * Call's target ({@link #writeTarget}); on the loop; null when there is none.
   */
  private Rpc.MessageTarget.Builder spareTarget;
  /**
   * Level 3: calls adopted on this connection by the peer's {@code ThirdPartyAnswer}, by their
   * callee-allocated ids (see ThirdPartyForwarding.Adoption); counted in {@link #size()}.
   */
  private final java.util.HashMap<Integer, ThirdPartyForwarding.Adoption> adopted =
      new java.util.HashMap<>();
  /**
   * Removed questions of plain calls kept for later questions (issue 12: no {@code Question}
   * per call), at most {@link #SPARE_QUESTIONS}; on the loop. See {@link #recycle}.
   */
  private Question[] spareQuestions = NO_QUESTIONS; // (made at the first recycling)
  private static final Question[] NO_QUESTIONS = new Question[0];
  private int spareCount;
  static final int SPARE_QUESTIONS = 16;

  QuestionTable(RpcProtocol protocol) {
    this.protocol = protocol;
  }

  int size() {
    return questions.size() + adopted.size();
  }

  ThirdPartyForwarding.Adoption adopted(int id) {
    return adopted.get(id);
  }

  void adopt(ThirdPartyForwarding.Adoption e) {
    adopted.put(e.id, e);
  }

  void removeAdopted(ThirdPartyForwarding.Adoption e) {
    adopted.remove(e.id, e);
  }

  /** The question with id {@code id}, or null (diagnostics and tests). */
  Question find(int id) {
    return questions.get(id);
  }

  private Question newQuestion() {
    return newQuestion(null);
  }

  /**
   * Sends question {@code q}'s {@code Bootstrap} or {@code Call} {@code mb}, telling the outbox
   * how many such questions await their Return now, {@code q} included (a driver may poll for the
   * answer of a lone call instead of sleeping: see {@link Outbox#sendCall}).
   */
  private void sendAwaited(Question q, MessageBuilder mb) {
    q.awaitCounted = true;
    awaitedCalls++;
    protocol.sendCall(mb, awaitedCalls);
  }

  /** {@code q}'s Return came (or stands in for one): it no longer counts as awaited. */
  private void answered(Question q) {
    if (q.awaitCounted) {
      q.awaitCounted = false;
      awaitedCalls--;
    }
  }

  /**
   * A new question; its sink is the caller's promise and pipeline, or, with {@code listener},
   * the entry's {@link ResultsListenerSink} (no object per question).
   */
  private Question newQuestion(BiConsumer<Results, Throwable> listener) {
    int id = questions.add(null);
    Question q;
    if (spareCount > 0) {
      q = spareQuestions[--spareCount];
      spareQuestions[spareCount] = null;
      q.reuse(id);
    } else {
      q = new Question(id);
    }
    questions.set(id, q);
    if (listener == null) {
      q.sink = protocol.delivery.newQuestionSink(q);
    } else {
      if (q.listening == null) {
        q.listening = new ResultsListenerSink();
      }
      q.listening.ask(listener);
      q.sink = q.listening;
    }
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
    q.isBootstrap = true;
    MessageBuilder mb = new MessageBuilder(16 + (objectId == null ? 0 : objectId.length / 8));
    Rpc.Bootstrap.Builder b = mb.initRoot(Rpc.Message.FACTORY).initBootstrap();
    b.setQuestionId(q.id);
    if (objectId != null) {
      b.initDeprecatedObjectId().setAs(dev.capnp.runtime.Text.FACTORY,
          new dev.capnp.runtime.Text.Reader(objectId));
    }
    ClientHook cap = ((PipelineHook) q.sink).getPipelinedCap(RpcMessages.NO_OPS);
    sendAwaited(q, mb);
    if (answerTimeoutMillis > 0 && !q.returned()) {
      q.cancelTimer = protocol.outbox().schedule(
          () -> expireBootstrap(q, "the bootstrap", answerTimeoutMillis), answerTimeoutMillis);
    }
    return cap;
  }

  /**
   * Level 3, introducer: sends {@code Provide} of {@code target} (a capability of this
   * connection's peer) for the recipient the network described in {@code await}, and returns
   * its question (one reference: release it with {@link #dropRef} to Finish the Provide).
   */
  Question provide(RpcClient target, java.util.function.Consumer<Rpc.Provide.Builder> await) {
    Question q = newQuestion();
    q.isProvide = true;
    q.callerHold = false;
    MessageBuilder mb = RpcMessages.newMessage();
    Rpc.Provide.Builder p = mb.initRoot(Rpc.Message.FACTORY).initProvide();
    p.setQuestionId(q.id);
    target.writeTarget(p.initTarget());
    await.accept(p);
    protocol.send(mb);
    return q;
  }

  /**
   * Level 3, recipient: sends {@code Accept} with the completion the network gave (and the
   * embargo id, or null) and returns the promised capability, answered like a bootstrap.
   */
  ClientHook accept(java.util.function.Consumer<dev.capnp.runtime.AnyPointer.Builder> completion,
      byte[] embargo, long answerTimeoutMillis) {
    Question q = newQuestion();
    q.isBootstrap = true; // (its results only feed the pipeline: the accepted capability)
    MessageBuilder mb = RpcMessages.newMessage();
    Rpc.Accept.Builder a = mb.initRoot(Rpc.Message.FACTORY).initAccept();
    a.setQuestionId(q.id);
    completion.accept(a.initProvision());
    if (embargo != null) {
      a.setEmbargo(embargo);
    }
    ClientHook cap = ((PipelineHook) q.sink).getPipelinedCap(RpcMessages.NO_OPS);
    protocol.send(mb);
    if (!q.returned()) {
      // a host that never answers must not hold the recipient's calls for ever
      q.cancelTimer = protocol.outbox().schedule(
          () -> expireBootstrap(q, "the Accept", answerTimeoutMillis), answerTimeoutMillis);
    }
    return cap;
  }

  /**
   * The bootstrap (or Accept) question {@code q} got no Return in time: its pipelined capabilities break
   * now, and the question is treated as canceled by its caller (Finish once nothing pipelines on
   * it; the Return, if it ever comes, finds a canceled question and is released).
   */
  private void expireBootstrap(Question q, String what, long timeoutMillis) {
    q.cancelTimer = null;
    if (q.returned() || q.sink.isCanceled() || protocol.isDisconnected()) {
      return;
    }
    q.sink.expire(RpcException.failed("No answer to " + what + " within "
        + Durations.describeMillis(timeoutMillis)));
  }

  /**
   * Sends a call to {@code target} (an import or pipelined answer of this connection) and
   * returns its question; the caller's promise is the question's sink.
   */
  Question sendCall(RpcClient target, CallParams params) {
    return sendCall(target, params, null, null);
  }

  /**
   * Sends a call as {@link #sendCall(RpcClient, CallParams)}; with {@code forward}, a tail call
   * forwarded to this connection's peer with {@code sendResultsTo.thirdParty} (Level 3).
   */
  Question sendCall(RpcClient target, CallParams params,
      ThirdPartyForwarding.Introduction forward) {
    return sendCall(target, params, forward, null);
  }

  /**
   * Sends a plain call to {@code target} whose outcome goes to {@code listener} alone: no
   * promise, no pipeline (see {@link ResultsListenerSink}). Not for streaming or tail calls.
   */
  void sendCall(RpcClient target, CallParams params, BiConsumer<Results, Throwable> listener) {
    sendCall(target, params, null, listener);
  }

  private Question sendCall(RpcClient target, CallParams params,
      ThirdPartyForwarding.Introduction forward, BiConsumer<Results, Throwable> listener) {
    MessageBuilder mb;
    Rpc.Call.Builder call;
    HookCapTable caps;
    if (params.message != null && !params.messageUsed) {
      params.messageUsed = true;
      mb = params.message;
      call = params.callBuilder;
      caps = params.caps;
    } else {
      mb = CallParams.CALL_SIZE.newMessage();
      caps = new HookCapTable();
      mb.setCapTable(caps);
      call = mb.initRoot(Rpc.Message.FACTORY).initCall();
      call.setInterfaceId(params.interfaceId);
      call.setMethodId(params.methodId);
      call.initParams().getContent().set(params.content());
      params.release();
    }
    Question q = newQuestion(listener);
    call.setQuestionId(q.id);
    writeTarget(target, call, mb);
    if (forward != null) {
      call.initSendResultsTo().setThirdParty(forward.contact().getRootAnyPointer().asReader());
      // the caller whose results these are allowed awaitFromThirdParty (introduce checked it):
      // the callee may forward again, its Return on the adopted answer awaiting a fourth vat
      call.setAllowThirdPartyTailCall(true);
      q.isTailCall = true;
      q.forwarded = true;
    } else if (params.tailCallFrom == protocol) {
      call.initSendResultsTo().setYourself();
      q.isTailCall = true;
    } else if (protocol.level3() && listener == null) {
      // (Level 3: the peer may forward the call and have a third vat answer us; not for a
      // listener's question, whose sink takes its results only from the Return)
      call.setAllowThirdPartyTailCall(true);
      q.allowsThirdParty = true;
    }
    // (no Payload builder for a call without capabilities: nothing to describe)
    q.paramExports = caps.size() == 0 ? null
        : protocol.exports.writeDescriptors(caps, call.getParams());
    if (q.isTailCall) {
      // the tail-calling answer's pipeline goes on using this question's pipelined results
      // after our Return, and after the peer's resultsSentElsewhere: no Finish before the
      // answer lets go of the pipeline (rpc.c++: the tail pipeline holds the QuestionRef)
      q.refs++;
      q.sink.holdQuestion();
    }
    if (params.streamReady != null) {
      q.callBytes = mb.sizeInWords() * 8; // (only streaming calls are flow controlled)
    }
    CallParams.CALL_SIZE.record(mb);
    sendAwaited(q, mb);
    caps.releaseAll();
    return q;
  }

  /**
   * Writes {@code call}'s target through the spare target builder (issue 12: no
   * {@code MessageTarget} builder per call), moved to the new target by the generated
   * {@code initTarget(reuse)}. Taken while in use (a nested call, if any, makes its own), and
   * kept afterwards only if {@code mb}, the Call's message, is of ordinary size (at most
   * {@link FirstSegmentHint#MAX_WORDS} words): the kept builder holds that message until the
   * next call moves it, which must not pin a large one. Nothing else keeps the builder:
   * {@link RpcClient#writeTarget} only writes through it.
   */
  private void writeTarget(RpcClient target, Rpc.Call.Builder call, MessageBuilder mb) {
    Rpc.MessageTarget.Builder t = spareTarget;
    spareTarget = null;
    t = call.initTarget(t);
    target.writeTarget(t);
    if (mb.sizeInWords() <= FirstSegmentHint.MAX_WORDS) {
      spareTarget = t;
    }
  }

  /** The spare Call target builder of {@link #writeTarget} (null: none, or in use). */
  Rpc.MessageTarget.Builder spareTargetForTest() {
    return spareTarget;
  }

  /**
   * The caller of {@code q} canceled it (a local event): its hold goes (Finish once nothing
   * pipelines on it), and a call whose results it had taken over is canceled.
   */
  void callerCanceled(Question q) {
    if (q.awaited != null) {
      q.awaited.abandon();
    }
    releaseCallerHold(q);
    cancelTakenCall(q);
  }

  private void releaseCallerHold(Question q) {
    if (q.callerHold) {
      q.callerHold = false;
      dropRef(q);
    }
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
      if (!protocol.isDisconnected() && !q.skipFinish) {
        sendFinish(q.id);
      }
    }
    if (q.isProvide) {
      // no Return ever comes for a Provide: its id is free once the Finish is sent
      q.state = State.DONE;
      remove(q);
      return;
    }
    if (q.returned()) {
      remove(q);
    }
  }

  private void remove(Question q) {
    if (questions.get(q.id) == q) {
      questions.remove(q.id);
      recycle(q);
    }
  }

  /**
   * Keeps removed question {@code q} for a later question if nothing can act on it any more
   * without a generation check: a plain call (no bootstrap, Accept, Provide, tail call, forward,
   * third-party wait, taken-over answer, timer) whose Return and Finish both happened, whose
   * pipeline never made a pipelined client and whose caller took the results
   * ({@link QuestionSink#letsQuestionGo}). The caller's promise may outlive the entry: its cancel
   * compares the generation it was made with ({@link RpcPipeline}).
   */
  private void recycle(Question q) {
    if (q.state != State.DONE || spareCount == SPARE_QUESTIONS || q.isBootstrap || q.isProvide
        || q.isTailCall || q.forwarded || q.awaited != null || q.tookFromOther
        || q.takesFrom != null || q.cancelTimer != null || q.refs != 0
        || protocol.isDisconnected() || !q.sink.letsQuestionGo()) {
      return;
    }
    q.sink = null; // (the old pipeline stays its caller's; the entry forgets it)
    if (spareQuestions.length == 0) {
      spareQuestions = new Question[SPARE_QUESTIONS];
    }
    spareQuestions[spareCount++] = q;
  }

  // ============================================================================= Return in

  /** {@code Return}: the peer answered question {@code answerId}. */
  void handleReturn(MessageReader m, Rpc.Return.Reader ret0, ReaderScratch s) {
    if (ThirdPartyForwarding.isCalleeAllocated(ret0.getAnswerId())) {
      ThirdPartyForwarding.handleAdoptedReturn(protocol, m, ret0);
      return;
    }
    Question q = questions.get(ret0.getAnswerId());
    if (q == null || q.returned() || q.isProvide) {
      throw new ProtocolError("Invalid question ID in Return message: " + ret0.getAnswerId());
    }
    q.onReturn();
    answered(q);
    q.skipFinish = ret0.getNoFinishNeeded();
    if (ret0.getReleaseParamCaps()) {
      protocol.exports.releaseAll(q.paramExports);
    }
    q.paramExports = null;
    switch (ret0.which()) {
      case RESULTS: {
        Rpc.Payload.Reader results0 = s.payload = ret0.getResults(s.payload);
        // (results without capabilities: no list reader, and the shared table that takes none)
        HookCapTable caps = results0.hasCapTable()
            ? protocol.imports.receiveCaps(results0.getCapTable())
            : HookCapTable.none();
        m.setCapTable(caps);
        // read again: readers capture the cap table when made (ret0 is s.ret, moved here); the
        // content outlives this message's handling, so it is a new reader
        Rpc.Return.Reader ret = s.ret =
            (s.message = m.getRoot(Rpc.Message.FACTORY, s.message)).getReturn(s.ret);
        Results r = q.sink == q.listening
            ? q.listening.resultsFor(ret, caps) // (no object: its reusable results)
            : new Results((s.payload = ret.getResults(s.payload)).getContent(), caps, null);
        // (a tail call's results were redirected, and a bootstrap's only feed its pipeline:
        // nobody waits for them here)
        if (!q.sink.returned(r, !q.isTailCall && !q.isBootstrap)) {
          r.release();
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
        if (!q.sink.sentElsewhere(r)) {
          r.release();
        }
        break;
      }
      case TAKE_FROM_OTHER_QUESTION:
        takeFromOtherQuestion(q, protocol.answers.takeRedirected(ret0.getTakeFromOtherQuestion()));
        return;
      case AWAIT_FROM_THIRD_PARTY:
        if (ThirdPartyForwarding.awaitFromThirdParty(protocol, q,
            ret0.getAwaitFromThirdParty())) {
          return; // (the caller's hold stays until the third vat's answer)
        }
        break;
      default:
        fail(q, RpcException.unimplemented("Unsupported Return type " + ret0.which()));
        break;
    }
    finishReturn(q);
  }

  private static void fail(Question q, RpcException e) {
    q.sink.failed(e);
  }

  /** {@code q}'s results are those of our answer {@code other} (the peer's tail call to us). */
  private void takeFromOtherQuestion(Question q, AnswerTable.Answer other) {
    if (q.sink.isCanceled()) {
      // nobody waits for these results (Finish was sent): the question is done now, and the
      // call whose results it took over is canceled (as rpc.c++ drops the tail call), instead
      // of running on (possibly forever: a call forwarded around a cycle of promises)
      // The results move to our question, as in the other branch, and nobody takes them:
      // release them now. Kept in the answer, they could keep our question alive (a
      // pipelined capability of it among them) and so the peer's tail-calling answer, whose
      // pipeline holds the question of this very answer: a cycle across the two vats.
      other.whenRedirected((r, e) -> {
        if (r != null) {
          r.release();
        }
      });
      protocol.answers.cancelCall(other);
      finishReturn(q);
      return;
    }
    q.takesFrom = other;
    q.tookFromOther = true;
    // The peer may send this right after its Call(sendResultsTo.yourself), before our
    // answer has completed: wait for the answer's results.
    other.whenRedirected((r, e) -> {
      if (e != null) {
        fail(q, e);
      } else if (!q.sink.returned(r, !q.isBootstrap && !q.isTailCall)) {
        // (as with a Return.results: nobody waits for a tail call's results here, they went
        // to the peer; and the pipeline has taken what it needs)
        r.release();
      }
      finishReturn(q);
    });
  }

  /** A canceled question that had taken over another answer's call cancels that call. */
  private void cancelTakenCall(Question q) {
    AnswerTable.Answer other = q.takesFrom;
    if (other == null) {
      return;
    }
    q.takesFrom = null;
    protocol.answers.cancelCall(other);
  }

  /** After a question's Return was handled: the caller's hold goes (maybe sending Finish). */
  void finishReturn(Question q) {
    if (q.cancelTimer != null) {
      q.cancelTimer.run();
      q.cancelTimer = null;
    }
    if (q.callerHold) {
      releaseCallerHold(q);
    } else if (q.finishSent()) {
      // the caller had canceled and its hold is gone; Finish was sent
      remove(q);
    }
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
    answered(q);
    fail(q, e);
    finishReturn(q);
  }

  // ============================================================================ teardown

  /** The connection is gone: every question fails with {@code e}; the table empties. */
  void clear(RpcException e) {
    awaitedCalls = 0;
    for (Question q : questions.values()) {
      q.state = State.DONE;
      if (q.awaited != null) {
        q.awaited.abandon();
      }
      fail(q, e);
    }
    questions.clear();
    java.util.ArrayList<ThirdPartyForwarding.Adoption> all = new java.util.ArrayList<>(
        adopted.values());
    adopted.clear();
    ThirdPartyForwarding.clearAdopted(all, e);
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
        .append(q.isProvide ? " provide" : "")
        .append(q.forwarded ? " forwarded-third-party" : "")
        .append(q.awaited != null && !q.awaited.done() ? " awaiting-third-party" : "")
        .append(q.takesFrom != null ? " takes-answer-" + q.takesFrom.id : "")
        .append(q.sink.isCanceled() ? " canceled" : "")
        .append('\n'));
    adopted.forEach((id, e) -> sb.append("    ").append(id).append(" adopted")
        .append(e.returned ? " returned" : "").append(e.finishSent ? " finished" : "")
        .append('\n'));
  }

  /** Sends the Finish of question {@code id} (not releasing result caps), reusing the spare. */
  private void sendFinish(int id) {
    MessageBuilder mb = spareFinish;
    Rpc.Finish.Builder f = spareFinishBody;
    spareFinish = null; // (taken: a Finish sent while this one is, if any, gets its own)
    spareFinishBody = null;
    if (mb == null) {
      mb = new MessageBuilder(RpcMessages.FINISH_WORDS);
      f = mb.initRoot(Rpc.Message.FACTORY).initFinish();
      f.setReleaseResultCaps(false);
    }
    f.setQuestionId(id);
    if (protocol.sendReusable(mb)) {
      spareFinish = mb;
      spareFinishBody = f;
    }
  }
}
