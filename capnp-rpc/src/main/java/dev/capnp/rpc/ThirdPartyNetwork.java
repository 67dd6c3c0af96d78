package dev.capnp.rpc;

import dev.capnp.runtime.AnyPointer;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The part of a vat network that three-party handoff (Level 3 of the RPC protocol) needs: how
 * the vat holding a capability hosted by one peer (the <em>introducer</em>, Alice) introduces
 * another peer (the <em>recipient</em>, Carol) to the capability's host (Bob), how Carol reaches
 * Bob, and how Bob matches Carol's {@code Accept} with Alice's {@code Provide}. The three values
 * exchanged are the schema's {@code ThirdPartyToContact} (Alice to Carol),
 * {@code ThirdPartyToAwait} (Alice to Bob) and {@code ThirdPartyCompletion} (Carol to Bob),
 * opaque to the protocol (any pointer) and defined by the network; see "Level 3: three-party
 * handoff" in {@code docs/ARCHITECTURE.md}. These are the Level 3 methods of C++'s
 * {@code VatNetwork::Connection} on capnproto master.
 *
 * <p>An {@link RpcConnection} takes part only if given a network
 * ({@link RpcConnection#thirdPartyNetwork}) before it starts and the network reports that the
 * peer announced Level 3 on it ({@link #peerSupportsLevel3}); otherwise the connection behaves
 * as a Level 1 connection (a C++ 0.9.2 peer never receives a Level 3 message).
 *
 * <p>Threading: each method is called on the event loop of the connection it names (a vat's
 * connections normally share one loop); the returned stages may complete on any thread.
 * Experimental: this interface may change while Level 3 is completed.
 */
public interface ThirdPartyNetwork {

  /**
   * Whether the peer of {@code connection} announced Level 3 support on this network (and this
   * side offers it). Asked when the connection starts; false keeps the connection at Level 1.
   *
   * @param connection one of this network's connections
   * @return whether three-party handoffs may involve this connection
   */
  boolean peerSupportsLevel3(RpcConnection connection);

  /**
   * Forwarder: whether this vat sends a tail call made by its handler of a Level 3 caller's
   * call on to the callee with {@code sendResultsTo.thirdParty} (three-party call forwarding:
   * the callee returns the results straight to the caller's vat), instead of proxying the
   * results back through this vat. Forwarding costs nine messages and three vats' work per
   * call where proxying costs six; it pays when the results are large or the caller is far
   * from this vat, not for small calls between vats on one host (see "Three-party call
   * forwarding" in {@code docs/ARCHITECTURE.md}). A vat always accepts calls forwarded to it
   * and results forwarded to it, whatever this says. Default: false.
   *
   * @return whether this vat forwards tail calls to third parties
   */
  default boolean forwardsCalls() {
    return false;
  }

  /**
   * Introducer: prepares the handoff of a capability hosted by {@code provider}'s peer to
   * {@code recipient}'s peer. Writes the {@code ThirdPartyToContact} that goes to the recipient
   * (in a {@code CapDescriptor.thirdPartyHosted}) and the {@code ThirdPartyToAwait} that goes to
   * the host (in {@code Provide.recipient}). Returns false if these two peers cannot be
   * introduced (then the capability is proxied through this vat, as at Level 1).
   *
   * @param provider the connection to the capability's host
   * @param recipient the connection to the vat receiving the capability
   * @param contact where to write the value for the recipient
   * @param await where to write the value for the host
   * @return whether the introduction was written
   */
  boolean introduce(RpcConnection provider, RpcConnection recipient, AnyPointer.Builder contact,
      AnyPointer.Builder await);

  /**
   * Recipient: connects to the host named by {@code contact} (received from the introducer on
   * {@code from}), reusing an existing connection to that vat if there is one. The stage
   * fails if the host cannot be reached; the caller then falls back to the introducer's vine.
   *
   * @param from the connection the contact came on (to the introducer)
   * @param contact the {@code ThirdPartyToContact} received (valid during the call only)
   * @return the connection to the host and the {@code ThirdPartyCompletion} to send it
   */
  CompletionStage<Introduced> connectToIntroduced(RpcConnection from, AnyPointer.Reader contact);

  /**
   * Host: a {@code Provide} received on {@code from} offers {@code value} to the recipient
   * described by {@code await}. The offer stands until the returned action withdraws it (the
   * introducer's {@code Finish}, or the connection's end).
   *
   * @param from the connection to the introducer
   * @param await the {@code ThirdPartyToAwait} received (valid during the call only)
   * @param value what a matching {@link #completeThirdParty} receives
   * @return withdraws the offer (idempotent)
   */
  Runnable awaitThirdParty(RpcConnection from, AnyPointer.Reader await, Object value);

  /**
   * Host: an {@code Accept} received on {@code from} names {@code completion}. Completes with the
   * value of the matching {@link #awaitThirdParty} (now, or when its {@code Provide} arrives),
   * and fails if there is none to match or {@code from}'s peer is not the intended recipient.
   * The host bounds its wait ({@link ConnectionLimits#acceptTimeoutMillis()}) and stops waiting
   * when the {@code Accept} is finished or its connection lost; it then cancels the returned
   * stage ({@code toCompletableFuture().cancel(false)}), after which the network may forget the
   * wait (a network that ignores the cancellation only keeps the wait a while longer).
   *
   * @param from the connection to the recipient
   * @param completion the {@code ThirdPartyCompletion} received (valid during the call only)
   * @return the offered value
   */
  CompletionStage<Object> completeThirdParty(RpcConnection from, AnyPointer.Reader completion);

  /**
   * The outcome of {@link #connectToIntroduced}: the connection to the host (started, on the
   * recipient's event loop) and the writer of the {@code ThirdPartyCompletion} for its
   * {@code Accept}.
   *
   * @param connection the connection to the capability's host
   * @param completion writes the {@code ThirdPartyCompletion} into the {@code Accept}
   */
  record Introduced(RpcConnection connection, Consumer<AnyPointer.Builder> completion) {
  }
}
