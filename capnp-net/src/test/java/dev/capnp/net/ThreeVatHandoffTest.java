package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.testlog.LogRecorder;
import dev.capnp.net.testlog.NoWarnings;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three-party handoff between real vats (TLS over loopback TCP or Unix sockets, one JVM): Alice
 * holds a capability hosted by Bob and gives it to Carol, whose calls then go to Bob directly;
 * the fallbacks through Alice (Bob unreachable from Carol, handoff off on a vat, Bob dialled
 * Alice); connection sharing; a fourth vat. Each test ends with every connection's tables and
 * the handoff tables empty, and no capability reference left once the vats are closed.
 *
 * <p>Which path calls take is seen from the vats' counters: a call proxied by Alice is a message
 * Alice receives; a direct one is not.
 */
class ThreeVatHandoffTest extends FourVatFixture {
  @TempDir
  Path dir;

  /**
   * Alice connects to Bob, Carol to Alice; Alice answers Carol's {@code get} with her
   * capability to Bob. Returns Carol's reference (no call made on it yet).
   */
  private Capability handOffBobToCarol(Vat a, Vat b, Vat c) throws Exception {
    Capability bobAtAlice = connect(a, b, "warm-up");
    alice.give = bobAtAlice::dup;
    Capability aliceAtCarol = connect(c, a, "hello");
    return keep(HandoffParty.get(aliceAtCarol));
  }

  /** Waits until the handoff is over: no vine at Alice, no Provide, no offer at Bob. */
  private void handoffSettled(Vat a, Vat b) throws Exception {
    eventually(() -> a.rpcConnections().stream().noneMatch(c -> {
      String d = c.dumpTables();
      return d.contains("vine") || d.contains("provide");
    }) && b.handoffTableSizes()[0] == 0, () -> "the handoff to end: " + dump(a) + dump(b));
  }

  private static boolean allLevel3(Vat v) {
    return v.rpcConnections().stream().allMatch(RpcConnection::level3);
  }

  @Test
  void carolsCallsGoToBobDirectly() throws Exception {
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    Capability x = handOffBobToCarol(a, b, c);
    assertThat(HandoffParty.ping(x, "c0")).isEqualTo("bob:c0");
    handoffSettled(a, b);
    assertThat(c.connectionCount()).as("Carol's connections: Alice and Bob").isEqualTo(2);
    assertThat(allLevel3(a) && allLevel3(b) && allLevel3(c)).isTrue();
    long aliceIn = a.metrics().messagesReceived();
    long bobIn = b.metrics().messagesReceived();
    assertThat(pings(x, "c", 1, 21)).isEqualTo(expected("bob:", "c", 1, 21));
    assertThat(a.metrics().messagesReceived()).as("messages Alice received").isEqualTo(aliceIn);
    assertThat(b.metrics().messagesReceived() - bobIn).isGreaterThanOrEqualTo(20);
    assertThat(bob.log).containsExactlyElementsOf(concat(List.of("warm-up"),
        expected("", "c", 0, 21)));
    finish();
  }

