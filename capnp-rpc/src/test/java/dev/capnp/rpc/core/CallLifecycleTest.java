package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.get;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.core.TestSupport.TwoVats;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Cancellation, tail calls, reference counting, disconnection. */
class CallLifecycleTest extends TestSupport.LoopTest {

  @Test
  void cancel2_droppingAQuestionSendsFinishAndGetsCanceled() {
    Recorder svc = new Recorder("svc");
    CompletableFuture<Void> never = new CompletableFuture<>();
    List<CallContext<AnyPointer.Reader, AnyPointer.Builder>> ctxs = new ArrayList<>();
    svc.handler = ctx -> {
      ctxs.add(ctx);
      return never;
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      v.trace.clear();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "slow").send();
      v.pump();
      assertThat(ctxs).hasSize(1);
      assertThat(ctxs.get(0).isCanceled()).isFalse();
      p.cancel(false);
      v.pump();
      assertThat(ctxs.get(0).isCanceled()).isTrue();
      assertThat(v.trace).containsExactly("c->s call:0->import:0", "c->s finish:0",
          "s->c return:0:canceled");
      never.complete(null);
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void aCallPastItsDeadlineFailsWithRpcExceptionAndSendsFinish() throws Exception {
    Recorder svc = new Recorder("svc");
    CompletableFuture<Void> never = new CompletableFuture<>();
    List<CallContext<AnyPointer.Reader, AnyPointer.Builder>> ctxs = new ArrayList<>();
    svc.handler = ctx -> {
      ctxs.add(ctx);
      return never;
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      v.trace.clear();
      ResponsePromise<AnyPointer.Reader, Pipeline> p =
          call(bs, "slow").send(java.time.Duration.ofMillis(50));
      v.pump();
      assertThat(ctxs).hasSize(1);
      long giveUp = System.nanoTime() + 10_000_000_000L;
      while (!p.isDone() && System.nanoTime() < giveUp) {
        Thread.sleep(5); // the timer queues the expiry on the (manual) loop
        v.pump();
      }
      v.pump();
      assertThat(p).isCompletedExceptionally();
      RpcException e = (RpcException) BasicProtocolTest.catchIt(p);
      assertThat(e.getType()).isEqualTo(RpcException.Type.FAILED);
      assertThat(e.getMessage()).contains("Deadline exceeded: no result within 50 ms");
      assertThat(ctxs.get(0).isCanceled()).isTrue();
      assertThat(v.trace).containsExactly("c->s call:0->import:0", "c->s finish:0",
          "s->c return:0:canceled");
      never.complete(null);
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void aResultInTimeCompletesTheCallAndStopsItsTimer() {
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> TestSupport.echo(ctx, "fast");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      ResponsePromise<AnyPointer.Reader, Pipeline> p =
          call(bs, "x").send(java.time.Duration.ofSeconds(30));
      v.pump();
      assertThat(p).isCompleted();
      p.join().close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void cancel1_questionWithFieldInUseSendsNoFinish() {
    Recorder svc = new Recorder("svc");
    CompletableFuture<Void> gate = new CompletableFuture<>();
    svc.handler = ctx -> gate.thenRun(() -> TestSupport.echo(ctx, "late"));
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      v.trace.clear();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "slow").send();
      Capability field = p.getPipelinedCap(1);
      p.cancel(false);
      v.pump();
      assertThat(v.trace).noneMatch(t -> t.contains("finish"));
      ResponsePromise<AnyPointer.Reader, Pipeline> onField = call(field, "x").send();
      gate.complete(null);
      v.pump();
      // the answer has no capability at that field (and, when the call crossed the Return,
      // no answer any more: it went with its noFinishNeeded Return)
      assertThat(onField).isCompletedExceptionally();
      assertThat(BasicProtocolTest.catchIt(onField).getMessage())
          .isIn("Invalid capability index!", "null capability", "Pipeline call on a request"
              + " that returned no capabilities or was already closed (question 0)");
      field.close();
      v.pump();
      // the question ends with the field's last reference, and its Return (no capabilities)
      // said noFinishNeeded: no Finish at all
      assertThat(v.trace).noneMatch(t -> t.contains("finish:0"));
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void cancel3_capsReturnedToACancelledQuestionAreReleased() {
    Recorder svc = new Recorder("svc");
    Recorder made = new Recorder("made");
    CompletableFuture<Void> gate = new CompletableFuture<>();
    svc.handler = ctx -> gate.thenRun(() -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability c = Capability.of(made)) {
        c.writeTo(out.getPointer(1));
      }
    });
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "make").send();
      v.pump();
      p.cancel(false);
      v.pump();
      gate.complete(null);
      v.pump();
      bs.close();
      v.assertClean();
      assertThat(made.released).isTrue();
    }
  }

