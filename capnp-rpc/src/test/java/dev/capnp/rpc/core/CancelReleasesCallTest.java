package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.core.TestSupport.TwoVats;
import dev.capnp.runtime.AnyPointer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A canceled call releases what it holds (its params' capabilities and the server reference)
 * even when its handler never completes, and the handler sees the cancellation (found by the
 * hostile-peer fuzzer: a call that hangs forever leaked its references after Finish or a lost
 * connection).
 */
class CancelReleasesCallTest extends TestSupport.LoopTest {

  @Test
  void finishOfAHangingCallReleasesItsCapabilities() {
    Recorder server = new Recorder("server");
    CompletableFuture<Boolean> sawCancel = new CompletableFuture<>();
    server.handler = ctx -> {
      ctx.whenCanceled().thenRun(() -> sawCancel.complete(ctx.isCanceled()));
      return new CompletableFuture<>(); // never completes
    };
    Recorder arg = new Recorder("arg");
    try (TwoVats v = new TwoVats(null, Capability.of(server))) {
      Capability bs = v.client.bootstrap();
      Capability argCap = Capability.of(arg);
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "hang", argCap).send();
      argCap.close();
      v.pump();
      assertThat(server.log).containsExactly("hang");
      assertThat(arg.released).as("the pending call still holds its argument").isFalse();
      p.cancel(false);
      v.pump();
      assertThat(sawCancel).isCompletedWithValue(true);
      assertThat(arg.released).as("canceling released the argument").isTrue();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void lostConnectionReleasesAHangingLocalCall() {
    Recorder server = new Recorder("server");
    server.handler = ctx -> new CompletableFuture<>();
    Recorder arg = new Recorder("arg");
    long before = Capability.liveReferenceCount();
    Capability serverCap = Capability.of(server);
    Capability argCap = Capability.of(arg);
    ResponsePromise<AnyPointer.Reader, Pipeline> p = call(serverCap, "hang", argCap).send();
    argCap.close();
    serverCap.close();
    loop.runPending();
    assertThat(server.log).containsExactly("hang");
    assertThat(server.released).isFalse();
    p.cancel(false);
    loop.runPending();
    assertThat(arg.released).isTrue();
    assertThat(server.released).as("the call's server reference was released").isTrue();
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(before);
  }
}
