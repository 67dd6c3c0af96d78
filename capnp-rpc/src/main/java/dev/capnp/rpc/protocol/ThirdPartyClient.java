package dev.capnp.rpc.protocol;

import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.ThirdPartyNetwork;
import dev.capnp.rpc.internal.ApiAccess;
import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.ListenerList;
import dev.capnp.rpc.internal.QueuedClient;
import dev.capnp.rpc.internal.ResolutionSignal;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Level 3, recipient (Carol): a capability received as {@code CapDescriptor.thirdPartyHosted}
 * on a Level 3 connection (to the introducer, Alice). Deferred: nothing happens until it is
 * used; the first call (or {@code whenResolved()}, see {@link #demandResolution}) connects to
 * the host (Bob) through the network and sends {@code Accept}. Calls made meanwhile are held
 * here, in order, until the Accept returns: then they go to Bob directly and the vine (an
 * import of Alice's that proxies to the capability) is released, which ends the handoff. If Bob cannot be reached, does not speak Level 3, or the
 * Accept fails (the offer was withdrawn or never matched: Bob's wait for the {@code Provide} is
 * bounded), the held and later calls go through the vine instead: the fallback.
 *
 * <p><b>Why hold instead of pipelining on the Accept.</b> Calls pipelined on the Accept's answer
 * would be failed by Bob if the Accept fails, and could not be sent again safely without knowing,
 * for each one, that Bob never delivered it (the failures of pipelined calls arrive before the
 * Accept's Return). Holding them until the Return keeps one simple rule: every call is sent
 * exactly once, on the path known to work, in the order it was made; E-order is kept because
 * the held calls follow everything sent earlier on either path (on the direct path, Bob's Return
 * comes after the embargo, if any, is lifted; on the fallback they follow the calls already
 * sent through Alice). The cost is latency during the handoff only: calls made while the Accept
 * is outstanding wait one round trip to Bob (plus, with an embargo, until Alice's forwarded
 * {@code Disembargo} reaches Bob) instead of being on their way; calls made after the switch go
 * straight to Bob as before. Promise pipelining on the held calls still works (their results
 * are local promises until they are sent).
 *
 * <h2>States</h2>
 * <pre>
 *   DEFERRED ──(first use)──► CONNECTING ──(connected: Accept sent)──► ACCEPTING (calls held)
 *   ACCEPTING ──(Return: the capability)──► DIRECT (held calls sent to Bob, vine released)
 *   ACCEPTING ──(Return: exception, or the connection to Bob lost)──► FALLBACK
 *   ACCEPTING ──(no Return within twice the accept timeout: the Accept expires)──► FALLBACK
 *   CONNECTING ──(unreachable, or the host does not speak Level 3)──► FALLBACK (through the vine)
 * </pre>
 * Sent back to the introducer before use, it is described as the vine ({@code receiverHosted}).
 * When a promise that had carried calls (through Alice) resolves to it, its Accept is embargoed
 * ({@link #needEmbargo}): a {@code Disembargo.accept} goes to the vine, which Alice forwards to
 * Bob after those calls.
 */
final class ThirdPartyClient extends RpcClient {
  private static final SecureRandom RANDOM = new SecureRandom();

  enum State { DEFERRED, CONNECTING, ACCEPTING, DIRECT, FALLBACK }

  /** The vine (owned until the handoff ends), or null once released. */
  private ImportClient vine;
  /** A copy of the {@code ThirdPartyToContact}. */
  private final MessageBuilder contact = new MessageBuilder(16);
  /** Set when a promise that had carried calls resolved to this: the Accept is embargoed. */
  boolean needEmbargo;
  volatile State state = State.DEFERRED;
  /** Once used: where calls go (a queue, resolved to the accepted capability or the vine). */
  private volatile ClientHook current;
  private final ResolutionSignal started = new ResolutionSignal();
  /** While ACCEPTING: the Accept's promised capability (owned), not yet given any call. */
  private ClientHook accepting;
  /** The wait for the Accept's Return (removable). */
  private ListenerList.Listener acceptWatch;
  private boolean destroyed;

  ThirdPartyClient(RpcProtocol protocol, ImportClient vine, AnyPointer.Reader contact) {
    super(protocol);
    this.vine = vine;
    this.contact.getRootAnyPointer().set(contact);
  }

  /** The queue (or what it became) calls go to, starting the handoff at the first use. */
  private ClientHook use() {
    if (state == State.DEFERRED) {
      start();
    }
    return current;
  }

  private void start() {
    state = State.CONNECTING;
    QueuedClient queue = protocol.delivery.queued("third-party " + describeContact());
    current = queue;
    byte[] embargo = null;
    if (needEmbargo && !protocol.isDisconnected()) {
      // the calls already sent through the introducer reach the host before this Disembargo,
      // which the introducer forwards along the same path; the host holds our Accept until then
      embargo = new byte[16];
      RANDOM.nextBytes(embargo);
      MessageBuilder mb = RpcMessages.newMessage();
      Rpc.Disembargo.Builder d = mb.initRoot(Rpc.Message.FACTORY).initDisembargo();
      vine.writeTarget(d.initTarget());
      d.initContext().setAccept(embargo);
      protocol.send(mb);
    }
    started.fire();
    ThirdPartyNetwork net = protocol.thirdPartyNetwork();
    CompletableFuture<ThirdPartyNetwork.Introduced> f;
    try {
      f = net.connectToIntroduced(protocol.connection(), contact.getRootAnyPointer().asReader())
          .toCompletableFuture();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    byte[] embargoId = embargo;
    CompletableFuture<ThirdPartyNetwork.Introduced> dialed = f;
    if (dialed.isDone() && loop.inLoop()) {
      connected(dialed, embargoId);
    } else {
      dialed.whenComplete((v, x) -> loop.execute(() -> connected(dialed, embargoId)));
    }
  }

  private void connected(CompletableFuture<ThirdPartyNetwork.Introduced> f, byte[] embargo) {
    if (destroyed) {
      return;
    }
    QueuedClient queue = (QueuedClient) current;
    ThirdPartyNetwork.Introduced in = f.isCompletedExceptionally() ? null : f.join();
    RpcProtocol host = in == null ? null
        : (RpcProtocol) ApiAccess.get().connectionCore(in.connection());
    if (host == null || !host.level3() || host.isDisconnected()
        || host.delivery.loop != loop || host == protocol) {
      // the host cannot be reached directly: go on through the introducer
      state = State.FALLBACK;
      queue.resolve(vine.addRef());
      return;
    }
    state = State.ACCEPTING;
    // (the calls stay held in the queue until the Accept returns: see the class comment)
    // bounded: an honest host answers (or fails) within its acceptTimeoutMillis; twice that,
    // so that its own failure, when it sends one, comes first; then the fallback below
    accepting = host.questions.accept(in.completion(), embargo,
        2 * host.limits().acceptTimeoutMillis());
    ResolutionSignal s = accepting.resolutionSignal();
    if (s == null) {
      acceptReturned();
    } else {
      acceptWatch = s.add(this::acceptReturned);
    }
  }

  /**
   * The Accept returned: with the capability, the held calls go to Bob and the vine is released
   * (the handoff is over); with an exception (or the connection to Bob lost before the Return),
   * none of them was sent, so they all go through the vine: the fallback.
   */
  private void acceptReturned() {
    acceptWatch = null;
    ClientHook a = accepting;
    accepting = null;
    if (destroyed || a == null) {
      return;
    }
    QueuedClient queue = (QueuedClient) current;
    if (ClientHook.shorten(a).brokenReason() == null) {
      state = State.DIRECT;
      queue.resolve(a);
      releaseVine();
    } else {
      a.release();
      state = State.FALLBACK;
      queue.resolve(vine.addRef());
    }
  }

  private void releaseVine() {
    ImportClient v = vine;
    vine = null;
    if (v != null) {
      v.release();
    }
  }

  private String describeContact() {
    AnyPointer.Reader c = contact.getRootAnyPointer().asReader();
    try {
      return c.getAs(dev.capnp.runtime.Text.FACTORY).toString();
    } catch (RuntimeException e) {
      return "(contact)";
    }
  }

  // ================================================================== the hook's interface

  @Override
  public CallResult call(CallParams params) {
    return use().call(params);
  }

  @Override
  int writeDescriptor(Rpc.CapDescriptor.Builder d) {
    if (state == State.DEFERRED && vine != null) {
      // back to the introducer: the vine names the capability there
      return vine.writeDescriptor(d);
    }
    return protocol.exports.writeDescriptor(use(), d);
  }

  @Override
  void writeTarget(Rpc.MessageTarget.Builder t) {
    if ((state == State.DEFERRED || state == State.FALLBACK) && vine != null) {
      vine.writeTarget(t);
      return;
    }
    throw new ProtocolError("third-party capability no longer points into this connection");
  }

  @Override
  public ClientHook getResolved() {
    return state == State.DEFERRED ? null : current;
  }

  @Override
  public ResolutionSignal resolutionSignal() {
    return state == State.DEFERRED ? started : null;
  }

  /** A wait for the resolution (whenResolved) starts the handoff, as a call does. */
  @Override
  public ResolutionSignal demandResolution() {
    if (state == State.DEFERRED) {
      start();
      return started; // (fired: the waiter looks again and finds the queue)
    }
    return resolutionSignal();
  }

  @Override
  public RpcException brokenReason() {
    ClientHook c = current;
    return c == null ? protocol.disconnectReason() : c.brokenReason();
  }

  @Override
  public void destroy() {
    destroyed = true;
    ListenerList.Listener.cancel(acceptWatch);
    acceptWatch = null;
    if (accepting != null) {
      accepting.release(); // (Finish of the unanswered Accept: Bob stops waiting)
      accepting = null;
    }
    if (current instanceof QueuedClient && !((QueuedClient) current).isResolved()) {
      // dropped during the handoff: the calls made before (held here, none sent to Bob) are
      // not canceled by the release; they go through the vine, as in the fallback
      state = State.FALLBACK;
      ((QueuedClient) current).resolve(vine != null ? vine.addRef()
          : new dev.capnp.rpc.internal.BrokenClient(loop,
              RpcException.disconnected("third-party capability released")));
    }
    if (current != null) {
      current.release();
    }
    releaseVine();
  }

  /** The handoff's state (diagnostics and tests). */
  State state() {
    return state;
  }

  @Override
  public String describe() {
    ClientHook c = current;
    return "thirdParty(" + state + ", " + describeContact()
        + (c == null ? "" : " -> " + c.describe()) + ")";
  }
}
