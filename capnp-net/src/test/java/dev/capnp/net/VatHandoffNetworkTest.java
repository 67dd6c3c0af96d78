package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.proto.Level3;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.ThirdPartyNetwork;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The handoff network's rules, one vat's network at a time with unstarted connections standing
 * for its peers (the keys are made up: TLS is not involved): who gets introduced, what the
 * values carry, how the host matches Accepts with Provides (recipient check, Accept before
 * Provide, withdrawal, lost connections) and how bad values are refused.
 */
class VatHandoffNetworkTest {
  private static final AuthDigest SELF = digest(1);
  private static final AuthDigest ALICE = digest(2);
  private static final AuthDigest BOB = digest(3);
  private static final AuthDigest CAROL = digest(4);
  private static final AuthDigest EVE = digest(5);
  private static final NetAddress BOB_AT = NetAddress.tcp("127.0.0.1", 4711);

  private final EventLoop loop = EventLoop.manual();
  private final AtomicReference<CompletableFuture<RpcConnection>> dialled =
      new AtomicReference<>();
  private final List<Object[]> dials = new ArrayList<>();
  private final VatHandoffNetwork net = new VatHandoffNetwork(new VatHandoffNetwork.Host() {
    @Override
    public AuthDigest digest() {
      return SELF;
    }

    @Override
    public EventLoop loop() {
      return loop;
    }

    @Override
    public CompletableFuture<RpcConnection> connectForHandoff(AuthDigest host,
        NetAddress address) {
      dials.add(new Object[] {host, address});
      return dialled.get();
    }
  }, false);

  @AfterEach
  void close() {
    loop.close();
  }

  private static AuthDigest digest(int b) {
    byte[] d = new byte[32];
    d[0] = (byte) b;
    return AuthDigest.ofSha256(d);
  }

  private RpcConnection conn(AuthDigest peer, NetAddress dialledAt, boolean level3) {
    RpcConnection c = new RpcConnection(loop, InMemoryTransport.pair(false)[0], null,
        "to " + peer);
    net.attach(c, peer, dialledAt, level3);
    return c;
  }

  private static AnyPointer.Builder pointer() {
    return new MessageBuilder(16).getRootAnyPointer();
  }

  /** As the introducer: the contact and the await written for {@code provider, recipient}. */
  private AnyPointer.Builder[] introduce(RpcConnection provider, RpcConnection recipient) {
    AnyPointer.Builder contact = pointer();
    AnyPointer.Builder await = pointer();
    assertThat(net.introduce(provider, recipient, contact, await)).isTrue();
    return new AnyPointer.Builder[] {contact, await};
  }

  private static AnyPointer.Builder completion(AuthDigest introducer, byte[] nonce) {
    AnyPointer.Builder p = pointer();
    Level3.ThirdPartyCompletion.Builder b = p.initAs(Level3.ThirdPartyCompletion.FACTORY);
    b.setIntroducer(introducer.toString());
    b.setNonce(nonce);
    return p;
  }

