package dev.capnp.net;

import dev.capnp.net.HandoffValues.Await;
import dev.capnp.net.HandoffValues.Completion;
import dev.capnp.net.HandoffValues.Contact;
import dev.capnp.net.HandoffValues.Nonce;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.ThirdPartyNetwork;
import dev.capnp.runtime.AnyPointer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Three-party handoff (Level 3) between {@link Vat}s: the {@link ThirdPartyNetwork} a vat gives
 * its TLS connections. A vat is named by its key fingerprint, which TLS authenticates on every
 * connection; the handoff values are {@code level3.capnp}'s ({@link HandoffValues}):
 * <ul>
 *   <li>introducer (Alice): introduces Carol to Bob only when both connections speak Level 3
 *   (both ends offered the ALPN name {@code capnp-java-level3}) and she knows an address for
 *   Bob that Carol may use: the one she dialled him at, else the first he announced in his
 *   {@code VatHello} ({@link HelloExchange}); a local address (loopback, Unix socket) only to a
 *   local Carol ({@link HandoffAddresses}). The contact carries Bob's fingerprint, that address
 *   and a fresh random nonce ({@link HandoffValues.Nonces}), the await Carol's fingerprint
 *   and the nonce;</li>
 *   <li>recipient (Carol): reaches Bob through the vat's connection table, so an existing TLS
 *   connection to Bob's fingerprint (dialled or accepted) is shared and a new one is dialled with
 *   the fingerprint pinned, within the vat's connect timeout (a contact naming a local address
 *   is refused unless Alice is local too); a host it cannot reach, that
 *   proves another key, or whose connection does not speak Level 3 fails the stage, and the
 *   protocol then calls through Alice instead;</li>
 *   <li>host (Bob): {@link HandoffOffers} matches Accepts with Provides.</li>
 * </ul>
 * The fingerprints and addresses in those values are encoded and parsed once each
 * ({@link HandoffTexts}), not for every handoff.
 *
 * <p>Threading: every method runs on the vat's event loop (the loop of all its connections,
 * as the protocol core calls them), so the tables here need no locks; never blocks.
 */
final class VatHandoffNetwork implements ThirdPartyNetwork {
  /** What the network needs from its vat. */
  interface Host {
    /** The vat's own key fingerprint. */
    AuthDigest digest();

    /** The vat's event loop. */
    EventLoop loop();

    /**
     * A started Level-3-capable TLS connection to the vat with key {@code host}: the vat's
     * shared connection to it, or one dialled at {@code address}; completes on the loop.
     */
    CompletableFuture<RpcConnection> connectForHandoff(AuthDigest host, NetAddress address);
  }

  /**
   * What the network knows of one connection: the peer's fingerprint, the address this vat
   * dialled it at (null if the peer dialled), whether the connection speaks Level 3, whether it
   * is local ({@link HandoffAddresses}), and the addresses the peer announced (its
   * {@code VatHello}, read by the time the peer's first RPC message is).
   */
  private record Peer(AuthDigest digest, NetAddress dialled, boolean level3, boolean local,
      Supplier<List<NetAddress>> announced) {
  }

  private final Host vat;
  private final boolean callForwarding;
  private final Map<RpcConnection, Peer> peers = new HashMap<>();
  private final HandoffOffers offers = new HandoffOffers();
  /** The fingerprints' and addresses' texts, encoded and parsed once each. */
  private final HandoffTexts texts = new HandoffTexts();
  private final HandoffValues.Nonces nonces = new HandoffValues.Nonces();

  /** The network of {@code vat}, which forwards tail calls iff {@code callForwarding}. */
  VatHandoffNetwork(Host vat, boolean callForwarding) {
    this.vat = vat;
    this.callForwarding = callForwarding;
  }

  /**
   * Makes {@code rpc} (not started yet) a connection of this network: its peer has key
   * {@code peer}, was dialled at {@code dialled} (null: it dialled us), and announced Level 3
   * iff {@code level3}. On the loop.
   */
  void attach(RpcConnection rpc, AuthDigest peer, NetAddress dialled, boolean level3) {
    attach(rpc, peer, dialled, level3, true, List::of);
  }

  /**
   * Makes {@code rpc} (not started yet) a connection of this network, as
   * {@link #attach(RpcConnection, AuthDigest, NetAddress, boolean)}; the connection is local
   * iff {@code local}, and {@code announced} gives the addresses the peer announced (it may
   * change from empty to the announcement once, before the peer's first RPC message). On the
   * loop.
   */
  void attach(RpcConnection rpc, AuthDigest peer, NetAddress dialled, boolean level3,
      boolean local, Supplier<List<NetAddress>> announced) {
    peers.put(rpc, new Peer(peer, dialled, level3, local, announced));
    rpc.thirdPartyNetwork(this);
  }

