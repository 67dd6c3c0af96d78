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
}
