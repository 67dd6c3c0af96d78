package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.EmbargoAndResolveTest.sendPump;
import static dev.capnp.rpc.core.EmbargoAndResolveTest.serverTurn;
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

/** More scenarios of the seed library's core suite (see docs: RPC test map). */
class SeedScenariosTest extends TestSupport.LoopTest {

  static Capability param(dev.capnp.rpc.CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx,
      int i) {
    return Capability.fromPointer(ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(i));
  }

  static void answerCap(dev.capnp.rpc.CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx,
      Capability c) {
    AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
    c.writeTo(out.getPointer(1));
  }

  @Test
  void localEmbargo2_viaPromisedAnswerOfServersCallToClientRegistry() {
    Recorder target = new Recorder("target");
    Capability targetCap = Capability.of(target);
    Recorder registry = new Recorder("registry");
    registry.handler = ctx -> {
      answerCap(ctx, targetCap);
      return Server.done();
    };
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> {
      try (Capability reg = param(ctx, 1)) {
        ResponsePromise<AnyPointer.Reader, Pipeline> p = call(reg, "get").send();
        try (Capability pipelined = p.getPipelinedCap(1)) {
          answerCap(ctx, pipelined);
        }
        return p.thenAccept(Response::close);
      }
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      Capability reg = Capability.of(registry);
      ResponsePromise<AnyPointer.Reader, Pipeline> f = call(bs, "fetch", reg).send();
      Capability x = f.getPipelinedCap(1);
      List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        calls.add(call(x, "m" + i).send());
        v.step(i % 2);
        v.step(1 - i % 2);
      }
      v.pump();
      assertThat(target.log).containsExactly("m0", "m1", "m2", "m3", "m4", "m5");
      calls.forEach(c -> get(c).close());
      assertThat(x.isSameAs(targetCap)).isTrue();
      get(f).close();
      x.close();
      reg.close();
      targetCap.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void localEmbargo4_noEmbargoWhenAnswerLacksTheCap() {
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> TestSupport.echo(ctx, "nothing");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "empty").send();
      Capability missing = p.getPipelinedCap(3);
      ResponsePromise<AnyPointer.Reader, Pipeline> c = call(missing, "m1").send();
      v.pump();
      assertThat(c).isCompletedExceptionally();
      assertThat(v.trace).noneMatch(t -> t.contains("disembargo"));
      assertThat(missing.problem()).isNotNull();
      missing.close();
      get(p).close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void localEmbargo8_localPromiseResolvedToRemotePromise() {
    Recorder target = new Recorder("target");
    Capability targetCap = Capability.of(target);
    Recorder svc = new Recorder("svc");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      CompletableFuture<Capability> f = new CompletableFuture<>();
      Capability local = Capability.promise(f);
      List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
      calls.add(call(local, "a0").send());
      ResponsePromise<AnyPointer.Reader, Pipeline> echo = call(bs, "echo", targetCap).send();
      f.complete(echo.getPipelinedCap(1)); // local promise -> remote promise -> our target
      calls.add(call(local, "a1").send());
      v.step(1);
      calls.add(call(local, "a2").send());
      v.pump();
      calls.add(call(local, "a3").send());
      v.pump();
      assertThat(target.log).containsExactly("a0", "a1", "a2", "a3");
      calls.forEach(c -> get(c).close());
      get(echo).close();
      local.close();
      targetCap.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void localEmbargo9_bootstrapsBothWaysKeepOrder() {
    Recorder clientSvc = new Recorder("clientSvc");
    Recorder serverSvc = new Recorder("serverSvc");
    try (TwoVats v = new TwoVats(Capability.of(clientSvc), Capability.of(serverSvc))) {
      Capability toServer = v.client.bootstrap();
      Capability toClient = v.server.bootstrap();
      v.pump();
      // the client sends the server's own bootstrap back to it and calls through the echo
      ResponsePromise<AnyPointer.Reader, Pipeline> e1 = call(toServer, "echo", toServer).send();
      Capability x = e1.getPipelinedCap(1);
      List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        calls.add(call(x, "x" + i).send());
        v.step(i % 2);
      }
      v.pump();
      assertThat(serverSvc.log.subList(1, serverSvc.log.size()))
          .containsExactly("x0", "x1", "x2", "x3", "x4");
      calls.forEach(c -> get(c).close());
      get(e1).close();
      x.close();
      toServer.close();
      toClient.close();
      v.assertClean();
    }
  }

  @Test
  void localEmbargo10_withTailCallToCallersCap() {
    Recorder local = new Recorder("local");
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> {
      try (Capability back = param(ctx, 1)) {
        return ctx.tailCall(call(back, "tail", back));
      }
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      Capability mine = Capability.of(local);
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "go", mine).send();
      Capability x = p.getPipelinedCap(1);
      ResponsePromise<AnyPointer.Reader, Pipeline> m1 = call(x, "m1").send();
      v.pump();
      ResponsePromise<AnyPointer.Reader, Pipeline> m2 = call(x, "m2").send();
      v.pump();
      assertThat(local.log).containsExactly("tail", "m1", "m2");
      assertThat(x.isSameAs(mine)).isTrue();
      get(m1).close();
      get(m2).close();
      get(p).close();
      x.close();
      mine.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void localEmbargo12_promiseResolvedToBrokenPipelinedCapSendsNoDisembargo() {
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> CompletableFuture.failedFuture(RpcException.failed("nope"));
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "fail").send();
      Capability x = p.getPipelinedCap(1);
      ResponsePromise<AnyPointer.Reader, Pipeline> m1 = call(x, "m1").send();
      v.pump();
      ResponsePromise<AnyPointer.Reader, Pipeline> m2 = call(x, "m2").send();
      v.pump();
      assertThat(m1).isCompletedExceptionally();
      assertThat(m2).isCompletedExceptionally();
      assertThat(BasicProtocolTest.catchIt(m2).getMessage()).isEqualTo("nope");
      assertThat(v.trace).noneMatch(t -> t.contains("disembargo"));
      x.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void localEmbargo13_exportResolvedToExceptionNeedsNoEmbargo() {
    CompletableFuture<Capability> later = new CompletableFuture<>();
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> {
      try (Capability p = Capability.promise(later)) {
        answerCap(ctx, p);
      }
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "promise").send()));
      Capability x = r.getCap(1);
      r.close();
      ResponsePromise<AnyPointer.Reader, Pipeline> m1 = call(x, "m1").send();
      later.completeExceptionally(RpcException.failed("gone"));
      v.pump();
      ResponsePromise<AnyPointer.Reader, Pipeline> m2 = call(x, "m2").send();
      v.pump();
      assertThat(m1).isCompletedExceptionally();
      assertThat(m2).isCompletedExceptionally();
      assertThat(v.trace).noneMatch(t -> t.contains("disembargo"));
      x.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void localEmbargo14_clientBootstrapReturnedViaServerPlusBrokenField() {
    Recorder clientSvc = new Recorder("clientSvc");
    Recorder serverSvc = new Recorder("serverSvc");
    try (TwoVats v = new TwoVats(Capability.of(clientSvc), Capability.of(serverSvc))) {
      serverSvc.handler = ctx -> {
        AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
        try (Capability cb = v.server.bootstrap();
            Capability broken = Capability.broken(RpcException.failed("field broken"))) {
          cb.writeTo(out.getPointer(1));
          broken.writeTo(out.getPointer(2));
        }
        return Server.done();
      };
      Capability bs = v.client.bootstrap();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "give").send();
      Capability mineViaServer = p.getPipelinedCap(1);
      Capability broken = p.getPipelinedCap(2);
      List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        calls.add(call(mineViaServer, "k" + i).send());
        v.step(i % 2);
        v.step(1);
      }
      v.pump();
      calls.add(call(mineViaServer, "k4").send());
      v.pump();
      assertThat(clientSvc.log).containsExactly("k0", "k1", "k2", "k3", "k4");
      assertThat(broken.problem()).isNotNull();
      calls.forEach(c -> get(c).close());
      get(p).close();
      mineViaServer.close();
      broken.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void resolve3_noResolveSentForARemovedExport() {
    CompletableFuture<Capability> later = new CompletableFuture<>();
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> {
      try (Capability p = Capability.promise(later)) {
        answerCap(ctx, p);
      }
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "promise").send()));
      r.getCap(1).close();
      r.close();
      v.pump();
      v.trace.clear();
      later.complete(Capability.of(new Recorder("late")));
      v.pump();
      assertThat(v.trace).noneMatch(t -> t.contains("resolve"));
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void resolve5_finishReleasesSeveralImports() {
    Recorder svc = new Recorder("svc");
    Recorder a = new Recorder("a");
    Recorder b = new Recorder("b");
    Capability ca = Capability.of(a);
    Capability cb = Capability.of(b);
    svc.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      ca.writeTo(out.getPointer(1));
      cb.writeTo(out.getPointer(2));
      ca.writeTo(out.getPointer(3));
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "many").send()));
      r.close();
      ca.close();
      cb.close();
      bs.close();
      v.assertClean();
      assertThat(a.released).isTrue();
      assertThat(b.released).isTrue();
    }
  }

  @Test
  void cycle2_fieldToFieldIsNotACycle() {
    Recorder svc = new Recorder("svc");
    Recorder t = new Recorder("t");
    Capability tc = Capability.of(t);
    svc.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      tc.writeTo(out.getPointer(1));
      tc.writeTo(out.getPointer(2));
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "two").send();
      Capability f1 = p.getPipelinedCap(1);
      CompletableFuture<Capability> f = new CompletableFuture<>();
      Capability local = Capability.promise(f);
      f.complete(p.getPipelinedCap(2));
      ResponsePromise<AnyPointer.Reader, Pipeline> c1 = call(f1, "one").send();
      ResponsePromise<AnyPointer.Reader, Pipeline> c2 = call(local, "two").send();
      v.pump();
      assertThat(t.log).containsExactly("one", "two");
      get(c1).close();
      get(c2).close();
      f1.close();
      local.close();
      get(p).close();
      tc.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void cycle3_localPromisesResolvingToEachOther() {
    CompletableFuture<Capability> fa = new CompletableFuture<>();
    CompletableFuture<Capability> fb = new CompletableFuture<>();
    Capability a = Capability.promise(fa);
    Capability b = Capability.promise(fb);
    fa.complete(b.dup());
    fb.complete(a.dup());
    loop.runPending();
    ResponsePromise<AnyPointer.Reader, Pipeline> c = call(a, "x").send();
    loop.runPending();
    assertThat(c).isCompletedExceptionally();
    assertThat(BasicProtocolTest.catchIt(c).getMessage()).contains("cycle");
    a.close();
    b.close();
  }

  @Test
  void importCallbacks_importHeldOnlyByWhenResolvedStaysUntilResolved() {
    CompletableFuture<Capability> later = new CompletableFuture<>();
    Recorder svc = new Recorder("svc");
    Recorder t = new Recorder("t");
    svc.handler = ctx -> {
      try (Capability p = Capability.promise(later)) {
        answerCap(ctx, p);
      }
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "promise").send()));
      Capability x = r.getCap(1);
      r.close();
      CompletableFuture<Void> resolved = x.whenResolved();
      x.close();
      v.pump();
      System.gc();
      later.complete(Capability.of(t));
      v.pump();
      assertThat(resolved).isDone();
      bs.close();
      v.assertClean();
      assertThat(t.released).isTrue();
    }
  }

  @Test
  void cycle4_localPromiseResolvedToItsOwnEchoAcrossTheConnection() {
    Recorder svc = new Recorder("svc");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      CompletableFuture<Capability> f = new CompletableFuture<>();
      Capability p = Capability.promise(f);
      ResponsePromise<AnyPointer.Reader, Pipeline> echo = call(bs, "echo", p).send();
      f.complete(echo.getPipelinedCap(1)); // p -> (its own echo) -> p
      ResponsePromise<AnyPointer.Reader, Pipeline> c = call(p, "loop").send();
      v.pump();
      assertThat(c).isCompletedExceptionally();
      assertThat(BasicProtocolTest.catchIt(c).getMessage()).contains("cycle");
      assertThat(p.problem()).isNotNull();
      get(echo).close();
      p.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void resolve4_resolveToAnUnseenExport() {
    CompletableFuture<Capability> later = new CompletableFuture<>();
    Recorder fresh = new Recorder("fresh");
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> {
      try (Capability p = Capability.promise(later)) {
        answerCap(ctx, p);
      }
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "promise").send()));
      Capability x = r.getCap(1);
      r.close();
      ResponsePromise<AnyPointer.Reader, Pipeline> m1 = call(x, "m1").send();
      later.complete(Capability.of(fresh));
      ResponsePromise<AnyPointer.Reader, Pipeline> m2 = call(x, "m2").send();
      v.pump();
      ResponsePromise<AnyPointer.Reader, Pipeline> m3 = call(x, "m3").send();
      v.pump();
      assertThat(fresh.log).containsExactly("m1", "m2", "m3");
      get(m1).close();
      get(m2).close();
      get(m3).close();
      x.close();
      bs.close();
      v.assertClean();
      assertThat(fresh.released).isTrue();
    }
  }

  @Test
  void localEmbargo11_answerEqualsAnAlreadyAnsweredQuestionsCapPlusPipelinedCall() {
    Recorder local = new Recorder("local");
    Recorder svc = new Recorder("svc");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Capability mine = Capability.of(local);
      Response<AnyPointer.Reader> first = get(sendPump(v, call(bs, "echo", mine).send()));
      Capability viaFirst = first.getCap(1);
      ResponsePromise<AnyPointer.Reader, Pipeline> second = call(bs, "echo", viaFirst).send();
      Capability x = second.getPipelinedCap(1);
      ResponsePromise<AnyPointer.Reader, Pipeline> m1 = call(x, "m1").send();
      v.step(1);
      v.step(1);
      ResponsePromise<AnyPointer.Reader, Pipeline> m2 = call(x, "m2").send();
      v.pump();
      ResponsePromise<AnyPointer.Reader, Pipeline> m3 = call(x, "m3").send();
      v.pump();
      assertThat(local.log).containsExactly("m1", "m2", "m3");
      for (ResponsePromise<AnyPointer.Reader, Pipeline> m : List.of(m1, m2, m3, second)) {
        get(m).close();
      }
      first.close();
      viaFirst.close();
      x.close();
      mine.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void localEmbargo6_answersPointingBackOnBothSides() {
    Recorder clientSvc = new Recorder("clientSvc");
    Recorder serverSvc = new Recorder("serverSvc");
    Recorder clientObj = new Recorder("clientObj");
    Recorder serverObj = new Recorder("serverObj");
    try (TwoVats v = new TwoVats(Capability.of(clientSvc), Capability.of(serverSvc))) {
      Capability toServer = v.client.bootstrap();
      Capability toClient = v.server.bootstrap();
      v.pump();
      Capability c = Capability.of(clientObj);
      Capability s = Capability.of(serverObj);
      ResponsePromise<AnyPointer.Reader, Pipeline> e1 = call(toServer, "echo", c).send();
      ResponsePromise<AnyPointer.Reader, Pipeline> e2 = call(toClient, "echo", s).send();
      Capability x1 = e1.getPipelinedCap(1);
      Capability x2 = e2.getPipelinedCap(1);
      List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        calls.add(call(x1, "c" + i).send());
        calls.add(call(x2, "s" + i).send());
        v.step(i % 2);
        v.step((i + 1) % 2);
      }
      v.pump();
      assertThat(clientObj.log).containsExactly("c0", "c1", "c2", "c3", "c4", "c5");
      assertThat(serverObj.log).containsExactly("s0", "s1", "s2", "s3", "s4", "s5");
      assertThat(v.trace).filteredOn(t -> t.contains("disembargo-request"))
          .anyMatch(t -> t.startsWith("c->s")).anyMatch(t -> t.startsWith("s->c"));
      calls.forEach(m -> get(m).close());
      get(e1).close();
      get(e2).close();
      for (Capability cap : List.of(x1, x2, c, s, toServer, toClient)) {
        cap.close();
      }
      v.assertClean();
    }
  }

  @Test
  void localEmbargo7_embargoOnALocalPromiseThatLaterResolvesLocally() {
    Recorder svc = new Recorder("svc");
    Recorder obj = new Recorder("obj");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      CompletableFuture<Capability> f = new CompletableFuture<>();
      Capability switchable = Capability.promise(f);
      ResponsePromise<AnyPointer.Reader, Pipeline> e = call(bs, "echo", switchable).send();
      Capability x = e.getPipelinedCap(1);
      List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
      calls.add(call(x, "m0").send());
      serverTurn(v);
      v.step(0); // the Return: x now leads to our own (still unresolved) promise -> embargo
      calls.add(call(x, "m1").send());
      f.complete(Capability.of(obj));
      calls.add(call(x, "m2").send());
      v.pump();
      calls.add(call(x, "m3").send());
      v.pump();
      assertThat(obj.log).containsExactly("m0", "m1", "m2", "m3");
      calls.forEach(m -> get(m).close());
      get(e).close();
      x.close();
      switchable.close();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void localEmbargo15_crossResolvedPromiseChain() {
    Recorder obj = new Recorder("obj");
    CompletableFuture<Capability> serverSide = new CompletableFuture<>();
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> {
      try (Capability p = Capability.promise(serverSide)) {
        answerCap(ctx, p);
      }
      return Server.done();
    };
    List<Capability> kept = new ArrayList<>();
    Recorder keeper = new Recorder("keeper");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      // the client's promise p1 -> the server's promise p2 -> the client's object
      CompletableFuture<Capability> clientSide = new CompletableFuture<>();
      Capability p1 = Capability.promise(clientSide);
      ResponsePromise<AnyPointer.Reader, Pipeline> r = call(bs, "promise").send();
      clientSide.complete(r.getPipelinedCap(1));
      ResponsePromise<AnyPointer.Reader, Pipeline> m1 = call(p1, "m1").send();
      v.pump();
      Capability objCap = Capability.of(obj);
      svc.handler = ctx -> {
        kept.add(param(ctx, 1));
        return TestSupport.echo(ctx, "kept");
      };
      get(sendPump(v, call(bs, "keep", objCap).send())).close();
      serverSide.complete(kept.remove(0));
      ResponsePromise<AnyPointer.Reader, Pipeline> m2 = call(p1, "m2").send();
      v.pump();
      ResponsePromise<AnyPointer.Reader, Pipeline> m3 = call(p1, "m3").send();
      v.pump();
      assertThat(obj.log).containsExactly("m1", "m2", "m3");
      for (ResponsePromise<AnyPointer.Reader, Pipeline> m : List.of(m1, m2, m3, r)) {
        get(m).close();
      }
      p1.close();
      objCap.close();
      bs.close();
      v.assertClean();
    }
    assertThat(keeper.log).isEmpty();
  }

  @Test
  void resolve7_resolvedLocalPromiseIsSentAsTheObjectItself() {
    Recorder svc = new Recorder("svc");
    Recorder obj = new Recorder("obj");
    List<String> seen = new ArrayList<>();
    svc.handler = ctx -> {
      try (Capability c = param(ctx, 1)) {
        seen.add(c.toString());
      }
      return TestSupport.echo(ctx, "ok");
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      CompletableFuture<Capability> f = new CompletableFuture<>();
      Capability p = Capability.promise(f);
      f.complete(Capability.of(obj));
      v.loop.runPending();
      v.trace.clear();
      get(sendPump(v, call(bs, "take", p).send())).close();
      assertThat(seen).hasSize(1);
      assertThat(seen.get(0)).contains("import(").doesNotContain("promise(");
      assertThat(v.trace).noneMatch(t -> t.contains("resolve"));
      p.close();
      bs.close();
      v.assertClean();
      assertThat(obj.released).isTrue();
    }
  }

  @Test
  void resolve6_promiseReleasedBeforeItsResolveArrives() {
    CompletableFuture<Capability> later = new CompletableFuture<>();
    Recorder svc = new Recorder("svc");
    Recorder target = new Recorder("target");
    svc.handler = ctx -> {
      try (Capability p = Capability.promise(later)) {
        answerCap(ctx, p);
      }
      return Server.done();
    };
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Response<AnyPointer.Reader> r = get(sendPump(v, call(bs, "promise").send()));
      Capability x = r.getCap(1);
      r.close();
      later.complete(Capability.of(target));
      serverTurn(v); // the server sends Resolve, still on its way
      x.close();     // the client drops the promise (Release crosses the Resolve)
      v.pump();
      bs.close();
      v.assertClean();
      assertThat(target.released).isTrue();
    }
  }
}