  /** {@code rpc} is lost: forget it, its waiting Accepts and its offers. On the loop. */
  void detach(RpcConnection rpc) {
    if (peers.remove(rpc) != null) {
      offers.connectionLost(rpc);
    }
  }

  /** Connections attached and not yet lost (for leak checks). On the loop. */
  int connections() {
    return peers.size();
  }

  /**
   * An attached connection whose peer has key {@code peer}, or null (for tests). On the loop.
   */
  RpcConnection connectionTo(AuthDigest peer) {
    for (Map.Entry<RpcConnection, Peer> e : peers.entrySet()) {
      if (e.getValue().digest().equals(peer)) {
        return e.getKey();
      }
    }
    return null;
  }

  /** Offers standing and Accepts waiting at this vat as a host (for leak checks). On the loop. */
  int offers() {
    return offers.size();
  }

  @Override
  public boolean forwardsCalls() {
    return callForwarding; // (VatConfig.callForwarding)
  }

  @Override
  public boolean peerSupportsLevel3(RpcConnection connection) {
    Peer p = peers.get(connection);
    return p != null && p.level3();
  }

  @Override
  public boolean introduce(RpcConnection provider, RpcConnection recipient,
      AnyPointer.Builder contact, AnyPointer.Builder await) {
    Peer host = peers.get(provider);
    Peer to = peers.get(recipient);
    if (host == null || to == null || !host.level3() || !to.level3()) {
      return false;
    }
    if (host.digest().equals(to.digest())) {
      return false; // a self-introduction (two connections to one vat): proxied
    }
    NetAddress address = contactAddress(host, to);
    if (address == null) {
      return false; // no address for Bob that Carol may use: proxied instead
    }
    Nonce nonce = nonces.next();
    new Contact(host.digest(), address, nonce).write(contact, texts);
    new Await(to.digest(), nonce).write(await, texts);
    return true;
  }

  /**
   * The address to give {@code to} for {@code host}: the one this vat dialled the host at, else
   * the first the host announced; a local address only to a local recipient; null if none.
   */
  private static NetAddress contactAddress(Peer host, Peer to) {
    if (host.dialled() != null && (to.local() || !HandoffAddresses.isLocal(host.dialled()))) {
      return host.dialled();
    }
    for (NetAddress a : host.announced().get()) {
      if (to.local() || !HandoffAddresses.isLocal(a)) {
        return a;
      }
    }
    return null;
  }

  @Override
  public CompletionStage<Introduced> connectToIntroduced(RpcConnection from,
      AnyPointer.Reader contact) {
    Contact c;
    Completion completion;
    try {
      Peer introducer = peers.get(from);
      if (introducer == null || !introducer.level3()) {
        throw RpcException.failed("Three-party handoff: the contact came on a connection "
            + "that does not speak Level 3");
      }
      c = Contact.read(contact, texts);
      if (c.host().equals(vat.digest())) {
        throw RpcException.failed("Three-party handoff: the contact names this vat as the host");
      }
      if (!introducer.local() && HandoffAddresses.isLocal(c.address())) {
        throw RpcException.failed("Three-party handoff: the contact names a local address ("
            + c.address() + ") but came from an introducer on another host: not dialled");
      }
      completion = new Completion(introducer.digest(), c.nonce());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Function<RpcConnection, Introduced> introduced = conn -> {
      Peer host = peers.get(conn);
      if (host == null || !host.level3()) {
        throw RpcException.failed("Three-party handoff: the connection to " + c.host() + " at "
            + c.address() + " does not speak Level 3");
      }
      return new Introduced(conn, p -> completion.write(p, texts));
    };
    CompletableFuture<RpcConnection> dial = vat.connectForHandoff(c.host(), c.address());
    if (dial.isDone() && !dial.isCompletedExceptionally() && vat.loop().inLoop()) {
      // a connection at hand: introduced now, so that a callee adopts a forwarded call before
      // delivering it, and a tail call of its handler can be forwarded again (see
      // ThirdPartyForwarding.startCallee)
      try {
        return CompletableFuture.completedFuture(introduced.apply(dial.join()));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return dial.thenApplyAsync(introduced, vat.loop());
  }

  @Override
  public Runnable awaitThirdParty(RpcConnection from, AnyPointer.Reader await, Object value) {
    Peer introducer = peers.get(from);
    if (introducer == null || !introducer.level3()) {
      throw RpcException.failed("Three-party handoff: a Provide on a connection that does not "
          + "speak Level 3");
    }
    return offers.offer(introducer.digest(), from, Await.read(await, texts), value);
  }

  @Override
  public CompletionStage<Object> completeThirdParty(RpcConnection from,
      AnyPointer.Reader completion) {
    try {
      Peer accepter = peers.get(from);
      if (accepter == null || !accepter.level3()) {
        throw RpcException.failed("Three-party handoff: an Accept on a connection that does "
            + "not speak Level 3");
      }
      return offers.accept(accepter.digest(), from, Completion.read(completion, texts));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
