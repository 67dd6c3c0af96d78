package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static dev.capnp.rpc.core.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.core.TestSupport.TwoVats;
import dev.capnp.runtime.AnyPointer;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class BasicProtocolTest extends TestSupport.LoopTest {

  @Test
  void connection_bootstrapReturnFinishThenCall() {
    Recorder service = new Recorder("service");
    try (TwoVats v = new TwoVats(null, Capability.of(service))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      assertThat(v.trace).containsExactly("c->s bootstrap:0", "s->c return:0:results",
          "c->s finish:0");
      v.trace.clear();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "ping").send();
      v.pump();
      // results without capabilities: the Return says noFinishNeeded, so no Finish follows
      assertThat(v.trace).containsExactly("c->s call:0->import:0", "s->c return:0:results");
      try (Response<AnyPointer.Reader> r = TestSupport.get(p)) {
        assertThat(text(r.get(), 0)).isEqualTo("got:ping");
      }
      assertThat(service.log).containsExactly("ping");
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void return_capEchoedBackArrivesAsTheOriginalLocalObject() {
    Recorder service = new Recorder("service");
    Recorder local = new Recorder("local");
    try (TwoVats v = new TwoVats(null, Capability.of(service))) {
      Capability bs = v.client.bootstrap();
      Capability mine = Capability.of(local);
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "echo", mine).send();
      v.pump();
      try (Response<AnyPointer.Reader> r = TestSupport.get(p); Capability back = r.getCap(1)) {
        assertThat(back.isSameAs(mine)).isTrue();
      }
      mine.close();
      bs.close();
      v.assertClean();
      assertThat(local.released).isTrue();
    }
  }

  @Test
  void returnError_brokenBootstrap() {
    try (TwoVats v = new TwoVats(null,
        Capability.broken(RpcException.failed("test-error")))) {
      Capability bs = v.client.bootstrap();
      v.pump();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = call(bs, "ping").send();
      v.pump();
      assertThatThrownBy(() -> TestSupport.get(p)).isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(RpcException.class).hasMessageContaining("test-error");
      assertThat(bs.problem()).isNotNull();
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void noBootstrap_answersWithException() {
    try (TwoVats v = new TwoVats(null, null)) {
      Capability bs = v.client.bootstrap();
      v.pump();
      assertThat(bs.problem()).isNotNull();
      assertThat(bs.problem().getMessage()).contains("no bootstrap");
      bs.close();
      v.assertClean();
    }
  }

  @Test
  void unknownMethod_isUnimplemented() {
    try (TwoVats v = new TwoVats(null, Capability.of(new Recorder("s")))) {
      Capability bs = v.client.bootstrap();
      ResponsePromise<AnyPointer.Reader, Pipeline> p = bs.newCall(42, 7).send();
      v.pump();
      assertThatThrownBy(() -> TestSupport.get(p)).hasCauseInstanceOf(RpcException.class);
      RpcException e = RpcException.of(catchIt(p));
      assertThat(e.getType()).isEqualTo(RpcException.Type.UNIMPLEMENTED);
      assertThat(e.getMessage()).isEqualTo("Unknown interface 42");
      bs.close();
      v.assertClean();
    }
  }

  static Throwable catchIt(ResponsePromise<?, ?> p) {
    try {
      TestSupport.get(p);
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void useAfterRelease_isIllegalState() {
    Capability c = Capability.of(new Recorder("x"));
    c.close();
    assertThatThrownBy(c::dup).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(c::close).isInstanceOf(IllegalStateException.class);
    assertThat(c.toString()).contains("released");
  }

  @Test
  void toStringShowsRefcountAndTarget() {
    Capability c = Capability.of(new Recorder("target-x"));
    Capability d = c.dup();
    assertThat(c.toString()).contains("refs=2").contains("target-x");
    d.close();
    c.close();
  }
}
