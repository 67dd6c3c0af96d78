package dev.capnp.rpc.protocol;

import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.RateLimitedLog;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.StreamFlowControl;
import dev.capnp.rpc.ThirdPartyNetwork;
import dev.capnp.rpc.internal.BreakSignal;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import java.util.ArrayList;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol core of one two-party connection (Level 1): the five tables and the handling of
 * every {@code rpc.capnp} message. It takes decoded messages in ({@link #handle}) and local
 * events (a call made on one of the peer's capabilities, a reference released, a promise
 * resolved: through the hooks {@link ImportClient}, {@link PipelineClient},
 * {@link PromiseClient}), and puts the messages to send in its {@link Outbox}. It knows no
 * transport, no event loop, no future, no thread and no clock: the driver ({@link RpcConnection},
 * {@link ConnectionDelivery}) owns those.
 *
 * <p>Each table is a class with its lifecycle written at its top: {@link QuestionTable} (our
 * questions), {@link AnswerTable} (the peer's questions), {@link ImportTable} (the peer's
 * capabilities), {@link ExportTable} (ours), {@link EmbargoTable}. A message is handled by the
 * table it concerns; this class dispatches, sends, and ends the connection.
 *
 * <p>The capability layer is reached through {@link ConnectionDelivery}: it delivers the
 * peer's calls to our capabilities, makes the hooks the core hands out, and turns completions
 * and cancellations (futures, in that layer) into the core's local events
 * ({@link AnswerTable#completed}, {@link QuestionTable#callerCanceled}).
 *
 * <p>Threading: everything here runs on the connection's event loop, and nothing here blocks;
 * the core itself holds no loop, no future and no clock.
 */
public final class RpcProtocol {
  private static final Logger LOG = LoggerFactory.getLogger(RpcConnection.class);

  /** The capability layer, as the core reaches it (part of the driver). */
  final ConnectionDelivery delivery;
  final String name;
  private final Outbox outbox;
  private final RpcConnection.BootstrapFactory bootstrapFactory;
  /** The loss of the connection for its hooks' watchers: removable listeners (loop only). */
  final BreakSignal lossSignal;
  private ConnectionLimits limits = ConnectionLimits.DEFAULT;
  private RateLimitedLog problemLog;
  private StreamFlowControl flowControl = StreamFlowControl.DEFAULT;

  final QuestionTable questions = new QuestionTable(this);
  final AnswerTable answers = new AnswerTable(this);
  final ImportTable imports = new ImportTable(this);
  final ExportTable exports = new ExportTable(this);
  final EmbargoTable embargoes = new EmbargoTable(this);
  /** Actions to run once the message being written is sent (a Resolve after its export). */
  private final ArrayList<Runnable> afterSend = new ArrayList<>();
  private RpcException disconnected;
  /** Whether the peer finishes answers whose Return said noFinishNeeded (see hintFinish). */
  private boolean peerIgnoresNoFinishNeeded;
  /** The last {@link Outbox#finishFollowsReturns} hint: 1 yes, 0 no, -1 none given yet. */
  private int finishHint = -1;

  public RpcProtocol(ConnectionDelivery delivery, Outbox outbox,
      RpcConnection.BootstrapFactory bootstrap, String name, BreakSignal lossSignal,
      RateLimitedLog problemLog) {
    this.delivery = delivery;
    this.outbox = outbox;
    this.bootstrapFactory = bootstrap;
    this.name = name;
    this.lossSignal = lossSignal;
    this.problemLog = problemLog;
  }

  // ====================================================================== configuration

  public ConnectionLimits limits() {
    return limits;
  }

  public void limits(ConnectionLimits newLimits) {
    this.limits = Objects.requireNonNull(newLimits, "limits");
  }

  public void problemLog(RateLimitedLog log) {
    this.problemLog = Objects.requireNonNull(log, "log");
  }

  public StreamFlowControl flowControl() {
    return flowControl;
  }

  public void flowControl(StreamFlowControl policy) {
    this.flowControl = Objects.requireNonNull(policy, "policy");
  }

  Outbox outbox() {
    return outbox;
  }

  /** The bounds on this connection's waits for a ThirdPartyAnswer (created on first use). */
  private BoundedWaits thirdPartyWaits;

  /**
   * The bounds ({@link ConnectionLimits#acceptTimeoutMillis}) on the waits of calls forwarded
   * from this connection for the third party's {@code ThirdPartyAnswer}. On the loop.
   */
  BoundedWaits thirdPartyWaits() {
    if (thirdPartyWaits == null) {
      thirdPartyWaits = new BoundedWaits(outbox, limits().acceptTimeoutMillis());
    }
    return thirdPartyWaits;
  }

  // ============================================================ Level 3 (three-party handoff)

  /** The network of three-party handoffs, or null; see {@link #level3()}. */
  private ThirdPartyNetwork thirdPartyNetwork;
  /** This connection as the network knows it. */
  private RpcConnection connection;
  private volatile boolean level3;

  /**
   * Attaches the connection to {@code network} ({@code connection} is the driver the network
   * knows it by); Level 3 is on if {@code peerLevel3} (the network says the peer announced it).
   * Before the connection starts.
   */
  public void thirdParty(ThirdPartyNetwork network, RpcConnection connection,
      boolean peerLevel3) {
    this.thirdPartyNetwork = network;
    this.connection = connection;
    this.level3 = network != null && peerLevel3;
  }

  /** Whether Level 3 messages may be exchanged with the peer. */
  public boolean level3() {
    return level3;
  }

  /** The network of three-party handoffs (null unless {@link #level3()}). */
  ThirdPartyNetwork thirdPartyNetwork() {
    return level3 ? thirdPartyNetwork : null;
  }

  /** The driver of this connection, as the network knows it (null unless Level 3). */
  RpcConnection connection() {
    return connection;
  }

  boolean isDisconnected() {
    return disconnected != null;
  }

  public RpcException disconnectReason() {
    return disconnected;
  }

  /** Whether {@code h} is one of this connection's own capabilities (points into the peer). */
  boolean owns(ClientHook h) {
    return h instanceof RpcClient && h.brand() == this;
  }

  /**
   * What a descriptor written for {@code resolution} named: an unresolved promise of the peer is
   * described as where it points now (an import or a pipelined answer). The export resolved by a
   * {@code Resolve} must keep pointing there for good, even if that promise later resolves to one
   * of our own objects: the peer was told the export forwards to its capability, and may embargo
   * and send a senderLoopback {@code Disembargo} that has to be reflected back along that path
   * (the Tribble 4-way race of rpc.capnp's {@code Disembargo}; rpc.c++ does the same).
   */
  ClientHook describedTarget(ClientHook resolution) {
    ClientHook h = delivery.isForeign(resolution) ? null : ClientHook.shorten(resolution);
    if (h instanceof PromiseClient && h.brand() == this) {
      return ClientHook.shorten(((PromiseClient) h).current());
    }
    return resolution;
  }

  // ======================================================================== local events

  /** Asks for the peer's bootstrap capability (see {@link QuestionTable#bootstrap}). */
  public ClientHook bootstrap(byte[] objectId, long answerTimeoutMillis) {
    if (disconnected != null) {
      return delivery.broken(disconnected);
    }
    return questions.bootstrap(objectId, answerTimeoutMillis);
  }

  // ============================================================================= sending

  void send(MessageBuilder mb) {
    send(mb, SENT_OTHER, false, 0);
  }

  /**
   * Sends a message the peer answers with a {@code Return} (a {@code Call} or a
   * {@code Bootstrap}); {@code awaited}: how many such messages await their Return now, this one
   * included (see {@link Outbox#sendCall}).
   */
  void sendCall(MessageBuilder mb, int awaited) {
    send(mb, SENT_CALL, false, awaited);
  }

  /**
   * Sends a {@code Return} (counted by the transport for backpressure) that the peer is to
   * {@code Finish}.
   */
  void sendReturn(MessageBuilder mb) {
    sendReturn(mb, false);
  }

  /**
   * Sends a {@code Return} (counted by the transport for backpressure); {@code noFinishNeeded}:
   * it says so (see {@link #hintFinish}).
   */
  void sendReturn(MessageBuilder mb, boolean noFinishNeeded) {
    hintFinish(noFinishNeeded);
    send(mb, SENT_RETURN, false, 0);
  }

  /**
   * Sends a {@code Return} built in memory the caller wants back: true if the transport copied
   * it out and keeps no reference to it, so that it may be reset and reused (see
   * {@link Outbox#sendReturnReusable}); false if it was handed over (or not sent: the
   * connection is gone), and must not be touched again. {@code noFinishNeeded}: as for
   * {@link #sendReturn(MessageBuilder, boolean)}.
   */
  boolean sendReusableReturn(MessageBuilder mb, boolean noFinishNeeded) {
    hintFinish(noFinishNeeded);
    return send(mb, SENT_RETURN, true, 0);
  }

  /**
   * Tells the outbox, when it changes, whether the peer will answer the {@code Return} about to
   * go with a {@code Finish} (issue 12: the transport may then stay awake for it, see
   * {@link Outbox#finishFollowsReturns}): yes unless it says {@code noFinishNeeded} to a peer
   * that honours that (libcapnp before 1.0 does not, see {@link #peerIgnoresNoFinishNeeded}).
   */
  private void hintFinish(boolean noFinishNeeded) {
    int expected = !noFinishNeeded || peerIgnoresNoFinishNeeded ? 1 : 0;
    if (expected != finishHint) {
      finishHint = expected;
      outbox.finishFollowsReturns(expected == 1);
    }
  }

  /**
   * The peer sent a {@code Finish} for an answer we no longer have: most likely one whose
   * {@code Return} said {@code noFinishNeeded}, which the peer does not know. From now on every
   * {@code Return} counts as one it will finish (for {@link #hintFinish}; on the loop).
   */
  void peerIgnoresNoFinishNeeded() {
    peerIgnoresNoFinishNeeded = true;
  }

  /**
   * Sends {@code mb} (not a Return), built in memory the caller wants back: true if the
   * transport copied it out and keeps no reference to it (see {@link Outbox#sendReusable});
   * false if it was handed over (or not sent), and must not be touched again.
   */
  boolean sendReusable(MessageBuilder mb) {
    return send(mb, SENT_OTHER, true, 0);
  }

  /** Runs {@code action} right after the message being written is sent. */
  void afterSend(Runnable action) {
    afterSend.add(action);
  }

  /** What a message sent is, for the outbox ({@link #send(MessageBuilder, int, boolean, int)}). */
  private static final int SENT_OTHER = 0;
  private static final int SENT_RETURN = 1;
  private static final int SENT_CALL = 2;

  private boolean send(MessageBuilder mb, int kind, boolean askReusable, int awaited) {
    if (disconnected != null) {
      afterSend.clear();
      return false;
    }
    if (MessageTrace.LOG.isTraceEnabled()) {
      MessageTrace.LOG.trace("{} -> {}", name, MessageTrace.describe(mb));
    }
    boolean reusable = false;
    try {
      if (askReusable) {
        reusable = kind == SENT_RETURN ? outbox.sendReturnReusable(mb) : outbox.sendReusable(mb);
      } else if (kind == SENT_CALL) {
        outbox.sendCall(mb, awaited);
      } else {
        outbox.send(mb, kind == SENT_RETURN);
      }
    } catch (RuntimeException e) {
      end(RpcException.disconnected("send failed: " + e), false);
      return false; // (the transport may have kept it before failing)
    }
    if (!afterSend.isEmpty()) {
      ArrayList<Runnable> r = new ArrayList<>(afterSend);
      afterSend.clear();
      for (Runnable t : r) {
        t.run();
      }
    }
    return reusable;
  }

  void sendUnimplemented(Rpc.Message.Reader msg) {
    send(RpcMessages.unimplemented(msg));
  }

  // ========================================================================== receiving

  /**
   * {@code Provide}, {@code Accept}, {@code ThirdPartyAnswer}: handled on a Level 3 connection,
   * answered with {@code Unimplemented} on any other.
   */
  private void handleLevel3(Rpc.Message.Reader msg) {
    if (!level3) {
      sendUnimplemented(msg);
      return;
    }
    switch (msg.which()) {
      case PROVIDE -> ThirdPartyHandoff.handleProvide(this, msg.getProvide());
      case ACCEPT -> ThirdPartyHandoff.handleAccept(this, msg.getAccept());
      default -> ThirdPartyForwarding.handleThirdPartyAnswer(this, msg.getThirdPartyAnswer());
    }
  }

  /** The readers {@link #handle} reads message headers with (see ReaderScratch). */
  private final ReaderScratch scratch = new ReaderScratch();

  /**
   * Handles one incoming message; a protocol violation aborts the connection. The message's
   * header is read with the connection's reused readers ({@link ReaderScratch}): code called
   * from here keeps no reader it was given past its return.
   */
  public void handle(MessageReader m) {
    if (disconnected != null) {
      return;
    }
    if (MessageTrace.LOG.isTraceEnabled()) {
      MessageTrace.LOG.trace("{} <- {}", name, MessageTrace.describe(m));
    }
    // the header readers of the connection, or fresh ones if it is taken (see ReaderScratch)
    ReaderScratch s = scratch.inUse ? new ReaderScratch() : scratch;
    s.inUse = true;
    try {
      Rpc.Message.Reader msg = s.message = m.getRoot(Rpc.Message.FACTORY, s.message);
      switch (msg.which()) {
        case UNIMPLEMENTED:
          handleUnimplemented(msg.getUnimplemented());
          break;
        case ABORT:
          end(RpcMessages.readException(msg.getAbort()), false);
          break;
        case BOOTSTRAP:
          answers.handleBootstrap(msg.getBootstrap(), bootstrapFactory);
          break;
        case CALL:
          answers.handleCall(m, s.call = msg.getCall(s.call), s);
          break;
        case RETURN:
          questions.handleReturn(m, s.ret = msg.getReturn(s.ret), s);
          break;
        case FINISH:
          answers.handleFinish(s.finish = msg.getFinish(s.finish));
          break;
        case RESOLVE:
          imports.handleResolve(msg.getResolve());
          break;
        case RELEASE:
          exports.release(msg.getRelease().getId(), msg.getRelease().getReferenceCount());
          break;
        case DISEMBARGO:
          embargoes.handleDisembargo(msg);
          break;
        case PROVIDE:
        case ACCEPT:
        case THIRD_PARTY_ANSWER:
          handleLevel3(msg);
          break;
        default:
          sendUnimplemented(msg);
          break;
      }
    } catch (ProtocolError e) {
      problemLog.warn("{}: protocol error: {}", name, RateLimitedLog.bounded(e.getMessage()));
      abort(RpcException.failed(e.getMessage()));
    } catch (dev.capnp.runtime.DecodeException e) {
      problemLog.warn("{}: malformed message: {}", name,
          RateLimitedLog.bounded(e.getMessage()));
      abort(RpcException.failed("malformed message: " + e.getMessage()));
    } catch (RuntimeException e) {
      // not the peer's fault as far as we know: a defect of ours (fuzzers look for this prefix)
      LOG.error("{}: error handling message", name, e);
      abort(RpcException.failed(RpcConnection.INTERNAL_ERROR + e));
    } finally {
      s.inUse = false;
    }
  }

  /** {@code Unimplemented}: the peer echoed a message of ours it does not understand. */
  private void handleUnimplemented(Rpc.Message.Reader inner) {
    switch (inner.which()) {
      case RESOLVE: {
        // the peer will never use the capability our Resolve described: it counts as released
        Rpc.Resolve.Reader r = inner.getResolve();
        if (r.isCap()) {
          Rpc.CapDescriptor.Reader d = r.getCap();
          if (d.isSenderHosted()) {
            exports.release(d.getSenderHosted(), 1);
          } else if (d.isSenderPromise()) {
            exports.release(d.getSenderPromise(), 1);
          }
        }
        break;
      }
      case BOOTSTRAP:
        questions.failUnimplemented(inner.getBootstrap().getQuestionId(),
            RpcException.unimplemented("Bootstrap message not implemented by peer"), false);
        break;
      case CALL:
        questions.failUnimplemented(inner.getCall().getQuestionId(),
            RpcException.unimplemented("Call message not implemented by peer!"), true);
        break;
      default:
        throw new ProtocolError("Peer did not implement a required message: " + inner.which());
    }
  }

  /** A defect of ours while handling the connection: log it and abort. */
  void internalError(String what, RuntimeException x) {
    LOG.error("{}: {}", name, what, x);
    abort(RpcException.failed("internal error: " + x));
  }

  // =========================================================================== the end

  /** Ends the connection now, telling the peer why ({@code Abort}). */
  public void abort(RpcException reason) {
    end(reason, true);
  }

  /** Ends the connection after the message being handled (or written) is done. */
  void abortLater(RpcException reason) {
    outbox.later(() -> abort(reason));
  }

  /**
   * Ends the connection with {@code e} (first reason wins): sends Abort if asked, then breaks
   * every question, answer, import, export and embargo, and tells the driver.
   */
  public void end(RpcException e, boolean sendAbort) {
    if (disconnected != null) {
      return;
    }
    if (sendAbort) {
      MessageBuilder mb = RpcMessages.abort(e);
      if (MessageTrace.LOG.isTraceEnabled()) {
        MessageTrace.LOG.trace("{} -> {}", name, MessageTrace.describe(mb));
      }
      try {
        outbox.send(mb, false);
      } catch (RuntimeException ignored) {
        // the transport is already gone
      }
    }
    disconnected = e;
    questions.clear(e);
    answers.clear();
    exports.clear();
    imports.clear(e);
    embargoes.clear(e);
    outbox.ended(e);
  }

  // =========================================================================== diagnostics

  public boolean tablesEmpty() {
    return questions.size() == 0 && answers.size() == 0 && imports.size() == 0
        && exports.size() == 0 && embargoes.size() == 0;
  }

  public int[] tableSizes() {
    return new int[] {questions.size(), answers.size(), imports.size(), exports.size(),
        embargoes.size()};
  }

  /** The first broken invariant of the tables, with a dump; null when all hold. */
  public String invariantViolation() {
    if (disconnected != null && !tablesEmpty()) {
      return "disconnected but tables not empty:\n" + dump();
    }
    String bad = questions.invariantViolation();
    if (bad == null) {
      bad = answers.invariantViolation();
    }
    if (bad == null) {
      bad = imports.invariantViolation();
    }
    if (bad == null) {
      bad = exports.invariantViolation();
    }
    if (bad == null) {
      bad = embargoes.invariantViolation();
    }
    return bad == null ? null : bad + "\n" + dump();
  }

  public String dump() {
    StringBuilder sb = new StringBuilder();
    sb.append("connection ").append(name)
        .append(disconnected == null ? "" : " (disconnected: " + disconnected + ")").append('\n');
    questions.dump(sb);
    answers.dump(sb);
    imports.dump(sb);
    exports.dump(sb);
    embargoes.dump(sb);
    return sb.toString();
  }

  @Override
  public String toString() {
    return "RpcConnection(" + name + ")";
  }
}
