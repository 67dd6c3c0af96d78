package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyStruct;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Defects found by the hostile-peer fuzzer (capnp-fuzz), each reduced to its messages. */
class HostilePeerRegressionTest extends RawPeerHarness {

  private void resolveToPromise(int promiseId, int descriptorPromiseId) {
    peerSends(m -> {
      Rpc.Resolve.Builder r = m.initResolve();
      r.setPromiseId(promiseId);
      r.initCap().setSenderPromise(descriptorPromiseId);
    });
  }

  @Test
  void resolveOfAnUnknownPromiseNamingItselfIsIgnored() {
    connect(Capability.of(new Recorder("svc")), ConnectionLimits.DEFAULT);
    // used to import promise 6 while reading the resolution, then resolve it to itself
    resolveToPromise(6, 6);
    assertThat(conn.disconnectReason()).isNull();
    assertThat(TestSupport.summary(received.get(received.size() - 1))).isEqualTo("release:6x1");
    assertThat(conn.tablesEmpty()).isTrue();
    assertThat(conn.checkInvariants()).isNull();
  }

  @Test
  void resolveOfAPromiseToItselfAborts() {
    Recorder svc = new Recorder("svc");
    svc.handler = ctx -> new CompletableFuture<>(); // holds the promise it is given
    connect(Capability.of(svc), ConnectionLimits.DEFAULT);
    peerSends(m -> m.initBootstrap().setQuestionId(0));
    peerSends(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(1);
      c.setInterfaceId(TestSupport.IFACE);
      c.initTarget().initPromisedAnswer().setQuestionId(0);
      Rpc.Payload.Builder p = c.initParams();
      p.getContent().initAs(AnyStruct.factory(TestSupport.PARAMS)).getPointer(1)
          .setCapabilityIndex(0);
      p.initCapTable(1).get(0).setSenderPromise(3);
    });
    assertThat(svc.log).hasSize(1);
    resolveToPromise(3, 3);
    assertThat(conn.disconnectReason()).isNotNull();
    assertThat(conn.disconnectReason().getReason()).contains("to itself")
        .doesNotStartWith(RpcConnection.INTERNAL_ERROR);
    assertThat(conn.tablesEmpty()).isTrue();
    loop.runPending();
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(liveBefore);
  }
}
