package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;

/**
 * One connection driven by a hand-written peer that builds raw {@code rpc.capnp} messages: the
 * setup and helpers shared by {@link RawPeerTest} and {@link EarlyFinishTest}.
 */
abstract class RawPeerTestBase extends TestSupport.LoopTest {
  InMemoryTransport[] wires;
  RpcConnection conn;
  final List<MessageReader> received = new ArrayList<>();
  Recorder service;

  @BeforeEach
  void setUp() {
    wires = InMemoryTransport.pair(true);
    service = new Recorder("service");
    connect(wires[0]);
  }

  /**
   * Serves {@link #service} over {@code ourEnd} (our side of {@link #wires}, or a wrapper of it),
   * and starts the peer's side, which keeps every message it receives in {@link #received}.
   */
  void connect(MessageTransport ourEnd) {
    conn = RpcConnection.create(loop, ourEnd, Capability.of(service), "conn");
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

  @org.junit.jupiter.api.AfterEach
  void tearDown() {
    conn.close();
    run();
  }

  void peerSends(Consumer<Rpc.Message.Builder> build) {
    MessageBuilder mb = new MessageBuilder();
    build.accept(mb.initRoot(Rpc.Message.FACTORY));
    wires[1].send(mb);
    run();
  }

  /** The peer's bootstrap capability (its import 7), asked for and answered. */
  Capability bootstrapAnswered() {
    Capability peerCap = conn.bootstrap();
    run();
    int bootQ = -1;
    for (MessageReader m : received) {
      Rpc.Message.Reader msg = m.getRoot(Rpc.Message.FACTORY);
      if (msg.isBootstrap()) {
        bootQ = msg.getBootstrap().getQuestionId();
      }
    }
    int q = bootQ;
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(q);
      r.initResults().getContent().setCapabilityIndex(0);
      r.getResults().initCapTable(1).get(0).setSenderHosted(7);
    });
    received.clear();
    return peerCap;
  }

  /** The question id of the last Call the connection sent. */
  int lastCallId() {
    for (int i = received.size() - 1; i >= 0; i--) {
      Rpc.Message.Reader m = received.get(i).getRoot(Rpc.Message.FACTORY);
      if (m.isCall()) {
        return m.getCall().getQuestionId();
      }
    }
    throw new AssertionError("no Call sent: " + receivedSummaries());
  }

  /** The peer answers {@code answerId} with results whose pointer 0 is {@code text}. */
  void peerReturnsText(int answerId, String text) {
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(answerId);
      r.setReleaseParamCaps(false);
      r.initResults().getContent().initAs(dev.capnp.runtime.AnyStruct.factory(
          TestSupport.PARAMS)).getPointer(0).setAs(dev.capnp.runtime.Text.FACTORY,
          new dev.capnp.runtime.Text.Reader(text));
    });
  }

  void run() {
    for (int i = 0; i < 100; i++) {
      int n = wires[0].deliverAll() + loop.runPending() + wires[1].deliverAll();
      if (n == 0) {
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


  void peerCalls(int questionId, int importId, String msg) {
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(questionId);
      c.initTarget().setImportedCap(importId);
      c.setInterfaceId(TestSupport.IFACE);
      c.setMethodId((short) 0);
      c.initParams().getContent().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
          .setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader(msg));
    });
  }

  // ------------------------------------------------------------ early Finish (issue 10 item 8)

  /** The slow call's capability (pointer 1 of its results), made when {@link #gate} opens. */
  final Recorder slowResult = new Recorder("x");
  final java.util.concurrent.CompletableFuture<Void> gate =
      new java.util.concurrent.CompletableFuture<>();

  /**
   * "slow" answers when {@link #gate} opens with {@link #slowResult} at pointer 1; "use" calls
   * the capability at pointer 1 of its params with "hi" and answers "used:" + its reply; anything
   * else is echoed.
   */
  int serveSlowAndUse() {
    service.handler = ctx -> {
      String msg = TestSupport.text(ctx.getParams(), 0);
      if (msg.equals("slow")) {
        return gate.thenRun(() -> {
          AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
          try (Capability x = Capability.of(slowResult)) {
            x.writeTo(out.getPointer(1));
          }
        });
      }
      if (msg.equals("use")) {
        Capability c =
            Capability.fromPointer(ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1));
        ctx.releaseParams();
        return call(c, "hi").send().thenAccept(r -> {
          try (r) {
            ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
                .setAs(dev.capnp.runtime.Text.FACTORY,
                    new dev.capnp.runtime.Text.Reader("used:" + TestSupport.text(r.get(), 0)));
          }
        }).whenComplete((v, e) -> c.close());
      }
      return TestSupport.echo(ctx, "got:" + msg);
    };
    return bootstrapServiceId();
  }

  /**
   * The peer bootstraps (question 0), finishes it and forgets what it received so far.
   *
   * @return the export id of the service, for the peer's calls
   */
  int bootstrapServiceId() {
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    int serviceId = received.get(0).getRoot(Rpc.Message.FACTORY).getReturn().getResults()
        .getCapTable().get(0).getSenderHosted();
    peerFinishes(0, false);
    received.clear();
    return serviceId;
  }

  void peerFinishes(int questionId, boolean releaseResultCaps) {
    peerSends(m -> {
      Rpc.Finish.Builder f = m.initFinish();
      f.setQuestionId(questionId);
      f.setReleaseResultCaps(releaseResultCaps);
    });
  }

  void peerReleases(int exportId) {
    peerSends(m -> {
      Rpc.Release.Builder r = m.initRelease();
      r.setId(exportId);
      r.setReferenceCount(1);
    });
  }

  /** Text at pointer 0 of the results of the {@code Return} for {@code answerId}. */
  String returnedText(int answerId) {
    for (MessageReader m : received) {
      Rpc.Message.Reader msg = m.getRoot(Rpc.Message.FACTORY);
      if (msg.isReturn() && msg.getReturn().getAnswerId() == answerId) {
        Rpc.Return.Reader r = msg.getReturn();
        if (!r.isResults()) {
          return TestSupport.summary(m);
        }
        return r.getResults().getContent().getAs(AnyStruct.FACTORY).getPointer(0)
            .getAs(dev.capnp.runtime.Text.FACTORY).toString();
      }
    }
    return null;
  }
}
