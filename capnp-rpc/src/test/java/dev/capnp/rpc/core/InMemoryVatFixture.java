package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.transport.InMemoryNetwork;
import dev.capnp.runtime.AnyPointer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Up to four vats (Alice, Bob, Carol, Dave) over one {@link InMemoryNetwork}, each on its own
 * manual event loop driven by the test thread, for the Level 3 tests
 * ({@link ThreePartyHandoffTest}, {@link ThreePartyForwardingTest}): the loops, {@link #pump},
 * the capabilities a test holds, and {@link #finishVats}, which checks that every connection's
 * tables empty and that no capability reference is left.
 */
abstract class InMemoryVatFixture {
  EventLoop aliceLoop;
  EventLoop bobLoop;
  EventLoop carolLoop;
  EventLoop daveLoop;
  InMemoryNetwork net;
  final List<Capability> toClose = new ArrayList<>();
  private long liveBefore;

  /** New loops and network (the live reference count is taken now). */
  @BeforeEach
  void newLoops() {
    liveBefore = Capability.liveReferenceCount();
    // (all loops belong to this thread; the last made is the thread's current loop, which
    // local promises such as Alice's use: make Alice's last)
    daveLoop = EventLoop.manual();
    carolLoop = EventLoop.manual();
    bobLoop = EventLoop.manual();
    aliceLoop = EventLoop.manual();
    net = new InMemoryNetwork().callForwarding(true);
  }

  @AfterEach
  void closeLoops() {
    daveLoop.close();
    carolLoop.close();
    bobLoop.close();
    aliceLoop.close();
  }

  /** Runs every vat until nothing is left to do. */
  void pump() {
    for (int i = 0; i < 100_000; i++) {
      if (aliceLoop.runPending() + bobLoop.runPending() + carolLoop.runPending()
          + daveLoop.runPending() == 0) {
        return;
      }
    }
    throw new AssertionError("not quiescent");
  }

  Capability keep(Capability c) {
    toClose.add(c);
    return c;
  }

  static String answer(ResponsePromise<AnyPointer.Reader, Pipeline> r) {
    assertThat(r).isDone();
    try (Response<AnyPointer.Reader> res = r.join()) {
      return text(res.get(), 0);
    }
  }

  /**
   * Closes what the test holds, checks every connection's tables of {@code vats}, closes them
   * and checks that no capability reference is left.
   */
  void finishVats(List<InMemoryNetwork.Vat> vats) {
    for (Capability c : toClose) {
      c.close();
    }
    toClose.clear();
    pump();
    for (InMemoryNetwork.Vat v : vats) {
      v.connections().forEach((peer, c) -> assertThat(c.tablesEmpty())
          .as("%s -> %s:\n%s", v.name(), peer, c.dumpTables()).isTrue());
    }
    for (InMemoryNetwork.Vat v : vats) {
      v.close();
    }
    pump();
    assertThat(Capability.liveReferenceCount()).as("live capability references")
        .isLessThanOrEqualTo(liveBefore);
  }
}
