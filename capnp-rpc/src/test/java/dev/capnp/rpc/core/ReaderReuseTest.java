package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The rule behind the protocol core's reused header readers (issue 12, {@code ReaderScratch}):
 * nothing that outlives the handling of a message may be read through them. A call whose
 * handler keeps its params and answers later, after other Calls and Finishes have been handled
 * with the same readers, still sees its own params and answers them.
 */
class ReaderReuseTest extends RawPeerTestBase {
  /** Calls held by the service ("hold:..."), answered when the test completes them. */
  private final List<CallContext<AnyPointer.Reader, AnyPointer.Builder>> held = new ArrayList<>();
  private final List<CompletableFuture<Void>> holds = new ArrayList<>();

  private int serveHolding() {
    service.handler = ctx -> {
      String msg = TestSupport.text(ctx.getParams(), 0);
      if (msg.startsWith("hold:")) {
        held.add(ctx);
        CompletableFuture<Void> f = new CompletableFuture<>();
        holds.add(f);
        // the params are read again only when the call completes, after later messages
        return f.thenCompose(v -> TestSupport.echo(ctx, "got:" + TestSupport.text(
            ctx.getParams(), 0)));
      }
      return TestSupport.echo(ctx, "got:" + msg);
    };
    return bootstrapServiceId();
  }

  @Test
  void heldParamsAreNotOverwrittenByLaterMessages() {
    int id = serveHolding();
    peerCalls(1, id, "hold:first");
    peerCalls(2, id, "hold:second");
    for (int q = 3; q < 10; q++) { // more Calls and Finishes through the same readers
      peerCalls(q, id, "other-" + q);
      peerFinishes(q, true);
    }
    assertThat(TestSupport.text(held.get(0).getParams(), 0)).isEqualTo("hold:first");
    assertThat(TestSupport.text(held.get(1).getParams(), 0)).isEqualTo("hold:second");
    holds.get(1).complete(null);
    run();
    holds.get(0).complete(null);
    run();
    assertThat(returnedText(1)).isEqualTo("got:hold:first");
    assertThat(returnedText(2)).isEqualTo("got:hold:second");
    assertThat(returnedText(3)).isEqualTo("got:other-3");
    assertThat(returnedText(9)).isEqualTo("got:other-9");
    peerFinishes(1, true);
    peerFinishes(2, true);
    assertThat(conn.disconnectReason()).isNull();
  }

  /**
   * Calls and Finishes interleaved, two calls held across them: the question ids and targets
   * read through the reused readers stay each message's own, and nothing is left behind.
   */
  @Test
  void interleavedCallsAndFinishesKeepTheirOwnIds() {
    int id = serveHolding();
    peerCalls(1, id, "hold:a");
    peerCalls(2, id, "b");
    peerFinishes(2, true);
    peerCalls(3, id, "hold:c");
    assertThat(receivedSummaries()).containsExactly("return:2:results");
    holds.get(1).complete(null);
    run();
    holds.get(0).complete(null);
    run();
    assertThat(receivedSummaries()).containsExactly("return:2:results", "return:3:results",
        "return:1:results");
    assertThat(returnedText(1)).isEqualTo("got:hold:a");
    assertThat(returnedText(3)).isEqualTo("got:hold:c");
    peerFinishes(1, true);
    peerFinishes(3, true);
    peerReleases(id);
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }


  /**
   * Our side as the caller: the results of a Return the application keeps are read through the
   * core's reused readers only while the Return is handled; later Returns (and other messages)
   * do not change them.
   */
  @Test
  void keptReturnResultsAreNotOverwrittenByLaterReturns() {
    dev.capnp.rpc.Capability peerCap = conn.bootstrap();
    run();
    int bootQ = lastBootstrapId();
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(bootQ);
      r.initResults().getContent().setCapabilityIndex(0);
      r.getResults().initCapTable(1).get(0).setSenderHosted(7);
    });
    var first = TestSupport.call(peerCap, "a").send();
    run();
    int q1 = lastCallId();
    var second = TestSupport.call(peerCap, "b").send();
    run();
    int q2 = lastCallId();
    peerReturnsText(q1, "one");
    var r1 = TestSupport.get(first.toCompletableFuture());
    peerReturnsText(q2, "two");
    for (int q = 0; q < 5; q++) { // more traffic through the same readers
      var more = TestSupport.call(peerCap, "c").send();
      run();
      peerReturnsText(lastCallId(), "more-" + q);
      TestSupport.get(more.toCompletableFuture()).close();
    }
    var r2 = TestSupport.get(second.toCompletableFuture());
    assertThat(TestSupport.text(r1.get(), 0)).isEqualTo("one");
    assertThat(TestSupport.text(r2.get(), 0)).isEqualTo("two");
    r1.close();
    r2.close();
    peerCap.close();
    run();
    assertThat(conn.disconnectReason()).isNull();
  }

  private int lastBootstrapId() {
    for (int i = received.size() - 1; i >= 0; i--) {
      Rpc.Message.Reader m = received.get(i).getRoot(Rpc.Message.FACTORY);
      if (m.isBootstrap()) {
        return m.getBootstrap().getQuestionId();
      }
    }
    throw new AssertionError("no Bootstrap sent: " + receivedSummaries());
  }
}
