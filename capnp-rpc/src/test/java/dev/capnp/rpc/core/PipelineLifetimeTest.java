package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.get;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.core.TestSupport.TwoVats;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A pipeline does not depend on the {@link Response}'s lifetime: a capability taken from it on
 * another thread (the take is posted to the loop) still resolves to the returned capability when
 * the response arrived and was closed (in {@code whenComplete}) before the take ran; closing the
 * response releases only its own references, and nothing leaks.
 */
class PipelineLifetimeTest extends TestSupport.LoopTest {

  /** A server whose one call returns {@code inner} in results pointer 1 when {@code go} says. */
  private static Recorder returning(Capability innerCap, CompletableFuture<Void> go) {
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> go.thenRun(() -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      innerCap.writeTo(out.getPointer(1));
    });
    return svc;
  }

  /** Takes the pipelined capability at pointer 1 on a thread that is not the loop's. */
  private static Capability takeOnOtherThread(ResponsePromise<AnyPointer.Reader, Pipeline> p)
      throws InterruptedException {
    CompletableFuture<Capability> taken = new CompletableFuture<>();
    Thread t = new Thread(() -> taken.complete(p.pipeline().getPointerField(1).asCapability()));
    t.start();
    t.join();
    return taken.join();
  }

  private static String callAndRead(Capability target, String msg, Runnable pump) {
    ResponsePromise<AnyPointer.Reader, Pipeline> p = call(target, msg).send();
    pump.run();
    try (Response<AnyPointer.Reader> r = get(p)) {
      return text(r.get(), 0);
    }
  }

  @Test
  void localTakeFromAnotherThreadRacingTheClosedResponse() throws Exception {
    long before = Capability.liveReferenceCount();
    Recorder inner = new Recorder("inner");
    Capability innerCap = Capability.of(inner);
    CompletableFuture<Void> go = new CompletableFuture<>();
    Capability svc = Capability.of(returning(innerCap, go));
    ResponsePromise<AnyPointer.Reader, Pipeline> p = call(svc, "get").send();
    p.whenComplete((r, e) -> r.close());
    loop.runPending();
    Capability f = takeOnOtherThread(p); // posted, not run yet
    go.complete(null); // results arrive and the response is closed before the take runs
    assertThat(p).isDone();
    loop.runPending();
    assertThat(f.problem()).isNull();
    assertThat(callAndRead(f, "still", loop::runPending)).isEqualTo("got:still");
    assertThat(inner.log).containsExactly("still");
    f.close();
    innerCap.close();
    svc.close();
    loop.runPending();
    assertThat(inner.released).isTrue();
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(before);
  }

  @Test
  void remoteTakeFromAnotherThreadRacingTheClosedResponse() throws Exception {
    Recorder inner = new Recorder("inner");
    Capability innerCap = Capability.of(inner);
    CompletableFuture<Void> go = new CompletableFuture<>();
    try (TwoVats v = new TwoVats(null, Capability.of(returning(innerCap, go)))) {
      Capability bs = v.client.bootstrap();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "get").send();
      p.whenComplete((r, e) -> r.close());
      v.pump();
      go.complete(null);
      v.step(1); // the Return is now waiting for the client
      v.wires[0].deliverOne(); // the Return is received; completing the call is queued
      Capability f = takeOnOtherThread(p); // posted behind it
      loop.runPending(); // the response completes and is closed, then the take runs
      assertThat(p).isDone();
      v.pump();
      assertThat(f.problem()).isNull();
      assertThat(callAndRead(f, "still", v::pump)).isEqualTo("got:still");
      assertThat(inner.log).containsExactly("still");
      f.close();
      innerCap.close();
      bs.close();
      v.assertClean();
      assertThat(inner.released).isTrue();
    }
  }

  /**
   * Another thread sends a call, takes a capability from its pipeline and cancels the promise,
   * all before the loop has run the send: the take (posted before the cancel) holds the question
   * like a take on the loop does, so the call goes on and the capability works; canceling while
   * the send was still posted used to finish the question at once and break the capability.
   */
  @Test
  void takeBeforeACancelFromAnotherThreadKeepsTheCall() throws Exception {
    Recorder inner = new Recorder("inner");
    Capability innerCap = Capability.of(inner);
    CompletableFuture<Void> go = new CompletableFuture<>();
    try (TwoVats v = new TwoVats(null, Capability.of(returning(innerCap, go)))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      CompletableFuture<Capability> taken = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "get").send();
        taken.complete(p.pipeline().getPointerField(1).asCapability());
        p.cancel(false);
      });
      t.start();
      t.join();
      Capability f = taken.join();
      v.pump();
      go.complete(null);
      v.pump();
      assertThat(f.problem()).isNull();
      assertThat(callAndRead(f, "still", v::pump)).isEqualTo("got:still");
      assertThat(inner.log).containsExactly("still");
      f.close();
      innerCap.close();
      bs.close();
      v.assertClean();
      assertThat(inner.released).isTrue();
    }
  }

  @Test
  void remoteTakesBeforeAndAfterArrivalOutliveTheResponse() {
    Recorder inner = new Recorder("inner");
    Capability innerCap = Capability.of(inner);
    CompletableFuture<Void> go = new CompletableFuture<>();
    try (TwoVats v = new TwoVats(null, Capability.of(returning(innerCap, go)))) {
      Capability bs = v.client.bootstrap();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "get").send();
      Capability early = p.getPipelinedCap(1);
      v.pump();
      go.complete(null);
      v.pump();
      Response<AnyPointer.Reader> r = get(p);
      Capability late = p.getPipelinedCap(1);
      r.close();
      assertThat(callAndRead(early, "early", v::pump)).isEqualTo("got:early");
      assertThat(callAndRead(late, "late", v::pump)).isEqualTo("got:late");
      assertThat(early.isSameAs(late)).isTrue();
      early.close();
      late.close();
      innerCap.close();
      bs.close();
      v.assertClean();
      assertThat(inner.released).isTrue();
    }
  }

  @Test
  void closingTheResponseReleasesOnlyItsOwnReferences() {
    long before = Capability.liveReferenceCount();
    Recorder inner = new Recorder("inner");
    Capability innerCap = Capability.of(inner);
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      innerCap.writeTo(out.getPointer(1));
      return Server.done();
    };
    Capability svcCap = Capability.of(svc);
    ResponsePromise<AnyPointer.Reader, Pipeline> p = call(svcCap, "get").send();
    loop.runPending();
    Capability f = p.getPipelinedCap(1);
    get(p).close();
    innerCap.close();
    loop.runPending();
    assertThat(inner.released).as("the pipelined capability keeps it").isFalse();
    f.close();
    svcCap.close();
    loop.runPending();
    assertThat(inner.released).isTrue();
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(before);
  }

  @Test
  void aTakeAfterTheCloseIsBrokenWithAClearReason() {
    long before = Capability.liveReferenceCount();
    Recorder inner = new Recorder("inner");
    Capability innerCap = Capability.of(inner);
    Capability svcCap = Capability.of(returning(innerCap, CompletableFuture.completedFuture(null)));
    ResponsePromise<AnyPointer.Reader, Pipeline> p = call(svcCap, "get").send();
    loop.runPending();
    get(p).close();
    innerCap.close();
    loop.runPending();
    assertThat(inner.released).as("closing the response released the result").isTrue();
    try (Capability late = p.getPipelinedCap(1)) {
      assertThat(late.problem()).isNotNull();
      assertThat(late.problem().getMessage()).contains("after the call's Response was closed");
    }
    svcCap.close();
    loop.runPending();
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(before);
  }
}
