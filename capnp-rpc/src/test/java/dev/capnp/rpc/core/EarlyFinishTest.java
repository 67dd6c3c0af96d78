package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import org.junit.jupiter.api.Test;

/**
 * An early {@code Finish} (before the answer's Return) from a hand-written peer: the call runs on
 * while the peer still uses its pipeline, and is canceled at once otherwise (issue 10 item 8).
 */
class EarlyFinishTest extends RawPeerTestBase {
  /**
   * What libcapnp's client does: it puts a capability pipelined on call A into the params of
   * call B ({@code receiverAnswer(A, [1])}), drops its promise for A and so sends {@code Finish}
   * for A before A returns. B took that capability already: A must run to completion (and B with
   * it) instead of being canceled.
   */
  @Test
  void earlyFinishKeepsAnAnswerWhosePipelinedCapIsInAnotherCallsParams() {
    int serviceId = serveSlowAndUse();
    peerCalls(1, serviceId, "slow");
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(2);
      c.initTarget().setImportedCap(serviceId);
      c.setInterfaceId(TestSupport.IFACE);
      Rpc.Payload.Builder p = c.initParams();
      AnyStruct.Builder s = p.getContent().initAs(AnyStruct.factory(TestSupport.PARAMS));
      s.getPointer(0).setAs(dev.capnp.runtime.Text.FACTORY,
          new dev.capnp.runtime.Text.Reader("use"));
      s.getPointer(1).setCapabilityIndex(0);
      Rpc.PromisedAnswer.Builder pa = p.initCapTable(1).get(0).initReceiverAnswer();
      pa.setQuestionId(1);
      pa.initTransform(1).get(0).setGetPointerField((short) 1);
    });
    peerFinishes(1, true); // (as libcapnp does: it ignores the caps of a later Return)
    assertThat(receivedSummaries()).isEmpty();
    gate.complete(null);
    run();
    assertThat(conn.disconnectReason()).isNull();
    assertThat(slowResult.log).containsExactly("hi");
    assertThat(returnedText(2)).isEqualTo("used:got:hi");
    assertThat(receivedSummaries()).contains("return:1:results");
    peerFinishes(2, true);
    peerReleases(serviceId);
    // the Finish released the caps of A's late Return: nothing is left on our side
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
    assertThat(slowResult.released).isTrue();
  }

  /** The same with a call pipelined on A ({@code promisedAnswer} target) before the Finish. */
  @Test
  void earlyFinishKeepsAnAnswerWithACallPipelinedOnIt() {
    int serviceId = serveSlowAndUse();
    peerCalls(1, serviceId, "slow");
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(2);
      Rpc.PromisedAnswer.Builder pa = c.initTarget().initPromisedAnswer();
      pa.setQuestionId(1);
      pa.initTransform(1).get(0).setGetPointerField((short) 1);
      c.setInterfaceId(TestSupport.IFACE);
      c.initParams().getContent().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
          .setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader("direct"));
    });
    peerFinishes(1, false); // (the peer will release the caps of the Return itself)
    assertThat(receivedSummaries()).isEmpty();
    gate.complete(null);
    run();
    assertThat(returnedText(2)).isEqualTo("got:direct");
    assertThat(receivedSummaries()).contains("return:1:results");
    int xId = received.stream().map(m -> m.getRoot(Rpc.Message.FACTORY))
        .filter(m -> m.isReturn() && m.getReturn().getAnswerId() == 1).findFirst().orElseThrow()
        .getReturn().getResults().getCapTable().get(0).getSenderHosted();
    peerFinishes(2, true);
    peerReleases(xId);
    peerReleases(serviceId);
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
    assertThat(slowResult.released).isTrue();
  }

  /**
   * The same through a {@code Resolve}: the peer's promise, held by our call B, resolves to
   * {@code receiverAnswer(A, [1])}, then the peer finishes A early. B uses the promise only later.
   */
  @Test
  void earlyFinishKeepsAnAnswerAPeerPromiseResolvedTo() {
    int serviceId = serveSlowAndUse();
    java.util.concurrent.CompletableFuture<Void> later =
        new java.util.concurrent.CompletableFuture<>();
    service.handler = wrapUseAfter(service.handler, later);
    peerCalls(1, serviceId, "slow");
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(2);
      c.initTarget().setImportedCap(serviceId);
      c.setInterfaceId(TestSupport.IFACE);
      Rpc.Payload.Builder p = c.initParams();
      AnyStruct.Builder s = p.getContent().initAs(AnyStruct.factory(TestSupport.PARAMS));
      s.getPointer(0).setAs(dev.capnp.runtime.Text.FACTORY,
          new dev.capnp.runtime.Text.Reader("use"));
      s.getPointer(1).setCapabilityIndex(0);
      p.initCapTable(1).get(0).setSenderPromise(10);
    });
    peerSends(m -> {
      Rpc.Resolve.Builder r = m.initResolve();
      r.setPromiseId(10);
      Rpc.PromisedAnswer.Builder pa = r.initCap().initReceiverAnswer();
      pa.setQuestionId(1);
      pa.initTransform(1).get(0).setGetPointerField((short) 1);
    });
    peerFinishes(1, true);
    assertThat(receivedSummaries()).doesNotContain("return:1:canceled");
    gate.complete(null);
    later.complete(null);
    run();
    assertThat(conn.disconnectReason()).isNull();
    assertThat(returnedText(2)).isEqualTo("used:got:hi");
    assertThat(receivedSummaries()).contains("return:1:results");
    peerFinishes(2, true);
    peerReleases(serviceId);
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
    assertThat(slowResult.released).isTrue();
  }

  /** An answer kept running after its Finish can no longer be named by the peer. */
  @Test
  void anAnswerKeptAfterItsFinishCannotBeNamed() {
    int serviceId = serveSlowAndUse();
    peerCalls(1, serviceId, "slow");
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(2);
      Rpc.PromisedAnswer.Builder pa = c.initTarget().initPromisedAnswer();
      pa.setQuestionId(1);
      pa.initTransform(1).get(0).setGetPointerField((short) 1);
      c.setInterfaceId(TestSupport.IFACE);
      c.initParams().getContent().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
          .setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader("direct"));
    });
    peerFinishes(1, true);
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(3);
      Rpc.PromisedAnswer.Builder pa = c.initTarget().initPromisedAnswer();
      pa.setQuestionId(1);
      pa.initTransform(1).get(0).setGetPointerField((short) 1);
      c.setInterfaceId(TestSupport.IFACE);
      c.initParams().getContent().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
          .setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader("late"));
    });
    assertThat(receivedSummaries()).last().asString().startsWith("abort:")
        .contains("PromisedAnswer.questionId 1 is not a current question");
  }

  /** {@code handler}, except that "use" starts only when {@code later} completes. */
  static java.util.function.Function<dev.capnp.rpc.CallContext<AnyPointer.Reader,
      AnyPointer.Builder>, java.util.concurrent.CompletionStage<Void>> wrapUseAfter(
      java.util.function.Function<dev.capnp.rpc.CallContext<AnyPointer.Reader,
          AnyPointer.Builder>, java.util.concurrent.CompletionStage<Void>> handler,
      java.util.concurrent.CompletableFuture<Void> later) {
    return ctx -> TestSupport.text(ctx.getParams(), 0).equals("use")
        ? later.thenCompose(v -> handler.apply(ctx)) : handler.apply(ctx);
  }

  /** Nobody used A's pipeline: its early Finish cancels it at once (Return canceled). */
  @Test
  void earlyFinishCancelsAnAnswerNobodyPipelinedOn() {
    int serviceId = serveSlowAndUse();
    peerCalls(1, serviceId, "slow");
    peerCalls(2, serviceId, "other"); // (a call on the service itself does not use A)
    peerFinishes(2, true);
    received.clear();
    peerFinishes(1, true);
    assertThat(receivedSummaries()).containsExactly("return:1:canceled");
    peerReleases(serviceId);
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
    gate.complete(null);
    run();
    assertThat(receivedSummaries()).containsExactly("return:1:canceled");
  }
}
