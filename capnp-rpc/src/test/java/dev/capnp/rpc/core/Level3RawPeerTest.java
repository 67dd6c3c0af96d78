package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.ThirdPartyNetwork;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Level 3 connection driven by a raw peer: the host's side of Provide/Accept and the checks on
 * what the peer sends (the peer's mistakes are protocol errors or error returns, never internal
 * errors).
 */
class Level3RawPeerTest extends TestSupport.LoopTest {
  private InMemoryTransport[] wires;
  private RpcConnection conn;
  private final List<MessageReader> received = new ArrayList<>();
  private Object offered;
  /** The network's stages for Accepts naming "later" (never completed by the network). */
  private final List<CompletableFuture<Object>> later = new ArrayList<>();
  /** The host's bound on an Accept's wait in these tests. */
  private static final long ACCEPT_TIMEOUT_MILLIS = 50;

  /** Accepts "ok" as a ThirdPartyToAwait, and completes "ok" with what was offered. */
  private final ThirdPartyNetwork net = new ThirdPartyNetwork() {
    @Override
    public boolean peerSupportsLevel3(RpcConnection connection) {
      return true;
    }

    @Override
    public boolean introduce(RpcConnection provider, RpcConnection recipient,
        AnyPointer.Builder contact, AnyPointer.Builder await) {
      return false;
    }

    @Override
    public CompletionStage<Introduced> connectToIntroduced(RpcConnection from,
        AnyPointer.Reader contact) {
      return CompletableFuture.failedFuture(RpcException.failed("no"));
    }

    @Override
    public Runnable awaitThirdParty(RpcConnection from, AnyPointer.Reader await, Object value) {
      if (!"ok".equals(await.getAs(Text.FACTORY).toString())) {
        throw RpcException.failed("unreadable ThirdPartyToAwait");
      }
      offered = value;
      return () -> offered = null;
    }

    @Override
    public CompletionStage<Object> completeThirdParty(RpcConnection from,
        AnyPointer.Reader completion) {
      if (offered != null && "ok".equals(completion.getAs(Text.FACTORY).toString())) {
        return CompletableFuture.completedFuture(offered);
      }
      if ("later".equals(completion.getAs(Text.FACTORY).toString())) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        later.add(f);
        return f; // (a Provide that never comes)
      }
      return CompletableFuture.failedFuture(RpcException.failed("no such provision"));
    }
  };

  @BeforeEach
  void setUp() {
    wires = InMemoryTransport.pair(true);
    Recorder service = new Recorder("service");
    conn = new RpcConnection(loop, wires[0], id -> Capability.of(service), "conn")
        .thirdPartyNetwork(net)
        .limits(ConnectionLimits.DEFAULT.withAcceptTimeoutMillis(ACCEPT_TIMEOUT_MILLIS));
    conn.start();
    wires[1].start(new MessageTransport.Receiver() {
      @Override
      public void onMessage(MessageReader message) {
        received.add(message);
      }

      @Override
      public void onClosed(Throwable cause) {
      }
    });
  }

  @AfterEach
  void tearDown() {
    conn.close();
    run();
  }

  private void peerSends(Consumer<Rpc.Message.Builder> build) {
    MessageBuilder mb = new MessageBuilder();
    build.accept(mb.initRoot(Rpc.Message.FACTORY));
    wires[1].send(mb);
    run();
  }

  private void run() {
    for (int i = 0; i < 100; i++) {
      if (wires[0].deliverAll() + loop.runPending() + wires[1].deliverAll() == 0) {
        return;
      }
    }
  }

  private List<String> summaries() {
    List<String> r = new ArrayList<>();
    for (MessageReader m : received) {
      r.add(TestSupport.summary(m));
    }
    received.clear();
    return r;
  }

  private void provide(int q, String await) {
    peerSends(m -> {
      Rpc.Provide.Builder p = m.initProvide();
      p.setQuestionId(q);
      p.initTarget().initPromisedAnswer().setQuestionId(0);
      p.initRecipient().setAs(Text.FACTORY, new Text.Reader(await));
    });
  }

  private void accept(int q, String completion) {
    peerSends(m -> {
      Rpc.Accept.Builder a = m.initAccept();
      a.setQuestionId(q);
      a.initProvision().setAs(Text.FACTORY, new Text.Reader(completion));
    });
  }

  @Test
  void provideThenAcceptReturnsTheCapabilityAndFinishWithdrawsIt() {
    assertThat(conn.level3()).isTrue();
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    summaries();
    provide(1, "ok");
    assertThat(summaries()).isEmpty(); // (no Return for a Provide)
    accept(2, "ok");
    List<String> out = summaries();
    assertThat(out).hasSize(1);
    assertThat(out.get(0)).startsWith("return:2").contains("results");
    peerSends(m -> m.initFinish().setQuestionId(1));
    assertThat(offered).isNull();
    accept(3, "ok");
    assertThat(summaries()).singleElement().asString().startsWith("return:3")
        .contains("exception:no such provision");
    assertThat(conn.disconnectReason()).isNull();
  }

  @Test
  void anUnreadableRecipientIsAProtocolError() {
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    summaries();
    provide(1, "garbage");
    assertThat(conn.disconnectReason()).isNotNull();
    assertThat(conn.disconnectReason().getMessage()).contains("invalid Provide.recipient")
        .doesNotContain("internal error");
  }

  @Test
  void anUnmatchedAcceptFailsItsQuestionOnly() {
    accept(0, "nothing");
    List<String> out = summaries();
    assertThat(out).hasSize(1);
    assertThat(out.get(0)).startsWith("return:0").contains("exception:no such provision");
    assertThat(conn.disconnectReason()).isNull();
  }

  @Test
  void anAcceptWhoseProvideNeverComesFailsAfterTheTimeout() throws InterruptedException {
    accept(0, "later");
    assertThat(summaries()).isEmpty();
    // (the timer runs on another thread and posts to the loop: wait for it, generously)
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (received.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(1);
      run();
    }
    assertThat(summaries()).singleElement().asString().startsWith("return:0")
        .contains("no matching Provide").contains(ACCEPT_TIMEOUT_MILLIS + " ms");
    assertThat(later).singleElement().matches(CompletableFuture::isCancelled,
        "the network was told the wait ended");
    assertThat(conn.disconnectReason()).isNull();
    peerSends(m -> m.initFinish().setQuestionId(0));
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  @Test
  void aFinishedAcceptStopsWaitingForItsProvide() {
    // (both messages in one batch: on a slow machine the 50 ms timer could fire in between)
    MessageBuilder acc = new MessageBuilder();
    Rpc.Accept.Builder a = acc.initRoot(Rpc.Message.FACTORY).initAccept();
    a.setQuestionId(0);
    a.initProvision().setAs(Text.FACTORY, new Text.Reader("later"));
    wires[1].send(acc);
    peerSends(m -> m.initFinish().setQuestionId(0));
    assertThat(summaries()).singleElement().asString().startsWith("return:0")
        .contains("canceled");
    assertThat(later).singleElement().matches(CompletableFuture::isCancelled,
        "the network was told the wait ended");
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
    assertThat(conn.disconnectReason()).isNull();
  }

  @Test
  void aDisembargoAcceptToSomethingElseIsAProtocolError() {
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    summaries();
    peerSends(m -> {
      Rpc.Disembargo.Builder d = m.initDisembargo();
      d.initTarget().initPromisedAnswer().setQuestionId(0);
      d.initContext().setAccept(new byte[] {1});
    });
    assertThat(conn.disconnectReason()).isNotNull();
    assertThat(conn.disconnectReason().getMessage()).contains("not a current Provide");
  }

  // ======================================================= three-party call forwarding (caller)

  private void thirdPartyAnswer(int answerId, String completion) {
    peerSends(m -> {
      Rpc.ThirdPartyAnswer.Builder t = m.initThirdPartyAnswer();
      t.setAnswerId(answerId);
      t.initCompletion().setAs(Text.FACTORY, new Text.Reader(completion));
    });
  }

  @Test
  void aThirdPartyAnswerIdOutsideTheCalleeRangeIsAProtocolError() {
    thirdPartyAnswer(5, "later");
    assertThat(conn.disconnectReason()).isNotNull();
    assertThat(conn.disconnectReason().getMessage())
        .contains("ThirdPartyAnswer.answerId 5 is outside the callee-allocated range");
    assertThat(later).isEmpty(); // (refused before the network was asked)
  }

  @Test
  void aThirdPartyAnswerIdAtTwoToThe31IsAProtocolError() {
    thirdPartyAnswer(Integer.MIN_VALUE, "later");
    assertThat(conn.disconnectReason().getMessage())
        .contains("ThirdPartyAnswer.answerId 2147483648 is outside");
  }

  @Test
  void aDuplicateThirdPartyAnswerIdIsAProtocolError() {
    thirdPartyAnswer(1 << 30, "later");
    assertThat(conn.disconnectReason()).isNull();
    thirdPartyAnswer(1 << 30, "later");
    assertThat(conn.disconnectReason().getMessage()).contains("1073741824 is already in use");
    assertThat(later.get(0)).isCancelled(); // (the network was told the wait ended)
  }

  @Test
  void aThirdPartyAnswerMatchingNothingIsFinishedAndItsReturnAccepted() {
    thirdPartyAnswer((1 << 30) + 7, "nothing");
    assertThat(summaries()).containsExactly("finish:1073741831");
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.tablesEmpty()).isFalse(); // (the id stays taken until its Return)
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId((1 << 30) + 7);
      r.setCanceled();
    });
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
    // a second Return for it names no question
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId((1 << 30) + 7);
      r.setCanceled();
    });
    assertThat(conn.disconnectReason().getMessage())
        .contains("Invalid question ID in Return message: 1073741831");
  }

  @Test
  void aThirdPartyAnswerThatNothingMatchesInTimeIsFinished() throws InterruptedException {
    thirdPartyAnswer(1 << 30, "later");
    assertThat(summaries()).isEmpty();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (received.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(1);
      run();
    }
    assertThat(summaries()).containsExactly("finish:1073741824");
    assertThat(later.get(0)).isCancelled();
    peerSends(m -> m.initReturn().setAnswerId(1 << 30));
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
    assertThat(conn.disconnectReason()).isNull();
  }

  @Test
  void aThirdPartyAnswerNamingAProvisionIsAProtocolError() {
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    summaries();
    provide(1, "ok");
    thirdPartyAnswer(1 << 30, "ok");
    assertThat(conn.disconnectReason()).isNotNull();
    assertThat(conn.disconnectReason().getMessage())
        .contains("does not complete a forwarded call");
  }

  @Test
  void awaitFromThirdPartyForAQuestionThatDidNotAllowItIsAProtocolError() {
    Capability[] bs = new Capability[1];
    loop.run(() -> bs[0] = conn.bootstrap());
    run();
    assertThat(summaries()).singleElement().asString().startsWith("bootstrap:0");
    peerSends(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(0);
      r.initAwaitFromThirdParty().setAs(Text.FACTORY, new Text.Reader("ok"));
    });
    assertThat(conn.disconnectReason()).isNotNull();
    assertThat(conn.disconnectReason().getMessage())
        .contains("'Return.awaitFromThirdParty' for a call that did not set"
            + " allowThirdPartyTailCall");
    bs[0].close();
  }
}
