package dev.capnp.net;

import dev.capnp.net.testlog.LogRecorder;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Real vats (TLS over loopback, one JVM) for the Level 3 tests ({@link ThreeVatHandoffTest},
 * {@link ThreeVatForwardingTest}): up to four parties (Alice, Bob, Carol, Dave), the vats and
 * capabilities a test made, and {@link #finish}, which checks that every connection's tables
 * and every handoff table empty and that no capability reference is left once the vats are
 * closed.
 */
abstract class FourVatFixture {
  static final ServiceId SID = ServiceId.ofPublic("main");
  final List<Vat> vats = new ArrayList<>();
  final List<Capability> held = new ArrayList<>();
  final HandoffParty alice = new HandoffParty("alice");
  final HandoffParty bob = new HandoffParty("bob");
  final HandoffParty carol = new HandoffParty("carol");
  final HandoffParty dave = new HandoffParty("dave");
  private long liveBefore;

  @BeforeEach
  void count() {
    liveBefore = Capability.liveReferenceCount();
  }

  @AfterEach
  void closeAll() {
    LogRecorder.trace("dev.capnp.rpc.trace", false);
    held.forEach(Capability::close);
    vats.forEach(Vat::close);
  }

  Vat vat(HandoffParty party) {
    return vat(party, b -> b);
  }

  /**
   * A vat listening on loopback, with call forwarding on (off by default in {@link VatConfig})
   * so that the forwarding tests see it; {@code config} may change anything.
   */
  Vat vat(HandoffParty party, UnaryOperator<VatConfig.Builder> config) {
    Vat v = Vat.create(config.apply(VatConfig.builder()
        .listenAddress(NetAddress.tcp("127.0.0.1", 0)).callForwarding(true)).build(), party);
    vats.add(v);
    return v;
  }

  Capability keep(Capability c) {
    held.add(c);
    return c;
  }

  /** {@code from}'s capability to {@code to}'s service, connected (and settled by a ping). */
  Capability connect(Vat from, Vat to, String warmUp) throws Exception {
    Capability c = keep(from.importRef(to.sturdyUri(SID)).connect().get(20, TimeUnit.SECONDS));
    HandoffParty.ping(c, warmUp);
    return c;
  }

  /** Pings {@code prefix + i} for i in [from, to), all in flight at once; their answers. */
  static List<String> pings(Capability cap, String prefix, int from, int to) throws Exception {
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = from; i < to; i++) {
      calls.add(HandoffParty.pingAsync(cap, prefix + i));
    }
    List<String> answers = new ArrayList<>();
    for (CompletableFuture<String> f : calls) {
      answers.add(f.get(20, TimeUnit.SECONDS));
    }
    return answers;
  }

  /** The answers {@link #pings} expects from {@code who} ("bob:" and so on). */
  static List<String> expected(String who, String prefix, int from, int to) {
    List<String> r = new ArrayList<>();
    for (int i = from; i < to; i++) {
      r.add(who + prefix + i);
    }
    return r;
  }

  static void eventually(BooleanSupplier condition, Supplier<String> what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what.get());
      }
      Thread.sleep(10);
    }
  }

  /**
   * Releases what the test holds (and the parties' forwarding targets), checks that every
   * connection's tables and every handoff table empty, closes the vats and checks that no
   * capability reference is left.
   */
  void finish() throws Exception {
    for (HandoffParty p : List.of(alice, bob, carol, dave)) {
      p.forwardTo = null;
    }
    held.forEach(Capability::close);
    held.clear();
    for (Vat v : vats) {
      eventually(() -> v.rpcConnections().stream().allMatch(RpcConnection::tablesEmpty)
          && v.handoffTableSizes()[0] == 0, () -> v + "'s tables to empty: " + dump(v));
    }
    for (Vat v : vats) {
      v.close();
    }
    vats.clear();
    eventually(() -> Capability.liveReferenceCount() <= liveBefore,
        () -> "live capability references: " + Capability.liveReferenceCount() + " > "
            + liveBefore);
  }

  static String dump(Vat v) {
    StringBuilder s = new StringBuilder();
    for (RpcConnection c : v.rpcConnections()) {
      s.append('\n').append(c).append(": ").append(c.dumpTables());
    }
    return s.append("\nhandoff tables: ").append(v.handoffTableSizes()[0]).toString();
  }
}