  private static Throwable failure(CompletableFuture<?> f) {
    assertThat(f).isCompletedExceptionally();
    try {
      f.join();
      throw new AssertionError("not failed");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void introducesOnlyBetweenLevel3ConnectionsToADialledHost() {
    RpcConnection bob = conn(BOB, BOB_AT, true);
    RpcConnection carol = conn(CAROL, null, true);
    AnyPointer.Builder[] v = introduce(bob, carol);
    Level3.ThirdPartyToContact.Reader contact =
        v[0].asReader().getAs(Level3.ThirdPartyToContact.FACTORY);
    Level3.ThirdPartyToAwait.Reader await =
        v[1].asReader().getAs(Level3.ThirdPartyToAwait.FACTORY);
    assertThat(contact.getHost().toString()).isEqualTo(BOB.toString());
    assertThat(contact.getAddress().toString()).isEqualTo("tcp:127.0.0.1:4711");
    assertThat(contact.getNonce().toArray()).hasSize(HandoffValues.NONCE_BYTES);
    assertThat(await.getRecipient().toString()).isEqualTo(CAROL.toString());
    assertThat(await.getNonce().toArray()).isEqualTo(contact.getNonce().toArray());
    // a fresh nonce per introduction
    AnyPointer.Builder[] again = introduce(bob, carol);
    assertThat(again[0].asReader().getAs(Level3.ThirdPartyToContact.FACTORY).getNonce()
        .toArray()).isNotEqualTo(contact.getNonce().toArray());

    // Bob dialled us and announced no address: none to give
    RpcConnection bobDialledUs = conn(BOB, null, true);
    assertThat(net.introduce(bobDialledUs, carol, pointer(), pointer())).isFalse();
    // either side at Level 1
    assertThat(net.introduce(conn(BOB, BOB_AT, false), carol, pointer(), pointer())).isFalse();
    assertThat(net.introduce(bob, conn(CAROL, null, false), pointer(), pointer())).isFalse();
    // self-introduction: the recipient is the host
    assertThat(net.introduce(bob, conn(BOB, null, true), pointer(), pointer())).isFalse();
    // a connection the network does not know (e.g. lost meanwhile)
    net.detach(carol);
    assertThat(net.introduce(bob, carol, pointer(), pointer())).isFalse();
    assertThat(net.peerSupportsLevel3(carol)).isFalse();
    assertThat(net.peerSupportsLevel3(bob)).isTrue();
  }

  /** A Level 3 connection, local or not, to a peer that announced {@code announced}. */
  private RpcConnection peer(AuthDigest peer, NetAddress dialledAt, boolean local,
      NetAddress... announced) {
    RpcConnection c = new RpcConnection(loop, InMemoryTransport.pair(false)[0], null,
        "to " + peer);
    net.attach(c, peer, dialledAt, true, local, () -> List.of(announced));
    return c;
  }

  private static String contactAddress(AnyPointer.Builder[] values) {
    return values[0].asReader().getAs(Level3.ThirdPartyToContact.FACTORY).getAddress()
        .toString();
  }

  @Test
  void namesTheAddressTheHostAnnouncedWhenTheHostDialledUs() {
    NetAddress lan = NetAddress.tcp("192.0.2.7", 4711);
    NetAddress lan2 = NetAddress.tcp("192.0.2.8", 4711);
    RpcConnection carol = peer(CAROL, null, false);
    // Bob dialled us: the first address he announced
    assertThat(contactAddress(introduce(peer(BOB, null, false, lan, lan2), carol)))
        .isEqualTo("tcp:192.0.2.7:4711");
    // we dialled Bob: the address we dialled, whatever he announced
    assertThat(contactAddress(introduce(peer(BOB, NetAddress.tcp("192.0.2.9", 1), false, lan),
        carol))).isEqualTo("tcp:192.0.2.9:1");
    // the announcement is read when the introduction is made (it arrives before Bob's messages)
    List<NetAddress> later = new ArrayList<>();
    RpcConnection bob = new RpcConnection(loop, InMemoryTransport.pair(false)[0], null, "bob");
    net.attach(bob, BOB, null, true, false, () -> List.copyOf(later));
    assertThat(net.introduce(bob, carol, pointer(), pointer())).isFalse();
    later.add(lan2);
    assertThat(contactAddress(introduce(bob, carol))).isEqualTo("tcp:192.0.2.8:4711");
  }

  @Test
  void localAddressesAreNamedOnlyToLocalRecipients() {
    NetAddress loopback = NetAddress.tcp("127.0.0.1", 4711);
    NetAddress socket = NetAddress.unix("/run/bob.sock");
    NetAddress lan = NetAddress.tcp("192.0.2.7", 4711);
    RpcConnection localCarol = peer(CAROL, null, true);
    RpcConnection remoteCarol = peer(CAROL, null, false);
    // Bob on this host, dialled over loopback
    RpcConnection bob = peer(BOB, loopback, true, socket, lan);
    assertThat(contactAddress(introduce(bob, localCarol))).isEqualTo("tcp:127.0.0.1:4711");
    assertThat(contactAddress(introduce(bob, remoteCarol))).isEqualTo("tcp:192.0.2.7:4711");
    // Bob dialled us over a Unix socket and announced only local addresses
    RpcConnection bobLocalOnly = peer(BOB, null, true, socket, loopback);
    assertThat(contactAddress(introduce(bobLocalOnly, localCarol))).isEqualTo("unix:/run/bob.sock");
    assertThat(net.introduce(bobLocalOnly, remoteCarol, pointer(), pointer())).isFalse();
  }

  @Test
  void aRecipientDialsALocalContactOnlyFromALocalIntroducer() {
    RpcConnection bob = peer(BOB, NetAddress.tcp("127.0.0.1", 4711), true);
    AnyPointer.Builder contact = introduce(bob, peer(CAROL, null, true))[0];
    // now as Carol, whose introducer is on another host: the contact's loopback address would
    // be Carol's own
    dialled.set(CompletableFuture.failedFuture(new AssertionError("must not dial")));
    RpcConnection remoteAlice = peer(ALICE, null, false);
    assertThat(failure(net.connectToIntroduced(remoteAlice, contact.asReader())
        .toCompletableFuture())).hasMessage("Three-party handoff: the contact names a local "
            + "address (tcp:127.0.0.1:4711) but came from an introducer on another host: "
            + "not dialled");
    assertThat(dials).isEmpty();
    // from a local introducer it is dialled
    RpcConnection toBob = peer(BOB, null, true);
    dialled.set(CompletableFuture.completedFuture(toBob));
    CompletableFuture<ThirdPartyNetwork.Introduced> f = net.connectToIntroduced(
        peer(ALICE, null, true), contact.asReader()).toCompletableFuture();
    loop.runPending();
    assertThat(f.join().connection()).isSameAs(toBob);
  }

  @Test
  void hostGivesTheOfferOnlyToTheIntendedRecipient() {
    RpcConnection alice = conn(ALICE, null, true);
    RpcConnection carol = conn(CAROL, null, true);
    RpcConnection eve = conn(EVE, null, true);
    byte[] nonce = new byte[16];
    nonce[3] = 9;
    AnyPointer.Builder await = pointer();
    new HandoffValues.Await(CAROL, new HandoffValues.Nonce(nonce))
        .write(await, HandoffTexts.UNCACHED);
    Runnable withdraw = net.awaitThirdParty(alice, await.asReader(), "X");

    CompletableFuture<Object> byEve = net.completeThirdParty(eve,
        completion(ALICE, nonce).asReader()).toCompletableFuture();
    assertThat(failure(byEve)).isInstanceOf(RpcException.class)
        .hasMessageContaining("is not the intended recipient")
        .hasMessageContaining(EVE.toString());
    // another introducer's nonce space: no match, waits (until its connection is lost)
    CompletableFuture<Object> otherIntroducer = net.completeThirdParty(carol,
        completion(BOB, nonce).asReader()).toCompletableFuture();
    assertThat(otherIntroducer).isNotDone();

    // the refusal took nothing: Carol still gets it, as often as she accepts
    assertThat(net.completeThirdParty(carol, completion(ALICE, nonce).asReader())
        .toCompletableFuture().join()).isEqualTo("X");
    assertThat(net.completeThirdParty(carol, completion(ALICE, nonce).asReader())
        .toCompletableFuture().join()).isEqualTo("X");

    withdraw.run();
    withdraw.run(); // idempotent
    assertThat(failure(net.completeThirdParty(carol, completion(ALICE, nonce).asReader())
        .toCompletableFuture())).hasMessageContaining("withdrawn");
    assertThat(net.offers()).isEqualTo(1); // Carol's Accept under Bob's name still waits
    net.detach(carol);
    assertThat(failure(otherIntroducer)).hasMessageContaining("connection was lost");
    assertThat(net.offers()).isZero();
  }

  @Test
  void anAcceptBeforeItsProvideWaitsForIt() {
    RpcConnection alice = conn(ALICE, null, true);
    RpcConnection carol = conn(CAROL, null, true);
    RpcConnection eve = conn(EVE, null, true);
    byte[] nonce = new byte[20];
    nonce[0] = 1;
    CompletableFuture<Object> early = net.completeThirdParty(carol,
        completion(ALICE, nonce).asReader()).toCompletableFuture();
    CompletableFuture<Object> eves = net.completeThirdParty(eve,
        completion(ALICE, nonce).asReader()).toCompletableFuture();
    assertThat(early).isNotDone();
    assertThat(eves).isNotDone();
    AnyPointer.Builder await = pointer();
    new HandoffValues.Await(CAROL, new HandoffValues.Nonce(nonce))
        .write(await, HandoffTexts.UNCACHED);
    Runnable withdraw = net.awaitThirdParty(alice, await.asReader(), "X");
    assertThat(early.join()).isEqualTo("X");
    assertThat(failure(eves)).hasMessageContaining("not the intended recipient");
    // the introducer's connection lost: its offers go
    net.detach(alice);
    assertThat(net.offers()).isZero();
    withdraw.run(); // (the core withdraws too: harmless)
    assertThat(net.offers()).isZero();
  }

  @Test
  void aReusedNonceIsRefused() {
    RpcConnection alice = conn(ALICE, null, true);
    byte[] nonce = new byte[16];
    AnyPointer.Builder await = pointer();
    new HandoffValues.Await(CAROL, new HandoffValues.Nonce(nonce))
        .write(await, HandoffTexts.UNCACHED);
    Runnable withdraw = net.awaitThirdParty(alice, await.asReader(), "X");
    assertThatThrownBy(() -> net.awaitThirdParty(alice, await.asReader(), "Y"))
        .hasMessageContaining("duplicate Provide");
    withdraw.run();
    assertThatThrownBy(() -> net.awaitThirdParty(alice, await.asReader(), "Y"))
        .hasMessageContaining("nonce reused");
    assertThat(net.offers()).isZero();
  }

  @Test
  void theRecipientConnectsToTheContactAndCompletesWithItsIntroducer() {
    RpcConnection bob = conn(BOB, BOB_AT, true);
    RpcConnection carol = conn(CAROL, null, true);
    AnyPointer.Builder contact = introduce(bob, carol)[0];
    // now as Carol: the contact came from Alice; Bob is reached at the address given
    RpcConnection alice = conn(ALICE, null, true);
    RpcConnection toBob = conn(BOB, null, true);
    dialled.set(CompletableFuture.completedFuture(toBob));
    CompletableFuture<ThirdPartyNetwork.Introduced> f =
        net.connectToIntroduced(alice, contact.asReader()).toCompletableFuture();
    loop.runPending();
    ThirdPartyNetwork.Introduced in = f.join();
    assertThat(in.connection()).isSameAs(toBob);
    assertThat(dials).hasSize(1);
    assertThat(dials.get(0)).containsExactly(BOB, BOB_AT);
    AnyPointer.Builder c = pointer();
    in.completion().accept(c);
    Level3.ThirdPartyCompletion.Reader r = c.asReader().getAs(Level3.ThirdPartyCompletion.FACTORY);
    assertThat(r.getIntroducer().toString()).isEqualTo(ALICE.toString());
    assertThat(r.getNonce().toArray()).isEqualTo(contact.asReader()
        .getAs(Level3.ThirdPartyToContact.FACTORY).getNonce().toArray());

    // a connection to Bob that does not speak Level 3: the stage fails (the core falls back)
    dialled.set(CompletableFuture.completedFuture(conn(BOB, null, false)));
    CompletableFuture<ThirdPartyNetwork.Introduced> level1 =
        net.connectToIntroduced(alice, contact.asReader()).toCompletableFuture();
    loop.runPending();
    assertThat(failure(level1)).hasMessageContaining("does not speak Level 3");
    // unreachable
    dialled.set(CompletableFuture.failedFuture(RpcException.failed("Could not connect")));
    CompletableFuture<ThirdPartyNetwork.Introduced> down =
        net.connectToIntroduced(alice, contact.asReader()).toCompletableFuture();
    loop.runPending();
    assertThat(failure(down)).hasMessageContaining("Could not connect");
  }

  @Test
  void badValuesAreRefusedWithClearErrors() {
    RpcConnection alice = conn(ALICE, null, true);
    dialled.set(CompletableFuture.failedFuture(new AssertionError("must not dial")));
    AnyPointer.Builder empty = pointer();
    assertThat(failure(net.connectToIntroduced(alice, empty.asReader()).toCompletableFuture()))
        .hasMessage("Three-party handoff: missing ThirdPartyToContact");

    AnyPointer.Builder noAddress = pointer();
    Level3.ThirdPartyToContact.Builder b = noAddress.initAs(Level3.ThirdPartyToContact.FACTORY);
    b.setHost(BOB.toString());
    b.setNonce(new byte[16]);
    assertThat(failure(net.connectToIntroduced(alice, noAddress.asReader())
        .toCompletableFuture())).hasMessage("Three-party handoff: missing "
        + "ThirdPartyToContact.address");
    b.setAddress("ftp:x");
    assertThat(failure(net.connectToIntroduced(alice, noAddress.asReader())
        .toCompletableFuture())).hasMessageStartingWith("Three-party handoff: invalid "
        + "ThirdPartyToContact.address: ");
    b.setAddress("tcp:127.0.0.1:1");
    b.setHost("insecure");
    assertThat(failure(net.connectToIntroduced(alice, noAddress.asReader())
        .toCompletableFuture())).hasMessageContaining("invalid ThirdPartyToContact.host");
    b.setHost(SELF.toString());
    assertThat(failure(net.connectToIntroduced(alice, noAddress.asReader())
        .toCompletableFuture())).hasMessageContaining("names this vat as the host");
    b.setHost(BOB.toString());
    b.setNonce(new byte[8]);
    assertThat(failure(net.connectToIntroduced(alice, noAddress.asReader())
        .toCompletableFuture())).hasMessage("Three-party handoff: invalid "
        + "ThirdPartyToContact.nonce: 8 bytes, expected 16 to 64");
    // a contact on a Level 1 connection
    b.setNonce(new byte[16]);
    assertThat(failure(net.connectToIntroduced(conn(ALICE, null, false),
        noAddress.asReader()).toCompletableFuture())).hasMessageContaining("Level 3");
    assertThat(dials).isEmpty();

    // host side: an unreadable await throws (the core makes it a protocol error), nothing kept
    AnyPointer.Builder badAwait = pointer();
    badAwait.initAs(Level3.ThirdPartyToAwait.FACTORY).setNonce(new byte[16]);
    assertThatThrownBy(() -> net.awaitThirdParty(alice, badAwait.asReader(), "X"))
        .isInstanceOf(RpcException.class)
        .hasMessage("Three-party handoff: missing ThirdPartyToAwait.recipient");
    // an unreadable completion fails the Accept only
    assertThat(failure(net.completeThirdParty(alice, completion(BOB, new byte[100]).asReader())
        .toCompletableFuture())).hasMessageContaining("ThirdPartyCompletion.nonce: 100 bytes");
    AnyPointer.Builder text = pointer();
    text.setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader("nonce=1"));
    assertThat(failure(net.completeThirdParty(alice, text.asReader()).toCompletableFuture()))
        .hasMessageStartingWith("Three-party handoff: ");
    assertThat(net.offers()).isZero();
  }
}
