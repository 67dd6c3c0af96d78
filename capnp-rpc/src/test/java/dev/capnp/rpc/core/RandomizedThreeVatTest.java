package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.core.MultiVatAndOrderTest.SeqChecker;
import dev.capnp.rpc.proto.Rpc.Message.Which;
import dev.capnp.rpc.transport.InMemoryNetwork;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Three vats: A is connected to B and C (so B's and C's capabilities meet only through A's
 * proxies). A makes random calls, echoes capabilities through B or C (pipelined), releases, and
 * messages are delivered in random order per wire. Checks E-order per reference and clean tables.
 * {@link #randomForwardingRun} does the same with Level 3 call forwarding over four vats.
 */
class RandomizedThreeVatTest {

  static java.util.stream.IntStream seeds() {
    return java.util.stream.IntStream.rangeClosed(1, Integer.getInteger("rpc.fuzz.seeds", 30));
  }

  /** Bootstrap of B and C: "obj" returns the vat's object, anything else echoes caps back. */
  static Server service(Capability obj) {
    return new Server() {
      @Override
      protected java.util.concurrent.CompletionStage<Void> dispatch(long interfaceId,
          int methodId, dev.capnp.rpc.CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
        if (text(ctx.getParams(), 0).equals("obj")) {
          AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
          obj.writeTo(out.getPointer(1));
          return Server.done();
        }
        return TestSupport.echo(ctx, "echo");
      }
    };
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void randomRun(int seed) {
    EventLoop loop = EventLoop.manual();
    Random rnd = new Random(seed);
    SeqChecker aObj = new SeqChecker();
    SeqChecker bObj = new SeqChecker();
    SeqChecker cObj = new SeqChecker();
    Capability bObjCap = Capability.of(bObj);
    Capability cObjCap = Capability.of(cObj);
    InMemoryTransport[] ab = InMemoryTransport.pair(true);
    InMemoryTransport[] ac = InMemoryTransport.pair(true);
    InMemoryTransport[] ends = {ab[0], ab[1], ac[0], ac[1]};
    RpcConnection aToB = RpcConnection.create(loop, ab[0], null, "a->b");
    RpcConnection b = RpcConnection.create(loop, ab[1], Capability.of(service(bObjCap)), "b");
    RpcConnection aToC = RpcConnection.create(loop, ac[0], null, "a->c");
    RpcConnection c = RpcConnection.create(loop, ac[1], Capability.of(service(cObjCap)), "c");
    List<RpcConnection> conns = List.of(aToB, b, aToC, c);
    Runnable pump = () -> {
      for (int i = 0; i < 10000; i++) {
        int n = 0;
        for (InMemoryTransport e : ends) {
          n += e.deliverAll();
        }
        n += loop.runPending();
        if (n == 0) {
          return;
        }
      }
      throw new AssertionError("no quiescence");
    };
    Capability[] boots = {aToB.bootstrap(), aToC.bootstrap()};
    Capability aObjCap = Capability.of(aObj);
    List<RandomizedOrderTest.Slot> slots = new ArrayList<>();
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    int names = 0;
    for (int step = 0; step < 300; step++) {
      int action = rnd.nextInt(10);
      if (slots.isEmpty() || action == 0) {
        Capability boot = boots[rnd.nextInt(2)];
        ResponsePromise<AnyPointer.Reader, Pipeline> p;
        int kind = rnd.nextInt(3);
        if (kind == 0) {
          p = call(boot, "obj").send();
        } else {
          Capability arg = kind == 1 || slots.isEmpty() ? aObjCap
              : slots.get(rnd.nextInt(slots.size())).cap;
          p = call(boot, "echo", arg).send();
        }
        calls.add(p);
        slots.add(new RandomizedOrderTest.Slot(p.getPipelinedCap(1), "n" + names++));
      } else if (action < 6) {
        RandomizedOrderTest.Slot s = slots.get(rnd.nextInt(slots.size()));
        calls.add(call(s.cap, s.name + ":" + s.seq++).send());
      } else if (action < 9) {
        ends[rnd.nextInt(4)].deliverOne();
      } else {
        slots.remove(rnd.nextInt(slots.size())).cap.close();
      }
      loop.runPending();
    }
    pump.run();
    for (ResponsePromise<AnyPointer.Reader, Pipeline> p : calls) {
      assertThat(p).isDone();
      if (!p.isCompletedExceptionally()) {
        p.join().close();
      } else {
        throw new AssertionError("call failed", BasicProtocolTest.catchIt(p));
      }
    }
    for (RandomizedOrderTest.Slot s : slots) {
      s.cap.close();
    }
    assertThat(aObj.errors).isEmpty();
    assertThat(bObj.errors).isEmpty();
    assertThat(cObj.errors).isEmpty();
    aObjCap.close();
    boots[0].close();
    boots[1].close();
    pump.run();
    for (RpcConnection conn : conns) {
      assertThat(conn.tablesEmpty()).as(conn.dumpTables()).isTrue();
    }
    bObjCap.close();
    cObjCap.close();
    for (RpcConnection conn : conns) {
      conn.close();
    }
    pump.run();
  }

  /**
   * Level 3 call forwarding, first and second hops, over the in-memory network (one manual loop
   * per vat, run in random order): Alice calls Bob, whose handler tail-calls Carol (forwarded:
   * Carol answers Alice); a "d:" call is forwarded again by Carol to Dave. Alice pipelines on
   * the returned objects (through Bob) before, during and after the results, and releases them
   * at random. Some forwarded calls (not pipelined on) are canceled at a random later step, so
   * that the cancellation meets the call in any of its states (before Bob's Return, between it
   * and Carol's ThirdPartyAnswer, before or after her results). Every other call succeeds, each
   * object sees each reference's calls in order, and every table is empty at the end.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void randomForwardingRun(int seed) {
    long liveBefore = Capability.liveReferenceCount();
    EventLoop[] loops = {EventLoop.manual(), EventLoop.manual(), EventLoop.manual(),
        EventLoop.manual()};
    Random rnd = new Random(seed);
    SeqChecker cObj = new SeqChecker();
    SeqChecker dObj = new SeqChecker();
    Capability cObjCap = Capability.of(cObj, loops[2]);
    Capability dObjCap = Capability.of(dObj, loops[3]);
    InMemoryNetwork net = new InMemoryNetwork().callForwarding(true);
    Capability[] carolToDave = new Capability[1];
    Capability[] bobToCarol = new Capability[1];
    Server carolService = new Server() {
      @Override
      protected java.util.concurrent.CompletionStage<Void> dispatch(long interfaceId,
          int methodId, dev.capnp.rpc.CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
        String m = text(ctx.getParams(), 0);
        if (m.startsWith("d:")) {
          return ctx.tailCall(call(carolToDave[0], m.substring(2)));
        }
        AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
        cObjCap.writeTo(out.getPointer(1));
        return Server.done();
      }
    };
    Server bobService = new Server() {
      @Override
      protected java.util.concurrent.CompletionStage<Void> dispatch(long interfaceId,
          int methodId, dev.capnp.rpc.CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
        return ctx.tailCall(call(bobToCarol[0], text(ctx.getParams(), 0)));
      }
    };
    InMemoryNetwork.Vat alice = net.vat("alice", loops[0], null, true);
    InMemoryNetwork.Vat bob = net.vat("bob", loops[1], Capability.of(bobService, loops[1]), true);
    InMemoryNetwork.Vat carol = net.vat("carol", loops[2],
        Capability.of(carolService, loops[2]), true);
    InMemoryNetwork.Vat dave = net.vat("dave", loops[3],
        Capability.of(service(dObjCap), loops[3]), true);
    List<InMemoryNetwork.Vat> vats = List.of(alice, bob, carol, dave);
    Runnable pump = () -> {
      for (int i = 0; i < 100_000; i++) {
        int n = 0;
        for (EventLoop l : loops) {
          n += l.runPending();
        }
        if (n == 0) {
          return;
        }
      }
      throw new AssertionError("no quiescence");
    };
    carolToDave[0] = carol.bootstrap("dave");
    bobToCarol[0] = bob.bootstrap("carol");
    Capability bobAtAlice = alice.bootstrap("bob");
    pump.run();
    List<RandomizedOrderTest.Slot> slots = new ArrayList<>();
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> toCancel = new ArrayList<>();
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> canceled = new ArrayList<>();
    int names = 0;
    for (int step = 0; step < 200; step++) {
      int action = rnd.nextInt(12);
      if (action == 10) {
        toCancel.add(call(bobAtAlice, rnd.nextBoolean() ? "d:obj" : "obj").send());
      } else if (action == 11) {
        if (!toCancel.isEmpty()) {
          ResponsePromise<AnyPointer.Reader, Pipeline> p =
              toCancel.remove(rnd.nextInt(toCancel.size()));
          p.cancel(false);
          canceled.add(p);
        }
      } else if (slots.isEmpty() || action == 0) {
        ResponsePromise<AnyPointer.Reader, Pipeline> p =
            call(bobAtAlice, rnd.nextBoolean() ? "d:obj" : "obj").send();
        calls.add(p);
        slots.add(new RandomizedOrderTest.Slot(p.getPipelinedCap(1), "n" + names++));
      } else if (action < 5) {
        RandomizedOrderTest.Slot s = slots.get(rnd.nextInt(slots.size()));
        calls.add(call(s.cap, s.name + ":" + s.seq++).send());
      } else if (action < 9) {
        loops[rnd.nextInt(4)].runPending();
      } else {
        slots.remove(rnd.nextInt(slots.size())).cap.close();
      }
    }
    for (ResponsePromise<AnyPointer.Reader, Pipeline> p : toCancel) {
      p.cancel(false); // (the rest, once the loops ran at random)
      canceled.add(p);
    }
    pump.run();
    for (ResponsePromise<AnyPointer.Reader, Pipeline> p : canceled) {
      assertThat(p).as("seed %d", seed).isDone();
      if (!p.isCompletedExceptionally()) {
        p.join().close(); // (the results came before the cancel)
      }
    }
    for (ResponsePromise<AnyPointer.Reader, Pipeline> p : calls) {
      assertThat(p).as("seed %d", seed).isDone();
      if (!p.isCompletedExceptionally()) {
        p.join().close();
      } else {
        throw new AssertionError("call failed (seed " + seed + ")", BasicProtocolTest.catchIt(p));
      }
    }
    for (RandomizedOrderTest.Slot s : slots) {
      s.cap.close();
    }
    assertThat(cObj.errors).isEmpty();
    assertThat(dObj.errors).isEmpty();
    // (both hops happened: Carol and Dave answered Alice directly)
    assertThat(net.messagesSent("carol", "alice", Which.THIRD_PARTY_ANSWER)).isPositive();
    assertThat(net.messagesSent("dave", "alice", Which.THIRD_PARTY_ANSWER)).isPositive();
    bobAtAlice.close();
    bobToCarol[0].close();
    carolToDave[0].close();
    pump.run();
    for (InMemoryNetwork.Vat v : vats) {
      v.connections().forEach((peer, conn) -> assertThat(conn.tablesEmpty())
          .as("seed %d: %s -> %s:%n%s", seed, v.name(), peer, conn.dumpTables()).isTrue());
    }
    for (InMemoryNetwork.Vat v : vats) {
      v.close();
    }
    pump.run();
    cObjCap.close();
    dObjCap.close();
    for (EventLoop l : loops) {
      l.close();
    }
    assertThat(Capability.liveReferenceCount()).as("seed %d: references left", seed)
        .isLessThanOrEqualTo(liveBefore);
  }
}
