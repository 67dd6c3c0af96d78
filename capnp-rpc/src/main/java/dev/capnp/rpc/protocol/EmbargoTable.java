package dev.capnp.rpc.protocol;

import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.CrossLoopClient;
import dev.capnp.rpc.internal.QueuedClient;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.MessageBuilder;

/**
 * The embargoes table: our {@code Disembargo} requests awaiting their echo, by ids we choose,
 * and the reflection of the peer's requests.
 *
 * <p>Why embargoes exist (rpc.capnp, {@code Disembargo}): when a promise of the peer that we
 * already sent calls through resolves to a capability of our own, new calls would reach it
 * directly, before the earlier ones come back from their trip through the peer. So new calls
 * queue, we send {@code Disembargo(senderLoopback)} along the old path, and the peer reflects it
 * back ({@code receiverLoopback}) behind the earlier calls; its arrival lifts the embargo.
 *
 * <h2>Lifecycle of an {@link Embargo}</h2>
 * <pre>
 *   (promise with calls sent through it resolves to a local capability: Disembargo sent)
 *       ──► AWAITING_LOOPBACK
 *   AWAITING_LOOPBACK ──(Disembargo receiverLoopback received)──► LIFTED, removed
 *   AWAITING_LOOPBACK ──(disconnect)──► LIFTED (queued calls fail), removed
 * </pre>
 * Confined to the connection's loop.
 */
public final class EmbargoTable {
  /** The state of one embargo (see the class comment). */
  enum State {
    /** Our Disembargo is on its way round; calls queue. */
    AWAITING_LOOPBACK,
    /** The echo came back (or the connection ended); queued calls went on. */
    LIFTED
  }

  /** A local embargo waiting for its Disembargo to come back. */
  static final class Embargo {
    State state = State.AWAITING_LOOPBACK;
    /** Where calls queue meanwhile (one reference held by the embargo). */
    final QueuedClient queue;
    /** What the queue resolves to when lifted (owned). */
    final ClientHook replacement;

    Embargo(QueuedClient queue, ClientHook replacement) {
      this.queue = queue;
      this.replacement = replacement;
    }

    /** AWAITING_LOOPBACK → LIFTED: the queued calls go on to {@code target}. */
    void lift(ClientHook target) {
      state = State.LIFTED;
      queue.resolve(target);
      queue.release();
    }
  }

  private final RpcProtocol protocol;
  private final IdTable<Embargo> embargoes = new IdTable<>();

  EmbargoTable(RpcProtocol protocol) {
    this.protocol = protocol;
  }

  int size() {
    return embargoes.size();
  }

  /**
   * Embargoes {@code replacement} (owned), the local capability that {@code oldPath} (one of the
   * peer's capabilities we sent calls through) resolved to: sends the Disembargo along
   * {@code oldPath} and returns the queue that stands for {@code replacement} until its echo.
   */
  ClientHook embargo(RpcClient oldPath, ClientHook replacement) {
    QueuedClient queue = protocol.delivery.queued("embargo");
    queue.addRef();
    int id = embargoes.add(new Embargo(queue, replacement));
    MessageBuilder mb = RpcMessages.newMessage();
    Rpc.Disembargo.Builder d = mb.initRoot(Rpc.Message.FACTORY).initDisembargo();
    oldPath.writeTarget(d.initTarget());
    d.initContext().setSenderLoopback(id);
    protocol.send(mb);
    return queue;
  }

  /** {@code Disembargo} from the peer: reflect its request, or lift one of our embargoes. */
  void handleDisembargo(Rpc.Message.Reader msg) {
    Rpc.Disembargo.Reader d = msg.getDisembargo();
    Rpc.Disembargo.Context.Reader ctx = d.getContext();
    switch (ctx.which()) {
      case SENDER_LOOPBACK: {
        ClientHook t = protocol.answers.messageTarget(d.getTarget());
        int embargoId = ctx.getSenderLoopback();
        protocol.outbox().later(() -> reflect(t, embargoId));
        break;
      }
      case RECEIVER_LOOPBACK: {
        Embargo e = embargoes.remove(ctx.getReceiverLoopback());
        if (e == null) {
          throw new ProtocolError("Invalid embargo ID " + ctx.getReceiverLoopback());
        }
        e.lift(e.replacement);
        break;
      }
      case ACCEPT:
        if (protocol.level3()) {
          ThirdPartyHandoff.handleDisembargoAccept(protocol, d);
        } else {
          protocol.sendUnimplemented(msg);
        }
        break;
      default:
        protocol.sendUnimplemented(msg);
        break;
    }
  }