  @Test
  void callsMadeBeforeDuringAndAfterTheSwitchArriveInOrder() throws Exception {
    LogRecorder.trace("dev.capnp.rpc.trace", true);
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    Capability bobAtAlice = connect(a, b, "warm-up");
    // Alice answers with a promise she resolves to Bob later: Carol calls through Alice first
    CompletableFuture<Capability> later = new CompletableFuture<>();
    alice.give = () -> Capability.promise(later);
    Capability aliceAtCarol = connect(c, a, "hello");
    Capability p = keep(HandoffParty.get(aliceAtCarol));
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(HandoffParty.pingAsync(p, "e" + i)); // queued in Alice's promise
    }
    Capability forBob = bobAtAlice.dup();
    a.loop().execute(() -> later.complete(forBob));
    // while Alice's Resolve travels: through Alice; once Carol has it, the first call starts
    // the handoff (under an embargo: calls went through Alice), later ones queue for Bob
    int n = 10;
    while (c.connectionCount() < 2) {
      if (n >= 20_000) {
        throw new AssertionError("Carol never connected to Bob");
      }
      for (int k = 0; k < 10; k++, n++) {
        calls.add(HandoffParty.pingAsync(p, "e" + n));
      }
      calls.get(n - 1).get(20, TimeUnit.SECONDS); // (paced by the answers)
    }
    for (int k = 0; k < 100; k++, n++) {
      calls.add(HandoffParty.pingAsync(p, "e" + n)); // during the Accept, then direct
    }
    for (int i = 0; i < calls.size(); i++) {
      assertThat(calls.get(i).get(20, TimeUnit.SECONDS)).isEqualTo("bob:e" + i);
    }
    assertThat(bob.log).containsExactlyElementsOf(concat(List.of("warm-up"),
        expected("", "e", 0, n)));
    // the switch was embargoed: Carol's Disembargo through Alice, her Accept to Bob
    List<String> trace = LogRecorder.traces();
    assertThat(trace).anyMatch(l -> l.matches(".* -> disembargo target=\\S+ accept .*"));
    assertThat(trace).anyMatch(l -> l.matches(".* -> accept \\(\\d+ B\\)"));
    assertThat(trace).anyMatch(l -> l.matches(".* -> provide \\(\\d+ B\\)"));
    handoffSettled(a, b);
    assertThat(c.connectionCount()).isEqualTo(2);
    long aliceIn = a.metrics().messagesReceived();
    assertThat(pings(p, "f", 0, 10)).isEqualTo(expected("bob:", "f", 0, 10));
    assertThat(a.metrics().messagesReceived()).as("messages Alice received").isEqualTo(aliceIn);
    finish();
  }

  @Test
  void fallsBackThroughAliceWhenBobIsUnreachableFromCarol() throws Exception {
    Path bobSocket = dir.resolve("bob.sock");
    Vat a = vat(alice);
    Vat b = vat(bob, cfg -> cfg.listenAddress(NetAddress.unix(bobSocket.toString())));
    Vat c = vat(carol);
    Capability x = handOffBobToCarol(a, b, c);
    // Alice's connection stays; nobody can connect to Bob any more
    Files.delete(bobSocket);
    long failuresBefore = c.metrics().connectFailures();
    assertThat(HandoffParty.ping(x, "c0")).isEqualTo("bob:c0");
    assertThat(c.metrics().connectFailures()).as("Carol's dial to Bob failed")
        .isEqualTo(failuresBefore + 1);
    assertThat(c.connectionCount()).isEqualTo(1);
    long aliceIn = a.metrics().messagesReceived();
    assertThat(pings(x, "c", 1, 11)).isEqualTo(expected("bob:", "c", 1, 11));
    assertThat(a.metrics().messagesReceived() - aliceIn).as("calls proxied by Alice")
        .isGreaterThanOrEqualTo(10);
    finish();
  }

  @Test
  void fallsBackThroughAliceWhenTheAddressAnswersWithAnotherKey() throws Exception {
    HandoffParty eve = new HandoffParty("eve");
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    Vat e = vat(eve);
    try (SwitchingForwarder fwd = new SwitchingForwarder(port(b), port(e))) {
      // Alice reaches Bob through the forwarder; whoever dials it after her reaches Eve
      Capability bobAtAlice = keep(a.importRef(new CapnpUri(b.digest(), fwd.address(), SID))
          .connect().get(20, TimeUnit.SECONDS));
      HandoffParty.ping(bobAtAlice, "warm-up");
      alice.give = bobAtAlice::dup;
      Capability aliceAtCarol = connect(c, a, "hello");
      Capability x = keep(HandoffParty.get(aliceAtCarol));
      assertThat(HandoffParty.ping(x, "c0")).isEqualTo("bob:c0");
      assertThat(c.metrics().connectFailures()).as("Carol refused Eve's key").isEqualTo(1);
      assertThat(c.connectionCount()).isEqualTo(1);
      assertThat(eve.log).isEmpty();
      long aliceIn = a.metrics().messagesReceived();
      assertThat(pings(x, "c", 1, 11)).isEqualTo(expected("bob:", "c", 1, 11));
      assertThat(a.metrics().messagesReceived() - aliceIn).isGreaterThanOrEqualTo(10);
      // Eve's side of the refused handshake (one WARN, unless the alert raced the close)
      NoWarnings.expect("TLS handshake with",
          (int) NoWarnings.await("TLS handshake with", 1, 20_000));
      finish();
    }
  }

  private static int port(Vat v) {
    return ((NetAddress.Tcp) v.boundAddress()).port();
  }

  @Test
  void proxiesWhenAnyOfTheThreeVatsHasHandoffOff() throws Exception {
    for (String off : List.of("alice", "bob", "carol")) {
      Vat a = vat(alice, cfg -> cfg.thirdPartyHandoff(!off.equals("alice")));
      Vat b = vat(bob, cfg -> cfg.thirdPartyHandoff(!off.equals("bob")));
      Vat c = vat(carol, cfg -> cfg.thirdPartyHandoff(!off.equals("carol")));
      Capability x = handOffBobToCarol(a, b, c);
      long aliceIn = a.metrics().messagesReceived();
      assertThat(pings(x, "c", 0, 10)).isEqualTo(expected("bob:", "c", 0, 10));
      assertThat(a.metrics().messagesReceived() - aliceIn).as("proxied by Alice (%s off)", off)
          .isGreaterThanOrEqualTo(10);
      assertThat(c.connectionCount()).isEqualTo(1);
      // the vat with handoff off announces nothing: none of its connections speaks Level 3
      Vat offVat = off.equals("alice") ? a : off.equals("bob") ? b : c;
      assertThat(offVat.rpcConnections()).noneMatch(RpcConnection::level3);
      finish();
      bob.log.clear();
    }
  }

  /**
   * Bob dials Alice and gives her his own service; Alice answers Carol's {@code get} with it.
   * Returns Carol's reference (no call made on it yet).
   */
  private Capability bobDialsAliceWhoHandsHimToCarol(Vat a, Vat b, Vat c) throws Exception {
    Capability aliceAtBob = connect(b, a, "from-bob");
    Capability bobSelf = keep(b.sturdyRef(SID).connect().get(20, TimeUnit.SECONDS));
    HandoffParty.put(aliceAtBob, bobSelf);
    Capability bobAtAlice = keep(alice.take());
    alice.give = bobAtAlice::dup;
    Capability aliceAtCarol = connect(c, a, "hello");
    return keep(HandoffParty.get(aliceAtCarol));
  }

  /** Carol's calls on {@code x} reach Bob without Alice (the handoff settled first). */
  private void carolCallsBobDirectly(Vat a, Vat b, Vat c, Capability x) throws Exception {
    assertThat(HandoffParty.ping(x, "c0")).isEqualTo("bob:c0");
    handoffSettled(a, b);
    assertThat(c.connectionCount()).as("Carol's connections: Alice and Bob").isEqualTo(2);
    long aliceIn = a.metrics().messagesReceived();
    assertThat(pings(x, "c", 1, 21)).isEqualTo(expected("bob:", "c", 1, 21));
    assertThat(a.metrics().messagesReceived()).as("messages Alice received").isEqualTo(aliceIn);
  }

  /** Carol's calls on {@code x} reach Bob through Alice. */
  private static void carolCallsBobThroughAlice(Vat a, Vat c, Capability x) throws Exception {
    long aliceIn = a.metrics().messagesReceived();
    assertThat(pings(x, "c", 0, 10)).isEqualTo(expected("bob:", "c", 0, 10));
    assertThat(a.metrics().messagesReceived() - aliceIn).as("calls proxied by Alice")
        .isGreaterThanOrEqualTo(10);
    assertThat(c.connectionCount()).isEqualTo(1);
  }

  @Test
  void carolDialsTheAddressBobAnnouncedWhenBobDialledAlice() throws Exception {
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    Capability x = bobDialsAliceWhoHandsHimToCarol(a, b, c);
    long carolOpened = c.metrics().connectionsOpened();
    long bobOpened = b.metrics().connectionsOpened();
    carolCallsBobDirectly(a, b, c, x);
    assertThat(c.metrics().connectionsOpened()).as("Carol dialled Bob").isEqualTo(carolOpened + 1);
    assertThat(b.metrics().connectionsOpened()).isEqualTo(bobOpened + 1);
    assertThat(allLevel3(a) && allLevel3(b) && allLevel3(c)).isTrue();
    finish();
  }

  @Test
  void carolUsesHerConnectionFromBobWhenBobDialledAliceAndCarol() throws Exception {
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    connect(b, c, "bob-first");
    long carolOpened = c.metrics().connectionsOpened();
    long bobOpened = b.metrics().connectionsOpened();
    Capability x = bobDialsAliceWhoHandsHimToCarol(a, b, c);
    carolCallsBobDirectly(a, b, c, x);
    assertThat(c.metrics().connectionsOpened()).as("Carol: only Alice's connection is new")
        .isEqualTo(carolOpened + 1);
    assertThat(b.metrics().connectionsOpened()).as("Bob: only his dial to Alice")
        .isEqualTo(bobOpened + 1);
    finish();
  }

  @Test
  void bobAnnouncesHisPublicAddress() throws Exception {
    // as behind NAT: Bob's public address is another one that leads to him (a forwarder)
    try (SwitchingForwarder fwd = new SwitchingForwarder(0, 0)) {
      Vat a = vat(alice);
      Vat b = vat(bob, cfg -> cfg.publicAddress(fwd.address()));
      fwd.target(port(b));
      Vat c = vat(carol);
      Capability x = bobDialsAliceWhoHandsHimToCarol(a, b, c);
      carolCallsBobDirectly(a, b, c, x);
      assertThat(fwd.accepted()).as("Carol dialled Bob's public address").isEqualTo(1);
      finish();
    }
  }

  @Test
  void aUnixSocketIsAnnouncedToVatsOnTheSameHost() throws Exception {
    Vat a = vat(alice, cfg -> cfg.listenAddress(NetAddress.unix(dir.resolve("a").toString())));
    Vat b = vat(bob, cfg -> cfg.listenAddress(NetAddress.unix(dir.resolve("b").toString())));
    Vat c = vat(carol, cfg -> cfg.listenAddress(NetAddress.unix(dir.resolve("c").toString())));
    Capability x = bobDialsAliceWhoHandsHimToCarol(a, b, c);
    carolCallsBobDirectly(a, b, c, x);
    finish();
  }

  @Test
  void aWildcardListenAddressIsAnnouncedAsTheConnectionsOwnAddress() throws Exception {
    Vat a = vat(alice);
    Vat b = vat(bob, cfg -> cfg.listenAddress(NetAddress.tcp("0.0.0.0", 0)));
    Vat c = vat(carol);
    Capability x = bobDialsAliceWhoHandsHimToCarol(a, b, c);
    carolCallsBobDirectly(a, b, c, x);
    finish();
  }

  @Test
  void fallsBackThroughAliceWhenTheAnnouncedAddressDoesNotAnswer() throws Exception {
    // a port that accepts TCP connections and never says anything: Carol's TLS handshake
    // there can only time out (her connect timeout: 1 s)
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50,
        java.net.InetAddress.getLoopbackAddress())) {
      Vat a = vat(alice);
      Vat b = vat(bob, cfg -> cfg.publicAddress(NetAddress.tcp("127.0.0.1",
          silent.getLocalPort())));
      Vat c = vat(carol, cfg -> cfg.connectTimeout(java.time.Duration.ofSeconds(1)));
      Capability x = bobDialsAliceWhoHandsHimToCarol(a, b, c);
      long failuresBefore = c.metrics().connectFailures();
      assertThat(HandoffParty.ping(x, "c-first")).isEqualTo("bob:c-first");
      assertThat(c.metrics().connectFailures()).as("Carol's dial to Bob timed out")
          .isEqualTo(failuresBefore + 1);
      carolCallsBobThroughAlice(a, c, x);
      finish();
    }
  }

  @Test
  void carolDoesNotDialAHostNameThatResolvesToLoopback() throws Exception {
    // this machine's name, where /etc/hosts maps it to a loopback address (as Debian does)
    String name = java.net.InetAddress.getLocalHost().getHostName();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.net.InetAddress.getByName(name).isLoopbackAddress()
            && !HandoffAddresses.isLocal(NetAddress.tcp(name, 1)),
        "the host name " + name + " does not resolve to a loopback address");
    Vat a = vat(alice);
    Vat b = vat(bob, cfg -> cfg.publicAddress(NetAddress.tcp(name, 0)));
    Vat c = vat(carol);
    Capability x = bobDialsAliceWhoHandsHimToCarol(a, b, c);
    long failuresBefore = c.metrics().connectFailures();
    long bobOpened = b.metrics().connectionsOpened();
    assertThat(HandoffParty.ping(x, "c-first")).isEqualTo("bob:c-first");
    assertThat(c.metrics().connectFailures()).as("Carol refused to dial " + name)
        .isEqualTo(failuresBefore + 1);
    assertThat(b.metrics().connectionsOpened()).as("no TLS connection reached Bob")
        .isEqualTo(bobOpened);
    carolCallsBobThroughAlice(a, c, x);
    finish();
  }

  @Test
  void proxiesWhenBobDialledAliceAndDoesNotListen() throws Exception {
    Vat a = vat(alice);
    Vat b = vat(bob, cfg -> cfg.listenAddress(null));
    Vat c = vat(carol);
    Capability aliceAtBob = connect(b, a, "from-bob");
    // Bob, client only, has no sturdy refs: he passes a service object of his
    Capability bobSelf = keep(bob.restore(SID).toCompletableFuture().get());
    HandoffParty.put(aliceAtBob, bobSelf);
    Capability bobAtAlice = keep(alice.take());
    alice.give = bobAtAlice::dup;
    Capability aliceAtCarol = connect(c, a, "hello");
    Capability x = keep(HandoffParty.get(aliceAtCarol));
    carolCallsBobThroughAlice(a, c, x);
    assertThat(allLevel3(a)).as("Level 3 is on; only an address is missing").isTrue();
    finish();
  }

  @Test
  void aVatWithHandoffOffSeesNoAnnouncementAndMakesNone() throws Exception {
    for (String off : List.of("alice", "bob")) {
      Vat a = vat(alice, cfg -> cfg.thirdPartyHandoff(!off.equals("alice")));
      Vat b = vat(bob, cfg -> cfg.thirdPartyHandoff(!off.equals("bob")));
      Vat c = vat(carol);
      Capability x = bobDialsAliceWhoHandsHimToCarol(a, b, c);
      carolCallsBobThroughAlice(a, c, x);
      assertThat(b.rpcConnections()).noneMatch(RpcConnection::level3);
      finish();
      bob.log.clear();
    }
  }

  @Test
  void carolReusesHerConnectionToBob() throws Exception {
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    connect(c, b, "carol-first");
    long carolOpened = c.metrics().connectionsOpened();
    long bobOpened = b.metrics().connectionsOpened();
    Capability x = handOffBobToCarol(a, b, c);
    long bobOpenedByAlice = b.metrics().connectionsOpened();
    assertThat(bobOpenedByAlice).isEqualTo(bobOpened + 1);
    assertThat(HandoffParty.ping(x, "c0")).isEqualTo("bob:c0");
    handoffSettled(a, b);
    assertThat(c.metrics().connectionsOpened()).as("Carol: only the connection to Alice new")
        .isEqualTo(carolOpened + 1);
    assertThat(b.metrics().connectionsOpened()).isEqualTo(bobOpenedByAlice);
    assertThat(c.connectionCount()).isEqualTo(2);
    long aliceIn = a.metrics().messagesReceived();
    assertThat(pings(x, "c", 1, 11)).isEqualTo(expected("bob:", "c", 1, 11));
    assertThat(a.metrics().messagesReceived()).isEqualTo(aliceIn);
    finish();
  }

  @Test
  void carolReusesTheConnectionBobDialled() throws Exception {
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    connect(b, c, "bob-first");
    long carolOpened = c.metrics().connectionsOpened();
    Capability x = handOffBobToCarol(a, b, c);
    assertThat(HandoffParty.ping(x, "c0")).isEqualTo("bob:c0");
    handoffSettled(a, b);
    assertThat(c.metrics().connectionsOpened()).isEqualTo(carolOpened + 1);
    assertThat(c.connectionCount()).isEqualTo(2);
    long aliceIn = a.metrics().messagesReceived();
    assertThat(pings(x, "c", 1, 11)).isEqualTo(expected("bob:", "c", 1, 11));
    assertThat(a.metrics().messagesReceived()).isEqualTo(aliceIn);
    finish();
  }

  @Test
  void carolHandsTheCapabilityOnToDave() throws Exception {
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    Vat d = vat(dave);
    Capability x = handOffBobToCarol(a, b, c);
    assertThat(HandoffParty.ping(x, "c0")).isEqualTo("bob:c0");
    handoffSettled(a, b);
    // Carol dialled Bob: she can introduce Dave to him in turn
    Capability daveAtCarol = connect(c, d, "hello-dave");
    HandoffParty.put(daveAtCarol, x);
    Capability y = keep(dave.take());
    assertThat(HandoffParty.ping(y, "d0")).isEqualTo("bob:d0");
    handoffSettled(c, b);
    assertThat(d.connectionCount()).as("Dave's connections: Carol and Bob").isEqualTo(2);
    long aliceIn = a.metrics().messagesReceived();
    long carolIn = c.metrics().messagesReceived();
    assertThat(pings(y, "d", 1, 11)).isEqualTo(expected("bob:", "d", 1, 11));
    assertThat(c.metrics().messagesReceived()).as("messages Carol received").isEqualTo(carolIn);
    assertThat(a.metrics().messagesReceived()).as("messages Alice received").isEqualTo(aliceIn);
    finish();
  }

  @Test
  void bobGivesTheCapabilityOnlyToTheVatAliceNamed() throws Exception {
    HandoffParty eve = new HandoffParty("eve");
    Vat a = vat(alice);
    Vat b = vat(bob);
    Vat c = vat(carol);
    Vat e = vat(eve);
    connect(a, b, "from-alice");
    connect(c, b, "from-carol");
    connect(e, b, "from-eve");
    // at Bob, on his loop: Alice's Provide for Carol, then Accepts naming it from Eve and Carol
    // on their real connections (whose peers TLS authenticated)
    VatHandoffNetwork net = b.handoffNetwork();
    HandoffValues.Nonce nonce = new HandoffValues.Nonces().next();
    List<CompletableFuture<Object>> accepts = b.loop().submit(() -> {
      AnyPointer.Builder await = new MessageBuilder(16).getRootAnyPointer();
      new HandoffValues.Await(c.digest(), nonce).write(await, HandoffTexts.UNCACHED);
      net.awaitThirdParty(net.connectionTo(a.digest()), await.asReader(), "X");
      AnyPointer.Builder completion = new MessageBuilder(16).getRootAnyPointer();
      new HandoffValues.Completion(a.digest(), nonce)
          .write(completion, HandoffTexts.UNCACHED);
      return List.of(
          net.completeThirdParty(net.connectionTo(e.digest()), completion.asReader())
              .toCompletableFuture(),
          net.completeThirdParty(net.connectionTo(c.digest()), completion.asReader())
              .toCompletableFuture());
    }).get(20, TimeUnit.SECONDS);
    assertThat(accepts.get(0)).failsWithin(20, TimeUnit.SECONDS)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withMessageContaining("Three-party handoff refused: vat " + e.digest()
            + " is not the intended recipient of this capability");
    assertThat(accepts.get(1).get(20, TimeUnit.SECONDS)).isEqualTo("X");
    // Alice's connection lost: her offer goes with it
    a.close();
    eventually(() -> b.handoffTableSizes()[0] == 0, () -> "Bob's offers: " + dump(b));
    vats.remove(a);
    finish();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> r = new ArrayList<>(a);
    r.addAll(b);
    return r;
  }
}
