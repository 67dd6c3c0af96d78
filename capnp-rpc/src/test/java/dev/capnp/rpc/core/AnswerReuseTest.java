package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.internal.ApiAccess;
import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.PipelineHook;
import dev.capnp.rpc.internal.ResultsAllocator;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Recycled answers and received params (issue 12): once a call completed, released its params
 * and was finished, the connection uses its answer and params objects for a later call. A call
 * context the application kept past its call must then see neither the later call's params nor
 * act on them (release them, build their results), and params that left the loop or were
 * shared are never recycled.
 */
class AnswerReuseTest extends RawPeerTestBase {
  private void peerCallsMethod(int questionId, int importId, short method, String msg) {
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(questionId);
      c.initTarget().setImportedCap(importId);
      c.setInterfaceId(TestSupport.IFACE);
      c.setMethodId(method);
      c.initParams().getContent().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
          .setAs(Text.FACTORY, new Text.Reader(msg));
    });
  }

  /**
   * A context kept past its call, whose params object now carries a later call: its params read
   * as released (not the later call's), releasing them does not release the later call's, its
   * method is still its own, and its results cannot be built.
   */
  @Test
  void aKeptContextNeitherSeesNorReleasesALaterCallsParams() {
    AtomicReference<CallContext<AnyPointer.Reader, AnyPointer.Builder>> kept =
        new AtomicReference<>();
    CompletableFuture<Void> gate = new CompletableFuture<>();
    service.handler = ctx -> {
      String msg = TestSupport.text(ctx.getParams(), 0);
      if (kept.get() == null) {
        kept.set(ctx);
        return TestSupport.echo(ctx, "got:" + msg);
      }
      // the later call reads its params only once the gate opens
      return gate.thenCompose(v -> TestSupport.echo(ctx, "got:" + TestSupport.text(
          ctx.getParams(), 0) + "/" + ctx.methodId()));
    };
    int id = bootstrapServiceId();
    peerCalls(1, id, "a");
    peerFinishes(1, true);
    peerCallsMethod(2, id, (short) 1, "b"); // recycles 1's answer and params
    CallContext<AnyPointer.Reader, AnyPointer.Builder> old = kept.get();
    assertThatThrownBy(old::getParams).isInstanceOf(IllegalStateException.class);
    assertThat(old.methodId()).isZero();
    old.releaseParams();
    run();
    assertThatThrownBy(old::getResults).isInstanceOf(IllegalStateException.class);
    gate.complete(null);
    run();
    assertThat(returnedText(1)).isEqualTo("got:a");
    assertThat(returnedText(2)).isEqualTo("got:b/1");
    peerFinishes(2, true);
    peerReleases(id);
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  /**
   * A handler that released its params early and still runs after its call was canceled (an
   * early Finish), whose answer and params a later call now has: when it resumes, releasing
   * "its" params again does not release the later call's, reading them fails, and its results
   * are built apart (the later call's Return stays its own).
   */
  @Test
  void aCanceledHandlerStillRunningLeavesTheLaterCallAlone() {
    CompletableFuture<Void> first = new CompletableFuture<>();
    CompletableFuture<Void> second = new CompletableFuture<>();
    List<Throwable> staleReads = new ArrayList<>();
    service.handler = ctx -> {
      String msg = TestSupport.text(ctx.getParams(), 0);
      if (msg.equals("a")) {
        ctx.releaseParams();
        return first.thenRun(() -> {
          ctx.releaseParams();
          try {
            ctx.getParams();
          } catch (IllegalStateException e) {
            staleReads.add(e);
          }
          ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
              .setAs(Text.FACTORY, new Text.Reader("late"));
        });
      }
      return second.thenCompose(v -> TestSupport.echo(ctx, "got:" + TestSupport.text(
          ctx.getParams(), 0)));
    };
    int id = bootstrapServiceId();
    peerCalls(1, id, "a");
    peerFinishes(1, true); // early: the call is canceled, its handler runs on
    assertThat(receivedSummaries()).hasSize(1);
    assertThat(TestSupport.summary(received.get(0))).contains("canceled");
    peerCalls(2, id, "b"); // recycles 1's answer and params
    first.complete(null);
    run();
    second.complete(null);
    run();
    assertThat(staleReads).hasSize(1);
    assertThat(returnedText(2)).isEqualTo("got:b");
    peerFinishes(2, true);
    peerReleases(id);
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  /**
   * A bare hook (no API layer) recording the params object of each call; it answers in the
   * Return the core allocates, releases the params (unless told to keep them) and can mark
   * them escaped (handed elsewhere).
   */
  private static final class ParamsRecorder extends ClientHook {
    final List<CallParams> seen = new ArrayList<>();
    final List<Integer> generations = new ArrayList<>();
    /** The content reader of each call's params, made while it ran. */
    final List<dev.capnp.runtime.AnyPointer.Reader> contents = new ArrayList<>();
    /** The params' text read as a struct (no content reader), while each call ran. */
    final List<String> typed = new ArrayList<>();
    boolean escape;
    boolean keep;

    ParamsRecorder(dev.capnp.rpc.EventLoop loop) {
      super(loop);
    }

    @Override
    public CallResult call(CallParams params) {
      seen.add(params);
      generations.add(params.generation());
      typed.add(params.contentAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
          .getAs(Text.FACTORY).toString());
      contents.add(params.content());
      ResultsAllocator.ResultsBuilder rb = params.resultsAllocator.allocate();
      rb.content.initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0).setAs(
          Text.FACTORY, new Text.Reader("got:" + TestSupport.text(params.content(), 0)));
      if (escape) {
        params.escaped = true;
      }
      if (!keep) {
        params.release();
      }
      return CallResult.of(CompletableFuture.completedFuture(rb.toResults()),
          PipelineHook.broken(loop, RpcException.failed("no pipeline")));
    }

    @Override
    public String describe() {
      return "params-recorder";
    }
  }

  private ParamsRecorder serveRecorder() {
    conn.close();
    run();
    received.clear();
    wires = InMemoryTransport.pair(true);
    ParamsRecorder hook = new ParamsRecorder(loop);
    conn = RpcConnection.create(loop, wires[0], ApiAccess.get().wrapHook(hook), "conn");
    wires[1].start(new MessageTransport.Receiver() {
      @Override
      public void onMessage(MessageReader message) {
        received.add(message);
      }

      @Override
      public void onClosed(Throwable cause) {}
    });
    return hook;
  }

  @Test
  void aRemovedAnswersParamsServeTheNextCallUnderANewGeneration() {
    ParamsRecorder hook = serveRecorder();
    int id = bootstrapServiceId();
    peerCalls(1, id, "a");
    // its results have no capability: the Return says noFinishNeeded and the answer is removed
    // with it, its params kept for a later call: a new generation already, and nothing of
    // call 1's message held
    assertThat(receivedSummaries()).containsExactly("return:1:results");
    assertThat(received.get(0).getRoot(Rpc.Message.FACTORY).getReturn().getNoFinishNeeded())
        .isTrue();
    CallParams kept = hook.seen.get(0);
    assertThat(kept.generation()).isNotEqualTo(hook.generations.get(0));
    assertThatThrownBy(kept::content).isInstanceOf(IllegalStateException.class);
    assertThat(kept.caps).isSameAs(dev.capnp.rpc.internal.HookCapTable.none());
    peerFinishes(1, true); // a peer that does not know the flag: ignored
    peerCalls(2, id, "b"); // 1's
    peerCalls(3, id, "c"); // 1's again (2 was removed with its Return)
    assertThat(hook.seen.get(1)).isSameAs(hook.seen.get(0));
    assertThat(hook.seen.get(2)).isSameAs(hook.seen.get(0));
    assertThat(hook.generations.get(1)).isNotEqualTo(hook.generations.get(0));
    assertThat(hook.generations.get(2)).isNotEqualTo(hook.generations.get(1));
    assertThat(returnedText(1)).isEqualTo("got:a");
    assertThat(returnedText(2)).isEqualTo("got:b");
    assertThat(returnedText(3)).isEqualTo("got:c");
    peerReleases(id);
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  /**
   * Recycled params read each call's own content, and a content reader made while an earlier
   * call ran still reads that call's params afterwards (it may be kept: recycling moves only
   * the params' own payload reader). Fails if the content reader were reused.
   */
  @Test
  void aContentReaderOfRecycledParamsKeepsReadingItsOwnCall() {
    ParamsRecorder hook = serveRecorder();
    int id = bootstrapServiceId();
    peerCalls(1, id, "a");
    peerCalls(2, id, "b");
    peerCalls(3, id, "c");
    assertThat(hook.seen.get(1)).isSameAs(hook.seen.get(0));
    assertThat(hook.typed).containsExactly("a", "b", "c");
    assertThat(hook.contents).extracting(c -> TestSupport.text(c, 0))
        .containsExactly("a", "b", "c");
    peerReleases(id);
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  /** Params not released, or handed elsewhere (escaped), are never given to a later call. */
  @Test
  void keptOrEscapedParamsAreNeverRecycled() {
    ParamsRecorder hook = serveRecorder();
    int id = bootstrapServiceId();
    hook.keep = true;
    peerCalls(1, id, "a");
    peerFinishes(1, true);
    hook.keep = false;
    hook.escape = true;
    peerCalls(2, id, "b");
    peerFinishes(2, true);
    hook.escape = false;
    peerCalls(3, id, "c");
    peerFinishes(3, true);
    assertThat(hook.seen).doesNotHaveDuplicates();
    // the kept params are still the first call's
    assertThat(TestSupport.text(hook.seen.get(0).content(), 0)).isEqualTo("a");
    assertThat(hook.seen.get(0).isReleased()).isFalse();
    assertThat(returnedText(3)).isEqualTo("got:c");
    hook.seen.get(0).release();
    peerReleases(id);
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }

  /**
   * Received params without capabilities share one empty capability table, which refuses
   * capabilities: none could show up in another call's params through it.
   */
  @Test
  void paramsWithoutCapabilitiesShareATableThatTakesNone() {
    ParamsRecorder hook = serveRecorder();
    int id = bootstrapServiceId();
    hook.keep = true; // (distinct params objects)
    peerCalls(1, id, "a");
    peerCalls(2, id, "b");
    dev.capnp.rpc.internal.HookCapTable t = hook.seen.get(0).caps;
    assertThat(hook.seen.get(1).caps).isSameAs(t);
    ClientHook x = new dev.capnp.rpc.internal.BrokenClient(loop, RpcException.failed("x"));
    assertThatThrownBy(() -> t.add(x)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> t.injectCap(x)).isInstanceOf(IllegalStateException.class);
    assertThat(t.size()).isZero();
    x.release();
    hook.seen.forEach(CallParams::release);
    peerFinishes(1, true);
    peerFinishes(2, true);
    peerReleases(id);
    assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
  }
}
