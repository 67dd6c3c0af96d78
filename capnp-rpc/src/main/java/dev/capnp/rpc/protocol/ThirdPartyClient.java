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
 * used; the first call (or wait for its resolution) connects to the host (Bob) through the
 * network and sends {@code Accept}, calls queue until the connection is there and then go to
 * Bob pipelined on the Accept, in order. When the Accept returns, the vine (an import of
 * Alice's that proxies to the capability) is released, which ends the handoff. If Bob cannot be
 * reached (or does not speak Level 3), the calls go through the vine instead: the fallback.
 *
 * <h2>States</h2>
 * <pre>
 *   DEFERRED ──(first use)──► CONNECTING ──(connected: Accept sent)──► ACCEPTING
 *   ACCEPTING ──(Return: the capability)──► DIRECT (vine released)
 *   ACCEPTING ──(Return: exception)──► BROKEN (vine released)
 *   CONNECTING ──(unreachable, or the host does not speak Level 3)──► FALLBACK (through the vine)
 * </pre>
 * Sent back to the introducer before use, it is described as the vine ({@code receiverHosted}).
 * When a promise that had carried calls (through Alice) resolves to it, its Accept is embargoed
 * ({@link #needEmbargo}): a {@code Disembargo.accept} goes to the vine, which Alice forwards to
 * Bob after those calls.
 */
final class ThirdPartyClient extends RpcClient {
  private static final SecureRandom RANDOM = new SecureRandom();

  enum State { DEFERRED, CONNECTING, ACCEPTING, DIRECT, FALLBACK, BROKEN }

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
    ClientHook accepted = host.questions.accept(in.completion(), embargo);
    ResolutionSignal s = accepted.resolutionSignal();
    queue.resolve(accepted);
    if (s == null) {
      acceptReturned();
    } else {
      acceptWatch = s.add(this::acceptReturned);
    }
  }

  /** The Accept returned (the capability, or an error): the handoff is over. */
  private void acceptReturned() {
    acceptWatch = null;
    if (destroyed) {
      return;
    }
    ClientHook s = ClientHook.shorten(current);
    state = s.brokenReason() != null ? State.BROKEN : State.DIRECT;
    releaseVine();
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
