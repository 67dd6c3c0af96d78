package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyStruct;
import java.util.concurrent.CompletableFuture;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.Server;
import dev.capnp.runtime.AnyPointer;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Defects found by the hostile-peer fuzzer (capnp-fuzz), each reduced to its messages. */
class HostilePeerRegressionTest extends RawPeerHarness {

  private void resolveToPromise(int promiseId, int descriptorPromiseId) {
    peerSends(m -> {
      Rpc.Resolve.Builder r = m.initResolve();
      r.setPromiseId(promiseId);
      r.initCap().setSenderPromise(descriptorPromiseId);
    });
  }

  @Test
  void resolveOfAnUnknownPromiseNamingItselfIsIgnored() {
    connect(Capability.of(new Recorder("svc")), ConnectionLimits.DEFAULT);
    // used to import promise 6 while reading the resolution, then resolve it to itself
    resolveToPromise(6, 6);
    assertThat(conn.disconnectReason()).isNull();
    assertThat(TestSupport.summary(received.get(received.size() - 1))).isEqualTo("release:6x1");
    assertThat(conn.tablesEmpty()).isTrue();
    assertThat(conn.checkInvariants()).isNull();
  }

  @Test
  void resolveOfAPromiseToItselfAborts() {
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> new CompletableFuture<>(); // holds the promise it is given
    connect(Capability.of(svc), ConnectionLimits.DEFAULT);
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(1);
      c.setInterfaceId(TestSupport.IFACE);
      c.initTarget().initPromisedAnswer().setQuestionId(0);
      Rpc.Payload.Builder p = c.initParams();
      p.getContent().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(1)
          .setCapabilityIndex(0);
      p.initCapTable(1).get(0).setSenderPromise(3);
    });
    assertThat(svc.log).hasSize(1);
    resolveToPromise(3, 3);
    assertThat(conn.disconnectReason()).isNotNull();
    assertThat(conn.disconnectReason().getReason()).contains("to itself")
        .doesNotStartWith(RpcConnection.INTERNAL_ERROR);
    assertThat(conn.tablesEmpty()).isTrue();
    loop.runPending();
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(liveBefore);
  }

  /**
   * A promise resolved through the peer's own answer back to itself (found by the RPC
   * state-machine fuzzer: two well-behaved vats, one returning a promise the other resolved to
   * that very result) is a cycle the applications made: the promise breaks, the connection stays.
   */
  @Test
  void resolveOfAPromiseToOurAnswerHoldingItBreaksThePromise() {
    connect(Capability.of(new Recorder("svc")), ConnectionLimits.DEFAULT); // echoes caps back
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(1);
      c.setInterfaceId(TestSupport.IFACE);
      c.initTarget().initPromisedAnswer().setQuestionId(0);
      Rpc.Payload.Builder p = c.initParams();
      AnyStruct.Builder s = p.getContent().initAs(AnyStruct.factory(TestSupport.PARAMS));
      s.getPointer(0).setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader("x"));
      s.getPointer(1).setCapabilityIndex(0);
      p.initCapTable(1).get(0).setSenderPromise(3);
    });
    // answer 1 now returns the promise (import 3) at pointer 1; the peer resolves it there
    peerSends(m -> {
      Rpc.Resolve.Builder r = m.initResolve();
      r.setPromiseId(3);
      Rpc.PromisedAnswer.Builder pa = r.initCap().initReceiverAnswer();
      pa.setQuestionId(1);
      pa.initTransform(1).get(0).setGetPointerField((short) 1);
    });
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.checkInvariants()).isNull();
    peerSends(m -> m.initFinish().setQuestionId(1));
    peerSends(m -> m.initFinish().setQuestionId(0)); // (releaseResultCaps: the bootstrap too)
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  /**
   * We resolved a promise we export to a pipelined answer of the peer; the peer, having called
   * through it, asks for the loopback Disembargo while its answer fails and our pipelined promise
   * breaks. The peer could not know: the Disembargo is echoed, not a protocol error (found by the
   * RPC state-machine fuzzer).
   */
  @Test
  void disembargoForAPromiseWhosePipelinedTargetBrokeIsEchoed() {
    Recorder svc = new Recorder("svc");
    CompletableFuture<Capability> resolution = new CompletableFuture<>();
    AtomicReference<Capability> peerCap = new AtomicReference<>();
    svc.handler = ctx -> {
      peerCap.set(Capability.fromPointer(ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1)));
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability promise = Capability.promise(resolution)) {
        promise.writeTo(out.getPointer(1));
      }
      return Server.done();
    };
    connect(Capability.of(svc), ConnectionLimits.DEFAULT);
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    peerCalls(1, "give", false, 5); // hands us its capability 5; we return a promise (export)
    Rpc.Return.Reader ret = received.get(received.size() - 1).getRoot(Rpc.Message.FACTORY)
        .getReturn();
    int promiseExport = ret.getResults().getCapTable().get(0).getSenderPromise();
    // we call the peer's capability and resolve our promise to a field of that call's answer
    ResponsePromise<AnyPointer.Reader, Pipeline> q = TestSupport.call(peerCap.get(), "q").send();
    run();
    resolution.complete(q.getPipelinedCap(1));
    run();
    assertThat(TestSupport.summary(received.get(received.size() - 1)))
        .startsWith("resolve:" + promiseExport + ":cap");
    int questionId = received.get(received.size() - 2).getRoot(Rpc.Message.FACTORY).getCall()
        .getQuestionId();
    peerSends(m -> { // the peer's answer fails: our pipelined promise breaks
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(questionId);
      r.initException().setReason("failed on the peer");
    });
    peerSends(m -> {
      Rpc.Disembargo.Builder d = m.initDisembargo();
      d.initTarget().setImportedCap(promiseExport);
      d.initContext().setSenderLoopback(7);
    });
    assertThat(conn.disconnectReason()).isNull();
    Rpc.Disembargo.Reader echo = received.get(received.size() - 1).getRoot(Rpc.Message.FACTORY)
        .getDisembargo();
    assertThat(echo.getContext().getReceiverLoopback()).isEqualTo(7);
    peerCap.get().close();
    q.cancel(false);
    run();
  }

  private void peerCalls(int questionId, String msg, boolean yourself, int exportedCap) {
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(questionId);
      c.setInterfaceId(TestSupport.IFACE);
      c.initTarget().initPromisedAnswer().setQuestionId(0);
      if (yourself) {
        c.initSendResultsTo().setYourself();
      }
      Rpc.Payload.Builder p = c.initParams();
      AnyStruct.Builder s = p.getContent().initAs(AnyStruct.factory(TestSupport.PARAMS));
      s.getPointer(0).setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader(msg));
      if (exportedCap >= 0) {
        s.getPointer(1).setCapabilityIndex(0);
        p.initCapTable(1).get(0).setSenderHosted(exportedCap);
      }
    });
  }

  @Test
  void takeFromOtherQuestionForACanceledQuestionFreesItAtOnce() {
    Recorder svc = new Recorder("svc");
    AtomicReference<ResponsePromise<AnyPointer.Reader, Pipeline>> callback =
        new AtomicReference<>();
    svc.handler = ctx -> {
      if ("give".equals(TestSupport.text(ctx.getParams(), 0))) {
        try (Capability back = Capability.fromPointer(
            ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1))) {
          callback.set(TestSupport.call(back, "callback").send());
        }
        return Server.done();
      }
      return new CompletableFuture<>(); // "hang"
    };
    connect(Capability.of(svc), ConnectionLimits.DEFAULT);
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    peerCalls(1, "give", false, 7); // the vat calls the peer's export 7: its question 0
    assertThat(callback.get()).isNotNull();
    peerCalls(2, "hang", true, -1); // a call whose results the peer will take
    callback.get().cancel(false); // the vat sends Finish for its question 0
    run();
    assertThat(receivedSummaries()).contains("finish:0");
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(0);
      r.setTakeFromOtherQuestion(2);
    });
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.checkInvariants()).isNull();
    assertThat(conn.tableSizes()[0]).as("questions").isZero();
  }
}
