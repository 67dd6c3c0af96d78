package dev.capnp.rpc.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.Results;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Our side as the caller, with fewer objects per call (issue 12, branch zalloc5): each Call's
 * target is written through one reused {@code MessageTarget} builder, and a question's
 * pipeline is also its caller's promise and the call's {@link CallResult}. The core alone, as in
 * {@link ProtocolCoreTest}: every message it sends is kept, read over the builder's own
 * segments, so a builder writing into an earlier message would show there.
 */
class CallerReuseTest {
  private static final long IFACE = 0x1234L;
  private static final StructSize PARAMS = new StructSize(0, 1);

  private final EventLoop loop = EventLoop.manual();
  private final RecordingCore fixture;
  private final List<Rpc.Message.Reader> sent;
  private final RpcProtocol core;

  CallerReuseTest() {
    fixture = new RecordingCore(loop, new Server() { }, CallerReuseTest.class);
    sent = fixture.sent;
    core = fixture.core;
  }

  @AfterEach
  void tablesStayConsistent() {
    assertThat(core.invariantViolation()).isNull();
  }

  private void receive(Consumer<Rpc.Message.Builder> build) {
    fixture.receive(build);
  }

  /** The peer's bootstrap capability, import 7 once its Return came. */
  private ClientHook importSeven() {
    ClientHook cap = core.bootstrap(null, 0);
    receive(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(0);
      Rpc.Payload.Builder p = r.initResults();
      p.getContent().setCapabilityIndex(0);
      p.initCapTable(1).get(0).setSenderHosted(7);
    });
    sent.clear();
    return cap;
  }

  private CallResult call(ClientHook target, int dataBytes) {
    CallParams p = CallParams.outgoing(IFACE, (short) 0);
    AnyStruct.Builder s = p.builder().initAs(AnyStruct.factory(PARAMS));
    if (dataBytes > 0) {
      s.getPointer(0).setAs(Data.FACTORY, new Data.Reader(new byte[dataBytes]));
    } else {
      s.getPointer(0).setAs(Text.FACTORY, new Text.Reader("x"));
    }
    CallResult cr = target.call(p);
    loop.runPending();
    return cr;
  }

  private Rpc.Call.Reader lastCall() {
    Rpc.Message.Reader m = sent.get(sent.size() - 1);
    assertThat(m.isCall()).isTrue();
    return m.getCall();
  }

  private static void assertImport(Rpc.Call.Reader call, int id) {
    assertThat(call.getTarget().isImportedCap()).as("target of %s", call).isTrue();
    assertThat(call.getTarget().getImportedCap()).isEqualTo(id);
  }

  private static void assertPromisedAnswer(Rpc.Call.Reader call, int questionId, int field) {
    assertThat(call.getTarget().isPromisedAnswer()).as("target of %s", call).isTrue();
    Rpc.PromisedAnswer.Reader a = call.getTarget().getPromisedAnswer();
    assertThat(a.getQuestionId()).isEqualTo(questionId);
    assertThat(a.getTransform().size()).isEqualTo(1);
    assertThat(a.getTransform().get(0).getGetPointerField()).isEqualTo((short) field);
  }

  /**
   * Calls to an import, to a pipelined promise of the first call, and to the import again are
   * each written through the same target builder, and every Call kept keeps its own target.
   * Fails without the reuse (no spare builder), and when the spare is written through without
   * being moved to the new Call's target (the later targets then land in the first Call).
   */
  @Test
  void consecutiveCallsToDifferentTargetsEachKeepTheirOwnTarget() {
    ClientHook cap = importSeven();
    CallResult first = call(cap, 0);
    Rpc.Call.Reader call1 = lastCall();
    Rpc.MessageTarget.Builder spare = core.questions.spareTargetForTest();
    assertThat(spare).as("the spare target builder after an ordinary call").isNotNull();

    ClientHook pipelined = first.pipeline().getPipelinedCap(new short[] {0});
    CallResult second = call(pipelined, 0);
    Rpc.Call.Reader call2 = lastCall();
    assertThat(core.questions.spareTargetForTest()).isSameAs(spare);
    CallResult third = call(cap, 0);
    Rpc.Call.Reader call3 = lastCall();
    assertThat(core.questions.spareTargetForTest()).isSameAs(spare);

    assertImport(call1, 7);
    assertPromisedAnswer(call2, call1.getQuestionId(), 0);
    assertImport(call3, 7);
    assertThat(List.of(call1.getQuestionId(), call2.getQuestionId(), call3.getQuestionId()))
        .doesNotHaveDuplicates();

    for (CallResult cr : List.of(first, second, third)) {
      cr.promise().cancel(false);
      cr.pipeline().release();
    }
    pipelined.release();
    cap.release();
    loop.runPending();
  }

  /**
   * A Call larger than an ordinary first segment is written through the spare but does not
   * keep it (the spare would hold its message until the next call); the next ordinary Call
   * makes a new one. Fails when every Call keeps the builder.
   */
  @Test
  void aLargeCallDoesNotKeepTheTargetBuilder() {
    ClientHook cap = importSeven();
    CallResult small = call(cap, 0);
    Rpc.MessageTarget.Builder spare = core.questions.spareTargetForTest();
    assertThat(spare).isNotNull();
    CallResult large = call(cap, 64 * 1024);
    assertImport(lastCall(), 7);
    assertThat(core.questions.spareTargetForTest()).isNull();
    CallResult next = call(cap, 0);
    assertImport(lastCall(), 7);
    assertThat(core.questions.spareTargetForTest()).isNotNull().isNotSameAs(spare);
    for (CallResult cr : List.of(small, large, next)) {
      cr.promise().cancel(false);
      cr.pipeline().release();
    }
    cap.release();
    loop.runPending();
  }

  /**
   * A question's pipeline is its caller's promise and the call's result (one object per
   * question); canceling that promise is still the caller's cancel: Finish before the Return,
   * and the Return that comes later is taken as the end of the question. Fails without the
   * merge (three objects) and when the promise's cancel override is dropped (no Finish).
   */
  @Test
  void theCallResultIsTheQuestionsPipelineAndItsCancelSendsTheFinish() {
    ClientHook cap = importSeven();
    CallResult cr = call(cap, 0);
    int q = lastCall().getQuestionId();
    assertThat(cr).isInstanceOf(RpcPipeline.class);
    assertThat((Object) cr.promise()).isSameAs(cr);
    assertThat((Object) cr.pipeline()).isSameAs(cr);

    CompletableFuture<Results> promise = cr.promise();
    assertThat(promise.cancel(false)).isTrue();
    loop.runPending();
    cr.pipeline().release();
    loop.runPending();
    Rpc.Message.Reader last = sent.get(sent.size() - 1);
    assertThat(last.isFinish()).as("Finish after the caller's cancel: %s", last).isTrue();
    assertThat(last.getFinish().getQuestionId()).isEqualTo(q);
    assertThat(core.questions.find(q)).isNotNull(); // (the id waits for the Return)

    receive(m -> {
      Rpc.Return.Builder r = m.initReturn();
      r.setAnswerId(q);
      r.setCanceled();
    });
    assertThat(core.questions.find(q)).isNull();
    assertThat(promise.isCancelled()).isTrue();
    cap.release();
    loop.runPending();
  }
}
