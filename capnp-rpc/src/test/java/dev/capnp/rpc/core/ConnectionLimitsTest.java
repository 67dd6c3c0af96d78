package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyStruct;
import org.junit.jupiter.api.Test;

/** Each resource limit of {@link ConnectionLimits} aborts a greedy peer with a clear reason. */
class ConnectionLimitsTest extends RawPeerHarness {
  @Test
  void defaultsAreGenerousAndValidated() {
    assertThat(ConnectionLimits.DEFAULT.maxAnswers()).isEqualTo(16384);
    assertThat(ConnectionLimits.DEFAULT.withMaxImports(7).maxImports()).isEqualTo(7);
    assertThat(ConnectionLimits.DEFAULT.withMaxImports(7).maxAnswers()).isEqualTo(16384);
    assertThatThrownBy(() -> ConnectionLimits.DEFAULT.withMaxExports(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxExports");
  }

  @Test
  void defaultCapabilityLimitsAreBoundByTheHeap() {
    long heap = Runtime.getRuntime().maxMemory();
    assertThat(ConnectionLimits.DEFAULT.maxExports())
        .isEqualTo((int) Math.min(Integer.MAX_VALUE, Math.max(16384, heap / 1024)));
    assertThat(ConnectionLimits.DEFAULT.maxImports())
        .isEqualTo((int) Math.min(Integer.MAX_VALUE, Math.max(16384, heap / 2048)));
  }

  /**
   * With the default limits, one connection carries more capabilities than the old fixed limit
   * of 16384 in each direction (the exporting side's and the importing side's tables), and all
   * of them still answer.
   */
  @Test
  void defaultLimitsCarryMoreThan16384CapabilitiesOnOneConnection() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Runtime.getRuntime().maxMemory() >= 40L << 20, "needs a heap of 40 MiB");
    int count = 20_000;
    Recorder factory = new Recorder("factory");
    int[] made = {0};
    factory.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      for (int i = 0; i < 4; i++) {
        try (Capability fresh = Capability.of(new Recorder("cap" + made[0]++))) {
          fresh.writeTo(out.getPointer(i));
        }
      }
      return Server.done();
    };
    java.util.List<Capability> held = new java.util.ArrayList<>();
    try (TestSupport.TwoVats v = new TestSupport.TwoVats(null, Capability.of(factory));
        Capability bs = v.client.bootstrap()) {
      while (held.size() < count) {
        java.util.concurrent.CompletableFuture<dev.capnp.rpc.Response<
            dev.capnp.runtime.AnyPointer.Reader>> f =
            TestSupport.call(bs, "more").send().toCompletableFuture();
        v.pump();
        try (dev.capnp.rpc.Response<dev.capnp.runtime.AnyPointer.Reader> r = TestSupport.get(f)) {
          for (int i = 0; i < 4; i++) {
            held.add(r.getCap(i));
          }
        }
      }
      assertThat(v.client.disconnectReason()).isNull();
      assertThat(v.server.disconnectReason()).isNull();
      for (int i : new int[] {0, 16383, 16384, count - 1}) {
        java.util.concurrent.CompletableFuture<dev.capnp.rpc.Response<
            dev.capnp.runtime.AnyPointer.Reader>> f =
            TestSupport.call(held.get(i), "hello").send().toCompletableFuture();
        v.pump();
        try (dev.capnp.rpc.Response<dev.capnp.runtime.AnyPointer.Reader> r = TestSupport.get(f)) {
          assertThat(TestSupport.text(r.get(), 0)).isEqualTo("got:hello");
        }
      }
      held.forEach(Capability::close);
      v.pump();
    }
  }

  @Test
  void callsWithoutFinishBeyondMaxAnswersAbort() {
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> new java.util.concurrent.CompletableFuture<>(); // never answers
    connect(Capability.of(svc), ConnectionLimits.DEFAULT.withMaxAnswers(4));
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    for (int q = 1; q <= 3; q++) {
      callBootstrap(q, 0, 0);
    }
    assertThat(conn.disconnectReason()).isNull();
    callBootstrap(4, 0, 0);
    assertAbortedFor("maxAnswers");
    assertThat(svc.log).hasSize(3);
  }

  @Test
  void tooManyImportsAbort() {
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> new java.util.concurrent.CompletableFuture<>(); // holds its params
    connect(Capability.of(svc), ConnectionLimits.DEFAULT.withMaxImports(5));
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    callBootstrap(1, 3, 0);
    assertThat(conn.disconnectReason()).isNull();
    callBootstrap(2, 3, 10);
    assertAbortedFor("maxImports");
  }

  @Test
  void hugeCapTableAborts() {
    connect(Capability.of(new Recorder("svc")),
        ConnectionLimits.DEFAULT.withMaxCapTableEntries(8));
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    callBootstrap(1, 9, 0);
    assertAbortedFor("maxCapTableEntries");
  }

  @Test
  void tooManyExportsAbort() {
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> {
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
      try (Capability fresh = Capability.of(new Recorder("fresh"))) {
        fresh.writeTo(out.getPointer(1));
      }
      return Server.done();
    };
    connect(Capability.of(svc), ConnectionLimits.DEFAULT.withMaxExports(3));
    peerSends(m -> m.initBootstrap().setQuestionId(0)); // export 1: the bootstrap
    callBootstrap(1, 0, 0); // export 2
    callBootstrap(2, 0, 0); // export 3
    assertThat(conn.disconnectReason()).isNull();
    callBootstrap(3, 0, 0);
    assertAbortedFor("maxExports");
  }

  @Test
  void callParamsInFlightBeyondMaxBytesInFlightAbort() {
    Recorder svc = new Recorder("svc");
    java.util.Map<String, java.util.concurrent.CompletableFuture<Void>> hanging =
        new java.util.HashMap<>();
    svc.handler = ctx -> {
      java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
      hanging.put(String.valueOf(hanging.size()), f);
      return f;
    };
    connect(Capability.of(svc), ConnectionLimits.DEFAULT.withMaxBytesInFlight(4000));
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    String big = "x".repeat(1000);
    for (int q = 1; q <= 3; q++) {
      int id = q;
      peerSends(m -> bigCall(m, id, big));
    }
    assertThat(conn.disconnectReason()).isNull();
    // a finished call frees its bytes
    peerSends(m -> m.initFinish().setQuestionId(1));
    hanging.get("0").complete(null);
    peerSends(m -> bigCall(m, 4, big));
    assertThat(conn.disconnectReason()).isNull();
    assertThat(conn.checkInvariants()).isNull();
    peerSends(m -> bigCall(m, 5, big));
    assertAbortedFor("maxBytesInFlight");
  }

  private static void bigCall(Rpc.Message.Builder m, int questionId, String text) {
    Rpc.Call.Builder c = m.initCall();
    c.setQuestionId(questionId);
    c.setInterfaceId(TestSupport.IFACE);
    c.initTarget().initPromisedAnswer().setQuestionId(0);
    c.initParams().getContent().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(0)
        .setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader(text));
  }
}