  @Test
  void tailCall_toCallersOwnCapUsesSendResultsToYourself() {
    Recorder svc = new Recorder("svc");
    Recorder local = new Recorder("local");
    svc.handler = ctx -> {
      try (Capability back = Capability.fromPointer(
          ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1))) {
        return ctx.tailCall(call(back, "tail"));
      }
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      v.trace.clear();
      Capability mine = Capability.of(local);
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "go", mine).send();
      v.pump();
      try (Response<AnyPointer.Reader> r = get(p)) {
        assertThat(text(r.get(), 0)).isEqualTo("got:tail");
      }
      assertThat(local.log).containsExactly("tail");
      assertThat(v.trace).anyMatch(t -> t.startsWith("s->c call:") && t.endsWith("(yourself)"));
      assertThat(v.trace).anyMatch(t -> t.contains("sent-elsewhere"));
      assertThat(v.trace).anyMatch(t -> t.contains("take-from-other"));
      mine.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void tailCall_toLocalObject() {
    Recorder svc = new Recorder("svc");
    Recorder other = new Recorder("other");
    Capability otherCap = Capability.of(other);
    svc.handler = ctx -> ctx.tailCall(call(otherCap, "forwarded"));
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "go").send();
      v.pump();
      try (Response<AnyPointer.Reader> r = get(p)) {
        assertThat(text(r.get(), 0)).isEqualTo("got:forwarded");
      }
      bs.close();
      otherCap.close();
      v.assertClean();
    }
  }

  @Test
  void sharedCap_passedTwice_refcountsBalance() {
    Recorder svc = new Recorder("svc");
    Recorder shared = new Recorder("shared");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Capability s = Capability.of(shared);
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "two", s, s).send();
      v.pump();
      assertThat(v.trace).anyMatch(t -> t.equals("s->c release:0x2")); // one export, 2 refs
      try (Response<AnyPointer.Reader> r = get(p); Capability a = r.getCap(1);
          Capability b = r.getCap(2)) {
        assertThat(a.isSameAs(s)).isTrue();
        assertThat(b.isSameAs(s)).isTrue();
      }
      s.close();
      bs.close();
      v.assertClean();
      assertThat(shared.released).isTrue();
    }
  }

  @Test
  void reExport_oneExportIdPerCap() {
    Recorder svc = new Recorder("svc");
    List<Capability> kept = new ArrayList<>();
    svc.handler = ctx -> {
      kept.add(Capability.fromPointer(ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1)));
      return TestSupport.echo(ctx, "ok");
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Capability mine = Capability.of(new Recorder("mine"));
      get(EmbargoAndResolveTest.sendPump(v, call(bs, "a", mine).send())).close();
      get(EmbargoAndResolveTest.sendPump(v, call(bs, "b", mine).send())).close();
      v.pump();
      assertThat(v.client.tableSizes()[3]).isEqualTo(1);
      assertThat(v.server.tableSizes()[2]).isEqualTo(1);
      assertThat(kept.get(0).isSameAs(kept.get(1))).isTrue();
      kept.forEach(Capability::close);
      mine.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void fields_fieldStaysUsableAfterResponseClosed() {
    Recorder svc = new Recorder("svc");
    Recorder inner = new Recorder("inner");
    Capability innerCap = Capability.of(inner);
    svc.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      innerCap.writeTo(out.getPointer(1));
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "get").send();
      Capability f = p.getPipelinedCap(1);
      v.pump();
      get(p).close();
      get(EmbargoAndResolveTest.sendPump(v, call(f, "still").send())).close();
      assertThat(inner.log).containsExactly("still");
      f.close();
      innerCap.close();
      bs.close();
      v.assertClean();
      assertThat(inner.released).isTrue();
    }
  }

  @Test
  void brokenConnection_breaksImportsWithTheGivenException() {
    Recorder svc = new Recorder("svc");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      CompletableFuture<RpcException> broken = bs.whenBroken();
      assertThat(broken).isNotDone();
      v.client.disconnect(RpcException.disconnected("test says bye"));
      v.pump();
      assertThat(broken).isDone();
      assertThat(get(broken).getMessage()).isEqualTo("test says bye");
      assertThat(v.server.disconnectReason()).isNotNull();
      assertThat(v.server.disconnectReason().getMessage()).isEqualTo("test says bye");
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "after").send();
      v.pump();
      assertThat(p).isCompletedExceptionally();
      bs.close();
      v.assertClean();
      assertThat(svc.released).isTrue();
    }
  }

  @Test
  void refCounts_serverLearnsLastReferenceIsGone() {
    Recorder svc = new Recorder("svc");
    Recorder obj = new Recorder("obj");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Capability c = Capability.of(obj);
      Capability d = c.dup();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "echo", c).send();
      v.pump();
      Capability back = get(p).getCap(1);
      get(p).close();
      c.close();
      d.close();
      v.pump();
      assertThat(obj.released).isFalse();
      back.close();
      v.pump();
      assertThat(obj.released).isTrue();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void tailCalls_manyInFlightThenAbruptDisconnect_releaseEverything() {
    Recorder svc = new Recorder("svc");
    Recorder local = new Recorder("local");
    svc.handler = ctx -> {
      try (Capability back = Capability.fromPointer(
          ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1))) {
        return ctx.tailCall(call(back, "tail"));
      }
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Capability mine = Capability.of(local);
      List<ResponsePromise<AnyPointer.Reader, Pipeline>> ps = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ps.add(call(bs, "go" + i, mine).send());
      }
      v.pump();
      for (ResponsePromise<AnyPointer.Reader, Pipeline> p : ps) {
        try (Response<AnyPointer.Reader> r = get(p)) {
          assertThat(text(r.get(), 0)).isEqualTo("got:tail");
        }
      }
      v.client.close();
      v.pump();
      assertThat(svc.released).as(v.server.dumpTables()).isTrue();
      mine.close();
      bs.close();
      v.pump();
      assertThat(local.released).isTrue();
    }
  }
}
