package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.get;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

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

/** Embargoes, promise resolution and path shortening (seed: Local embargo *, Resolve *). */
class EmbargoAndResolveTest extends TestSupport.LoopTest {

  /** Delivers everything queued for the server and runs it, leaving the client's inbox alone. */
  static void serverTurn(TwoVats v) {
    while (v.step(1)) {
      // keep going
    }
    v.loop.runPending();
  }

  @Test
  void localEmbargo1_pipelinedCallReturnsBeforeLaterDirectCall() {
    Recorder svc = new Recorder("svc");
    Recorder local = new Recorder("local");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      Capability mine = Capability.of(local);
      ResponsePromise<AnyPointer.Reader, Pipeline> echo = call(bs, "echo", mine).send();
      Capability x = echo.getPipelinedCap(1);
      ResponsePromise<AnyPointer.Reader, Pipeline> m1 = call(x, "m1").send();
      serverTurn(v);
      // the server has answered the echo and forwarded m1 back to us; take the Return first
      assertThat(v.waiting(0).get(0)).startsWith("return:");
      v.step(0);
      ResponsePromise<AnyPointer.Reader, Pipeline> m2 = call(x, "m2").send();
      v.loop.runPending();
      assertThat(local.log).isEmpty();
      v.pump();
      assertThat(local.log).containsExactly("m1", "m2");
      assertThat(v.trace).anyMatch(s -> s.contains("disembargo-request"));
      assertThat(v.trace).anyMatch(s -> s.contains("disembargo-reply"));
      assertThat(x.isSameAs(mine)).isTrue();
      get(m1).close();
      get(m2).close();
      get(echo).close();
      x.close();
      mine.close();
      bs.close();
      v.assertClean();
      assertThat(local.released).isTrue();
    }
  }

  @Test
  void localEmbargo3_triggeredByResolve() {
    Recorder local = new Recorder("local");
    CompletableFuture<Capability> later = new CompletableFuture<>();
    Recorder svc = new Recorder("svc");
    List<Capability> kept = new ArrayList<>();
    svc.handler = ctx -> {
      String msg = text(ctx.getParams(), 0);
      if (msg.equals("keep")) {
        kept.add(Capability.fromPointer(ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1)));
        return TestSupport.echo(ctx, "kept");
      }
      // "promise": answer with a promise resolved later
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability p = Capability.promise(later)) {
        p.writeTo(out.getPointer(1));
      }
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Capability mine = Capability.of(local);
      get(sendPump(v, call(bs, "keep", mine).send())).close();
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "promise").send()));
      Capability x = r.getCap(1);
      r.close();
      ResponsePromise<AnyPointer.Reader, Pipeline> m1 = call(x, "m1").send();
      v.pump();
      assertThat(local.log).isEmpty();
      // resolve the server's promise to the client's own capability
      later.complete(kept.remove(0));
      serverTurn(v);
      v.step(0); // the Resolve
      ResponsePromise<AnyPointer.Reader, Pipeline> m2 = call(x, "m2").send();
      v.pump();
      assertThat(local.log).containsExactly("m1", "m2");
      assertThat(v.trace).anyMatch(s -> s.contains("resolve:"));
      assertThat(v.trace).anyMatch(s -> s.contains("disembargo-request"));
      get(m1).close();
      get(m2).close();
      assertThat(x.isSameAs(mine)).isTrue();
      x.close();
      mine.close();
      bs.close();
      v.assertClean();
    }
  }

  static <T extends CompletableFuture<?>> T sendPump(TwoVats v, T p) {
    v.pump();
    return p;
  }

  @Test
  void resolve_promiseResolvedToClientCap_laterCallsAreLocal() {
    Recorder local = new Recorder("local");
    CompletableFuture<Capability> later = new CompletableFuture<>();
    Recorder svc = new Recorder("svc");
    List<Capability> kept = new ArrayList<>();
    svc.handler = ctx -> {
      String msg = text(ctx.getParams(), 0);
      if (msg.equals("keep")) {
        kept.add(Capability.fromPointer(ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1)));
        return TestSupport.echo(ctx, "kept");
      }
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability p = Capability.promise(later)) {
        p.writeTo(out.getPointer(1));
      }
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Capability mine = Capability.of(local);
      get(sendPump(v, call(bs, "keep", mine).send())).close();
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "promise").send()));
      Capability x = r.getCap(1);
      r.close();
      CompletableFuture<Void> settled = x.whenResolved();
      assertThat(settled).isNotDone();
      later.complete(kept.remove(0));
      v.pump();
      assertThat(settled).isDone();
      assertThat(x.isSameAs(mine)).isTrue();
      v.trace.clear();
      get(sendPump(v, call(x, "direct").send())).close();
      assertThat(v.trace).isEmpty(); // no network traffic: the call was local
      assertThat(local.log).containsExactly("direct");
      x.close();
      mine.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void resolve2_resolveAfterClientReleasedReleasesNewTarget() {
    CompletableFuture<Capability> later = new CompletableFuture<>();
    Recorder svc = new Recorder("svc");
    Recorder target = new Recorder("target");
    svc.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability p = Capability.promise(later)) {
        p.writeTo(out.getPointer(1));
      }
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "promise").send()));
      Capability x = r.getCap(1);
      r.close();
      x.close();
      v.pump();
      later.complete(Capability.of(target));
      v.pump();
      bs.close();
      v.assertClean();
      assertThat(target.released).isTrue();
    }
  }

  @Test
  void brokenLater_exportResolvedToException() {
    CompletableFuture<Capability> later = new CompletableFuture<>();
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability p = Capability.promise(later)) {
        p.writeTo(out.getPointer(1));
      }
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "promise").send()));
      Capability x = r.getCap(1);
      r.close();
      CompletableFuture<RpcException> broken = x.whenBroken();
      v.pump();
      assertThat(broken).isNotDone();
      later.completeExceptionally(RpcException.failed("gone bad"));
      v.pump();
      assertThat(broken).isDone();
      assertThat(get(broken).getMessage()).isEqualTo("gone bad");
      assertThat(v.trace).contains("s->c resolve:1:exception");
      x.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void brokenReturn_brokenCapSentAsExportPlusResolve() {
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability p = Capability.broken(RpcException.failed("broken-cap"))) {
        p.writeTo(out.getPointer(1));
      }
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "broken").send()));
      Capability x = r.getCap(1);
      r.close();
      v.pump();
      assertThat(x.problem()).isNotNull();
      assertThat(x.problem().getMessage()).isEqualTo("broken-cap");
      ResponsePromise<AnyPointer.Reader, Pipeline> c = call(x, "hi").send();
      v.pump();
      assertThat(c).isCompletedExceptionally();
      x.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void brokenCall_brokenCapAsParam() {
    Recorder svc = new Recorder("svc");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Capability broken = Capability.broken(RpcException.failed("param-broken"));
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "echo", broken).send()));
      Capability back = r.getCap(1);
      r.close();
      v.pump();
      assertThat(back.problem()).isNotNull();
      assertThat(back.problem().getMessage()).isEqualTo("param-broken");
      back.close();
      broken.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void duplicates_sameFieldTwiceGivesSameObject() {
    Recorder svc = new Recorder("svc");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Capability mine = Capability.of(new Recorder("mine"));
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "echo", mine).send();
      Capability a = p.getPipelinedCap(1);
      Capability b = p.getPipelinedCap(1);
      assertThat(a.isSameAs(b)).isTrue();
      v.pump();
      assertThat(a.isSameAs(b)).isTrue();
      a.close();
      b.close();
      get(p).close();
      mine.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void cycle_promiseResolvedToItself() {
    CompletableFuture<Capability> f = new CompletableFuture<>();
    Capability p = Capability.promise(f);
    f.complete(p.dup());
    loop.runPending();
    assertThat(p.problem()).isNotNull();
    assertThat(p.problem().getMessage()).startsWith("Attempt to create a cycle detected");
    p.close();
  }

  @Test
  void cycle_remotePromiseResolvedToItsOwnPipeline() {
    // the server answers with a promise that resolves to the answer's own field (a cycle)
    Recorder svc = new Recorder("svc");
    CompletableFuture<Capability> later = new CompletableFuture<>();
    svc.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability p = Capability.promise(later)) {
        p.writeTo(out.getPointer(1));
        later.complete(p.dup());
      }
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "cycle").send()));
      Capability x = r.getCap(1);
      r.close();
      v.pump();
      ResponsePromise<AnyPointer.Reader, Pipeline> c = call(x, "hi").send();
      v.pump();
      assertThat(c).isCompletedExceptionally();
      assertThat(BasicProtocolTest.catchIt(c).getMessage()).contains("cycle");
      x.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void shortenField_remotePromiseFieldSentBackIsTheServersObject() {
    Recorder svc = new Recorder("svc");
    Recorder inner = new Recorder("inner");
    List<Capability> seen = new ArrayList<>();
    Capability innerCap = Capability.of(inner);
    svc.handler = ctx -> {
      String msg = text(ctx.getParams(), 0);
      if (msg.equals("get")) {
        AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
        innerCap.writeTo(out.getPointer(1));
        return Server.done();
      }
      seen.add(Capability.fromPointer(ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1)));
      return TestSupport.echo(ctx, "seen");
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      ResponsePromise<AnyPointer.Reader, Pipeline> g = call(bs, "get").send();
      try (Capability field = g.getPipelinedCap(1)) {
        ResponsePromise<AnyPointer.Reader, Pipeline> s = call(bs, "look", field).send();
        v.pump();
        get(s).close();
      }
      assertThat(seen).hasSize(1);
      assertThat(seen.get(0).isSameAs(innerCap)).isTrue();
      seen.get(0).close();
      get(g).close();
      bs.close();
      innerCap.close();
      v.assertClean();
      assertThat(inner.released).isTrue();
    }
  }
}
