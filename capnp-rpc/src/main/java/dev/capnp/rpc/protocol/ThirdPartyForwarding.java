package dev.capnp.rpc.protocol;

import dev.capnp.rpc.RateLimitedLog;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.ThirdPartyNetwork;
import dev.capnp.rpc.internal.ApiAccess;
import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.HookCapTable;
import dev.capnp.rpc.internal.Results;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import java.util.ArrayList;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Level 3, three-party call forwarding: a tail call made by Bob's handler of Alice's call, to a
 * capability Carol hosts, is sent to Carol with {@code sendResultsTo.thirdParty} (a contact
 * naming Alice), Bob Returns {@code awaitFromThirdParty} to Alice, and Carol adopts the call on
 * her connection to Alice ({@code ThirdPartyAnswer}, under an answer id she allocates in
 * [2^30, 2^31)) and Returns the results there. See "Three-party call forwarding" in
 * {@code docs/ARCHITECTURE.md} for the rules, the states on each vat and the failure paths.
 *
 * <ul>
 *   <li>Forwarder (Bob): {@link #introduce} decides (the network forwards calls, the call
 *       allowed it, both connections speak Level 3 on the same network and loop, the network
 *       can name Alice for Carol) and
 *       writes the two values; {@code QuestionTable.sendCall} sends the Call, and the tail
 *       call's marker carries the await into Bob's {@code Return}.
 *   <li>Callee (Carol): {@link #startCallee} connects to Alice, sends {@code ThirdPartyAnswer},
 *       Returns {@code resultsSentElsewhere} to Bob and hands the call's outcome to the adopted
 *       answer ({@link AnswerTable.Answer#forwardOf}); or, if Alice cannot be reached in time,
 *       cancels the call and Returns an exception to Bob.
 *   <li>Caller (Alice): {@link #awaitFromThirdParty} (the question waits, bounded, with its
 *       caller's hold; pipelined calls keep going to Bob), {@link #handleThirdPartyAnswer}
 *       (matched through the network, bounded) and {@link #handleAdoptedReturn} (the results,
 *       delivered to the question's caller and pipeline).
 * </ul>
 * Everything runs on the vat's event loop (its connections share it).
 */
final class ThirdPartyForwarding {
  private static final Logger LOG = LoggerFactory.getLogger(ThirdPartyForwarding.class);
  private static final RateLimitedLog PROBLEMS = new RateLimitedLog(LOG, "unmatched ThirdPartyAnswers", 20, 10_000);
  /** The first callee-allocated answer id, 2^30. */
  static final int FIRST_CALLEE_ID = 1 << 30;
  private static final Runnable NOTHING = () -> { };

  private ThirdPartyForwarding() {
  }

  /** Whether {@code id} is in the callee-allocated range [2^30, 2^31). */
  static boolean isCalleeAllocated(int id) {
    return id >= FIRST_CALLEE_ID; // (an int >= 2^30 is below 2^31; bit 31 makes it negative)
  }

  // ============================================================================= forwarder

  /**
   * The {@code CallParams.answerConnection} of a call received with
   * {@code sendResultsTo.thirdParty} ({@code answer} on {@code fromForwarder}): a tail call of
   * its handler answers the caller's vat (on the connection the call is adopted on), so it is
   * neither a {@code sendResultsTo.yourself} call back to the forwarder nor forwarded with the
   * forwarder as the caller.
   */
  record ForwardedCall(RpcProtocol fromForwarder, AnswerTable.Answer answer) {
    /**
     * The connection to the caller's vat the call was adopted on, if it is adopted and still
     * answers there (no Return, no Finish yet); else null.
     */
    RpcProtocol adoptedOn() {
      AnswerTable.Answer x = answer.adoptedAs;
      RpcProtocol ac = answer.adoptedOn;
      return x == null || ac == null || x.returnSent() || x.finishReceived()
          || answer.finishReceived() ? null : ac;
    }
  }

  /** The values of one forwarding: the contact (for the callee) and the await (for the caller). */
  record Introduction(MessageBuilder contact, MessageBuilder await) {
  }

  /**
   * Forwarder: whether the tail call {@code params}, about to be sent on {@code toCallee}, may
   * go to the callee with {@code sendResultsTo.thirdParty}; if so, the network's two values.
   * Null means: send it as today (the results come back here and are proxied).
   */
  static Introduction introduce(RpcProtocol toCallee, CallParams params) {
    ThirdPartyNetwork net = toCallee.thirdPartyNetwork();
    if (!params.allowThirdPartyTailCall || params.streamReady != null || net == null
        || !net.forwardsCalls()) {
      return null; // (this vat proxies its tail calls: see ThirdPartyNetwork.forwardsCalls)
    }
    RpcProtocol toCaller;
    if (params.tailCallFrom instanceof RpcProtocol p) {
      toCaller = p;
    } else if (params.tailCallFrom instanceof ForwardedCall f) {
      // a call forwarded to us: forwarded again if it is adopted on our connection to the
      // caller's vat (a tail call before the adoption is proxied; its results go there later)
      toCaller = f.adoptedOn();
      if (toCaller == null) {
        return null;
      }
    } else {
      return null;
    }
    if (toCaller == toCallee || toCaller.thirdPartyNetwork() != net
        || toCaller.isDisconnected() || toCallee.isDisconnected()
        || toCaller.delivery.loop != toCallee.delivery.loop) {
      return null;
    }
    MessageBuilder contact = new MessageBuilder(16);
    MessageBuilder await = new MessageBuilder(16);
    boolean introduced;
    try {
      // the caller is the party the callee contacts, and it awaits the callee: the same
      // introduction as a capability's handoff, with the caller in the host's place
      introduced = net.introduce(toCaller.connection(), toCallee.connection(),
          contact.getRootAnyPointer(), await.getRootAnyPointer());
    } catch (RuntimeException e) {
      LOG.warn("{}: the network failed to introduce {} to {}; proxying the tail call",
          toCallee.name, toCallee.name, toCaller.name, e);
      introduced = false;
    }
    return introduced ? new Introduction(contact, await) : null;
  }

  // ================================================================================ callee

  /**
   * Callee: answer {@code a} on {@code fromForwarder} is a call with
   * {@code sendResultsTo.thirdParty} = {@code contact}, which {@code deliver} delivers.
   * Connects to the caller's vat (bounded by {@code acceptTimeoutMillis}) and adopts the call
   * there. When a usable connection to the caller's vat is at hand already, the call is adopted
   * before it is delivered, so that a tail call its handler makes at once may be forwarded
   * again ({@link #introduce}); otherwise it is delivered first.
   */
  static void startCallee(RpcProtocol fromForwarder, AnswerTable.Answer a,
      AnyPointer.Reader contact, Runnable deliver) {
    CompletableFuture<ThirdPartyNetwork.Introduced> f;
    try {
      f = fromForwarder.thirdPartyNetwork().connectToIntroduced(fromForwarder.connection(),
          contact).toCompletableFuture();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    if (f.isDone() && !f.isCompletedExceptionally() && fromForwarder.delivery.loop.inLoop()
        && callerConnection(fromForwarder, f.join()) != null) {
      new CalleeConnect(fromForwarder, a, f);
      deliver.run();
    } else {
      deliver.run();
      new CalleeConnect(fromForwarder, a, f);
    }
  }

  /** The connection {@code in} names, if the call can be adopted on it; else null. */
  private static RpcProtocol callerConnection(RpcProtocol cb, ThirdPartyNetwork.Introduced in) {
    RpcProtocol ac = in == null ? null
        : (RpcProtocol) ApiAccess.get().connectionCore(in.connection());
    return ac == null || !ac.level3() || ac.isDisconnected() || ac == cb
        || ac.delivery.loop != cb.delivery.loop ? null : ac;
  }

  /** The callee's connection to the caller's vat, once: adopt, or give the call up. */
  private static final class CalleeConnect {
    private final RpcProtocol fromForwarder;
    private final AnswerTable.Answer answer;
    private final CompletableFuture<ThirdPartyNetwork.Introduced> dial;
    private Runnable cancelTimer = NOTHING;
    private boolean ended;

    CalleeConnect(RpcProtocol fromForwarder, AnswerTable.Answer answer,
        CompletableFuture<ThirdPartyNetwork.Introduced> dial) {
      this.fromForwarder = fromForwarder;
      this.answer = answer;
      this.dial = dial;
      long ms = fromForwarder.limits().acceptTimeoutMillis();
      if (!dial.isDone()) {
        cancelTimer = fromForwarder.outbox().schedule(() -> end(null, RpcException.failed(
            "no connection within " + ms + " ms")), ms);
      }
      ThirdPartyHandoff.whenDone(fromForwarder, dial, this::end);
    }

    private void end(ThirdPartyNetwork.Introduced in, Throwable failure) {
      if (ended) {
        return;
      }
      ended = true;
      cancelTimer.run();
      dial.cancel(false);
      AnswerTable.Answer a = answer;
      RpcProtocol cb = fromForwarder;
      if (cb.isDisconnected() || a.finishReceived()) {
        // the forwarder gave the call up (its Finish, or the connection lost) before we could
        // adopt it: nobody will take the results
        a.whenForwarded(ThirdPartyForwarding::drop);
        cb.answers.returnNow(a, new CancellationException("forwarded call finished"));
        return;
      }
      RpcProtocol ac = callerConnection(cb, in);
      if (ac == null) {
        String why = failure != null ? String.valueOf(RpcException.of(failure).getMessage())
            : in == null ? "no connection" : "the connection does not speak Level 3";
        // nobody can take the results: the call is canceled, and the forwarder told (the
        // caller, which awaits a ThirdPartyAnswer, gives up after its own bound)
        a.whenForwarded(ThirdPartyForwarding::drop);
        cb.answers.cancelCall(a);
        cb.answers.returnNow(a, RpcException.failed(
            "Three-party call forwarding failed: the caller's vat cannot be reached: " + why));
        return;
      }
      AnswerTable.Answer adopted = ac.answers.newCalleeAnswer(a);
      a.adoptedAs = adopted;
      a.adoptedOn = ac;
      MessageBuilder mb = RpcMessages.newMessage();
      Rpc.ThirdPartyAnswer.Builder t = mb.initRoot(Rpc.Message.FACTORY).initThirdPartyAnswer();
      t.setAnswerId(adopted.id);
      in.completion().accept(t.initCompletion());
      ac.send(mb);
      // the results go elsewhere: the forwarder learns it now (its question ends when it
      // no longer pipelines on it)
      cb.answers.returnNow(a, null);
      a.whenForwarded((r, e) -> {
        ac.answers.completed(adopted, r, e);
        if (r != null && adopted.results == r) {
          // the forwarder's pipelined calls use these results through our answer to it (the
          // adopted answer delegates its pipeline there too): they live as long as that answer
          adopted.results = null;
          if (a.state != AnswerTable.State.DONE && !cb.isDisconnected()) {
            a.results = r;
          } else {
            r.release();
          }
        }
      });
    }
  }

  /**
   * Caller: nobody here waits for the next vat named by {@code await} (received on
   * {@code via}) any more: registered and withdrawn at once, so that the network refuses that
   * vat's {@code ThirdPartyAnswer} now (it is finished, its results released) instead of
   * holding it until the match times out.
   */
  private static void refuse(RpcProtocol via, MessageBuilder await) {
    if (via.isDisconnected() || via.thirdPartyNetwork() == null) {
      return;
    }
    AwaitedCall nobody = new AwaitedCall(via, null);
    nobody.done = true;
    try {
      via.thirdPartyNetwork().awaitThirdParty(via.connection(),
          await.getRootAnyPointer().asReader(), nobody).run();
    } catch (RuntimeException x) {
      LOG.debug("{}: unreadable awaitFromThirdParty ignored", via.name, x);
    }
  }

  private static void drop(Results r, Throwable e) {
    if (r != null) {
      r.release();
    }
  }

  // ================================================================================ caller

  /**
   * Caller: question {@code q} on {@code ab} (to the forwarder) got
   * {@code Return.awaitFromThirdParty}. Returns true if the question now waits for the third
   * party (the caller's hold stays); false if the caller had canceled (nothing to wait for).
   */
  static boolean awaitFromThirdParty(RpcProtocol ab, QuestionTable.Question q,
      AnyPointer.Reader await) {
    if (!q.allowsThirdParty || ab.thirdPartyNetwork() == null) {
      throw new ProtocolError("'Return.awaitFromThirdParty' for a call that did not set"
          + " allowThirdPartyTailCall");
    }
    AwaitedCall w = new AwaitedCall(ab, q);
    boolean canceled = q.sink.isCanceled();
    w.done = canceled;
    try {
      w.withdraw = ab.thirdPartyNetwork().awaitThirdParty(ab.connection(), await, w);
    } catch (RuntimeException e) {
      throw new ProtocolError("invalid Return.awaitFromThirdParty: " + e.getMessage());
    }
    if (canceled) {
      // the caller gave up before this Return: registered and withdrawn at once, so that the
      // network refuses the callee's ThirdPartyAnswer now (it is finished at once) instead of
      // holding it, and its results, until the match times out
      Runnable withdraw = w.withdraw;
      w.withdraw = NOTHING;
      withdraw.run();
      return false;
    }
    q.awaited = w;
    long ms = ab.limits().acceptTimeoutMillis();
    w.cancelTimer = ab.thirdPartyWaits().start(() -> w.expire(ms)); // (no timer per call)
    return true;
  }

  /**
   * Caller: one of our questions whose results a third vat was asked to send here. Ends once:
   * with the results or an exception from the adopted answer ({@link #deliver}), when no
   * {@code ThirdPartyAnswer} adopted it in time ({@link #expire}), or when the caller cancels
   * or the connection to the forwarder is lost ({@link #abandon}).
   */
  static final class AwaitedCall {
    final RpcProtocol ab;
    final QuestionTable.Question q;
    Runnable withdraw = NOTHING;
    Runnable cancelTimer = NOTHING;
    /** The answer the third vat adopted the call under, once matched. */
    Adoption adoption;
    private boolean done;

    AwaitedCall(RpcProtocol ab, QuestionTable.Question q) {
      this.ab = ab;
      this.q = q;
    }

    private boolean end() {
      if (done) {
        return false;
      }
      done = true;
      stopWaiting();
      return true;
    }

    private void stopWaiting() {
      Runnable t = cancelTimer;
      cancelTimer = NOTHING;
      t.run();
      Runnable w = withdraw;
      withdraw = NOTHING;
      w.run();
    }

    boolean done() {
      return done;
    }

    /** No ThirdPartyAnswer within the bound: the question fails; Finish goes to the forwarder. */
    void expire(long ms) {
      cancelTimer = NOTHING;
      if (!end() || ab.isDisconnected()) {
        return;
      }
      q.sink.failed(RpcException.failed("Three-party call forwarding failed: no ThirdPartyAnswer"
          + " from the vat the call was forwarded to within " + ms
          + " ms of Return.awaitFromThirdParty"));
      ab.questions.finishReturn(q);
    }

    /** A ThirdPartyAnswer matched: the adopted answer brings the outcome. */
    void adopt(Adoption e) {
      if (done || ab.isDisconnected()) {
        e.giveUp();
        return;
      }
      stopWaiting();
      adoption = e;
      e.call = this;
      if (e.heldAwait != null) {
        MessageBuilder await = e.heldAwait;
        e.heldAwait = null;
        awaitAgain(e.ac, await);
      } else if (e.outcomeHeld) {
        Results r = e.heldResults;
        RpcException x = e.heldError;
        e.heldResults = null;
        e.heldError = null;
        e.outcomeHeld = false;
        deliver(r, x);
      }
    }

    /**
     * The vat that adopted the call forwarded it again ({@code Return.awaitFromThirdParty} on
     * the adopted answer, from {@code via}): the question waits, bounded again, for a
     * {@code ThirdPartyAnswer} from the next vat. Returns false (the question failed) if the
     * network cannot read the await.
     */
    boolean awaitAgain(RpcProtocol via, MessageBuilder await) {
      if (done || ab.isDisconnected() || via.isDisconnected()) {
        refuse(via, await);
        return true;
      }
      adoption = null;
      try {
        withdraw = via.thirdPartyNetwork().awaitThirdParty(via.connection(),
            await.getRootAnyPointer().asReader(), this);
      } catch (RuntimeException x) {
        deliver(null, RpcException.failed("Three-party call forwarding failed: invalid"
            + " Return.awaitFromThirdParty from the vat the call was forwarded to: "
            + x.getMessage()));
        return false;
      }
      long ms = via.limits().acceptTimeoutMillis();
      cancelTimer = via.thirdPartyWaits().start(() -> expire(ms));
      return true;
    }

    /** The adopted answer's outcome ({@code r} owned). */
    void deliver(Results r, RpcException x) {
      if (!end() || ab.isDisconnected()) {
        drop(r, x);
        return;
      }
      if (x != null) {
        q.sink.failed(x);
      } else if (!((RpcPipeline) q.sink).returnedFromThirdParty(r)) {
        r.release();
      }
      ab.questions.finishReturn(q);
    }

    /** The caller canceled, or the forwarder's connection is gone: an adopted answer ends. */
    void abandon() {
      if (end() && adoption != null) {
        adoption.giveUp();
      }
    }
  }

  /**
   * Caller: {@code ThirdPartyAnswer} on {@code ac} (from the callee): the callee-allocated id
   * names the adopted call on this connection. Matched through the network (bounded); a bad id
   * or an unreadable completion is a protocol error; one that matches no waiting call (it was
   * withdrawn: the caller canceled; or the wrong vat sent it; or none came in time) is finished
   * at once, with a warning, not an abort: the first case is a legitimate race.
   */
  static void handleThirdPartyAnswer(RpcProtocol ac, Rpc.ThirdPartyAnswer.Reader t) {
    int id = t.getAnswerId();
    if (!isCalleeAllocated(id)) {
      throw new ProtocolError("ThirdPartyAnswer.answerId " + Integer.toUnsignedString(id)
          + " is outside the callee-allocated range [2^30, 2^31)");
    }
    if (ac.questions.adopted(id) != null) {
      throw new ProtocolError("ThirdPartyAnswer.answerId " + id + " is already in use");
    }
    CompletableFuture<Object> match;
    try {
      match = ac.thirdPartyNetwork().completeThirdParty(ac.connection(), t.getCompletion())
          .toCompletableFuture();
    } catch (RuntimeException e) {
      throw new ProtocolError("invalid ThirdPartyAnswer.completion: " + e.getMessage());
    }
    Adoption e = new Adoption(ac, id, match);
    ac.questions.adopt(e);
    long ms = ac.limits().acceptTimeoutMillis();
    if (!match.isDone()) {
      e.cancelMatchTimer = ac.outbox().schedule(() -> e.unmatched(RpcException.failed(
          "no call awaits it within " + ms + " ms")), ms);
    }
    ThirdPartyHandoff.whenDone(ac, match, (v, x) -> {
      if (x != null) {
        e.unmatched(x);
      } else if (!(v instanceof AwaitedCall) || ((AwaitedCall) v).ab.delivery.loop
          != ac.delivery.loop) {
        e.unmatched(null);
        ac.abort(RpcException.failed("ThirdPartyAnswer.completion " + id
            + " does not complete a forwarded call (protocol error)"));
      } else {
        e.matched((AwaitedCall) v);
      }
    });
  }

  /**
   * Caller: an answer the callee adopted on our connection {@code ac} with
   * {@code ThirdPartyAnswer}; in {@code ac}'s question table under its callee-allocated id
   * until both its Return arrived and our Finish went (the Finish follows the Return at once:
   * we never pipeline on it; pipelined calls go through the forwarder).
   */
  static final class Adoption {
    final RpcProtocol ac;
    final int id;
    private final CompletableFuture<Object> match;
    Runnable cancelMatchTimer = NOTHING;
    private boolean matchEnded;
    AwaitedCall call;
    boolean returned;
    boolean finishSent;
    /** The outcome that came before the match. */
    boolean outcomeHeld;
    Results heldResults;
    RpcException heldError;
    /** A {@code Return.awaitFromThirdParty} (forwarded again) that came before the match. */
    MessageBuilder heldAwait;

    Adoption(RpcProtocol ac, int id, CompletableFuture<Object> match) {
      this.ac = ac;
      this.id = id;
      this.match = match;
    }

    void matched(AwaitedCall w) {
      if (matchEnded) {
        return;
      }
      matchEnded = true;
      cancelMatchTimer.run();
      w.adopt(this);
    }

    void unmatched(Throwable x) {
      if (matchEnded) {
        return;
      }
      matchEnded = true;
      cancelMatchTimer.run();
      match.cancel(false);
      if (x != null) {
        PROBLEMS.warn("{}: ThirdPartyAnswer {} matches no call awaiting a third party ({}):"
            + " finishing it", ac.name, id, RateLimitedLog.bounded(String.valueOf(
                RpcException.of(x).getMessage())));
      }
      giveUp();
    }

    /** Nobody here takes the results: Finish now (if not sent), drop what was held. */
    void giveUp() {
      sendFinish();
      if (heldAwait != null) {
        MessageBuilder await = heldAwait;
        heldAwait = null;
        refuse(ac, await);
      }
      if (outcomeHeld) {
        outcomeHeld = false;
        drop(heldResults, heldError);
        heldResults = null;
        heldError = null;
      }
    }

    private void sendFinish() {
      if (!finishSent) {
        finishSent = true;
        if (!ac.isDisconnected()) {
          ac.send(RpcMessages.finish(id, false));
        }
      }
      if (returned) {
        ac.questions.removeAdopted(this);
      }
    }

    /** The Return (or the connection's end) brought the outcome. */
    void outcome(Results r, RpcException x) {
      returned = true;
      sendFinish();
      if (call != null) {
        call.deliver(r, x);
      } else if (!matchEnded && !ac.isDisconnected()) {
        outcomeHeld = true;
        heldResults = r;
        heldError = x;
      } else {
        drop(r, x);
      }
    }

    /**
     * The callee forwarded the call again (its {@code Return.awaitFromThirdParty}): this
     * adoption ends (Finish now: the call lives on through the first forwarder's pipeline, as
     * at the first hop) and the question awaits the next vat. Returns false if the question
     * failed on an unreadable await.
     */
    boolean forwardedAgain(MessageBuilder await) {
      returned = true;
      sendFinish();
      if (call != null) {
        return call.awaitAgain(ac, await);
      }
      if (!matchEnded && !ac.isDisconnected()) {
        heldAwait = await; // (until the match)
      } else {
        // nobody here takes the results any more (this adoption matched no call, e.g. the
        // caller canceled first): the next vat's ThirdPartyAnswer is refused at once, instead
        // of waiting, with its results, for a match until the bound
        refuse(ac, await);
      }
      return true;
    }

    /** The connection to the callee is gone. */
    void disconnected(RpcException reason) {
      finishSent = true;
      if (!matchEnded) {
        // the network may forget the wait
        matchEnded = true;
        cancelMatchTimer.run();
        match.cancel(false);
      }
      if (!returned) {
        returned = true;
        if (call != null) {
          call.deliver(null, reason);
        } else {
          // (a match still to come finds the connection gone and gives up)
          giveUp();
        }
      }
    }
  }

  /** Caller: {@code Return} on {@code ac} for a callee-allocated id (an adopted call). */
  static void handleAdoptedReturn(RpcProtocol ac, MessageReader m, Rpc.Return.Reader ret0) {
    int id = ret0.getAnswerId();
    Adoption e = ac.questions.adopted(id);
    if (e == null || e.returned) {
      throw new ProtocolError("Invalid question ID in Return message: " + id);
    }
    switch (ret0.which()) {
      case RESULTS: {
        HookCapTable caps = ac.imports.receiveCaps(ret0.getResults().getCapTable());
        m.setCapTable(caps);
        Rpc.Return.Reader ret = m.getRoot(Rpc.Message.FACTORY).getReturn();
        e.outcome(new Results(ret.getResults().getContent(), caps, null), null);
        break;
      }
      case EXCEPTION:
        e.outcome(null, RpcMessages.readException(ret0.getException()));
        break;
      case CANCELED:
        e.outcome(null, RpcException.failed("Call canceled"));
        break;
      case TAKE_FROM_OTHER_QUESTION: {
        // the callee tail-called back into us: the results are those of our answer
        AnswerTable.Answer other = ac.answers.takeRedirected(ret0.getTakeFromOtherQuestion());
        e.returned = true;
        other.whenRedirected((r, x) -> e.outcome(r, x));
        break;
      }
      case AWAIT_FROM_THIRD_PARTY: {
        // the callee's handler tail-called a fourth vat and forwarded the call again (our
        // question allowed it: only questions that set allowThirdPartyTailCall are adopted)
        MessageBuilder await = new MessageBuilder(16);
        await.getRootAnyPointer().set(ret0.getAwaitFromThirdParty());
        if (!e.forwardedAgain(await)) {
          throw new ProtocolError("invalid Return.awaitFromThirdParty for adopted call " + id);
        }
        break;
      }
      default:
        throw new ProtocolError("'Return." + ret0.which() + "' for a call adopted with"
            + " ThirdPartyAnswer");
    }
  }

  /** Caller: {@code ac} ended; every adopted call fails with {@code reason}. */
  static void clearAdopted(ArrayList<Adoption> all, RpcException reason) {
    for (Adoption e : all) {
      e.disconnected(reason);
    }
  }
}
