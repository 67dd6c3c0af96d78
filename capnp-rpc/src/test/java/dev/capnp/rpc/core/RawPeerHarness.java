package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.StructList;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A vat's connection driven by a hand-written peer that builds raw {@code rpc.capnp} messages. */
abstract class RawPeerHarness extends TestSupport.LoopTest {
  InMemoryTransport[] wires;
  RpcConnection conn;
  final List<MessageReader> received = new ArrayList<>();
  long liveBefore;

  void connect(Capability bootstrap, ConnectionLimits limits) {
    connect(bootstrap, limits, null);
  }

  /** As {@link #connect(Capability, ConnectionLimits)}, at Level 3 over {@code network}. */
  void connect(Capability bootstrap, ConnectionLimits limits,
      dev.capnp.rpc.ThirdPartyNetwork network) {
    liveBefore = Capability.liveReferenceCount() - 1;
    wires = InMemoryTransport.pair(true);
    if (network == null) {
      conn = RpcConnection.create(loop, wires[0], bootstrap, "conn", limits);
    } else {
      conn = new RpcConnection(loop, wires[0], bootstrap == null ? null : id -> bootstrap.dup(),
          "conn").limits(limits).thirdPartyNetwork(network);
      if (bootstrap != null) {
        conn.whenDisconnected().whenComplete((e, x) -> bootstrap.close());
      }
      conn.start();
    }
    wires[1].start(new MessageTransport.Receiver() {
      @Override
      public void onMessage(MessageReader message) {
        received.add(message);
      }

      @Override
      public void onClosed(Throwable cause) {
        // nothing
      }
    });
  }

  void peerSends(Consumer<Rpc.Message.Builder> build) {
    MessageBuilder mb = new MessageBuilder();
    build.accept(mb.initRoot(Rpc.Message.FACTORY));
    wires[1].send(mb);
    for (int i = 0; i < 100; i++) {
      if (wires[0].deliverAll() + loop.runPending() + wires[1].deliverAll() == 0) {
        return;
      }
    }
  }

  void callBootstrap(int questionId, int capCount, int firstImportId) {
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(questionId);
      c.setInterfaceId(TestSupport.IFACE);
      c.initTarget().initPromisedAnswer().setQuestionId(0);
      Rpc.Payload.Builder p = c.initParams();
      p.getContent().initAs(AnyStruct.factory(TestSupport.PARAMS));
      if (capCount > 0) {
        StructList.Builder<Rpc.CapDescriptor.Builder> caps = p.initCapTable(capCount);
        for (int i = 0; i < capCount; i++) {
          caps.get(i).setSenderHosted(firstImportId + i);
        }
      }
    });
  }

  /** The connection was aborted with a reason naming {@code limit}, and freed everything. */
  void assertAbortedFor(String limit) {
    assertThat(conn.disconnectReason()).isNotNull();
    assertThat(conn.disconnectReason().getReason()).startsWith("RPC limit exceeded")
        .contains("(" + limit + ")");
    String last = TestSupport.summary(received.get(received.size() - 1));
    assertThat(last).startsWith("abort:RPC limit exceeded");
    assertThat(conn.tablesEmpty()).isTrue();
    loop.runPending();
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(liveBefore);
  }


  void run() {
    for (int i = 0; i < 100; i++) {
      if (wires[0].deliverAll() + loop.runPending() + wires[1].deliverAll() == 0) {
        return;
      }
    }
  }

  List<String> receivedSummaries() {
    List<String> r = new ArrayList<>();
    for (MessageReader m : received) {
      r.add(TestSupport.summary(m));
    }
    return r;
  }
}
