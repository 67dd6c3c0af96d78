package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.StructList;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Drives one connection from a hand-written peer (Level 0 peers, unknown messages, errors). */
class RawPeerTest extends RawPeerTestBase {
  @Test
  void unknownMessagesAreAnsweredWithUnimplemented() {
    peerSends(m -> m.initObsoleteSave().setAs(dev.capnp.runtime.Text.FACTORY,
        new dev.capnp.runtime.Text.Reader("x")));
    peerSends(m -> m.initProvide().setQuestionId(5));
    assertThat(receivedSummaries()).containsExactly("unimplemented", "unimplemented");
    Rpc.Message.Reader echoed = received.get(1).getRoot(Rpc.Message.FACTORY).getUnimplemented();
    assertThat(echoed.isProvide()).isTrue();
    assertThat(echoed.getProvide().getQuestionId()).isEqualTo(5);
    assertThat(conn.disconnectReason()).isNull();
  }

  @Test
  void unimplementedBootstrapAndCallBecomeUnimplementedErrors() {
    Capability bs = conn.bootstrap();
    run();
    MessageReader bootstrapMsg = received.get(0);
    peerSends(m -> m.setUnimplemented(bootstrapMsg.getRoot(Rpc.Message.FACTORY)));
    assertThat(bs.problem()).isNotNull();
    assertThat(bs.problem().getType()).isEqualTo(RpcException.Type.UNIMPLEMENTED);
    assertThat(bs.problem().getMessage()).isEqualTo("Bootstrap message not implemented by peer");
    bs.close();
    run();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  @Test
  void unimplementedCall() {
    // the peer exports a capability to us through its Return of our bootstrap
    Capability bs = conn.bootstrap();
    run();
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(0);
      Rpc.Payload.Builder p = r.initResults();
      p.getContent().setCapabilityIndex(0);
      p.initCapTable(1).get(0).setSenderHosted(7);
    });
    received.clear();
    ResponsePromise<AnyPointer.Reader, Pipeline> c = call(bs, "hello").send();
    run();
    assertThat(receivedSummaries()).contains("call:0->import:7");
    MessageReader callMsg = received.get(received.size() - 1);
    peerSends(m -> m.setUnimplemented(callMsg.getRoot(Rpc.Message.FACTORY)));
    assertThat(c).isCompletedExceptionally();
    assertThat(BasicProtocolTest.catchIt(c).getMessage())
        .isEqualTo("Call message not implemented by peer!");
    bs.close();
    run();
    assertThat(receivedSummaries()).contains("release:7x1");
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  @Test
  void autoRelease_level0PeerFinishWithReleaseResultCaps() {
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    assertThat(receivedSummaries()).containsExactly("return:0:results");
    assertThat(conn.tableSizes()[3]).isEqualTo(1);
    peerSends(m -> {
      Rpc.Finish.Builder f = m.initFinish();
      f.setQuestionId(0);
      f.setReleaseResultCaps(true);
    });
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  @Test
  void autoRelease_returnWithReleaseParamCaps() {
    Capability bs = conn.bootstrap();
    run();
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(0);
      Rpc.Payload.Builder p = r.initResults();
      p.getContent().setCapabilityIndex(0);
      p.initCapTable(1).get(0).setSenderHosted(3);
    });
    Recorder arg = new Recorder("arg");
    Capability a = Capability.of(arg);
    ResponsePromise<AnyPointer.Reader, Pipeline> c = call(bs, "take", a).send();
    a.close();
    run();
    assertThat(conn.tableSizes()[3]).isEqualTo(1);
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(0); // question ids are reused: the bootstrap question is finished
      r.setReleaseParamCaps(true);
      r.initResults();
    });
    assertThat(c).isCompleted();
    TestSupport.get(c).close();
    assertThat(arg.released).isTrue();
    bs.close();
    run();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  @Test
  void protocolErrorAbortsAndBreaksEverything() {
    Capability bs = conn.bootstrap();
    run();
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(0);
      Rpc.Payload.Builder p = r.initResults();
      p.getContent().setCapabilityIndex(0);
      p.initCapTable(1).get(0).setSenderHosted(1);
    });
    received.clear();
    peerSends(m -> m.initRelease().setId(42));
    assertThat(receivedSummaries()).hasSize(1);
    assertThat(receivedSummaries().get(0)).startsWith("abort:")
        .contains("Tried to release invalid export ID 42");
    assertThat(conn.disconnectReason()).isNotNull();
    assertThat(bs.problem()).isNotNull();
    assertThat(bs.problem().getMessage()).contains("invalid export ID 42");
    bs.close();
    assertThat(conn.tablesEmpty()).isTrue();
  }

  @Test
  void abortFromPeerBreaksCapsWithPeersReason() {
    Capability bs = conn.bootstrap();
    run();
    peerSends(m -> {
      Rpc.Exception.Builder e = m.initAbort();
      e.setType(Rpc.Exception.Type.DISCONNECTED);
      e.setReason("peer going away");
    });
    assertThat(bs.problem()).isNotNull();
    assertThat(bs.problem().getType()).isEqualTo(RpcException.Type.DISCONNECTED);
    assertThat(bs.problem().getMessage()).isEqualTo("peer going away");
    bs.close();
  }

  @Test
  void bootstrapWithObjectIdReachesTheFactory() {
    List<String> ids = new ArrayList<>();
    InMemoryTransport[] w = InMemoryTransport.pair(true);
    RpcConnection server = new RpcConnection(loop, w[1], id -> {
      ids.add(id == null ? null : id.getAs(dev.capnp.runtime.Text.FACTORY).toString());
      return Capability.of(service);
    }, "server");
    server.start();
    RpcConnection client = RpcConnection.create(loop, w[0], null, "client");
    Capability a = client.bootstrap("service-7");
    Capability b = client.bootstrap();
    for (int i = 0; i < 10; i++) {
      w[0].deliverAll();
      w[1].deliverAll();
      loop.runPending();
    }
    assertThat(ids).containsExactly("service-7", null);
    a.close();
    b.close();
    client.close();
    server.close();
  }

  @Test
  void unimplementedResolveReleasesTheResolution() {
    java.util.concurrent.CompletableFuture<Capability> later =
        new java.util.concurrent.CompletableFuture<>();
    Recorder x = new Recorder("x");
    service.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability p = Capability.promise(later)) {
        p.writeTo(out.getPointer(1));
      }
      return dev.capnp.rpc.Server.done();
    };
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    peerCalls(1, 0, "promise");
    assertThat(receivedSummaries()).containsExactly("return:0:results", "return:1:results");
    Rpc.CapDescriptor.Reader d = received.get(1).getRoot(Rpc.Message.FACTORY).getReturn()
        .getResults().getCapTable().get(0);
    assertThat(d.isSenderPromise()).isTrue();
    later.complete(Capability.of(x));
    run();
    assertThat(receivedSummaries()).contains("resolve:" + d.getSenderPromise() + ":cap");
    MessageReader resolveMsg = received.get(received.size() - 1);
    assertThat(conn.tableSizes()[3]).isEqualTo(3); // bootstrap, promise, resolution
    peerSends(m -> m.setUnimplemented(resolveMsg.getRoot(Rpc.Message.FACTORY)));
    assertThat(conn.tableSizes()[3]).isEqualTo(2); // the resolution's export was released
    for (int q = 0; q < 2; q++) {
      final int id = q;
      peerSends(m -> {
        Rpc.Finish.Builder f = m.initFinish();
        f.setQuestionId(id);
        f.setReleaseResultCaps(true);
      });
    }
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
    assertThat(x.released).isTrue();
  }

  @Test
  void thirdPartyCapFallsBackToTheVine() {
    Capability bs = conn.bootstrap();
    run();
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(0);
      Rpc.Payload.Builder p = r.initResults();
      p.getContent().setCapabilityIndex(0);
      p.initCapTable(1).get(0).initThirdPartyHosted().setVineId(9);
    });
    received.clear();
    ResponsePromise<AnyPointer.Reader, Pipeline> c = call(bs, "via-vine").send();
    run();
    assertThat(receivedSummaries()).containsExactly("call:0->import:9");
    c.cancel(false);
    bs.close();
    run();
    assertThat(receivedSummaries()).contains("release:9x1");
  }

  @Test
  void disembargoAcceptIsUnimplemented() {
    peerSends(m -> {
      Rpc.Disembargo.Builder d = m.initDisembargo();
      d.initTarget().setImportedCap(0);
      d.initContext().setAccept(new byte[] {1, 2, 3});
    });
    assertThat(receivedSummaries()).containsExactly("unimplemented");
    assertThat(conn.disconnectReason()).isNull();
  }

  @Test
  void takeFromOtherQuestionMayArriveBeforeTheRedirectedAnswerCompletes() {
    // like C++: Call(sendResultsTo.yourself) = A, then at once Return(takeFromOtherQuestion = A)
    java.util.concurrent.CompletableFuture<Void> gate =
        new java.util.concurrent.CompletableFuture<>();
    service.handler = ctx -> gate.thenCompose(v -> TestSupport.echo(ctx, "late"));
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    peerSends(m -> {
      Rpc.Finish.Builder f = m.initFinish();
      f.setQuestionId(0);
      f.setReleaseResultCaps(false); // keep the bootstrap export (the schema default is true)
    });
    Capability bs = conn.bootstrap();
    run();
    int bootstrapQ = received.get(received.size() - 1).getRoot(Rpc.Message.FACTORY)
        .getBootstrap().getQuestionId();
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(bootstrapQ);
      Rpc.Payload.Builder p = r.initResults();
      p.getContent().setCapabilityIndex(0);
      p.initCapTable(1).get(0).setSenderHosted(3);
    });
    received.clear();
    ResponsePromise<AnyPointer.Reader, Pipeline> go = call(bs, "go").send();
    run();
    int q = received.get(received.size() - 1).getRoot(Rpc.Message.FACTORY).getCall()
        .getQuestionId();
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(5);
      c.initTarget().setImportedCap(0);
      c.setInterfaceId(TestSupport.IFACE);
      c.setMethodId((short) 0);
      c.initSendResultsTo().setYourself();
      c.initParams().getContent().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
          .setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader("slow"));
    });
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(q);
      r.setTakeFromOtherQuestion(5);
    });
    assertThat(conn.disconnectReason()).isNull();
    assertThat(go).isNotDone();
    gate.complete(null);
    run();
    assertThat(go).isDone();
    try (var r = TestSupport.get(go)) {
      assertThat(TestSupport.text(r.get(), 0)).isEqualTo("late");
    }
    assertThat(receivedSummaries()).contains("return:5:sent-elsewhere", "finish:" + q);
    peerSends(m -> {
      Rpc.Finish.Builder f = m.initFinish();
      f.setQuestionId(5);
      f.setReleaseResultCaps(false);
    });
    peerSends(m -> {
      Rpc.Release.Builder r = m.initRelease();
      r.setId(0);
      r.setReferenceCount(1);
    });
    bs.close();
    run();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  /**
   * Our export resolved (by a {@code Resolve} naming the peer's answer) to a promise of the
   * peer's that later resolves back to one of our own objects: the export must keep forwarding
   * to the peer's answer, so that a senderLoopback {@code Disembargo} the peer sends to it (it
   * embargoed the promise, whose resolution was still local to it) is reflected instead of
   * aborting the connection (fuzz regression-disembargo-to-export-resolved-to-peer-answer).
   */
  @Test
  void exportResolvedToPeerAnswerKeepsReflectingDisembargoes() {
    java.util.concurrent.CompletableFuture<Capability> later =
        new java.util.concurrent.CompletableFuture<>();
    Recorder x = new Recorder("x");
    service.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability p = Capability.promise(later)) {
        p.writeTo(out.getPointer(1));
      }
      return dev.capnp.rpc.Server.done();
    };
    // our question 0: the peer's bootstrap, called with x (exported as 0) before it answers
    Capability bs = conn.bootstrap();
    ResponsePromise<AnyPointer.Reader, Pipeline> c = call(bs, "a", Capability.of(x)).send();
    run();
    assertThat(receivedSummaries()).containsExactly("bootstrap:0", "call:1->answer:0");
    // the peer gets a promise export from us, which we resolve to our question 0
    int xId = received.get(1).getRoot(Rpc.Message.FACTORY).getCall().getParams().getCapTable()
        .get(0).getSenderHosted();
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    int serviceId = received.get(2).getRoot(Rpc.Message.FACTORY).getReturn().getResults()
        .getCapTable().get(0).getSenderHosted();
    peerCalls(1, serviceId, "promise");
    assertThat(receivedSummaries()).containsExactly("bootstrap:0", "call:1->answer:0",
        "return:0:results", "return:1:results");
    Rpc.CapDescriptor.Reader d = received.get(3).getRoot(Rpc.Message.FACTORY).getReturn()
        .getResults().getCapTable().get(0);
    assertThat(d.isSenderPromise()).isTrue();
    int promiseId = d.getSenderPromise();
    later.complete(bs); // (the promise takes bs over)
    run();
    Rpc.Resolve.Reader r = received.get(4).getRoot(Rpc.Message.FACTORY).getResolve();
    assertThat(r.getPromiseId()).isEqualTo(promiseId);
    assertThat(r.getCap().isReceiverAnswer()).isTrue();
    assertThat(r.getCap().getReceiverAnswer().getQuestionId()).isEqualTo(0);
    // the peer answers our question 0 with x itself: our promise embargoes (calls went out)
    peerSends(m -> {
      Rpc.Return.Builder ret = m.initReturn();
      ret.setAnswerId(0);
      Rpc.Payload.Builder p = ret.initResults();
      p.getContent().setCapabilityIndex(0);
      p.initCapTable(1).get(0).setReceiverHosted(xId);
    });
    assertThat(receivedSummaries()).contains("disembargo-request->answer:0");
    int ourEmbargo = received.get(received.size() - 1).getRoot(Rpc.Message.FACTORY)
        .getDisembargo().getContext().getSenderLoopback();
    // (the peer reflects it at once: our promise is x now, without embargo)
    peerSends(m -> {
      Rpc.Disembargo.Builder dis = m.initDisembargo();
      dis.initTarget().setImportedCap(xId);
      dis.initContext().setReceiverLoopback(ourEmbargo);
    });
    received.clear();
    // the peer had embargoed our promise export (resolved, for it, to a promise still local
    // to it) and asks us to reflect: the export still points to the peer's answer
    peerSends(m -> {
      Rpc.Disembargo.Builder dis = m.initDisembargo();
      dis.initTarget().setImportedCap(promiseId);
      dis.initContext().setSenderLoopback(7);
    });
    assertThat(conn.disconnectReason()).isNull();
    assertThat(receivedSummaries()).containsExactly("disembargo-reply->answer:0");
    assertThat(received.get(0).getRoot(Rpc.Message.FACTORY).getDisembargo().getContext()
        .getReceiverLoopback()).isEqualTo(7);
    c.cancel(false);
    run();
    assertThat(conn.disconnectReason()).isNull();
  }

  /**
   * The Tribble 4-way race on the {@code Return} side: once an answer has returned one of the
   * peer's promises (described to it as its own export), a {@code Disembargo} the peer sends to
   * that pipelined answer must be reflected along the path the Return named, even if that
   * promise has resolved back to us meanwhile (rpc.c++ {@code PostReturnRpcPipeline}).
   */
  @Test
  void returnedPeerPromiseKeepsReflectingDisembargoesToItsAnswer() {
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    int serviceId = received.get(0).getRoot(Rpc.Message.FACTORY).getReturn().getResults()
        .getCapTable().get(0).getSenderHosted();
    // the peer calls the service with its promise export 10; the echo returns it
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(1);
      c.initTarget().setImportedCap(serviceId);
      c.setInterfaceId(TestSupport.IFACE);
      Rpc.Payload.Builder p = c.initParams();
      AnyStruct.Builder s = p.getContent().initAs(AnyStruct.factory(TestSupport.PARAMS));
      s.getPointer(0).setAs(dev.capnp.runtime.Text.FACTORY,
          new dev.capnp.runtime.Text.Reader("a"));
      s.getPointer(1).setCapabilityIndex(0);
      p.initCapTable(1).get(0).setSenderPromise(10);
    });
    assertThat(receivedSummaries()).containsExactly("return:0:results", "return:1:results");
    Rpc.CapDescriptor.Reader d = received.get(1).getRoot(Rpc.Message.FACTORY).getReturn()
        .getResults().getCapTable().get(0);
    assertThat(d.isReceiverHosted()).isTrue();
    assertThat(d.getReceiverHosted()).isEqualTo(10);
    // a call the peer pipelined on answer 1 before the Return reached it: forwarded to 10
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(2);
      Rpc.PromisedAnswer.Builder pa = c.initTarget().initPromisedAnswer();
      pa.setQuestionId(1);
      pa.initTransform(1).get(0).setGetPointerField((short) 1);
      c.setInterfaceId(TestSupport.IFACE);
      c.initParams().getContent().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
          .setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader("b"));
    });
    assertThat(receivedSummaries()).last().isEqualTo("call:0->import:10");
    received.clear();
    // The Return made the peer's pipelined capability its own promise 10: it embargoes it and
    // sends a Disembargo to answer 1; right behind it, promise 10 resolves to our service
    // (both handled before the reflection, which waits a turn for earlier calls)
    MessageBuilder dis = new MessageBuilder();
    Rpc.Disembargo.Builder db = dis.initRoot(Rpc.Message.FACTORY).initDisembargo();
    Rpc.PromisedAnswer.Builder pa = db.initTarget().initPromisedAnswer();
    pa.setQuestionId(1);
    pa.initTransform(1).get(0).setGetPointerField((short) 1);
    db.initContext().setSenderLoopback(7);
    MessageBuilder res = new MessageBuilder();
    Rpc.Resolve.Builder rb = res.initRoot(Rpc.Message.FACTORY).initResolve();
    rb.setPromiseId(10);
    rb.initCap().setReceiverHosted(serviceId);
    wires[1].send(dis);
    wires[1].send(res);
    run();
    // our promise embargoes too (the call went through it) and the peer reflects that at once
    assertThat(receivedSummaries()).contains("disembargo-request->import:10");
    int ours = received.stream()
        .map(m -> m.getRoot(Rpc.Message.FACTORY))
        .filter(m -> m.isDisembargo() && m.getDisembargo().getContext().isSenderLoopback())
        .findFirst().orElseThrow().getDisembargo().getContext().getSenderLoopback();
    peerSends(m -> {
      Rpc.Disembargo.Builder r = m.initDisembargo();
      r.initTarget().setImportedCap(serviceId);
      r.initContext().setReceiverLoopback(ours);
    });
    // the peer's Disembargo came back along the path the Return named: its export 10
    assertThat(conn.disconnectReason()).isNull();
    List<String> replies = new ArrayList<>();
    for (MessageReader m : received) {
      Rpc.Message.Reader msg = m.getRoot(Rpc.Message.FACTORY);
      if (msg.isDisembargo() && msg.getDisembargo().getContext().isReceiverLoopback()) {
        replies.add(TestSupport.summary(m) + "#"
            + msg.getDisembargo().getContext().getReceiverLoopback());
      }
    }
    assertThat(replies).containsExactly("disembargo-reply->import:10#7");
    for (int q = 0; q < 3; q++) {
      final int id = q;
      peerSends(m -> {
        Rpc.Finish.Builder f = m.initFinish();
        f.setQuestionId(id);
        f.setReleaseResultCaps(true);
      });
    }
    assertThat(conn.disconnectReason()).isNull();
  }

  /**
   * The pin of {@link #returnedPeerPromiseKeepsReflectingDisembargoesToItsAnswer} must not keep
   * the peer's export alive: the peer may resolve its promise to a result of the very call we
   * returned it from, and then its export holds that question, which it cannot finish before we
   * release the import (a reference cycle across the two vats, which rpc.c++ has).
   */
  @Test
  void returnedPeerPromiseResolvedToItsOwnCallResultIsReleased() {
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    int serviceId = received.get(0).getRoot(Rpc.Message.FACTORY).getReturn().getResults()
        .getCapTable().get(0).getSenderHosted();
    // the peer calls the service with its promise 10 and the service itself: both echoed back
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(1);
      c.initTarget().setImportedCap(serviceId);
      c.setInterfaceId(TestSupport.IFACE);
      Rpc.Payload.Builder p = c.initParams();
      AnyStruct.Builder s = p.getContent().initAs(AnyStruct.factory(TestSupport.PARAMS));
      s.getPointer(0).setAs(dev.capnp.runtime.Text.FACTORY,
          new dev.capnp.runtime.Text.Reader("a"));
      s.getPointer(1).setCapabilityIndex(0);
      s.getPointer(2).setCapabilityIndex(1);
      StructList.Builder<Rpc.CapDescriptor.Builder> caps = p.initCapTable(2);
      caps.get(0).setSenderPromise(10);
      caps.get(1).setReceiverHosted(serviceId);
    });
    assertThat(receivedSummaries()).containsExactly("return:0:results", "return:1:results");
    received.clear();
    // the peer's promise resolves to the service, as found at result 2 of that very call
    peerSends(m -> {
      Rpc.Resolve.Builder r = m.initResolve();
      r.setPromiseId(10);
      Rpc.PromisedAnswer.Builder pa = r.initCap().initReceiverAnswer();
      pa.setQuestionId(1);
      pa.initTransform(1).get(0).setGetPointerField((short) 2);
    });
    // nothing of ours uses import 10 any more: it is released although answer 1 still lives
    // (the promise embargoes first: it was sent in the Return, which counts as use)
    assertThat(receivedSummaries())
        .containsExactly("disembargo-request->import:10", "release:10x1");
    assertThat(conn.disconnectReason()).isNull();
    int ours = received.get(0).getRoot(Rpc.Message.FACTORY).getDisembargo().getContext()
        .getSenderLoopback();
    peerSends(m -> {
      Rpc.Disembargo.Builder r = m.initDisembargo();
      r.initTarget().setImportedCap(serviceId);
      r.initContext().setReceiverLoopback(ours);
    });
    for (int q = 0; q < 2; q++) {
      final int id = q;
      peerSends(m -> {
        Rpc.Finish.Builder f = m.initFinish();
        f.setQuestionId(id);
        f.setReleaseResultCaps(true);
      });
    }
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  /**
   * A question canceled before the peer's {@code Return.takeFromOtherQuestion} names our answer
   * to the peer's tail call: nobody takes those results, so they are released at once. Kept in
   * the answer, they held a pipelined capability of that very question, which then never sent
   * its {@code Finish}; the peer's tail-calling answer stayed, and with its tail pipeline the
   * peer's question of our answer (a cycle across the two vats, found by the rpc fuzzer).
   */
  @Test
  void resultsTakenByACanceledQuestionAreReleased() {
    Capability bs = conn.bootstrap();
    ResponsePromise<AnyPointer.Reader, Pipeline> c = call(bs, "x").send();
    Capability p = c.getPipelinedCap(1);
    service.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      p.writeTo(out.getPointer(1));
      return dev.capnp.rpc.Server.done();
    };
    run();
    assertThat(receivedSummaries()).containsExactly("bootstrap:0", "call:1->answer:0");
    // the peer calls our bootstrap with sendResultsTo.yourself: our results stay with us
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    int serviceId = received.get(2).getRoot(Rpc.Message.FACTORY).getReturn().getResults()
        .getCapTable().get(0).getSenderHosted();
    peerSends(m -> {
      Rpc.Call.Builder call = m.initCall();
      call.setQuestionId(1);
      call.initTarget().setImportedCap(serviceId);
      call.setInterfaceId(TestSupport.IFACE);
      call.initSendResultsTo().setYourself();
      call.initParams().getContent().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
          .setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader("t"));
    });
    assertThat(receivedSummaries()).last().isEqualTo("return:1:sent-elsewhere");
    p.close();
    c.cancel(false);
    run();
    assertThat(receivedSummaries()).doesNotContain("finish:1"); // (our results hold it)
    // the peer answers our question 1 with the results of its tail call to us
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(1);
      r.setTakeFromOtherQuestion(1);
    });
    assertThat(receivedSummaries()).contains("finish:1");
    assertThat(conn.disconnectReason()).isNull();
    bs.close();
    run();
  }
}
