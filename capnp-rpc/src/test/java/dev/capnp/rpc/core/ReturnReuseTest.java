package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.internal.ApiAccess;
import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.PipelineHook;
import dev.capnp.rpc.internal.Results;
import dev.capnp.rpc.internal.ResultsAllocator;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Reuse of the memory of outgoing {@code Return}s (issue 12): the core builds an answer's
 * results in its Return message and, when the transport says it copied the message out
 * ({@link MessageTransport#sendReplyReusable}) and the answer is removed (Finish) with results
 * that nobody else holds and that carry no capability, builds a later Return in the same
 * memory. A transport that keeps its messages (the in-memory one) never sees them overwritten;
 * a Return still live (no Finish yet) is never reused; results with capabilities are never
 * reused.
 */
class ReturnReuseTest extends RawPeerTestBase {
  /**
   * Wraps the connection's in-memory wire: Returns offered for reuse are copied (serialized and
   * read back into a new message, as a frame encoder copies into its buffer) before being
   * passed on, and the original is reported free. Records every message offered.
   */
  private static final class CopyingWire extends ForwardingWire {
    final List<MessageBuilder> offered = new ArrayList<>();
    /** The messages offered through {@link #sendReusable} (our Finishes). */
    final List<MessageBuilder> offeredOther = new ArrayList<>();
    boolean copy = true;
    /** Every {@link #finishFollowsReplies} hint, in order. */
    final List<Boolean> finishHints = new ArrayList<>();

    CopyingWire(InMemoryTransport wire) {
      super(wire);
    }

    @Override
    public boolean sendReplyReusable(MessageBuilder message) {
      offered.add(message);
      if (!copy) {
        wire.sendReply(message);
        return false;
      }
      wire.sendReply(copyOf(message));
      return true;
    }

    @Override
    public boolean sendReusable(MessageBuilder message) {
      offeredOther.add(message);
      if (!copy) {
        wire.send(message);
        return false;
      }
      wire.send(copyOf(message));
      return true;
    }

    private static MessageBuilder copyOf(MessageBuilder message) {
      ByteBuffer b = ByteBuffer.allocate(
          Math.toIntExact(Serialize.computeSerializedSizeInWords(message) * 8));
      Serialize.write(message, b);
      MessageReader r = Serialize.read(b.flip());
      MessageBuilder c = new MessageBuilder();
      c.getRootAnyPointer().set(r.getRootAnyPointer());
      return c;
    }

    @Override
    public void finishFollowsReplies(boolean expected) {
      finishHints.add(expected);
    }
  }

  private CopyingWire copying;

  /** Replaces the base class's connection with one over a {@link CopyingWire}. */
  private int connectCopying() {
    conn.close();
    run();
    received.clear();
    wires = InMemoryTransport.pair(true);
    copying = new CopyingWire(wires[0]);
    connect(copying);
    return bootstrapServiceId();
  }

  @Test
  void copiedReturnsAreBuiltInTheSameMemoryOnceFinished() {
    int id = connectCopying();
    for (int q = 1; q <= 6; q++) {
      peerCalls(q, id, "m" + q);
      peerFinishes(q, true);
    }
    for (int q = 1; q <= 6; q++) {
      assertThat(returnedText(q)).isEqualTo("got:m" + q);
    }
    // every Return after the first was built in the first one's memory
    assertThat(copying.offered).hasSize(6);
    for (MessageBuilder m : copying.offered) {
      assertThat(m).isSameAs(copying.offered.get(0));
    }
    peerReleases(id);
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  /**
   * A Return without capabilities says noFinishNeeded, so its answer is removed as it goes out
   * and its memory serves the next call at once, Finish or not.
   */
  @Test
  void answersRemovedWithTheirReturnLendTheirMemoryToTheNextCall() {
    int id = connectCopying();
    peerCalls(1, id, "a"); // no capability: noFinishNeeded, removed with its Return
    peerCalls(2, id, "b"); // 1's memory, with no Finish from the peer
    peerFinishes(1, true); // a peer that does not know the flag finishes anyway: ignored
    peerCalls(3, id, "c");
    peerCalls(4, id, "d");
    List<MessageBuilder> o = copying.offered;
    assertThat(o).hasSize(4);
    assertThat(o.get(1)).isSameAs(o.get(0));
    assertThat(o.get(2)).isSameAs(o.get(0));
    assertThat(o.get(3)).isSameAs(o.get(0));
    assertThat(returnedText(1)).isEqualTo("got:a");
    assertThat(returnedText(2)).isEqualTo("got:b");
    assertThat(returnedText(3)).isEqualTo("got:c");
    assertThat(returnedText(4)).isEqualTo("got:d");
    peerReleases(id);
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  /**
   * The connection passes the core's hint on to its transport: a peer is not expected to finish
   * a Return that said noFinishNeeded, until it finishes one anyway (issue 12: the Netty
   * transport yields after a reply only when a Finish is to follow).
   */
  @Test
  void theTransportHearsWhetherAFinishWillFollow() {
    int id = connectCopying(); // (the bootstrap's Return carries a capability: a Finish follows)
    assertThat(copying.finishHints).containsExactly(true);
    peerCalls(1, id, "a");
    peerCalls(2, id, "b");
    assertThat(copying.finishHints).containsExactly(true, false);
    peerFinishes(1, true); // a peer that does not know the flag
    peerCalls(3, id, "c");
    assertThat(copying.finishHints).containsExactly(true, false, true);
    peerReleases(id);
    assertThat(conn.disconnectReason()).isNull();
  }

  /** A transport that keeps the message (answers false) never gets it back to be rebuilt. */
  @Test
  void keptReturnsAreNeverReused() {
    int id = connectCopying();
    copying.copy = false;
    for (int q = 1; q <= 4; q++) {
      peerCalls(q, id, "k" + q);
      peerFinishes(q, true);
    }
    assertThat(copying.offered).hasSize(4).doesNotHaveDuplicates();
    for (int q = 1; q <= 4; q++) {
      assertThat(returnedText(q)).isEqualTo("got:k" + q);
    }
    peerReleases(id);
  }

  /**
   * Results carrying a capability are never offered for reuse (the capability's export, the
   * pipeline's paths into them), so the next Return gets new memory.
   */
  @Test
  void resultsWithCapabilitiesAreNotReused() {
    int id = connectCopying();
    TestSupport.Recorder x = new TestSupport.Recorder("x");
    service.handler = ctx -> {
      String msg = TestSupport.text(ctx.getParams(), 0);
      AnyStruct.Builder out =
          ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      out.getPointer(0).setAs(dev.capnp.runtime.Text.FACTORY,
          new dev.capnp.runtime.Text.Reader("got:" + msg));
      if (msg.equals("cap")) {
        try (Capability c = Capability.of(x)) {
          c.writeTo(out.getPointer(1));
        }
      }
      return CompletableFuture.completedFuture(null);
    };
    peerCalls(1, id, "cap");
    peerFinishes(1, true);
    peerCalls(2, id, "plain");
    peerFinishes(2, true);
    peerCalls(3, id, "plain2");
    peerFinishes(3, true);
    // the cap Return went out through sendReply (not offered); 2 is new memory, 3 reuses 2
    assertThat(copying.offered).hasSize(2);
    assertThat(copying.offered.get(1)).isSameAs(copying.offered.get(0));
    assertThat(returnedText(1)).isEqualTo("got:cap");
    assertThat(returnedText(2)).isEqualTo("got:plain");
    assertThat(returnedText(3)).isEqualTo("got:plain2");
    peerReleases(id);
    assertThat(conn.disconnectReason()).isNull();
  }

  /**
   * Over the in-memory transport (which hands the segments themselves to the peer and so
   * answers false), every Return the peer keeps stays its own across many later calls.
   */
  @Test
  void inMemoryTransportNeverSeesItsReturnsOverwritten() {
    int id = bootstrapServiceId();
    for (int q = 1; q <= 20; q++) {
      peerCalls(q, id, "r" + q);
      peerFinishes(q, true);
    }
    for (int q = 1; q <= 20; q++) {
      assertThat(returnedText(q)).isEqualTo("got:r" + q);
    }
    peerReleases(id);
    assertThat(conn.disconnectReason()).isNull();
  }

  /**
   * A call context the application kept past its call cannot reach the Return memory a later
   * call now builds in: its {@code getResults} fails clearly, and the later call's results are
   * untouched.
   */
  @Test
  void aKeptCallContextCannotBuildInALaterCallsReturn() {
    int id = connectCopying();
    AtomicReference<CallContext<AnyPointer.Reader, AnyPointer.Builder>> kept =
        new AtomicReference<>();
    CompletableFuture<Void> gate = new CompletableFuture<>();
    service.handler = ctx -> {
      String msg = TestSupport.text(ctx.getParams(), 0);
      if (kept.get() == null) {
        kept.set(ctx);
      }
      TestSupport.echo(ctx, "got:" + msg);
      return msg.equals("b") ? gate : Server.done();
    };
    peerCalls(1, id, "a");
    peerFinishes(1, true);
    peerCalls(2, id, "b"); // built in 1's Return, returned when the gate opens
    assertThatThrownBy(() -> kept.get().getResults())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("completed");
    assertThatThrownBy(() -> kept.get().initResults())
        .isInstanceOf(IllegalStateException.class);
    gate.complete(null);
    run();
    assertThat(copying.offered).hasSize(2);
    assertThat(copying.offered.get(1)).isSameAs(copying.offered.get(0));
    assertThat(returnedText(1)).isEqualTo("got:a");
    assertThat(returnedText(2)).isEqualTo("got:b");
    peerFinishes(2, true);
    peerReleases(id);
    assertThat(conn.disconnectReason()).isNull();
  }

  /**
   * A bare hook (no API layer) answering in the Return the core allocates; on call
   * {@link #staleOn} it completes with the {@link Results} it made for the first call instead,
   * as code keeping a results object past its call would.
   */
  private static final class KeepingHook extends ClientHook {
    final List<Results> made = new ArrayList<>();
    int staleOn = -1;
    int calls;

    KeepingHook(dev.capnp.rpc.EventLoop loop) {
      super(loop);
    }

    @Override
    public CallResult call(CallParams params) {
      calls++;
      Results r;
      if (calls == staleOn) {
        r = made.get(0);
      } else {
        ResultsAllocator.ResultsBuilder rb = params.resultsAllocator.allocate();
        rb.content.initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
            .setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader(
                "got:" + TestSupport.text(params.content(), 0)));
        r = rb.toResults();
        made.add(r);
      }
      params.release();
      return CallResult.of(CompletableFuture.completedFuture(r),
          PipelineHook.broken(loop, dev.capnp.rpc.RpcException.failed("no pipeline")));
    }

    @Override
    public String describe() {
      return "keeping-hook";
    }
  }

  /**
   * Results made in a Return that was since taken back and built again for a later call are
   * stale: a call completing with them gets an error Return, not the later call's content that
   * their memory now holds.
   */
  @Test
  void resultsOfAnEarlierBuildAreNeverSent() {
    conn.close();
    run();
    received.clear();
    wires = InMemoryTransport.pair(true);
    copying = new CopyingWire(wires[0]);
    KeepingHook hook = new KeepingHook(loop);
    hook.staleOn = 3;
    conn = RpcConnection.create(loop, copying, ApiAccess.get().wrapHook(hook), "conn");
    wires[1].start(new MessageTransport.Receiver() {
      @Override
      public void onMessage(MessageReader message) {
        received.add(message);
      }

      @Override
      public void onClosed(Throwable cause) {}
    });
    int id = bootstrapServiceId();
    peerCalls(1, id, "a");
    peerFinishes(1, true);
    peerCalls(2, id, "b"); // built in 1's Return; not finished: its memory stays 2's
    peerCalls(3, id, "c"); // completes with 1's results, whose memory now holds "got:b"
    assertThat(copying.offered).hasSize(2);
    assertThat(copying.offered.get(1)).isSameAs(copying.offered.get(0));
    assertThat(returnedText(1)).isEqualTo("got:a");
    assertThat(returnedText(2)).isEqualTo("got:b");
    assertThat(returnedText(3)).contains("exception").contains("earlier call")
        .doesNotContain("got:b");
    peerFinishes(2, true);
    peerFinishes(3, true);
    peerReleases(id);
    assertThat(conn.disconnectReason()).isNull();
  }

  /**
   * Our side asks the peer {@code n} questions at once (bootstraps), which the peer then
   * answers with exceptions, one after the other; returns the question ids of the Finishes the
   * peer received, in order.
   */
  private List<Integer> askAndFinish(int n) {
    received.clear();
    List<Capability> caps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      caps.add(conn.bootstrap());
    }
    run();
    List<Integer> questions = new ArrayList<>();
    for (MessageReader m : received) {
      dev.capnp.rpc.proto.Rpc.Message.Reader msg =
          m.getRoot(dev.capnp.rpc.proto.Rpc.Message.FACTORY);
      if (msg.isBootstrap()) {
        questions.add(msg.getBootstrap().getQuestionId());
      }
    }
    assertThat(questions).hasSize(n).doesNotHaveDuplicates();
    received.clear();
    for (int q : questions) {
      peerSends(m -> {
        dev.capnp.rpc.proto.Rpc.Return.Builder r = m.initReturn();
        r.setAnswerId(q);
        r.initException().setReason("no bootstrap " + q);
      });
    }
    caps.forEach(Capability::close);
    run();
    List<Integer> finished = finishesReceived();
    assertThat(finished).containsExactlyInAnyOrderElementsOf(questions);
    return finished;
  }

  private List<Integer> finishesReceived() {
    List<Integer> ids = new ArrayList<>();
    for (MessageReader m : received) {
      dev.capnp.rpc.proto.Rpc.Message.Reader msg = m.getRoot(dev.capnp.rpc.proto.Rpc.Message.FACTORY);
      if (msg.isFinish()) {
        ids.add(msg.getFinish().getQuestionId());
      }
    }
    return ids;
  }

  /** Our Finishes, copied by the transport, are all written in one message's memory. */
  @Test
  void copiedFinishesAreBuiltInTheSameMemory() {
    connectCopying();
    List<Integer> ids = askAndFinish(4);
    assertThat(ids).hasSize(4).doesNotHaveDuplicates();
    assertThat(copying.offeredOther).hasSize(4);
    for (MessageBuilder m : copying.offeredOther) {
      assertThat(m).isSameAs(copying.offeredOther.get(0));
    }
    assertThat(conn.disconnectReason()).isNull();
  }

  /**
   * Finishes a transport keeps (it answers false) are never rebuilt: the peer's kept messages
   * still name their own questions, all distinct.
   */
  @Test
  void keptFinishesAreNeverReused() {
    connectCopying();
    copying.copy = false;
    List<Integer> ids = askAndFinish(4);
    assertThat(copying.offeredOther).hasSize(4).doesNotHaveDuplicates();
    assertThat(ids).hasSize(4).doesNotHaveDuplicates();
    // read again now, after all four were sent: each kept message still has its own id
    List<Integer> again = new ArrayList<>();
    for (MessageBuilder m : copying.offeredOther) {
      again.add(m.asReader().getRoot(dev.capnp.rpc.proto.Rpc.Message.FACTORY).getFinish()
          .getQuestionId());
    }
    assertThat(again).isEqualTo(ids);
    assertThat(conn.disconnectReason()).isNull();
  }
}
