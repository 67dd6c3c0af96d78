package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Three-party call forwarding between real vats (TLS over loopback TCP, one JVM): Alice calls
 * Bob, whose {@code ping} tail-calls Carol's; when Bob can name Alice for Carol (he dialled
 * her, or she announced her listen address), Carol connects to Alice and answers her directly
 * ({@code ThirdPartyAnswer} and the Return), and Bob only forwards the call. Which path the
 * results took is seen from the messages Alice receives (three per forwarded call: Bob's
 * awaitFromThirdParty, Carol's ThirdPartyAnswer and Return; one when Bob proxies) and from
 * Carol's connections. A fourth vat, Dave, takes the call forwarded again by Carol (second
 * hop). Each test ends with every connection's tables and the handoff tables empty, and no
 * capability reference left once the vats are closed ({@link FourVatFixture#finish}).
 */
class ThreeVatForwardingTest extends FourVatFixture {
  /**
   * Bob dials Alice and gives her his service (so he knows Alice's address), dials Carol, and
   * forwards "fwd" pings to her. Returns Alice's capability to Bob.
   */
  private Capability bobForwardsToCarol(Vat a, Vat b, Vat c) throws Exception {
    Capability aliceAtBob = connect(b, a, "from-bob");
    Capability bobSelf = keep(b.sturdyRef(SID).connect().get(20, TimeUnit.SECONDS));
    HandoffParty.put(aliceAtBob, bobSelf);
    Capability bobAtAlice = keep(alice.take());
    bob.forwardTo = connect(b, c, "bob-to-carol");
    HandoffParty.ping(bobAtAlice, "fwd-warm-up");
    return bobAtAlice;
  }

  @Test
  void carolAnswersAliceDirectly() throws Exception {
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    Capability bobAtAlice = bobForwardsToCarol(a, b, c);
    assertThat(c.connectionCount()).as("Carol: Bob, and Alice for the warm-up").isEqualTo(2);
    long aliceIn = a.metrics().messagesReceived();
    long carolOpened = c.metrics().connectionsOpened();
    assertThat(pings(bobAtAlice, "fwd", 0, 20)).isEqualTo(expected("carol:", "fwd", 0, 20));
    // per call Alice received Bob's awaitFromThirdParty, Carol's ThirdPartyAnswer and Return
    assertThat(a.metrics().messagesReceived() - aliceIn).isEqualTo(60);
    assertThat(c.metrics().connectionsOpened()).as("Carol reuses her connection to Alice")
        .isEqualTo(carolOpened);
    assertThat(carol.log).containsSubsequence(expected("", "fwd", 0, 20));
    // Bob's own pings are not forwarded
    assertThat(HandoffParty.ping(bobAtAlice, "plain")).isEqualTo("bob:plain");
    finish();
  }

  @Test
  void theFirstForwardedCallMakesCarolsConnectionToAlice() throws Exception {
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    Capability aliceAtBob = connect(b, a, "from-bob");
    Capability bobSelf = keep(b.sturdyRef(SID).connect().get(20, TimeUnit.SECONDS));
    HandoffParty.put(aliceAtBob, bobSelf);
    Capability bobAtAlice = keep(alice.take());
    bob.forwardTo = connect(b, c, "bob-to-carol");
    assertThat(c.connectionCount()).isEqualTo(1);
    long aliceIn = a.metrics().messagesReceived();
    assertThat(HandoffParty.ping(bobAtAlice, "fwd-first")).isEqualTo("carol:fwd-first");
    assertThat(c.connectionCount()).as("Carol dialled Alice").isEqualTo(2);
    assertThat(a.metrics().messagesReceived() - aliceIn).isEqualTo(3);
    finish();
  }

  @Test
  void bobProxiesWhenHandoffIsOffOnAnyVat() throws Exception {
    for (String off : List.of("alice", "bob", "carol")) {
      Vat a = vat(alice, cfg -> cfg.thirdPartyHandoff(!off.equals("alice")));
      Vat b = vat(bob, cfg -> cfg.thirdPartyHandoff(!off.equals("bob")));
      Vat c = vat(carol, cfg -> cfg.thirdPartyHandoff(!off.equals("carol")));
      Capability bobAtAlice = bobForwardsToCarol(a, b, c);
      long aliceIn = a.metrics().messagesReceived();
      assertThat(pings(bobAtAlice, "fwd", 0, 10)).isEqualTo(expected("carol:", "fwd", 0, 10));
      assertThat(a.metrics().messagesReceived() - aliceIn).as("off: " + off).isEqualTo(10);
      finish();
    }
  }

  @Test
  void bobProxiesUnlessHisConfigForwardsCalls() throws Exception {
    // call forwarding is the forwarder's choice, off by default: Bob with a default config
    // proxies, though all three speak Level 3 and Alice and Carol forward calls themselves
    Vat a = vat(alice);
    Vat b = vat(bob, cfg -> VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0)));
    Vat c = vat(carol);
    assertThat(b.config().thirdPartyHandoff()).isTrue();
    assertThat(b.config().callForwarding()).isFalse();
    Capability bobAtAlice = bobForwardsToCarol(a, b, c);
    long aliceIn = a.metrics().messagesReceived();
    assertThat(pings(bobAtAlice, "fwd", 0, 10)).isEqualTo(expected("carol:", "fwd", 0, 10));
    assertThat(a.metrics().messagesReceived() - aliceIn).as("Bob's Returns only").isEqualTo(10);
    assertThat(c.connectionCount()).as("Carol never dialled Alice").isEqualTo(1);
    finish();
  }

  @Test
  void carolAnswersAliceDirectlyWhenAliceDialledBob() throws Exception {
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    Capability bobAtAlice = connect(a, b, "from-alice");
    bob.forwardTo = connect(b, c, "bob-to-carol");
    HandoffParty.ping(bobAtAlice, "fwd-warm-up");
    long aliceIn = a.metrics().messagesReceived();
    assertThat(pings(bobAtAlice, "fwd", 0, 10)).isEqualTo(expected("carol:", "fwd", 0, 10));
    // Alice announced her listen address in her VatHello: Bob names it, Carol dials it
    assertThat(a.metrics().messagesReceived() - aliceIn).isEqualTo(30);
    assertThat(c.connectionCount()).as("Carol dialled Alice's announced address").isEqualTo(2);
    finish();
  }

  @Test
  void bobProxiesWhenAliceDialledHimAndDoesNotListen() throws Exception {
    Vat a = vat(alice, cfg -> cfg.listenAddress(null));
    Vat b = vat(bob);
    Vat c = vat(carol);
    Capability bobAtAlice = connect(a, b, "from-alice");
    bob.forwardTo = connect(b, c, "bob-to-carol");
    long aliceIn = a.metrics().messagesReceived();
    assertThat(pings(bobAtAlice, "fwd", 0, 10)).isEqualTo(expected("carol:", "fwd", 0, 10));
    // Bob knows no address for Alice (she dialled him and announced none): he proxies
    assertThat(a.metrics().messagesReceived() - aliceIn).isEqualTo(10);
    assertThat(c.connectionCount()).isEqualTo(1);
    finish();
  }

  @Test
  void daveAnswersAliceDirectlyOnTheSecondHop() throws Exception {
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    Vat d = vat(dave);
    Capability bobAtAlice = bobForwardsToCarol(a, b, c);
    // Carol's ping tail-calls Dave's: the call Bob forwarded to her, she forwards again
    carol.forwardTo = connect(c, d, "carol-to-dave");
    assertThat(HandoffParty.ping(bobAtAlice, "fwd-warm-up-2")).isEqualTo("dave:fwd-warm-up-2");
    assertThat(d.connectionCount()).as("Dave: Carol, and Alice he dialled").isEqualTo(2);
    long aliceIn = a.metrics().messagesReceived();
    assertThat(pings(bobAtAlice, "fwd", 0, 10)).isEqualTo(expected("dave:", "fwd", 0, 10));
    // per call Alice received Bob's awaitFromThirdParty, Carol's ThirdPartyAnswer and
    // awaitFromThirdParty, Dave's ThirdPartyAnswer and Return
    assertThat(a.metrics().messagesReceived() - aliceIn).isEqualTo(50);
    assertThat(dave.log).containsSubsequence(expected("", "fwd", 0, 10));
    finish();
  }
}
