package dev.capnp.rpc.protocol;

import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.ThirdPartyNetwork;
import dev.capnp.rpc.internal.BrokenClient;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.PipelineHook;
import dev.capnp.rpc.internal.QueuedClient;
import dev.capnp.rpc.internal.ResultsAllocator;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Level 3, three-party handoff: the introducer's and the host's parts (the recipient's is
 * {@link ThirdPartyClient}). See "Level 3: three-party handoff" in {@code docs/ARCHITECTURE.md}
 * for the message flow and the states on each vat.
 *
 * <ul>
 *   <li>Introducer (Alice): {@link #writeThirdPartyDescriptor} — a capability of one peer (Bob)
 *       written to another (Carol): {@code Provide} to Bob, {@code thirdPartyHosted} with a new
 *       vine export to Carol; the vine's removal Finishes the Provide ({@link Vine}); a
 *       {@code Disembargo.accept} on the vine is forwarded to Bob
 *       ({@link #handleDisembargoAccept}).
 *   <li>Host (Bob): {@link #handleProvide} registers a {@link Provision} with the network;
 *       {@link #handleAccept} answers with the provided capability once matched (and once its
 *       embargo, if any, is lifted by the forwarded Disembargo), holding pipelined calls until
 *       then.
 * </ul>
 * Everything runs on the connections' event loop (the three connections of a vat share it).
 */
final class ThirdPartyHandoff {
  private static final Logger LOG = LoggerFactory.getLogger(ThirdPartyHandoff.class);

  private ThirdPartyHandoff() {
  }

  // ============================================================================ introducer

  /** The vine of one handoff (an export to the recipient): ends the Provide when it goes. */
  static final class Vine {
    final RpcProtocol provider;
    final QuestionTable.Question provide;
    private boolean ended;

    Vine(RpcProtocol provider, QuestionTable.Question provide) {
      this.provider = provider;
      this.provide = provide;
    }

    /** The vine's export is gone (released, or the recipient's connection lost): Finish. */
    void end() {
      if (ended) {
        return;
      }
      ended = true;
      if (!provider.isDisconnected()) {
        provider.questions.dropRef(provide);
      }
    }

    boolean ended() {
      return ended;
    }
  }

  /**
   * Describes {@code x}, a capability hosted by the peer of another connection of this vat, to
   * {@code recipient}'s peer as a third-party capability: sends the host a {@code Provide} and
   * writes {@code thirdPartyHosted} with a new vine export into {@code d}. Returns the vine's
   * export id, or -1 (nothing written) when the handoff is not possible: then the caller
   * proxies {@code x} as at Level 1.
   */
  static int writeThirdPartyDescriptor(RpcProtocol recipient, ImportClient x,
      Rpc.CapDescriptor.Builder d) {
    RpcProtocol provider = x.protocol;
    ThirdPartyNetwork net = recipient.thirdPartyNetwork();
    if (provider == recipient || net == null || provider.thirdPartyNetwork() != net
        || provider.isDisconnected() || recipient.isDisconnected()
        || provider.delivery.loop != recipient.delivery.loop) {
      return -1;
    }
    MessageBuilder contactMessage = new MessageBuilder(16);
    MessageBuilder awaitMessage = new MessageBuilder(16);
    AnyPointer.Builder contact = contactMessage.getRootAnyPointer();
    AnyPointer.Builder await = awaitMessage.getRootAnyPointer();
    boolean introduced;
    try {
      introduced = net.introduce(provider.connection(), recipient.connection(), contact, await);
    } catch (RuntimeException e) {
      LOG.warn("{}: the network failed to introduce {} to {}; proxying instead", recipient.name,
          recipient.name, provider.name, e);
      introduced = false;
    }
    if (!introduced) {
      return -1;
    }
    QuestionTable.Question q = provider.questions.provide(x,
        p -> p.initRecipient().set(await.asReader()));
    int id = recipient.exports.exportVine(x.addRef(), new Vine(provider, q));
    Rpc.ThirdPartyCapDescriptor.Builder t = d.initThirdPartyHosted();
    t.initId().set(contact.asReader());
    t.setVineId(id);
    return id;
  }

  // ================================================================================ host

  /**
   * What a {@code Provide} offers, as the network holds it until an {@code Accept} matches:
   * the capability, and the embargoes of the Accepts (by embargo id).
   */
  static final class Provision {
    private ClientHook cap;
    private Runnable withdrawal;
    private final Map<String, CompletableFuture<Void>> embargoes = new HashMap<>();

    Provision(ClientHook cap) {
      this.cap = cap;
    }

    /** The capability (borrowed), or null once withdrawn. */
    ClientHook cap() {
      return cap;
    }

    /** The embargo of that id: lifted by the introducer's Disembargo, awaited by the Accept. */
    CompletableFuture<Void> embargo(byte[] id) {
      String key = HexFormat.of().formatHex(id);
      CompletableFuture<Void> e = embargoes.get(key);
      if (e == null) {
        e = new CompletableFuture<>();
        if (cap == null) {
          e.completeExceptionally(RpcException.failed("the provision was withdrawn"));
        }
        embargoes.put(key, e);
      }
      return e;
    }

    /**
     * The Provide ended (the introducer's Finish; {@code reason} null) or its connection was
     * lost: the offer is withdrawn, the capability released, and Accepts still embargoed fail.
     */
    void withdraw(RpcException reason) {
      if (cap == null) {
        return;
      }
      if (withdrawal != null) {
        withdrawal.run();
      }
      ClientHook c = cap;
      cap = null;
      c.release();
      RpcException e = RpcException.disconnected("Three-party handoff failed: the introducer's"
          + " Provide ended before the embargo was lifted"
          + (reason == null ? "" : " (" + reason.getMessage() + ")"));
      for (CompletableFuture<Void> f : embargoes.values()) {
        f.completeExceptionally(e);
      }
    }
  }

  /** {@code Provide} (host): register the offer with the network until the Finish. */
  static void handleProvide(RpcProtocol host, Rpc.Provide.Reader p) {
    AnswerTable.Answer a = host.answers.newAnswer(p.getQuestionId());
    a.callDone = true; // (nothing runs: no Return is ever sent for a Provide)
    ClientHook target;
    try {
      target = host.answers.messageTarget(p.getTarget());
    } catch (RuntimeException e) {
      a.provision = new Provision(new BrokenClient(host.delivery.loop,
          RpcException.failed("invalid Provide target")));
      throw e;
    }
    Provision pv = new Provision(target);
    a.provision = pv;
    try {
      pv.withdrawal = host.thirdPartyNetwork().awaitThirdParty(host.connection(),
          p.getRecipient(), pv);
    } catch (RuntimeException e) {
      // the network could not read the peer's ThirdPartyToAwait: the peer's fault
      throw new ProtocolError("invalid Provide.recipient: " + e.getMessage());
    }
  }

  /** The pipeline of an Accept: its one capability (no fields), queued until accepted. */
  private static final class AcceptPipeline implements PipelineHook {
    private final QueuedClient pending;
    private boolean released;

    AcceptPipeline(QueuedClient pending) {
      this.pending = pending;
    }

    @Override
    public ClientHook getPipelinedCap(short[] ops) {
      if (ops.length != 0) {
        return new BrokenClient(pending.loop,
            RpcException.failed("the result of an Accept is a capability: no fields"));
      }
      return pending.addRef();
    }

    @Override
    public void release() {
      if (!released) {
        released = true;
        pending.release();
      }
    }
  }

  /**
   * {@code Accept} (host): once the network matches it with a {@code Provide} (and its embargo,
   * if any, is lifted), return the provided capability and deliver the calls pipelined on it.
   * The wait is bounded ({@link dev.capnp.rpc.ConnectionLimits#acceptTimeoutMillis()}) and ends
   * early on the recipient's {@code Finish} (the answer's running call is the wait) or the
   * connection's loss; see {@link AcceptWait}.
   */
  static void handleAccept(RpcProtocol host, Rpc.Accept.Reader acc) {
    AnswerTable.Answer a = host.answers.newAnswer(acc.getQuestionId());
    QueuedClient pending = host.delivery.queued("accept");
    a.pipeline = new AcceptPipeline(pending);
    byte[] embargo = acc.hasEmbargo() ? acc.getEmbargo().toArray() : null;
    CompletableFuture<Object> match;
    try {
      match = host.thirdPartyNetwork().completeThirdParty(host.connection(), acc.getProvision())
          .toCompletableFuture();
    } catch (RuntimeException e) {
      match = CompletableFuture.failedFuture(e);
    }
    AcceptWait w = new AcceptWait(host, a, pending, match);
    whenDone(host, match, (v, x) -> {
      if (x != null) {
        w.fail(RpcException.of(x));
      } else if (!(v instanceof Provision)) {
        w.fail(RpcException.failed("not a provision of this vat"));
      } else if (embargo == null) {
        w.give((Provision) v);
      } else {
        Provision pv = (Provision) v;
        whenDone(host, pv.embargo(embargo), (v2, x2) -> {
          if (x2 != null) {
            w.fail(RpcException.of(x2));
          } else {
            w.give(pv);
          }
        });
      }
    });
  }

  /**
   * One {@code Accept} waiting on the host: for the network's match, then for its embargo. It
   * ends once, with the capability ({@link #give}) or an exception ({@link #fail}): when
   * matched, when the wait times out (no {@code Provide} came in time: the recipient then falls
   * back to the vine), when the recipient's {@code Finish} cancels it (through
   * {@code Answer.running}, which is this wait's {@link #running} future) or when the connection
   * is lost. Ending cancels the timer and the network's stage (so the network may forget the
   * wait). On the connection's loop.
   */
  private static final class AcceptWait {
    private final RpcProtocol host;
    private final AnswerTable.Answer answer;
    private final QueuedClient pending;
    private final CompletableFuture<Object> match;
    /** Stands for the waiting Accept as the answer's running call: cancelled by a Finish. */
    private final CompletableFuture<Void> running = new CompletableFuture<>();
    private final Runnable cancelTimer;
    private boolean ended;

    AcceptWait(RpcProtocol host, AnswerTable.Answer answer, QueuedClient pending,
        CompletableFuture<Object> match) {
      this.host = host;
      this.answer = answer;
      this.pending = pending;
      this.match = match;
      answer.running = running;
      running.whenComplete((v, x) -> {
        if (running.isCancelled()) {
          host.delivery.loop.run(() -> fail(new java.util.concurrent.CancellationException(
              "the Accept was finished before it was answered")));
        }
      });
      long ms = host.limits().acceptTimeoutMillis();
      this.cancelTimer = host.outbox().schedule(() -> fail(RpcException.failed(
          "Three-party handoff failed: no matching Provide (or lifted embargo) within " + ms
              + " ms of the Accept")), ms);
    }

    /** The Accept is matched (and its embargo lifted): return the capability. */
    void give(Provision pv) {
      if (!end()) {
        return;
      }
      if (host.isDisconnected()) {
        return; // (the answer and its pipeline are gone)
      }
      ClientHook cap = pv.cap();
      if (cap == null) {
        failNow(RpcException.failed("the provision was withdrawn"));
        return;
      }
      // the calls pipelined on the Accept go first, then the Return
      pending.resolve(cap.addRef());
      ResultsAllocator.ResultsBuilder rb = host.answers.returnAllocator(answer).allocate();
      rb.content.setCapability(cap);
      host.answers.completed(answer, rb.toResults(), null);
    }

    /** The Accept cannot be answered with the capability: fail it (and its pipelined calls). */
    void fail(Throwable e) {
      if (end()) {
        failNow(e);
      }
    }

    /** Ends the wait once: false if it had ended already. */
    private boolean end() {
      if (ended) {
        return false;
      }
      ended = true;
      cancelTimer.run();
      match.cancel(false);
      running.complete(null);
      return true;
    }

    private void failNow(Throwable e) {
      if (host.isDisconnected()) {
        return;
      }
      if (!pending.isResolved()) {
        pending.resolve(new BrokenClient(pending.loop, RpcException.of(e)));
      }
      host.answers.completed(answer, null, e);
    }
  }

  /** Runs {@code then} on the connection's loop once {@code f} completes (now if it has). */
  static <T> void whenDone(RpcProtocol p, CompletableFuture<T> f,
      BiConsumer<T, Throwable> then) {
    if (f.isDone() && p.delivery.loop.inLoop()) {
      T v = null;
      Throwable x = null;
      try {
        v = f.join();
      } catch (RuntimeException e) {
        x = e.getCause() != null ? e.getCause() : e;
      }
      then.accept(v, x);
      return;
    }
    f.whenComplete((v, x) -> p.delivery.loop.execute(() -> then.accept(v,
        x instanceof java.util.concurrent.CompletionException && x.getCause() != null
            ? x.getCause() : x)));
  }

  // ========================================================================== Disembargo

  /**
   * {@code Disembargo} with {@code context.accept}: to a vine (introducer: forward it to the
   * host, after the calls already forwarded there) or to a Provide (host: lift that embargo).
   */
  static void handleDisembargoAccept(RpcProtocol p, Rpc.Disembargo.Reader d) {
    Rpc.Disembargo.Context.Reader ctx = d.getContext();
    byte[] id = ctx.hasAccept() ? ctx.getAccept().toArray() : new byte[0];
    Rpc.MessageTarget.Reader t = d.getTarget();
    switch (t.which()) {
      case IMPORTED_CAP: {
        ExportTable.Export e = p.exports.find(t.getImportedCap());
        if (e == null) {
          throw new ProtocolError("Disembargo target is not a current export ID: "
              + t.getImportedCap());
        }
        if (e.vine == null) {
          throw new ProtocolError("Disembargo.accept target is not a vine");
        }
        Vine v = e.vine;
        if (v.ended() || v.provider.isDisconnected()) {
          return; // (the handoff is over; the Accept's embargo fails with the Provide)
        }
        MessageBuilder mb = RpcMessages.newMessage();
        Rpc.Disembargo.Builder out = mb.initRoot(Rpc.Message.FACTORY).initDisembargo();
        out.initTarget().initPromisedAnswer().setQuestionId(v.provide.id);
        out.initContext().setAccept(id);
        v.provider.send(mb);
        break;
      }
      case PROMISED_ANSWER: {
        Rpc.PromisedAnswer.Reader pa = t.getPromisedAnswer();
        if (pa.hasTransform() && pa.getTransform().size() > 0) {
          throw new ProtocolError("Disembargo.accept to a Provide cannot have a transform");
        }
        AnswerTable.Answer a = p.answers.find(pa.getQuestionId());
        if (a == null || a.provision == null) {
          throw new ProtocolError("Disembargo.accept names question " + pa.getQuestionId()
              + ", which is not a current Provide");
        }
        a.provision.embargo(id).complete(null);
        break;
      }
      default:
        throw new ProtocolError("unknown message target type");
    }
  }
}
