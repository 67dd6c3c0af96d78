package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.get;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.core.TestSupport.TwoVats;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Three vats, and E-order under load over promises that resolve in different ways. */
class MultiVatAndOrderTest extends TestSupport.LoopTest {

  @Test
  void threeVats_carolCallsBobThroughAliceInOrder() {
    Recorder bob = new Recorder("bob");
    Recorder carol = new Recorder("carol");
    List<Capability> carolHas = new ArrayList<>();
    carol.handler = ctx -> {
      carolHas.add(Capability.fromPointer(ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1)));
      return TestSupport.echo(ctx, "thanks");
    };
    InMemoryTransport[] ab = InMemoryTransport.pair(true);
    InMemoryTransport[] ac = InMemoryTransport.pair(true);
    RpcConnection aliceToBob = RpcConnection.create(loop, ab[0], null, "alice->bob");
    RpcConnection bobSide = RpcConnection.create(loop, ab[1], Capability.of(bob), "bob");
    RpcConnection aliceToCarol = RpcConnection.create(loop, ac[0], null, "alice->carol");
    RpcConnection carolSide = RpcConnection.create(loop, ac[1], Capability.of(carol), "carol");
    Runnable pump = () -> {
      for (int i = 0; i < 1000; i++) {
        int n = ab[0].deliverAll() + ab[1].deliverAll() + ac[0].deliverAll()
            + ac[1].deliverAll() + loop.runPending();
        if (n == 0) {
          return;
        }
      }
    };
    Capability bobCap = aliceToBob.bootstrap();
    Capability carolCap = aliceToCarol.bootstrap();
    ResponsePromise<AnyPointer.Reader, Pipeline> give = call(carolCap, "take", bobCap).send();
    pump.run();
    get(give).close();
    assertThat(carolHas).hasSize(1);
    Capability viaAlice = carolHas.get(0);
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(call(viaAlice, "c" + i).send());
      if (i % 3 == 0) {
        ab[1].deliverOne();
        loop.runPending();
      }
    }
    pump.run();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add("c" + i);
      try (var r = get(calls.get(i))) {
        assertThat(text(r.get(), 0)).isEqualTo("got:c" + i);
      }
    }
    assertThat(bob.log).containsExactlyElementsOf(expected);
    viaAlice.close();
    bobCap.close();
    carolCap.close();
    pump.run();
    for (RpcConnection c : List.of(aliceToBob, bobSide, aliceToCarol, carolSide)) {
      assertThat(c.tablesEmpty()).as(c.dumpTables()).isTrue();
    }
    for (RpcConnection c : List.of(aliceToBob, bobSide, aliceToCarol, carolSide)) {
      c.close();
    }
    pump.run();
  }

  /** A server counting calls per target name, checking sequence numbers arrive in order. */
  static final class SeqChecker extends Server {
    final List<String> errors = new ArrayList<>();
    final java.util.Map<String, Integer> next = new java.util.HashMap<>();
    int calls;

    @Override
    protected java.util.concurrent.CompletionStage<Void> dispatch(long interfaceId, int methodId,
        dev.capnp.rpc.CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      String[] m = text(ctx.getParams(), 0).split(":");
      int seq = Integer.parseInt(m[1]);
      int want = next.getOrDefault(m[0], 0);
      if (seq < want) {
        errors.add(m[0] + ": got " + seq + " after " + (want - 1));
      }
      next.put(m[0], seq + 1);
      calls++;
      return TestSupport.echo(ctx, "ok");
    }
  }

  @Test
  void eOrderUnderLoad_promisesResolvingToLocalRemoteAndBroken() {
    Random rnd = new Random(42);
    SeqChecker local = new SeqChecker();
    SeqChecker remote = new SeqChecker();
    Recorder svc = new Recorder("svc");
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Capability localCap = Capability.of(local);
      Capability remoteObj = Capability.of(remote);
      // the server holds a remote object for us: ask for it via echo of a server-side cap
      Recorder hand = new Recorder("hand");
      hand.handler = ctx -> {
        AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
        remoteObj.writeTo(out.getPointer(1));
        return Server.done();
      };
      svc.handler = ctx -> {
        String msg = text(ctx.getParams(), 0);
        if (msg.equals("remote")) {
          AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
          remoteObj.writeTo(out.getPointer(1));
          return Server.done();
        }
        return TestSupport.echo(ctx, "echo"); // echoes the capability back
      };
      int rounds = 30;
      List<ResponsePromise<AnyPointer.Reader, Pipeline>> all = new ArrayList<>();
      List<Capability> toClose = new ArrayList<>();
      int brokenExpected = 0;
      for (int round = 0; round < rounds; round++) {
        int kind = round % 4;
        String name = "t" + round;
        Capability target;
        CompletableFuture<Capability> f = null;
        ResponsePromise<AnyPointer.Reader, Pipeline> via = null;
        switch (kind) {
          case 0: // remote promise resolving to our local object (embargo path)
            via = call(bs, "echo", localCap).send();
            target = via.getPipelinedCap(1);
            break;
          case 1: // remote promise resolving to a remote object
            via = call(bs, "remote").send();
            target = via.getPipelinedCap(1);
            break;
          case 2: // local promise resolved later to a local object
            f = new CompletableFuture<>();
            target = Capability.promise(f);
            break;
          default: // local promise resolved later to a broken capability
            f = new CompletableFuture<>();
            target = Capability.promise(f);
            break;
        }
        toClose.add(target);
        int n = 10 + rnd.nextInt(10);
        for (int i = 0; i < n; i++) {
          all.add(call(target, name + ":" + i).send());
          if (kind == 3) {
            brokenExpected++;
          }
          int steps = rnd.nextInt(3);
          for (int s = 0; s < steps; s++) {
            v.step(rnd.nextInt(2));
          }
          if (f != null && i == n / 2) {
            if (kind == 2) {
              f.complete(localCap.dup());
            } else {
              f.completeExceptionally(RpcException.failed("broken target"));
            }
          }
        }
        if (via != null) {
          toClose.add(null);
          final ResponsePromise<AnyPointer.Reader, Pipeline> vv = via;
          v.pump();
          get(vv).close();
        }
      }
      v.pump();
      int failed = 0;
      for (ResponsePromise<AnyPointer.Reader, Pipeline> p : all) {
        assertThat(p).isDone();
        if (p.isCompletedExceptionally()) {
          failed++;
        } else {
          get(p).close();
        }
      }
      assertThat(failed).isEqualTo(brokenExpected);
      assertThat(local.errors).isEmpty();
      assertThat(remote.errors).isEmpty();
      assertThat(local.calls + remote.calls + failed).isEqualTo(all.size());
      for (Capability c : toClose) {
        if (c != null) {
          c.close();
        }
      }
      localCap.close();
      remoteObj.close();
      bs.close();
      v.assertClean();
    }
  }
}
