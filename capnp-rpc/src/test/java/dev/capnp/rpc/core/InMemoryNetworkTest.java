package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.ThirdPartyNetwork;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.transport.InMemoryNetwork;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Text;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The in-memory vat network and its three-party handoff methods (the network alone: the
 * protocol's use of them is tested in {@link ThreePartyHandoffTest}); when Level 3 is on.
 */
class InMemoryNetworkTest extends TestSupport.LoopTest {

  private static AnyPointer.Builder root() {
    return new MessageBuilder().getRootAnyPointer();
  }

  @Test
  void level3IsOnOnlyWhenBothVatsSpeakItAndTheConnectionHasTheNetwork() {
    InMemoryNetwork net = new InMemoryNetwork();
    InMemoryNetwork.Vat a = net.vat("alice", loop, null, true);
    net.vat("bob", loop, Capability.of(new Recorder("bob")), true);
    net.vat("old", loop, Capability.of(new Recorder("old")), false);
    RpcConnection ab = a.connect("bob");
    RpcConnection ao = a.connect("old");
    loop.runPending();
    assertThat(ab.level3()).isTrue();
    assertThat(net.vat("bob").connection("alice").level3()).isTrue();
    assertThat(ao.level3()).isFalse();
    assertThat(net.vat("old").connection("alice").level3()).isFalse();
    // a connection made without a network stays at Level 1 (every existing use, C++ interop)
    InMemoryTransport[] t = InMemoryTransport.pair(true);
    RpcConnection plain = RpcConnection.create(loop, t[0], null, "plain");
    assertThat(plain.level3()).isFalse();
    plain.close();
    closeAll(net, "alice", "bob", "old");
  }

  @Test
  void oneConnectionPerPairOfVatsSharedByBothDirections() {
    InMemoryNetwork net = new InMemoryNetwork();
    Recorder bobServer = new Recorder("bob");
    InMemoryNetwork.Vat a = net.vat("alice", loop, null, true);
    InMemoryNetwork.Vat b = net.vat("bob", loop, Capability.of(bobServer), true);
    RpcConnection ab = a.connect("bob");
    assertThat(a.connect("bob")).isSameAs(ab);
    assertThat(b.connection("alice")).isNotNull().isNotSameAs(ab);
    assertThat(b.connect("alice")).isSameAs(b.connection("alice"));
    assertThat(net.connectionsMade()).isEqualTo(1);
    try (Capability bob = a.bootstrap("bob")) {
      var r = call(bob, "hi").send();
      loop.runPending();
      try (var res = r.join()) {
        assertThat(text(res.get(), 0)).isEqualTo("got:hi");
      }
    }
    assertThatThrownBy(() -> a.connect("nobody")).isInstanceOf(RpcException.class);
    closeAll(net, "alice", "bob");
  }

  @Test
  void hostMatchesTheAcceptWithTheProvideAndChecksTheRecipient() {
    InMemoryNetwork net = new InMemoryNetwork();
    InMemoryNetwork.Vat a = net.vat("alice", loop, null, true);
    InMemoryNetwork.Vat b = net.vat("bob", loop, null, true);
    InMemoryNetwork.Vat c = net.vat("carol", loop, null, true);
    InMemoryNetwork.Vat d = net.vat("dave", loop, null, true);
    RpcConnection ab = a.connect("bob");
    RpcConnection ac = a.connect("carol");
    AnyPointer.Builder contact = root();
    AnyPointer.Builder await = root();
    assertThat(net.introduce(ab, ac, contact, await)).isTrue();
    assertThat(contact.asReader().getAs(Text.FACTORY).toString())
        .startsWith("host=bob;introducer=alice;nonce=");
    // Carol connects to Bob (a new connection) and gets her completion
    ThirdPartyNetwork.Introduced in =
        net.connectToIntroduced(c.connection("alice"), contact.asReader())
            .toCompletableFuture().join();
    assertThat(in.connection()).isSameAs(c.connection("bob"));
    AnyPointer.Builder completion = root();
    in.completion().accept(completion);
    // the Accept may arrive before the Provide: it waits for it
    CompletableFuture<Object> early = net.completeThirdParty(b.connection("carol"),
        completion.asReader()).toCompletableFuture();
    assertThat(early).isNotDone();
    Object value = new Object();
    Runnable withdraw = net.awaitThirdParty(b.connection("alice"), await.asReader(), value);
    assertThat(early).isCompletedWithValue(value);
    // only the intended recipient may accept
    RpcConnection db = d.connect("bob");
    assertThat(db).isNotNull();
    CompletableFuture<Object> thief = net.completeThirdParty(b.connection("dave"),
        completion.asReader()).toCompletableFuture();
    assertThat(thief).isCompletedExceptionally();
    assertThatThrownBy(thief::join).hasMessageContaining("not the intended recipient");
    // once withdrawn (the introducer's Finish), later Accepts fail at once
    withdraw.run();
    CompletableFuture<Object> late = net.completeThirdParty(b.connection("carol"),
        completion.asReader()).toCompletableFuture();
    assertThatThrownBy(late::join).hasMessageContaining("withdrawn");
    closeAll(net, "alice", "bob", "carol", "dave");
  }

  @Test
  void aHostRemembersABoundedNumberOfWithdrawnProvisions() {
    InMemoryNetwork net = new InMemoryNetwork();
    InMemoryNetwork.Vat a = net.vat("alice", loop, null, true);
    InMemoryNetwork.Vat b = net.vat("bob", loop, null, true);
    InMemoryNetwork.Vat c = net.vat("carol", loop, null, true);
    RpcConnection ab = a.connect("bob");
    RpcConnection ac = a.connect("carol");
    int handoffs = InMemoryNetwork.REMEMBERED_WITHDRAWALS + 500;
    AnyPointer.Builder last = null;
    for (int i = 0; i < handoffs; i++) {
      AnyPointer.Builder contact = root();
      AnyPointer.Builder await = root();
      assertThat(net.introduce(ab, ac, contact, await)).isTrue();
      AnyPointer.Builder completion = root();
      net.connectToIntroduced(c.connection("alice"), contact.asReader())
          .toCompletableFuture().join().completion().accept(completion);
      Object value = new Object();
      Runnable withdraw = net.awaitThirdParty(b.connection("alice"), await.asReader(), value);
      assertThat(net.completeThirdParty(b.connection("carol"), completion.asReader())
          .toCompletableFuture()).isCompletedWithValue(value);
      withdraw.run(); // (the introducer's Finish: each forwarded call or handoff ends so)
      if (i == handoffs - 1) {
        last = completion;
      }
    }
    // every handoff completed: the host remembers at most the last REMEMBERED_WITHDRAWALS,
    // and a late Accept for a recent one still fails at once
    assertThat(b.provisionsRemembered()).isEqualTo(InMemoryNetwork.REMEMBERED_WITHDRAWALS);
    CompletableFuture<Object> late = net.completeThirdParty(b.connection("carol"),
        last.asReader()).toCompletableFuture();
    assertThatThrownBy(late::join).hasMessageContaining("withdrawn");
    closeAll(net, "alice", "bob", "carol");
  }

  @Test
  void aHandoffValueMissingAFieldIsRefusedClearly() {
    InMemoryNetwork net = new InMemoryNetwork();
    InMemoryNetwork.Vat a = net.vat("alice", loop, null, true);
    InMemoryNetwork.Vat b = net.vat("bob", loop, null, true);
    a.connect("bob");
    AnyPointer.Builder completion = root();
    completion.setAs(Text.FACTORY, new Text.Reader("nonce=1;introducerx=alice"));
    CompletableFuture<Object> r = net.completeThirdParty(b.connection("alice"),
        completion.asReader()).toCompletableFuture();
    assertThat(r).isCompletedExceptionally();
    assertThatThrownBy(r::join).hasMessageContaining("has no introducer");
    AnyPointer.Builder contact = root();
    contact.setAs(Text.FACTORY, new Text.Reader("introducer=bob;nonce=1"));
    assertThatThrownBy(() -> net.connectToIntroduced(a.connection("bob"), contact.asReader())
        .toCompletableFuture().join()).hasMessageContaining("has no host");
    closeAll(net, "alice", "bob");
  }

  @Test
  void unreachableHostFailsTheConnectAndSelfIntroductionIsRefused() {
    InMemoryNetwork net = new InMemoryNetwork();
    InMemoryNetwork.Vat a = net.vat("alice", loop, null, true);
    InMemoryNetwork.Vat c = net.vat("carol", loop, null, true);
    net.vat("bob", loop, null, true);
    RpcConnection ab = a.connect("bob");
    RpcConnection ac = a.connect("carol");
    AnyPointer.Builder contact = root();
    assertThat(net.introduce(ab, ac, contact, root())).isTrue();
    assertThat(net.introduce(ab, ab, root(), root())).isFalse();
    net.setReachable("carol", "bob", false);
    CompletableFuture<ThirdPartyNetwork.Introduced> f =
        net.connectToIntroduced(c.connection("alice"), contact.asReader())
            .toCompletableFuture();
    assertThatThrownBy(f::join).hasMessageContaining("unreachable");
    assertThat(c.connection("bob")).isNull();
    closeAll(net, "alice", "bob", "carol");
  }

  private void closeAll(InMemoryNetwork net, String... names) {
    for (String n : names) {
      net.vat(n).close();
    }
    loop.runPending();
  }
}
