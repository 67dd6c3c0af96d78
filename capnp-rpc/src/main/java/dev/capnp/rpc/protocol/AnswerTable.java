package dev.capnp.rpc.protocol;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.internal.ApiAccess;
import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.FirstSegmentHint;
import dev.capnp.rpc.internal.HookCapTable;
import dev.capnp.rpc.internal.PipelineHook;
import dev.capnp.rpc.internal.PostReturnPipeline;
import dev.capnp.rpc.internal.Results;
import dev.capnp.rpc.internal.ResultsAllocator;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * The answers table: the peer's questions to us ({@code Bootstrap} and {@code Call}), by the
 * peer's question ids. Delivers each call to its target, sends its {@code Return}, and applies
 * the peer's {@code Finish}.
 *
 * <h2>Lifecycle of an {@link Answer}</h2>
 * <pre>
 *   (Bootstrap or Call received) ──► RUNNING
 *   RUNNING ──(the call completed: Return sent)──► RETURNED
 *   RUNNING ──(Finish received first)──► FINISHED   the call is canceled, unless the peer named
 *                                                   its pipeline (then it runs on, see below)
 *   RETURNED ──(Finish received)──► DONE, removed
 *   FINISHED ──(the call completed: Return sent)──► DONE, removed
 *   any ──(disconnect)──► DONE, removed
 * </pre>
 * The id stays taken, and the peer may name the answer's pipeline, until the answer is removed.
 * A call with {@code sendResultsTo.yourself} (a tail call the peer made to us) has a second,
 * independent state, its {@link Redirect}: its results wait for the peer's
 * {@code Return.takeFromOtherQuestion}, which hands them to one of our questions and makes our
 * {@code Return} {@code resultsSentElsewhere}.
 *
 * <p>Invariants (see {@link #invariantViolation()}): no DONE entry in the table; the bytes of
 * the calls held equal {@link #bytesInFlight}. Confined to the connection's loop.
 */
public final class AnswerTable {
  /** The state of one answer (see the class comment for the transitions). */
  enum State {
    /** The call runs; no Return sent, no Finish received. */
    RUNNING,
    /** Our Return is sent; the peer's Finish is awaited. */
    RETURNED,
    /** The peer's Finish came before our Return. */
    FINISHED,
    /** Return sent and Finish received (or the connection ended): no longer in the table. */
    DONE
  }

  /** Where the results of an answer go ({@code Call.sendResultsTo}). */
  enum Redirect {
    /** To the caller, in our Return ({@code sendResultsTo.caller}). */
    NONE,
    /** Kept for a question of ours to take ({@code sendResultsTo.yourself}). */
    TO_YOURSELF,
    /** A question of ours named this answer in its {@code Return.takeFromOtherQuestion}. */
    TAKEN,
    /**
     * Level 3, {@code sendResultsTo.thirdParty}: the outcome goes to an answer adopted on our
     * connection to the caller's vat (ThirdPartyForwarding); our Return here is
     * {@code resultsSentElsewhere} (or an exception if the caller's vat cannot be reached).
     */
    THIRD_PARTY
  }

  /** The results of a {@code sendResultsTo.yourself} call, on their way to a question of ours. */
  private static final class RedirectedResults {
    /** Who takes them, once one of our questions named the answer. */
    BiConsumer<Results, RpcException> taker;
    /** The call's outcome is known (results or error below, unless already taken). */
    boolean done;
    Results results;
    RpcException error;
  }

  /**
   * A question the peer asked us. It is also the {@link ResultsAllocator} of its call: the
   * results are built right in its {@code Return} message.
   */
  static final class Answer implements ResultsAllocator,
      java.util.function.BiConsumer<Results, Throwable> {
    /** The peer's question id (changes only when the answer is recycled, see {@link #reuse}). */
    int id;
    private final AnswerTable table;
    /**
     * The received params of this answer's call (null for bootstraps and adopted answers): kept
     * with the answer, both recycled together (see {@link AnswerTable#recycle}).
     */
    CallParams params;
    State state = State.RUNNING;
    Redirect redirect = Redirect.NONE;
    PipelineHook pipeline;
    /**
     * The running call, as the capability layer knows it (opaque here; {@link ConnectionDelivery}
     * cancels it), or null when there is nothing to cancel.
     */
    Object running;
    /** The call has completed (its outcome came back through {@link #completed}). */
    boolean callDone;
    /** The results our Return was written from, held until the answer is removed. */
    Results results;
    /** The exports our Return's cap table counted, until the Finish says what to release. */
    int[] resultExports;
    /**
     * Our Return, sent in memory the transport copied out ({@code sendReplyReusable}): its
     * message goes back to the table's spare when the answer is removed, if the results are
     * then held by nobody else (see {@link AnswerTable#remove}). Else null.
     */
    ResultsAllocator.ResultsBuilder returnToReuse;
    /** Size of the Call message this answer holds (0 for bootstraps). */
    long bytes;
    /**
     * The peer named this answer's pipeline (promisedAnswer target, receiverAnswer descriptor):
     * an early Finish does not cancel the call (see {@link #handleFinish}).
     */
    boolean pipelineUsed;
    /** An early Finish had releaseResultCaps: the caps of our later Return count as released. */
    boolean releaseLateResultCaps;
    /**
     * Level 3: this answer is a {@code Provide} (no Return; the peer's Finish withdraws the
     * provision), else null. See ThirdPartyHandoff.
     */
    ThirdPartyHandoff.Provision provision;
    /**
     * Level 3: an answer we adopted with {@code ThirdPartyAnswer} (a callee-allocated id): the
     * answer, on the forwarder's connection, of the call whose outcome it returns; else null.
     */
    Answer forwardOf;
    /**
     * {@link Redirect#THIRD_PARTY}: the answer that adopted this call on the connection to the
     * caller's vat, once sent ({@code ThirdPartyAnswer}); else null.
     */
    Answer adoptedAs;
    /** The connection of {@link #adoptedAs}. */
    RpcProtocol adoptedOn;
    /** {@link Redirect#THIRD_PARTY}: who takes the call's outcome, once known. */
    private BiConsumer<Results, Throwable> forwardTaker;
    private boolean forwardDone;
    private Results forwardResults;
    private Throwable forwardError;

    Answer(AnswerTable table, int id) {
      this.table = table;
      this.id = id;
    }

    /**
     * The delivered call completed (any thread): the answer is the listener of its call's
     * promise (ConnectionDelivery.deliver), called once, before the answer can be recycled
     * (recycling waits for {@link #callDone}, which this leads to).
     */
    @Override
    public void accept(Results res, Throwable e) {
      table.protocol.delivery.answerCompleted(this, res, e);
    }

    /**
     * This answer, removed and recycled, as a new one for question {@code newId}: every field a
     * call's answer sets goes back to its initial value here (a field added to this class must
     * be reset here too; {@code AnswerReuseTest} checks reused answers end to end).
     */
    void reuse(int newId) {
      id = newId;
      state = State.RUNNING;
      redirect = Redirect.NONE;
      pipeline = null;
      running = null;
      callDone = false;
      results = null;
      resultExports = null;
      returnToReuse = null;
      bytes = 0;
      pipelineUsed = false;
      releaseLateResultCaps = false;
      provision = null;
      forwardOf = null;
      adoptedAs = null;
      adoptedOn = null;
      forwardTaker = null;
      forwardDone = false;
      forwardResults = null;
      forwardError = null;
      redirected = null;
    }

    /** A new {@code Return} for this answer, whose results the call builds in place. */
    @Override
    public ResultsAllocator.ResultsBuilder allocate() {
      // (may run on the service's loop, not ours: the spare is taken atomically)
      ResultsAllocator.ResultsBuilder rb = table.spareReturn.getAndSet(null);
      if (rb != null) {
        // a Return taken back with its header and builders (see AnswerTable.remove): only the
        // answer id differs
        rb.returnBuilder.setAnswerId(id);
        rb.reuseFor(this);
        return rb;
      }
      MessageBuilder mb = table.returnSize.newMessage();
      HookCapTable t = new HookCapTable();
      mb.setCapTable(t);
      Rpc.Return.Builder ret = RpcMessages.initReturn(mb, id);
      rb = new ResultsAllocator.ResultsBuilder(mb, ret.initResults().getContent(), t, ret);
      rb.headerWords = mb.sizeInWords();
      rb.owner = this;
      return rb;
    }

    /** For {@code sendResultsTo.yourself} only: where its results wait for their taker. */
    private RedirectedResults redirected;

    /** Marks the call {@code sendResultsTo.yourself}. */
    void redirectToYourself() {
      redirect = Redirect.TO_YOURSELF;
      redirected = new RedirectedResults();
    }

    /**
     * For {@code sendResultsTo.yourself}: {@code taker} gets the call's results (owned) or
     * failure, now if the call completed, else when it does.
     */
    void whenRedirected(BiConsumer<Results, RpcException> newTaker) {
      RedirectedResults w = redirected;
      if (!w.done) {
        w.taker = newTaker;
        return;
      }
      Results r = w.results;
      w.results = null;
      if (r != null && results == r) {
        results = null; // (moves to the taker)
      }
      newTaker.accept(r, w.error);
    }

    /**
     * The outcome of a {@code sendResultsTo.yourself} call: to its taker if there is one, else
     * kept for it. Returns false if an outcome was already given (the caller keeps {@code r}).
     */
    boolean completeRedirect(Results r, RpcException e) {
      RedirectedResults w = redirected;
      if (w.done) {
        return false;
      }
      w.done = true;
      if (w.taker == null) {
        w.results = r;
        w.error = e;
        return true;
      }
      BiConsumer<Results, RpcException> t = w.taker;
      w.taker = null;
      if (r != null && results == r) {
        results = null; // (moves to the taker)
      }
      t.accept(r, e);
      return true;
    }

    /**
     * For {@link Redirect#THIRD_PARTY}: {@code taker} gets the call's outcome ({@code r} owned,
     * or the failure as the call ended, a CancellationException if canceled), now if the call
     * completed, else when it does. Called once.
     */
    void whenForwarded(BiConsumer<Results, Throwable> taker) {
      if (!forwardDone) {
        forwardTaker = taker;
        return;
      }
      Results r = forwardResults;
      Throwable e = forwardError;
      forwardResults = null;
      forwardError = null;
      if (r == null && e == null) {
        return; // (taken before)
      }
      taker.accept(r, e);
    }

    private boolean completeForward(Results r, Throwable e) {
      if (forwardDone) {
        return false;
      }
      forwardDone = true;
      BiConsumer<Results, Throwable> t = forwardTaker;
      forwardTaker = null;
      if (t == null) {
        forwardResults = r;
        forwardError = e == null && r == null ? RpcException.failed("no outcome") : e;
        return true;
      }
      t.accept(r, e);
      return true;
    }

    /** Removed: outcome kept for a taker that never came is released. */
    void whenForwardedDropped() {
      if (forwardResults != null) {
        forwardResults.release();
        forwardResults = null;
      }
    }

    boolean returnSent() {
      return state == State.RETURNED || state == State.DONE;
    }

    boolean finishReceived() {
      return state == State.FINISHED || state == State.DONE;
    }

    /** RUNNING → RETURNED, FINISHED → DONE. */
    void onReturnSent() {
      assert state == State.RUNNING || state == State.FINISHED : "Return in " + state;
      state = state == State.FINISHED ? State.DONE : State.RETURNED;
    }

    /** RUNNING → FINISHED, RETURNED → DONE. */
    void onFinish() {
      assert state == State.RUNNING || state == State.RETURNED : "Finish in " + state;
      state = state == State.RETURNED ? State.DONE : State.FINISHED;
    }
  }

  private final RpcProtocol protocol;
  private final PeerIdTable<Answer> answers = new PeerIdTable<>();
  /** The first-segment size of our Returns with results, from the last one sent. */
  private final FirstSegmentHint returnSize = new FirstSegmentHint(32);
  /**
   * One Return whose memory and builders may be built again: the Return of a removed answer,
   * sent by a transport that copied it out, whose results had no capabilities and no holder but
   * the answer, taken back to its header (content cleared, the message rewound; issue 12). Taken
   * by {@link Answer#allocate}, which may run on the service's loop: hence atomic (no
   * allocation per use). Results made from its earlier builds are stale
   * ({@link Results#isCurrentBuild()}) and never sent.
   */
  final AtomicReference<ResultsAllocator.ResultsBuilder> spareReturn = new AtomicReference<>();
  /**
   * Removed answers of calls, with their params, for later calls (issue 12; see
   * {@link #recycle}): a stack of at most {@link #SPARE_ANSWERS}, made at the first recycling
   * (an idle connection recycles none).
   */
  private Answer[] spareAnswers = NO_ANSWERS;
  private static final Answer[] NO_ANSWERS = new Answer[0];
  private static final int SPARE_ANSWERS = 16;
  private int spareCount;
  /** The next callee-allocated answer id to try (Level 3, ThirdPartyAnswer). */
  private int nextCalleeId = ThirdPartyForwarding.FIRST_CALLEE_ID;
  /** Bytes of incoming Call messages held by answers not yet removed. */
  private long bytesInFlight;

  AnswerTable(RpcProtocol protocol) {
    this.protocol = protocol;
  }

  int size() {
    return answers.size();
  }

  /** The answer to the peer's question {@code id}, or null (diagnostics and tests). */
  Answer find(int id) {
    return answers.get(id);
  }

  Answer newAnswer(int id) {
    return newAnswer(id, false);
  }

  /** A new answer for question {@code id}; for a Call, a recycled one if there is one. */
  private Answer newAnswer(int id, boolean forCall) {
    if (answers.get(id) != null) {
      throw new ProtocolError("questionId " + id + " is already in use");
    }
    ConnectionLimits limits = protocol.limits();
    if (answers.size() >= limits.maxAnswers()) {
      throw new ProtocolError("RPC limit exceeded: more than " + limits.maxAnswers()
          + " outstanding questions from the peer (maxAnswers)");
    }
    Answer a;
    if (forCall && spareCount > 0) {
      a = spareAnswers[--spareCount];
      spareAnswers[spareCount] = null;
      a.reuse(id);
    } else {
      a = new Answer(this, id);
    }
    answers.put(id, a);
    return a;
  }

  /** Results of answer {@code a} are built right in its {@code Return} message. */
  ResultsAllocator returnAllocator(Answer a) {
    return a;
  }

  /**
   * The capability at {@code pa} in a current answer's results (a new reference, a promise
   * while the call runs), or null if {@code pa} names no current answer. After its Finish the
   * peer may no longer name the question, although the answer may live on until its call
   * completes (see {@link #handleFinish}).
   */
  ClientHook pipelinedCap(Rpc.PromisedAnswer.Reader pa) {
    Answer a = answers.get(pa.getQuestionId());
    if (a == null || a.finishReceived()) {
      return null;
    }
    PipelineHook pl = a.pipeline;
    if (pl == null && a.forwardOf != null) {
      // an adopted answer (ThirdPartyAnswer): the call's pipeline is its forwarder's answer's
      if (a.forwardOf.state == State.DONE || a.forwardOf.pipeline == null) {
        return protocol.delivery.broken(RpcException.failed(
            "the forwarded call's pipeline is gone (its forwarder finished it)"));
      }
      pl = a.forwardOf.pipeline;
    }
    if (pl == null) {
      return null;
    }
    a.pipelineUsed = true; // (see handleFinish)
    return pl.getPipelinedCap(RpcMessages.readOps(pa));
  }

  // ========================================================================== questions in

  /** {@code Bootstrap}: answers with the vat's bootstrap capability (or its error). */
  void handleBootstrap(Rpc.Bootstrap.Reader b, RpcConnection.BootstrapFactory factory) {
    Answer a = newAnswer(b.getQuestionId());
    Results r;
    RpcException failure;
    try {
      if (factory == null) {
        throw RpcException.failed("This vat has no bootstrap interface");
      }
      Capability cap = factory.bootstrap(
          b.hasDeprecatedObjectId() ? b.getDeprecatedObjectId() : null);
      ResultsAllocator.ResultsBuilder rb = returnAllocator(a).allocate();
      ClientHook h = ApiAccess.get().takeHook(cap);
      rb.content.setCapability(h);
      h.release();
      r = rb.toResults();
      a.pipeline = protocol.delivery.resolvedPipeline(r);
      failure = null;
    } catch (RuntimeException e) {
      r = null;
      failure = RpcException.of(e);
      a.pipeline = protocol.delivery.brokenPipeline(failure);
    }
    completed(a, r, failure);
  }

  /** The target of an incoming message: an export or a current answer's pipeline (owned). */
  ClientHook messageTarget(Rpc.MessageTarget.Reader t) {
    return messageTarget(t, false);
  }

  /**
   * The target of an incoming message (owned). For a {@code Call} ({@code forCall}), a
   * promisedAnswer naming no current answer is a broken capability, not a protocol error: the
   * answer may have been removed when our Return said {@code noFinishNeeded}, while the peer's
   * call, pipelined on it, was on its way (rpc.c++ answers such a call with the same failure).
   */
  private ClientHook messageTarget(Rpc.MessageTarget.Reader t, boolean forCall) {
    switch (t.which()) {
      case IMPORTED_CAP: {
        ExportTable.Export e = protocol.exports.find(t.getImportedCap());
        if (e == null) {
          throw new ProtocolError("Message target is not a current export ID: "
              + t.getImportedCap());
        }
        return e.hook.addRef();
      }
      case PROMISED_ANSWER: {
        Rpc.PromisedAnswer.Reader pa = t.getPromisedAnswer();
        ClientHook c = pipelinedCap(pa);
        if (c == null && forCall && answers.get(pa.getQuestionId()) == null) {
          return protocol.delivery.broken(RpcException.failed("Pipeline call on a request that"
              + " returned no capabilities or was already closed (question "
              + pa.getQuestionId() + ")"));
        }
        if (c == null) {
          throw new ProtocolError("PromisedAnswer.questionId " + pa.getQuestionId()
              + " is not a current question");
        }
        return c;
      }
      default:
        throw new ProtocolError("unknown message target type");
    }
  }

  /** {@code Call}: delivers the call to its target; the Return goes out when it completes. */
  void handleCall(MessageReader m, Rpc.Call.Reader call0, ReaderScratch s) {
    Rpc.Payload.Reader params0 = s.payload = call0.getParams(s.payload);
    HookCapTable caps = params0.hasCapTable()
        ? protocol.imports.receiveCaps(params0.getCapTable())
        : HookCapTable.none(); // (no list reader nor table for the usual call without caps)
    m.setCapTable(caps);
    // read again: readers capture the cap table when made (call0 is s.call, moved here)
    Rpc.Call.Reader call = s.call =
        (s.message = m.getRoot(Rpc.Message.FACTORY, s.message)).getCall(s.call);
    Answer a;
    ClientHook target;
    try {
      long bytes = RpcMessages.sizeInBytes(m);
      ConnectionLimits limits = protocol.limits();
      if (bytesInFlight + bytes > limits.maxBytesInFlight()) {
        throw new ProtocolError("RPC limit exceeded: more than " + limits.maxBytesInFlight()
            + " bytes of calls in flight from the peer (maxBytesInFlight)");
      }
      a = newAnswer(call.getQuestionId(), true);
      a.bytes = bytes;
      bytesInFlight += bytes;
      target = messageTarget(s.target = call.getTarget(s.target), true);
    } catch (RuntimeException e) {
      caps.releaseAll();
      throw e;
    }
    // (the params outlive the message's handling: not the scratch payload reader, but one of
    // the params' own, which recycled params move to the new call; issue 12. Their content
    // reader, which may be kept past the call, is made only if the callee asks for it)
    CallParams p = a.params;
    if (p != null) {
      p.recycle(call, caps);
    } else {
      p = CallParams.received(call, caps);
      a.params = p;
    }
    p.resultsAllocator = returnAllocator(a);
    p.answerConnection = protocol;
    dev.capnp.runtime.AnyPointer.Reader forwardContact = null;
    Rpc.Call.SendResultsTo.Reader sendResultsTo = s.sendResultsTo =
        call.getSendResultsTo(s.sendResultsTo);
    switch (sendResultsTo.which()) {
      case CALLER:
        // (Level 3: a tail call of its handler may be forwarded to a third vat)
        p.allowThirdPartyTailCall = call.getAllowThirdPartyTailCall()
            && protocol.thirdPartyNetwork() != null;
        break;
      case YOURSELF:
        a.redirectToYourself();
        break;
      case THIRD_PARTY:
        if (protocol.thirdPartyNetwork() != null) {
          a.redirect = Redirect.THIRD_PARTY;
          forwardContact = sendResultsTo.getThirdParty();
          // a tail call of its handler answers the caller's vat, not the forwarder: it may be
          // forwarded again once the call is adopted there (ThirdPartyForwarding.introduce)
          p.answerConnection = new ThirdPartyForwarding.ForwardedCall(protocol, a);
          p.allowThirdPartyTailCall = call.getAllowThirdPartyTailCall();
          break;
        }
        // fall through: without Level 3, as before
      default:
        target.release();
        target = protocol.delivery.broken(
            RpcException.unimplemented("Unsupported Call.sendResultsTo: third party"));
        break;
    }
    if (forwardContact != null) {
      ClientHook t = target;
      CallParams tp = p;
      ThirdPartyForwarding.startCallee(protocol, a, forwardContact,
          () -> protocol.delivery.deliver(a, t, tp));
    } else {
      protocol.delivery.deliver(a, target, p);
    }
  }

  /**
   * Level 3, callee: a new answer adopting the call of {@code of} (an answer of the
   * forwarder's connection) under a callee-allocated id in [2^30, 2^31), for the
   * {@code ThirdPartyAnswer} we send on this connection.
   */
  Answer newCalleeAnswer(Answer of) {
    int id = nextCalleeId;
    while (answers.get(id) != null) {
      id = id == Integer.MAX_VALUE ? ThirdPartyForwarding.FIRST_CALLEE_ID : id + 1;
    }
    nextCalleeId = id == Integer.MAX_VALUE ? ThirdPartyForwarding.FIRST_CALLEE_ID : id + 1;
    Answer x = newAnswer(id);
    x.forwardOf = of;
    return x;
  }

  /**
   * Level 3: sends the Return of {@link Redirect#THIRD_PARTY} answer {@code a} now:
   * {@code resultsSentElsewhere} ({@code e} null), {@code canceled} (a CancellationException)
   * or an exception. Nothing if it was sent, or the connection is gone.
   */
  void returnNow(Answer a, Throwable e) {
    if (a.returnSent() || protocol.isDisconnected()) {
      return;
    }
    a.onReturnSent();
    MessageBuilder mb;
    if (e == null) {
      mb = RpcMessages.resultsSentElsewhere(a.id);
    } else {
      mb = RpcMessages.newMessage();
      Rpc.Return.Builder ret = RpcMessages.initReturn(mb, a.id);
      if (e instanceof CancellationException) {
        ret.setCanceled();
      } else {
        RpcMessages.writeException(ret.initException(), RpcException.of(e));
      }
    }
    protocol.sendReturn(mb);
    if (a.state == State.DONE) {
      remove(a);
    }
  }

  // ============================================================================= Return out

  /**
   * The call of answer {@code a} completed with {@code res} (owned) or failed with {@code e}
   * (a {@link CancellationException}: it was canceled), a local event: send its Return (a
   * failure here is a defect).
   */
  void completed(Answer a, Results res, Throwable e) {
    a.callDone = true;
    try {
      sendReturn(a, res, e);
    } catch (RuntimeException x) {
      protocol.internalError("failed to send the return of answer " + a.id, x);
    }
  }

  private void sendReturn(Answer a, Results res, Throwable e) {
    if (res != null && !res.isCurrentBuild()) {
      // results made in a reused Return for an earlier call (a results builder kept past its
      // call): their memory now holds another call's results, never to be sent for this one
      res.release();
      res = null;
      e = RpcException.failed("the call completed with results built for an earlier call");
    }
    if (a.redirect == Redirect.THIRD_PARTY) {
      // the outcome goes to the caller's vat (the adopted answer); our Return here is sent by
      // ThirdPartyForwarding
      if (!a.completeForward(res, e) && res != null) {
        res.release();
      }
      return;
    }
    if (a.redirect == Redirect.TAKEN) {
      // a question of ours took these results over (Return.takeFromOtherQuestion); our Return
      // (resultsSentElsewhere) went out then
      if (!a.completeRedirect(res, e == null ? null : RpcException.of(e)) && res != null) {
        res.release();
      }
      return;
    }
    if (a.returnSent()) {
      if (res != null) {
        res.release();
      }
      return;
    }
    a.onReturnSent();
    if (protocol.isDisconnected()) {
      if (res != null) {
        res.release();
      }
      if (a.redirect != Redirect.NONE) {
        a.completeRedirect(null, protocol.disconnectReason());
      }
      return;
    }
    if (a.redirect != Redirect.NONE && e != null) {
      a.completeRedirect(null, RpcException.of(e));
    }
    MessageBuilder mb;
    if (e != null) {
      mb = RpcMessages.newMessage();
      Rpc.Return.Builder ret = RpcMessages.initReturn(mb, a.id);
      Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (c instanceof CancellationException) {
        ret.setCanceled();
      } else {
        RpcMessages.writeException(ret.initException(), RpcException.of(e));
      }
    } else if (res.awaitFromThirdParty != null) {
      // our handler's tail call was forwarded to a third vat, which answers the caller
      mb = RpcMessages.newMessage();
      RpcMessages.initReturn(mb, a.id).setAwaitFromThirdParty(
          ((MessageBuilder) res.awaitFromThirdParty).getRootAnyPointer().asReader());
      res.claimed = true;
      a.results = res;
    } else if (res.sentElsewhereQuestion >= 0) {
      mb = RpcMessages.newMessage();
      RpcMessages.initReturn(mb, a.id).setTakeFromOtherQuestion(res.sentElsewhereQuestion);
      protocol.questions.tailClaimed(res.sentElsewhereQuestion);
      a.results = res;
    } else if (a.redirect == Redirect.TO_YOURSELF) {
      a.results = res;
      protocol.sendReturn(RpcMessages.resultsSentElsewhere(a.id));
      // a takeFromOtherQuestion naming this answer may already be waiting for the results
      a.completeRedirect(res, null);
      if (a.state == State.DONE) {
        remove(a);
      }
      return;
    } else if (res.origin != null && res.origin.owner == a && res.isCurrentBuild()
        && res.origin.returnBuilder.getAnswerId() == a.id) { // (not a recycled answer's)
      mb = res.origin.message;
      a.resultExports = res.caps.size() == 0 ? null // (no payload builder needed for none)
          : protocol.exports.writeDescriptors(res.caps, res.origin.returnBuilder.getResults());
      returnSize.record(mb);
      a.results = res;
      pinReturnedPromises(a, res.caps, res);
      // (always written: a reused Return keeps the flag of its last use)
      boolean noFinish = noFinishNeeded(a, res.caps);
      res.origin.returnBuilder.setNoFinishNeeded(noFinish);
      if (reusableReturn(a, res)) {
        if (protocol.sendReusableReturn(mb, noFinish)) {
          a.returnToReuse = res.origin;
        }
        afterReturnSent(a, noFinish);
        return;
      }
      protocol.sendReturn(mb, noFinish);
      afterReturnSent(a, noFinish);
      return;
    } else {
      mb = RpcMessages.newMessage();
      HookCapTable t = new HookCapTable();
      mb.setCapTable(t);
      Rpc.Return.Builder ret = RpcMessages.initReturn(mb, a.id);
      Rpc.Payload.Builder pl = ret.initResults();
      pl.getContent().set(res.content());
      a.resultExports = protocol.exports.writeDescriptors(t, pl);
      pinReturnedPromises(a, t, res);
      boolean noFinish = noFinishNeeded(a, t);
      ret.setNoFinishNeeded(noFinish);
      t.releaseAll();
      a.results = res;
      protocol.sendReturn(mb, noFinish);
      afterReturnSent(a, noFinish);
      return;
    }
    protocol.sendReturn(mb);
    afterReturnSent(a, false);
  }

  /**
   * Whether our Return of answer {@code a}, with results whose capability table is
   * {@code caps}, says {@code noFinishNeeded}: the answer is then removed as the Return goes
   * out, and the peer need not send a {@code Finish} (rpc.capnp; libcapnp 1.0 and later do the
   * same, and skip their Finish when they read it). Only for plain results without
   * capabilities, to a call the peer has not finished yet: with no capability in the results
   * there is nothing a Finish could release and nothing a later pipelined call could reach,
   * and a pipelined call that still names the answer fails as a call on a null capability
   * would (see {@link #messageTarget}). Never for a bootstrap (its results are a capability),
   * an exception (pipelined calls must fail with it), a redirected or Level 3 answer. A peer
   * that does not know the flag still sends its Finish, which {@link #handleFinish} ignores.
   */
  private static boolean noFinishNeeded(Answer a, HookCapTable caps) {
    return caps.size() == 0 && a.state == State.RETURNED && a.redirect == Redirect.NONE
        && a.forwardOf == null && a.adoptedAs == null && a.provision == null;
  }

  /**
   * Whether answer {@code a}'s Return, built in its own message with results {@code res}, is
   * one whose memory may be reused once the answer is removed (if the transport also copies
   * it out): a plain answer (no redirection), results without capabilities (no pipeline pins,
   * nothing a capability path could lead into), the only {@code Results} ever made over that
   * message, and a message small enough to keep (its first segment at most
   * {@link FirstSegmentHint#MAX_WORDS}).
   */
  private static boolean reusableReturn(Answer a, Results res) {
    return a.redirect == Redirect.NONE && res.caps.size() == 0
        && res.origin.resultsMade() == 1 && res.onRelease == null
        && res.origin.message.sizeInWords() <= FirstSegmentHint.MAX_WORDS;
  }

  private void afterReturnSent(Answer a, boolean noFinishNeeded) {
    if (noFinishNeeded) {
      // the Return said the peer need not Finish: as if its Finish had come (nothing to release)
      a.onFinish();
      a.resultExports = null;
      remove(a);
      return;
    }
    if (a.state == State.DONE) {
      // a Return after the Finish (the call ran on for its pipeline's users, see handleFinish):
      // its capabilities count as released if that Finish said so (releaseResultCaps: libcapnp
      // ignores the caps of a Return it no longer waits for; our own client releases them)
      if (a.releaseLateResultCaps) {
        protocol.exports.releaseAll(a.resultExports);
      }
      a.resultExports = null;
      remove(a);
    }
  }

  /**
   * Once answer {@code a} has returned {@code table}: the paths of its pipeline that lead to the
   * peer's own unresolved promises are pinned to what the {@code Return} described them as, for
   * the peer's later pipelined calls and Disembargos (see {@link PostReturnPipeline}).
   */
  private void pinReturnedPromises(Answer a, HookCapTable table, Results res) {
    if (a.pipeline == null) {
      return;
    }
    Map<ClientHook, ClientHook> pins = null;
    for (int i = 0; i < table.size(); i++) {
      ClientHook h = table.get(i);
      if (h == null || protocol.delivery.isForeign(h)) {
        continue;
      }
      ClientHook s = ClientHook.shorten(h);
      if (!(s instanceof PromiseClient) || !protocol.owns(s)) {
        continue;
      }
      if (pins == null) {
        pins = new IdentityHashMap<>();
      }
      if (!pins.containsKey(h)) {
        pins.put(h.addRef(), protocol.describedTarget(h));
      }
    }
    if (pins != null) {
      a.pipeline = protocol.delivery.pinned(a.pipeline, res, pins);
    }
  }

  private void remove(Answer a) {
    a.state = State.DONE;
    if (answers.get(a.id) == a) {
      answers.remove(a.id);
    }
    bytesInFlight -= a.bytes;
    a.bytes = 0;
    ResultsAllocator.ResultsBuilder reuse = a.returnToReuse;
    a.returnToReuse = null;
    if (a.results != null) {
      Results r = a.results;
      // reusable only if the answer is the results' last holder: anyone else (a response, a
      // pipeline) could still read the content; once released, pipelines refuse to (capAt)
      if (reuse != null && (r.origin != reuse || r.holders() != 1)) {
        reuse = null;
      }
      r.release();
      a.results = null;
    } else {
      reuse = null;
    }
    if (a.pipeline != null) {
      a.pipeline.release();
    }
    a.whenForwardedDropped();
    recycle(a);
    if (reuse != null && reuse.caps.size() == 0 && reuse.headerWords > 0) {
      // back to its header: the content's pointer cleared, what it used zeroed and freed (a
      // Return grown past its first segment is dropped); the next allocate() builds in it
      reuse.content.clear();
      if (reuse.message.rewind(reuse.headerWords)) {
        spareReturn.compareAndSet(null, reuse);
      }
    }
  }

  /**
   * Keeps removed answer {@code a} and its params for a later call (issue 12), if nothing can
   * reach them any more but stale holders that check the params' generation: a plain call (no
   * redirection, no Level 3 role), whose completion came back (so {@link ConnectionDelivery}
   * holds it no more), whose params were released and never left this loop or were shared
   * with a tail call ({@link CallParams#escaped}): the call context that held them records
   * their generation and treats them as gone once recycled. A canceled call whose handler is
   * still running released its params at the cancellation, and its context is stale the same way.
   */
  private void recycle(Answer a) {
    CallParams p = a.params;
    if (p == null || !a.callDone || !p.isReleased() || p.escaped || a.redirect != Redirect.NONE
        || a.forwardOf != null || a.adoptedAs != null || a.provision != null
        || spareCount == SPARE_ANSWERS) {
      return;
    }
    if (spareAnswers.length == 0) {
      spareAnswers = new Answer[SPARE_ANSWERS];
    }
    a.pipeline = null;
    a.running = null;
    p.retire(); // (a new generation now; the old call's message is not kept alive)
    spareAnswers[spareCount++] = a;
  }

  // ============================================================================= Finish in

  /** {@code Finish}: the peer no longer wants the answer to {@code questionId}. */
  void handleFinish(Rpc.Finish.Reader f) {
    Answer a = answers.get(f.getQuestionId());
    if (a == null) {
      // Not an answer of ours (any more): most likely one whose Return said noFinishNeeded,
      // finished anyway by a peer that does not know the flag, or whose Finish crossed our
      // Return. It cannot name a later question with the same id: the peer reuses an id only
      // after its Finish. Ignored, as rpc.c++ does (remembering every such id to tell a stray
      // Finish apart would cost memory for as long as the connection lives); but the peer
      // probably finishes every answer, which the transport may use (see hintFinish).
      protocol.peerIgnoresNoFinishNeeded();
      return;
    }
    if (a.finishReceived()) {
      throw new ProtocolError("'Finish' for invalid question ID " + f.getQuestionId());
    }
    a.onFinish();
    if (a.provision != null) {
      // the introducer ends its Provide: the provision is withdrawn
      ThirdPartyHandoff.Provision p = a.provision;
      a.provision = null;
      remove(a);
      p.withdraw(null);
      return;
    }
    if (f.getReleaseResultCaps()) {
      protocol.exports.releaseAll(a.resultExports);
    }
    a.resultExports = null;
    if (a.state == State.DONE) {
      if (a.redirect == Redirect.THIRD_PARTY) {
        // we returned resultsSentElsewhere at once: the forwarder's Finish (it no longer
        // pipelines on the call, and its caller let go of the call or was lost) cancels it
        cancelCall(a);
      }
      remove(a);
    } else if (a.pipelineUsed) {
      // An early Finish (before our Return) says the caller no longer wants the results, and
      // rpc.capnp lets us cancel the call then only if nothing else cares about them. The peer
      // itself may still care: it named this answer's pipeline (a promisedAnswer target, a
      // receiverAnswer descriptor in a Call, Return or Resolve) and so holds, through us, a
      // capability that will be part of these results, for example in the params of another
      // call (libcapnp sends this Finish as soon as it has put a pipelined capability in the
      // params of its next call and dropped the first promise). Canceling now would break that
      // capability under a call already running. So the call runs to completion, its pipeline
      // delivers to those users, and its Return goes out as usual; sendReturn removes the
      // answer then (rpc.c++ likewise keeps the call running while its pipeline is in use).
      // An answer whose pipeline nobody used is canceled at once, below.
      a.releaseLateResultCaps = f.getReleaseResultCaps();
    } else {
      cancelCall(a);
    }
  }

  // ============================================================== results taken by a question

  /**
   * A {@code Return.takeFromOtherQuestion} of ours names answer {@code id}: the question that
   * received it owns the answer's call from now on (canceling the question cancels the call),
   * and the peer learns at once that its tail call's results went elsewhere (rpc.c++
   * sendRedirectReturn), so its tail question ends now instead of when the call completes
   * (which a cycle of promises may never let happen). Returns the answer.
   */
  Answer takeRedirected(int id) {
    Answer other = answers.get(id);
    if (other == null || other.redirect == Redirect.NONE) {
      throw new ProtocolError("'Return.takeFromOtherQuestion' had invalid answer ID " + id);
    }
    if (other.redirect == Redirect.TAKEN) {
      throw new ProtocolError("'Return.takeFromOtherQuestion' named answer " + other.id
          + " a second time");
    }
    other.redirect = Redirect.TAKEN;
    if (other.returnSent()) {
      return other; // the call completed first: resultsSentElsewhere went out then
    }
    other.onReturnSent();
    protocol.send(RpcMessages.resultsSentElsewhere(other.id));
    if (other.state == State.DONE) {
      remove(other);
    }
    return other;
  }

  /** Cancels the call of {@code a} (its question was canceled, or nobody takes its results). */
  void cancelCall(Answer a) {
    if (a.forwardOf != null) {
      a = a.forwardOf; // (an adopted answer: the call is its forwarder's answer's)
    }
    if (a.running != null && !a.callDone) {
      protocol.delivery.cancel(a.running);
    }
  }

  // ============================================================================ teardown

  /** The connection is gone: every call is canceled; the table empties. */
  void clear() {
    ArrayList<Answer> all = new ArrayList<>(answers.snapshot().values());
    answers.clear();
    bytesInFlight = 0;
    for (Answer a : all) {
      a.state = State.DONE;
      if (a.provision != null) {
        a.provision.withdraw(protocol.disconnectReason());
        a.provision = null;
      }
      cancelCall(a);
      if (a.results != null) {
        a.results.release();
      }
      if (a.pipeline != null) {
        a.pipeline.release();
      }
      a.whenForwardedDropped();
    }
  }

  String invariantViolation() {
    long held = 0;
    for (Map.Entry<Integer, Answer> en : answers.snapshot().entrySet()) {
      Answer a = en.getValue();
      if (a.id != en.getKey()) {
        return "answer " + en.getKey() + " thinks it is " + a.id;
      }
      if (a.state == State.DONE) {
        return "answer " + a.id + " returned and finished but still in the table";
      }
      held += a.bytes;
    }
    if (held != bytesInFlight) {
      return "bytes in flight " + bytesInFlight + " but answers hold " + held;
    }
    return null;
  }

  void dump(StringBuilder sb) {
    sb.append("  answers:\n");
    answers.snapshot().forEach((id, a) -> sb.append("    ").append(id).append(' ')
        .append(a.state).append(a.redirect == Redirect.NONE ? "" : " " + a.redirect)
        .append(a.callDone ? " call-done" : " call-running")
        .append('\n'));
  }
}
