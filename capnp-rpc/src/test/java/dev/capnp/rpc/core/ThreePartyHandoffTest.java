package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.proto.Rpc.Message.Which;
import dev.capnp.rpc.transport.InMemoryNetwork;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Level 3, three-party handoff, with three vats in one JVM over the in-memory network: Alice
 * holds connections to Bob and Carol and gives Carol a capability hosted by Bob. Each vat has
 * its own manual event loop (all driven by the test thread), so a test can let one vat run while
 * the others wait, and so choose the interleaving.
 */
class ThreePartyHandoffTest extends InMemoryVatFixture {
  private InMemoryNetwork.Vat alice;
  private InMemoryNetwork.Vat bob;
  private InMemoryNetwork.Vat carol;
  private Recorder aliceServer;
  private Recorder bobServer;
  private Recorder carolServer;
  /** Capabilities Carol received in the params of "take" calls. */
  private final List<Capability> carolGot = new ArrayList<>();

  @BeforeEach
  void vats() {
    aliceServer = new Recorder("alice");
    bobServer = new Recorder("bob");
    carolServer = new Recorder("carol");
    carolServer.handler = ctx -> {
      AnyPointer.Reader p = ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1);
      if (!p.isNull()) {
        carolGot.add(Capability.fromPointer(p));
      }
      return TestSupport.echo(ctx, "thanks");
    };
  }

  private void start(boolean bobLevel3) {
    alice = net.vat("alice", aliceLoop, Capability.of(aliceServer, aliceLoop), true);
    bob = net.vat("bob", bobLoop, Capability.of(bobServer, bobLoop), bobLevel3);
    carol = net.vat("carol", carolLoop, Capability.of(carolServer, carolLoop), true);
  }

  /** Alice gives Carol her capability to Bob's bootstrap; returns Carol's reference. */
  private Capability handOffBobToCarol() {
    Capability bobCap = keep(alice.bootstrap("bob"));
    Capability carolCap = keep(alice.bootstrap("carol"));
    pump(); // (Alice's capability to Bob is then an import, not a promise)
    ResponsePromise<AnyPointer.Reader, Pipeline> give = call(carolCap, "take", bobCap).send();
    pump();
    give.join().close();
    assertThat(carolGot).hasSize(1);
    return keep(carolGot.remove(0));
  }

  /** Closes what the test holds and checks every connection's tables and the references. */
  private void finish(InMemoryNetwork.Vat... more) {
    List<InMemoryNetwork.Vat> all = new ArrayList<>(List.of(alice, bob, carol));
    all.addAll(List.of(more));
    finishVats(all);
  }

  @Test
  void carolsCallsReachBobDirectlyAfterTheHandoff() {
    start(true);
    Capability x = handOffBobToCarol();
    assertThat(net.messagesSent("alice", "bob", Which.PROVIDE)).isEqualTo(1);
    // deferred: nothing happens until Carol uses it
    assertThat(carol.connection("bob")).isNull();
    long aliceCallsToBob = net.messagesSent("alice", "bob", Which.CALL);
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(call(x, "c" + i).send());
    }
    pump();
    for (int i = 0; i < 10; i++) {
      assertThat(answer(calls.get(i))).isEqualTo("got:c" + i);
    }
    assertThat(bobServer.log).containsExactly("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7",
        "c8", "c9");
    // the calls went Carol -> Bob, none through Alice
    RpcConnection carolToBob = carol.connection("bob");
    assertThat(carolToBob).isNotNull();
    assertThat(carolToBob.level3()).isTrue();
    assertThat(net.messagesSent("carol", "bob", Which.ACCEPT)).isEqualTo(1);
    assertThat(net.messagesSent("carol", "bob", Which.CALL)).isEqualTo(10);
    assertThat(net.messagesSent("carol", "alice", Which.CALL)).isZero();
    assertThat(net.messagesSent("alice", "bob", Which.CALL)).isEqualTo(aliceCallsToBob);
    // the handoff is over: Carol released the vine, Alice finished the Provide
    assertThat(net.messagesSent("carol", "alice", Which.RELEASE)).isEqualTo(1);
    assertThat(alice.connection("carol").tablesEmpty()).as(alice.connection("carol")
        .dumpTables()).isFalse(); // (Alice still holds her bootstrap import of Carol)
    assertThat(alice.connection("carol").dumpTables()).doesNotContain("vine");
    assertThat(alice.connection("bob").dumpTables()).doesNotContain("provide");
    assertThat(bob.connection("alice").dumpTables()).doesNotContain("RUNNING");
    // later calls take the direct path too
    ResponsePromise<AnyPointer.Reader, Pipeline> later = call(x, "after").send();
    pump();
    assertThat(answer(later)).isEqualTo("got:after");
    assertThat(net.messagesSent("carol", "bob", Which.CALL)).isEqualTo(11);
    assertThat(net.messagesSent("alice", "bob", Which.CALL)).isEqualTo(aliceCallsToBob);
    finish();
    assertThat(bobServer.released).isTrue();
  }

  @Test
  void callsMadeBeforeDuringAndAfterTheSwitchArriveInOrder() {
    start(true);
    // Alice answers "get" with a promise she resolves later to her capability to Bob
    CompletableFuture<Capability> later = new CompletableFuture<>();
    aliceServer.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      out.getPointer(0).setAs(Text.FACTORY, new Text.Reader("promise"));
      try (Capability p = Capability.promise(later)) {
        p.writeTo(out.getPointer(1));
      }
      return Server.done();
    };
    Capability bobAtAlice = keep(alice.bootstrap("bob"));
    Capability aliceCap = keep(carol.bootstrap("alice"));
    Capability p;
    ResponsePromise<AnyPointer.Reader, Pipeline> get = call(aliceCap, "get").send();
    pump();
    try (Response<AnyPointer.Reader> r = get.join()) {
      p = keep(r.getCap(1));
    }
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    // before: through Alice, queued in her unresolved promise
    for (int i = 0; i < 5; i++) {
      calls.add(call(p, "e" + i).send());
    }
    pump();
    assertThat(bobServer.log).isEmpty();
    // Alice's promise resolves to Bob: she forwards e0..e4 and tells Carol (Resolve)
    later.complete(bobAtAlice.dup());
    aliceLoop.runPending();
    // during: Carol has not seen the Resolve yet; these go through Alice too
    for (int i = 5; i < 10; i++) {
      calls.add(call(p, "e" + i).send());
    }
    // Carol (only) handles the Resolve: p now names Bob's capability, to be accepted under an
    // embargo since calls went through Alice
    carolLoop.runPending();
    // after the switch: these go to Bob directly, held there until the embargo lifts
    for (int i = 10; i < 15; i++) {
      calls.add(call(p, "e" + i).send());
    }
    carolLoop.runPending();
    bobLoop.runPending(); // Bob: e0..e4 from Alice; the Accept and e10..e14 wait
    carolLoop.runPending();
    bobLoop.runPending();
    assertThat(bobServer.log).containsExactly("e0", "e1", "e2", "e3", "e4");
    pump(); // Alice forwards e5..e9 and then the Disembargo; Bob lifts the embargo
    for (int i = 15; i < 20; i++) {
      calls.add(call(p, "e" + i).send());
    }
    pump();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add("e" + i);
      assertThat(answer(calls.get(i))).isEqualTo("got:e" + i);
    }
    assertThat(bobServer.log).containsExactlyElementsOf(expected);
    assertThat(net.messagesSent("carol", "bob", Which.ACCEPT)).isEqualTo(1);
    assertThat(net.messagesSent("carol", "alice", Which.DISEMBARGO)).isEqualTo(1);
    assertThat(net.messagesSent("alice", "bob", Which.DISEMBARGO)).isEqualTo(1);
    assertThat(net.messagesSent("carol", "bob", Which.CALL)).isEqualTo(10);
    finish();
  }

  @Test
  void fallsBackToTheVineWhenBobIsUnreachable() {
    start(true);
    net.setReachable("carol", "bob", false);
    Capability x = handOffBobToCarol();
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(call(x, "f" + i).send());
    }
    pump();
    for (int i = 0; i < 5; i++) {
      assertThat(answer(calls.get(i))).isEqualTo("got:f" + i);
    }
    assertThat(bobServer.log).containsExactly("f0", "f1", "f2", "f3", "f4");
    assertThat(carol.connection("bob")).isNull();
    assertThat(net.messagesSent("carol", "alice", Which.CALL)).isEqualTo(5);
    finish();
  }

  /** Bob's bound on an Accept's wait in the fallback tests. */
  private static final long ACCEPT_TIMEOUT_MILLIS = 50;

  /**
   * Pumps every vat until {@code done} holds; Bob's Accept timer runs on another thread and
   * posts to his loop, so this waits for it (generously: ten seconds).
   */
  private void pumpUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    pump();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached in 10 s; Bob's tables:\n"
            + bob.connections().values().stream().map(RpcConnection::dumpTables).toList());
      }
      Thread.sleep(1);
      pump();
    }
  }

  @Test
  void fallsBackToTheVineWhenTheAcceptTimesOut() throws InterruptedException {
    net.limits(dev.capnp.rpc.ConnectionLimits.DEFAULT
        .withAcceptTimeoutMillis(ACCEPT_TIMEOUT_MILLIS));
    start(true);
    Capability bobCap = keep(alice.bootstrap("bob"));
    Capability carolCap = keep(alice.bootstrap("carol"));
    pump();
    // Alice's Provide (and anything else she sends Bob) is slow: Carol's Accept gets to Bob first
    net.hold("alice", "bob", true);
    ResponsePromise<AnyPointer.Reader, Pipeline> give = call(carolCap, "take", bobCap).send();
    pump();
    give.join().close();
    Capability x = keep(carolGot.remove(0));
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(call(x, "f" + i).send());
    }
    // the Accept fails when Bob's wait times out; Carol sends the held calls through the vine
    pumpUntil(() -> net.messagesSent("carol", "alice", Which.CALL) == 5);
    assertThat(net.messagesSent("carol", "bob", Which.ACCEPT)).isEqualTo(1);
    assertThat(net.messagesSent("bob", "carol", Which.RETURN)).isEqualTo(1);
    calls.add(call(x, "f5").send()); // (later calls take the vine too)
    net.hold("alice", "bob", false);
    pump();
    for (int i = 0; i < 6; i++) {
      assertThat(answer(calls.get(i))).isEqualTo("got:f" + i);
    }
    assertThat(bobServer.log).containsExactly("f0", "f1", "f2", "f3", "f4", "f5");
    assertThat(net.messagesSent("carol", "bob", Which.CALL)).isZero();
    assertThat(net.messagesSent("carol", "alice", Which.CALL)).isEqualTo(6);
    finish();
  }

  @Test
  void carolFallsBackWhenBobNeverAnswersHerAccept() throws InterruptedException {
    net.limits(dev.capnp.rpc.ConnectionLimits.DEFAULT
        .withAcceptTimeoutMillis(ACCEPT_TIMEOUT_MILLIS));
    start(true);
    Capability bobCap = keep(alice.bootstrap("bob"));
    Capability carolCap = keep(alice.bootstrap("carol"));
    pump();
    ResponsePromise<AnyPointer.Reader, Pipeline> give = call(carolCap, "take", bobCap).send();
    pump();
    give.join().close();
    // nothing Bob sends Carol arrives (a host that never answers her Accept)
    net.hold("bob", "carol", true);
    Capability x = keep(carolGot.remove(0));
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(call(x, "h" + i).send());
    }
    // after twice the accept timeout Carol finishes the Accept and sends her calls via Alice
    pumpUntil(() -> net.messagesSent("carol", "alice", Which.CALL) == 3);
    assertThat(net.messagesSent("carol", "bob", Which.ACCEPT)).isEqualTo(1);
    pump();
    assertThat(net.messagesSent("carol", "bob", Which.FINISH)).isEqualTo(1); // (Bob stops)
    for (int i = 0; i < 3; i++) {
      assertThat(answer(calls.get(i))).isEqualTo("got:h" + i);
    }
    assertThat(net.messagesSent("carol", "bob", Which.CALL)).isZero();
    net.hold("bob", "carol", false); // (Bob's late Return of the finished Accept)
    pump();
    assertThat(bobServer.log).containsExactly("h0", "h1", "h2");
    finish();
  }

  @Test
  void anEmbargoedAcceptThatFailsFallsBackKeepingEOrder() throws InterruptedException {
    net.limits(dev.capnp.rpc.ConnectionLimits.DEFAULT
        .withAcceptTimeoutMillis(ACCEPT_TIMEOUT_MILLIS));
    start(true);
    CompletableFuture<Capability> later = new CompletableFuture<>();
    aliceServer.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability p = Capability.promise(later)) {
        p.writeTo(out.getPointer(1));
      }
      return Server.done();
    };
    Capability bobAtAlice = keep(alice.bootstrap("bob"));
    Capability aliceCap = keep(carol.bootstrap("alice"));
    ResponsePromise<AnyPointer.Reader, Pipeline> get = call(aliceCap, "get").send();
    pump();
    Capability p;
    try (Response<AnyPointer.Reader> r = get.join()) {
      p = keep(r.getCap(1));
    }
    net.hold("alice", "bob", true);
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(call(p, "e" + i).send()); // queued in Alice's promise
    }
    pump();
    later.complete(bobAtAlice.dup());
    aliceLoop.runPending(); // Alice forwards e0..e4 (held), sends the Provide (held), Resolve
    for (int i = 5; i < 10; i++) {
      calls.add(call(p, "e" + i).send()); // through Alice (Carol has not seen the Resolve)
    }
    carolLoop.runPending(); // the Resolve: an embargoed Accept
    for (int i = 10; i < 15; i++) {
      calls.add(call(p, "e" + i).send()); // held by Carol until the Accept returns
    }
    pumpUntil(() -> net.messagesSent("carol", "alice", Which.CALL) >= 15);
    for (int i = 15; i < 20; i++) {
      calls.add(call(p, "e" + i).send());
    }
    net.hold("alice", "bob", false);
    pump();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add("e" + i);
      assertThat(answer(calls.get(i))).isEqualTo("got:e" + i);
    }
    assertThat(bobServer.log).containsExactlyElementsOf(expected);
    assertThat(net.messagesSent("carol", "bob", Which.ACCEPT)).isEqualTo(1);
    assertThat(net.messagesSent("carol", "bob", Which.CALL)).isZero();
    assertThat(net.messagesSent("carol", "alice", Which.DISEMBARGO)).isEqualTo(1);
    finish();
  }

  @Test
  void whenResolvedStartsTheHandoff() {
    start(true);
    Capability x = handOffBobToCarol();
    CompletableFuture<Void> resolved = x.whenResolved();
    pump();
    // waiting for the resolution accepted the capability, as a call would have
    assertThat(resolved).isDone();
    assertThat(net.messagesSent("carol", "bob", Which.ACCEPT)).isEqualTo(1);
    assertThat(net.messagesSent("carol", "alice", Which.RELEASE)).isEqualTo(1); // (the vine)
    assertThat(alice.connection("carol").dumpTables()).doesNotContain("vine");
    assertThat(x.problem()).isNull();
    ResponsePromise<AnyPointer.Reader, Pipeline> r = call(x, "settled").send();
    pump();
    assertThat(answer(r)).isEqualTo("got:settled");
    assertThat(net.messagesSent("carol", "bob", Which.CALL)).isEqualTo(1);
    assertThat(net.messagesSent("carol", "alice", Which.CALL)).isZero();
    finish();
  }

  @Test
  void callsMadeBeforeTheCapabilityIsDroppedDuringTheHandoffStillArrive() {
    start(true);
    Capability x = handOffBobToCarol();
    net.hold("bob", "carol", true); // (the Accept's Return is slow)
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(call(x, "h" + i).send());
    }
    pump(); // the Accept waits for its Return; the calls are held by Carol
    assertThat(bobServer.log).isEmpty();
    toClose.remove(x);
    x.close(); // (releasing a capability does not cancel the calls made on it)
    pump();
    net.hold("bob", "carol", false);
    pump();
    for (int i = 0; i < 3; i++) {
      assertThat(answer(calls.get(i))).isEqualTo("got:h" + i);
    }
    assertThat(bobServer.log).containsExactly("h0", "h1", "h2");
    assertThat(net.messagesSent("carol", "alice", Which.CALL)).isEqualTo(3); // (the vine)
    finish();
  }

  @Test
  void anAcceptWhoseProvideWasLostWithAlicesConnectionFailsAtOnce() {
    start(true);
    Capability bobCap = keep(alice.bootstrap("bob"));
    Capability carolCap = keep(alice.bootstrap("carol"));
    pump();
    net.hold("alice", "bob", true); // (the Provide is on its way when A-B goes)
    ResponsePromise<AnyPointer.Reader, Pipeline> give = call(carolCap, "take", bobCap).send();
    pump();
    give.join().close();
    Capability x = keep(carolGot.remove(0));
    ResponsePromise<AnyPointer.Reader, Pipeline> r = call(x, "lost").send();
    pump(); // Bob's Accept waits for the Provide
    assertThat(r).isNotDone();
    alice.connection("bob").close();
    pump();
    // the network knows the Provide can no longer come: the Accept fails, Carol falls back to
    // the vine, whose target (Alice's import from Bob) is broken with A-B: the call fails
    assertThat(r).isCompletedExceptionally();
    assertThat(net.messagesSent("carol", "alice", Which.CALL)).isEqualTo(1);
    net.hold("alice", "bob", false);
    finish();
  }

  @Test
  void aLevel1PeerNeverSeesLevel3Messages() {
    start(false); // Bob plays a C++ 0.9.2 vat
    Capability x = handOffBobToCarol();
    ResponsePromise<AnyPointer.Reader, Pipeline> r = call(x, "old").send();
    pump();
    assertThat(answer(r)).isEqualTo("got:old");
    assertThat(net.messagesSent("alice", "bob", Which.PROVIDE)).isZero();
    assertThat(net.messagesSent("carol", "bob", Which.ACCEPT)).isZero();
    assertThat(carol.connection("bob")).isNull();
    assertThat(net.messagesSent("carol", "alice", Which.CALL)).isEqualTo(1);
    finish();
  }

  @Test
  void droppingTheCapabilityUnusedEndsTheHandoff() {
    start(true);
    Capability x = handOffBobToCarol();
    toClose.remove(x);
    x.close();
    pump();
    assertThat(carol.connection("bob")).isNull();
    assertThat(alice.connection("carol").dumpTables()).doesNotContain("vine");
    assertThat(alice.connection("bob").dumpTables()).doesNotContain("provide");
    assertThat(bob.connection("alice").dumpTables()).doesNotContain("RUNNING");
    finish();
  }

  @Test
  void threadedVatsHandOffUnderConcurrentCalls() throws Exception {
    // each vat on its own thread: calls from Carol before, during and after the handoff
    EventLoop a = EventLoop.start("alice-3ph");
    EventLoop b = EventLoop.start("bob-3ph");
    EventLoop c = EventLoop.start("carol-3ph");
    try {
      InMemoryNetwork n = new InMemoryNetwork();
      List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
      Recorder bobSrv = new Recorder("bob");
      bobSrv.handler = ctx -> {
        seen.add(text(ctx.getParams(), 0));
        return TestSupport.echo(ctx, "got:" + text(ctx.getParams(), 0));
      };
      CompletableFuture<Capability> got = new CompletableFuture<>();
      Recorder carolSrv = new Recorder("carol");
      carolSrv.handler = ctx -> {
        got.complete(Capability.fromPointer(
            ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1)));
        return TestSupport.echo(ctx, "thanks");
      };
      InMemoryNetwork.Vat va = n.vat("alice", a, null, true);
      InMemoryNetwork.Vat vb = n.vat("bob", b, Capability.of(bobSrv, b), true);
      InMemoryNetwork.Vat vc = n.vat("carol", c, Capability.of(carolSrv, c), true);
      try (Capability bobCap = va.bootstrap("bob"); Capability carolCap = va.bootstrap("carol")) {
        call(carolCap, "take", bobCap).send().get(10, java.util.concurrent.TimeUnit.SECONDS)
            .close();
      }
      List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
      try (Capability x = got.get(10, java.util.concurrent.TimeUnit.SECONDS)) {
        for (int i = 0; i < 200; i++) {
          calls.add(call(x, "t" + i).send());
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          expected.add("t" + i);
          try (Response<AnyPointer.Reader> r =
              calls.get(i).get(10, java.util.concurrent.TimeUnit.SECONDS)) {
            assertThat(text(r.get(), 0)).isEqualTo("got:t" + i);
          }
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        // (Alice passed her capability to Bob before its bootstrap answer came: Carol got a
        // promise, and the calls made before its Resolve went through Alice, the rest straight
        // to Bob behind an embargo; the order above holds across the switch)
        long viaAlice = n.messagesSent("carol", "alice", Which.CALL);
        assertThat(n.messagesSent("carol", "bob", Which.CALL) + viaAlice).isEqualTo(200);
        // after the switch, every call goes straight to Bob
        calls.clear();
        for (int i = 200; i < 250; i++) {
          calls.add(call(x, "t" + i).send());
        }
        for (int i = 200; i < 250; i++) {
          expected.add("t" + i);
          calls.get(i - 200).get(10, java.util.concurrent.TimeUnit.SECONDS).close();
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(n.messagesSent("carol", "bob", Which.CALL) + viaAlice).isEqualTo(250);
        assertThat(n.messagesSent("carol", "alice", Which.CALL)).isEqualTo(viaAlice);
        assertThat(n.messagesSent("carol", "bob", Which.ACCEPT)).isEqualTo(1);
      }
      // every table empties once the references are gone
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      for (InMemoryNetwork.Vat v : List.of(va, vb, vc)) {
        for (RpcConnection conn : v.connections().values()) {
          while (!conn.tablesEmpty()) {
            if (System.nanoTime() > deadline) {
              throw new AssertionError(conn.dumpTables());
            }
            Thread.sleep(5);
          }
        }
      }
      for (InMemoryNetwork.Vat v : List.of(va, vb, vc)) {
        v.close();
      }
    } finally {
      a.close();
      b.close();
      c.close();
    }
  }

  @Test
  void sentBackToAliceBeforeUseItIsTheVine() {
    start(true);
    Capability x = handOffBobToCarol();
    List<Capability> aliceGot = new ArrayList<>();
    aliceServer.handler = ctx -> {
      aliceGot.add(Capability.fromPointer(ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1)));
      ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      return Server.done();
    };
    Capability aliceAtCarol = keep(carol.bootstrap("alice"));
    ResponsePromise<AnyPointer.Reader, Pipeline> back = call(aliceAtCarol, "hold", x).send();
    pump();
    back.join().close();
    assertThat(aliceGot).hasSize(1);
    Capability atAlice = keep(aliceGot.remove(0));
    // Alice got her own vine back (receiverHosted), which leads to Bob: no Accept anywhere
    long aliceCalls = net.messagesSent("alice", "bob", Which.CALL);
    ResponsePromise<AnyPointer.Reader, Pipeline> r = call(atAlice, "from-alice").send();
    pump();
    assertThat(answer(r)).isEqualTo("got:from-alice");
    assertThat(net.messagesSent("alice", "bob", Which.CALL)).isEqualTo(aliceCalls + 1);
    assertThat(net.messagesSent("carol", "bob", Which.ACCEPT)).isZero();
    assertThat(net.messagesSent("alice", "carol", Which.CALL)).isEqualTo(1); // (the "take")
    assertThat(carol.connection("bob")).isNull();
    finish();
  }

  @Test
  void forwardedToAFourthVatItIsHandedOffAgain() {
    start(true);
    Recorder daveServer = new Recorder("dave");
    List<Capability> daveGot = new ArrayList<>();
    daveServer.handler = ctx -> {
      AnyPointer.Reader p = ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1);
      if (!p.isNull()) {
        daveGot.add(Capability.fromPointer(p));
      }
      return TestSupport.echo(ctx, "ok");
    };
    InMemoryNetwork.Vat dave = net.vat("dave", aliceLoop, Capability.of(daveServer, aliceLoop),
        true);
    Capability x = handOffBobToCarol();
    Capability daveCap = keep(carol.bootstrap("dave"));
    pump();
    ResponsePromise<AnyPointer.Reader, Pipeline> give = call(daveCap, "take", x).send();
    pump();
    give.join().close();
    assertThat(daveGot).hasSize(1);
    Capability y = keep(daveGot.remove(0));
    ResponsePromise<AnyPointer.Reader, Pipeline> r = call(y, "from-dave").send();
    pump();
    assertThat(answer(r)).isEqualTo("got:from-dave");
    // (Dave got x as a promise of Carol's, its call made Carol accept it and, once accepted,
    // Carol resolved the promise by introducing Dave to Bob: Dave's next call goes to Bob)
    ResponsePromise<AnyPointer.Reader, Pipeline> r2 = call(y, "again").send();
    pump();
    assertThat(answer(r2)).isEqualTo("got:again");
    assertThat(bobServer.log).containsExactly("from-dave", "again");
    assertThat(net.messagesSent("carol", "bob", Which.ACCEPT)).isEqualTo(1);
    assertThat(net.messagesSent("carol", "bob", Which.PROVIDE)).isEqualTo(1);
    assertThat(net.messagesSent("dave", "bob", Which.ACCEPT)).isEqualTo(1);
    assertThat(net.messagesSent("dave", "bob", Which.CALL)).isEqualTo(1);
    finish(dave);
  }

  @Test
  void eOrderHoldsUnderRandomSchedulesOfTheThreeVats() {
    int seeds = Integer.getInteger("rpc.fuzz.seeds", 30);
    for (long seed = 0; seed < seeds; seed++) {
      randomSchedule(seed);
    }
  }

  /**
   * Carol calls a promise of Alice's that Alice resolves, at a random moment, to her capability
   * to Bob; the vats run in a random order meanwhile. Bob must see Carol's calls in the order
   * she made them, whichever path each took.
   */
  /** Alice's server: every call answers with a promise that {@code promised} resolves. */
  private static Recorder alicePassingPromise(CompletableFuture<Capability> promised) {
    Recorder a = new Recorder("alice");
    a.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability pc = Capability.promise(promised)) {
        pc.writeTo(out.getPointer(1));
      }
      return Server.done();
    };
    return a;
  }

  private void randomSchedule(long seed) {
    java.util.Random rnd = new java.util.Random(seed);
    long before = Capability.liveReferenceCount();
    InMemoryNetwork n = new InMemoryNetwork();
    CompletableFuture<Capability> promised = new CompletableFuture<>();
    Recorder a = alicePassingPromise(promised);
    Recorder b = new Recorder("bob");
    InMemoryNetwork.Vat va = n.vat("alice", aliceLoop, Capability.of(a, aliceLoop), true);
    InMemoryNetwork.Vat vb = n.vat("bob", bobLoop, Capability.of(b, bobLoop), true);
    InMemoryNetwork.Vat vc = n.vat("carol", carolLoop, null, true);
    Capability bobAtAlice = va.bootstrap("bob");
    Capability aliceAtCarol = vc.bootstrap("alice");
    ResponsePromise<AnyPointer.Reader, Pipeline> get = call(aliceAtCarol, "get").send();
    pump();
    Capability p;
    try (Response<AnyPointer.Reader> r = get.join()) {
      p = r.getCap(1);
    }
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    int resolveAt = rnd.nextInt(40);
    for (int step = 0; step < 80; step++) {
      if (step == resolveAt) {
        promised.complete(bobAtAlice.dup());
      }
      switch (rnd.nextInt(5)) {
        case 0:
        case 1:
          calls.add(call(p, "r" + calls.size()).send());
          break;
        case 2:
          aliceLoop.runPending();
          break;
        case 3:
          bobLoop.runPending();
          break;
        default:
          carolLoop.runPending();
          break;
      }
    }
    pump();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      expected.add("r" + i);
      assertThat(answer(calls.get(i))).as("seed %d call %d", seed, i).isEqualTo("got:r" + i);
    }
    assertThat(b.log).as("seed %d", seed).containsExactlyElementsOf(expected);
    p.close();
    bobAtAlice.close();
    aliceAtCarol.close();
    pump();
    for (InMemoryNetwork.Vat v : List.of(va, vb, vc)) {
      v.connections().forEach((peer, c) -> assertThat(c.tablesEmpty())
          .as("seed %d %s -> %s:\n%s", seed, v.name(), peer, c.dumpTables()).isTrue());
    }
    for (InMemoryNetwork.Vat v : List.of(va, vb, vc)) {
      v.close();
    }
    pump();
    assertThat(Capability.liveReferenceCount()).as("seed %d live references", seed)
        .isLessThanOrEqualTo(before);
  }

  @Test
  void eOrderHoldsUnderRandomSchedulesOfFourVats() {
    int seeds = Integer.getInteger("rpc.fuzz.seeds", 30);
    for (long seed = 0; seed < seeds; seed++) {
      randomFourVatSchedule(seed);
    }
  }

  /**
   * As {@link #randomSchedule}, with a fourth vat: at a random step Carol passes her reference
   * (a promise of Alice's, or already Bob's capability) to Dave, who then calls it too, and
   * either may drop its reference at a random step (later calls on it stop). Bob must see each
   * caller's calls in the order made, whichever path each took (through Alice, through Carol,
   * or directly after one or two handoffs); every call made is answered; at the end every table
   * is empty and no capability reference is left.
   */
  private static String dumpAll(List<InMemoryNetwork.Vat> vats) {
    StringBuilder sb = new StringBuilder();
    for (InMemoryNetwork.Vat v : vats) {
      v.connections().forEach((peer, c) -> sb.append(v.name()).append(" -> ").append(peer)
          .append(":\n").append(c.dumpTables()).append('\n'));
    }
    return sb.toString();
  }

  private void randomFourVatSchedule(long seed) {
    java.util.Random rnd = new java.util.Random(seed);
    long before = Capability.liveReferenceCount();
    InMemoryNetwork n = new InMemoryNetwork();
    CompletableFuture<Capability> promised = new CompletableFuture<>();
    Recorder a = alicePassingPromise(promised);
    Recorder b = new Recorder("bob");
    List<Capability> daveGot = new ArrayList<>();
    Recorder d = new Recorder("dave");
    d.handler = ctx -> {
      daveGot.add(Capability.fromPointer(ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1)));
      return TestSupport.echo(ctx, "ok");
    };
    InMemoryNetwork.Vat va = n.vat("alice", aliceLoop, Capability.of(a, aliceLoop), true);
    InMemoryNetwork.Vat vb = n.vat("bob", bobLoop, Capability.of(b, bobLoop), true);
    InMemoryNetwork.Vat vc = n.vat("carol", carolLoop, null, true);
    InMemoryNetwork.Vat vd = n.vat("dave", daveLoop, Capability.of(d, daveLoop), true);
    List<InMemoryNetwork.Vat> all = List.of(va, vb, vc, vd);
    Capability bobAtAlice = va.bootstrap("bob");
    Capability aliceAtCarol = vc.bootstrap("alice");
    Capability daveAtCarol = vc.bootstrap("dave");
    ResponsePromise<AnyPointer.Reader, Pipeline> get = call(aliceAtCarol, "get").send();
    pump();
    Capability p;
    try (Response<AnyPointer.Reader> r = get.join()) {
      p = r.getCap(1);
    }
    Capability atDave = null;
    ResponsePromise<AnyPointer.Reader, Pipeline> give = null;
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    int carolCalls = 0;
    int daveCalls = 0;
    int resolveAt = rnd.nextInt(40);
    int forwardAt = rnd.nextInt(60);
    int carolDropsAt = 60 + rnd.nextInt(60); // (after the forward; maybe never)
    int daveDropsAt = 60 + rnd.nextInt(60);
    EventLoop[] loops = {aliceLoop, bobLoop, carolLoop, daveLoop};
    for (int step = 0; step < 100; step++) {
      if (step == resolveAt) {
        promised.complete(bobAtAlice.dup());
      }
      if (step == forwardAt) {
        give = call(daveAtCarol, "take", p).send();
      }
      if (atDave == null && !daveGot.isEmpty()) {
        atDave = daveGot.remove(0);
      }
      if (step == carolDropsAt && p != null) {
        p.close();
        p = null;
      }
      if (step == daveDropsAt && atDave != null) {
        atDave.close();
        atDave = null;
        daveCalls = -1000; // (Dave calls no more)
      }
      int action = rnd.nextInt(7);
      if (action < 2) {
        if (p != null) {
          calls.add(call(p, "c" + carolCalls++).send());
        }
      } else if (action < 3) {
        if (atDave != null && daveCalls >= 0) {
          calls.add(call(atDave, "d" + daveCalls++).send());
        }
      } else {
        loops[action - 3].runPending();
      }
    }
    pump();
    if (give != null) {
      give.join().close();
    }
    if (atDave == null && !daveGot.isEmpty()) {
      atDave = daveGot.remove(0);
    }
    for (int i = 0; i < calls.size(); i++) {
      assertThat(calls.get(i)).as("seed %d call %d of %d; Bob saw %s; tables:%n%s", seed, i,
          calls.size(), b.log, dumpAll(all)).isDone();
      assertThat(calls.get(i).isCompletedExceptionally()).as("seed %d call %d failed", seed, i)
          .isFalse();
      calls.get(i).join().close();
    }
    List<String> carolSeen = new ArrayList<>();
    List<String> daveSeen = new ArrayList<>();
    for (String m : b.log) {
      (m.startsWith("c") ? carolSeen : daveSeen).add(m);
    }
    List<String> carolExpected = new ArrayList<>();
    for (int i = 0; i < carolCalls; i++) {
      carolExpected.add("c" + i);
    }
    assertThat(carolSeen).as("seed %d, Carol's calls", seed)
        .containsExactlyElementsOf(carolExpected);
    for (int i = 0; i < daveSeen.size(); i++) {
      assertThat(daveSeen.get(i)).as("seed %d, Dave's calls: %s", seed, daveSeen)
          .isEqualTo("d" + i);
    }
    for (Capability c : daveGot) {
      c.close();
    }
    for (Capability c : new Capability[] {p, atDave, bobAtAlice, aliceAtCarol, daveAtCarol}) {
      if (c != null) {
        c.close();
      }
    }
    pump();
    for (InMemoryNetwork.Vat v : all) {
      v.connections().forEach((peer, c) -> assertThat(c.tablesEmpty())
          .as("seed %d %s -> %s:\n%s", seed, v.name(), peer, c.dumpTables()).isTrue());
    }
    for (InMemoryNetwork.Vat v : all) {
      v.close();
    }
    pump();
    assertThat(Capability.liveReferenceCount()).as("seed %d live references", seed)
        .isLessThanOrEqualTo(before);
  }
}