  /**
   * Answers a {@code Disembargo} (senderLoopback) sent to {@code t} (owned) once every call the
   * peer sent to {@code t} before it has been passed back to the peer. Normally {@code t}
   * already resolved to one of the peer's capabilities. A local promise that is still on its
   * way there (it crosses an event loop, whose own embargo holds later calls back, see
   * {@link CrossLoopClient}) is waited for: the earlier calls travel through it.
   */
  private void reflect(ClientHook t, int embargoId) {
    if (protocol.isDisconnected()) {
      t.release();
      return;
    }
    ClientHook s = ClientHook.shorten(t);
    if (s.brand() != protocol && s.resolutionSignal() != null) {
      protocol.delivery.whenMoreResolved(s, () -> reflect(t, embargoId));
      return;
    }
    try {
      MessageBuilder mb = RpcMessages.newMessage();
      Rpc.Disembargo.Builder out = mb.initRoot(Rpc.Message.FACTORY).initDisembargo();
      if (protocol.owns(s)) {
        ((RpcClient) s).writeTarget(out.initTarget());
      } else if (s.brokenReason() == null || !writeLastTargetOfOurs(t, out.initTarget())) {
        // (broken: it did point back to the sender, but the peer's capability it resolved to
        // broke since, e.g. we broke a promise cycle closed through the peer's Resolve; the
        // peer sent this before it could know, and its embargo still waits for the echo)
        throw new ProtocolError("'Disembargo' of type 'senderLoopback' sent to an object"
            + " that does not point back to the sender");
      }
      out.initContext().setReceiverLoopback(embargoId);
      protocol.send(mb);
    } catch (ProtocolError e) {
      protocol.abort(RpcException.failed(e.getMessage()));
    } finally {
      t.release();
    }
  }

  /**
   * Writes the target of the last of the peer's capabilities on {@code h}'s resolution chain
   * (an import, an imported promise, a pipelined answer); false if there is none.
   */
  private boolean writeLastTargetOfOurs(ClientHook h, Rpc.MessageTarget.Builder t) {
    ClientHook found = null;
    for (int i = 0; i < 1000 && h != null; i++) {
      if (h.brand() == protocol && (h instanceof ImportClient || h instanceof PipelineClient
          || h instanceof PromiseClient)) {
        found = h;
      }
      h = h.getResolved();
    }
    if (found instanceof PromiseClient) {
      ((PromiseClient) found).writeInitialTarget(t);
    } else if (found != null) {
      ((RpcClient) found).writeTarget(t);
    }
    return found != null;
  }

  /** The connection is gone: queued calls fail with {@code e}; the table empties. */
  void clear(RpcException e) {
    java.util.ArrayList<Embargo> all = embargoes.values();
    embargoes.clear();
    for (Embargo x : all) {
      x.replacement.release();
      x.lift(protocol.delivery.broken(e));
    }
  }

  /** Every embargo in the table still awaits its echo, holding its queue and replacement. */
  String invariantViolation() {
    String[] bad = new String[1];
    embargoes.forEach((id, e) -> {
      if (bad[0] == null && (e.state != State.AWAITING_LOOPBACK || e.queue == null
          || e.replacement == null)) {
        bad[0] = "embargo " + id + " is " + e.state + " but still in the table";
      }
    });
    return bad[0];
  }

  void dump(StringBuilder sb) {
    sb.append("  embargoes:\n");
    embargoes.forEach((id, e) -> sb.append("    ").append(id).append(' ').append(e.state)
        .append(": ").append(e.queue).append('\n'));
  }
}
