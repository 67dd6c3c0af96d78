package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.core.MultiVatAndOrderTest.SeqChecker;
import dev.capnp.rpc.core.TestSupport.TwoVats;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A small fuzzer in the spirit of the seed library's: random calls, echoes (capabilities sent
 * back and forth, pipelined), local promises resolved later (to local, remote or broken targets),
 * releases and random message delivery. Checks E-order per reference and that everything is
 * freed at the end.
 */
class RandomizedOrderTest {

  /** A held reference: the capability and the name its calls are checked under. */
  static final class Slot {
    final Capability cap;
    final String name;
    int seq;
    CompletableFuture<Capability> resolver;

    Slot(Capability cap, String name) {
      this.cap = cap;
      this.name = name;
    }
  }

  /** Seeds 1..N, N from {@code -Drpc.fuzz.seeds} (default 30). */
  static java.util.stream.IntStream seeds() {
    return java.util.stream.IntStream.rangeClosed(1, Integer.getInteger("rpc.fuzz.seeds", 30));
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void randomRun(int seed) {
    EventLoop.manual();
    Random rnd = new Random(seed);
    SeqChecker clientObj = new SeqChecker();
    SeqChecker serverObj = new SeqChecker();
    Capability serverObjCap = Capability.of(serverObj);
    Server svc = new Server() {
      @Override
      protected java.util.concurrent.CompletionStage<Void> dispatch(long interfaceId,
          int methodId, dev.capnp.rpc.CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
        String msg = text(ctx.getParams(), 0);
        if (msg.equals("remote")) {
          AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
          serverObjCap.writeTo(out.getPointer(1));
          return Server.done();
        }
        return TestSupport.echo(ctx, "echo");
      }
    };
    List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
    List<Slot> slots = new ArrayList<>();
    int names = 0;
    try (TwoVats v = new TwoVats(null, Capability.of(svc))) {
      Capability bs = v.client.bootstrap();
      Capability clientObjCap = Capability.of(clientObj);
      for (int step = 0; step < 300; step++) {
        int action = rnd.nextInt(10);
        if (slots.isEmpty() || action == 0) {
          // a new reference
          int kind = rnd.nextInt(4);
          Capability c;
          ResponsePromise<AnyPointer.Reader, Pipeline> p;
          switch (kind) {
            case 0:
              c = clientObjCap.dup();
              break;
            case 1:
              p = call(bs, "remote").send();
              c = p.getPipelinedCap(1);
              calls.add(p);
              break;
            case 2: {
              Slot via = slots.isEmpty() ? null : slots.get(rnd.nextInt(slots.size()));
              p = call(bs, "echo", via == null ? clientObjCap : via.cap).send();
              c = p.getPipelinedCap(1);
              calls.add(p);
              break;
            }
            default: {
              CompletableFuture<Capability> f = new CompletableFuture<>();
              c = Capability.promise(f);
              Slot s = new Slot(c, "n" + names++);
              s.resolver = f;
              slots.add(s);
              continue;
            }
          }
          slots.add(new Slot(c, "n" + names++));
        } else if (action < 6) {
          Slot s = slots.get(rnd.nextInt(slots.size()));
          calls.add(call(s.cap, s.name + ":" + s.seq++).send());
        } else if (action < 8) {
          v.step(rnd.nextInt(2));
        } else if (action == 8) {
          Slot s = slots.get(rnd.nextInt(slots.size()));
          if (s.resolver != null && !s.resolver.isDone()) {
            int to = rnd.nextInt(3);
            if (to == 0) {
              s.resolver.complete(clientObjCap.dup());
            } else if (to == 1) {
              Slot other = slots.get(rnd.nextInt(slots.size()));
              s.resolver.complete(other == s ? clientObjCap.dup() : other.cap.dup());
            } else {
              s.resolver.completeExceptionally(RpcException.failed("resolved broken"));
            }
          }
        } else {
          Slot s = slots.remove(rnd.nextInt(slots.size()));
          if (s.resolver != null && !s.resolver.isDone()) {
            s.resolver.complete(clientObjCap.dup());
          }
          s.cap.close();
        }
        v.loop.runPending();
      }
      for (Slot s : slots) {
        if (s.resolver != null && !s.resolver.isDone()) {
          s.resolver.complete(clientObjCap.dup());
        }
      }
      v.pump();
      for (ResponsePromise<AnyPointer.Reader, Pipeline> p : calls) {
        assertThat(p).isDone();
        if (!p.isCompletedExceptionally()) {
          p.join().close();
        }
      }
      for (Slot s : slots) {
        s.cap.close();
      }
      assertThat(clientObj.errors).as("client object order").isEmpty();
      assertThat(serverObj.errors).as("server object order").isEmpty();
      clientObjCap.close();
      serverObjCap.close();
      bs.close();
      v.assertClean();
    }
  }
}
