package dev.capnp.rpc.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The core tells its outbox whether the peer will {@code Finish} the {@code Return}s it sends
 * ({@link Outbox#finishFollowsReturns}; issue 12: the Netty transport yields after a reply only
 * when a Finish is to follow): yes for a Return the peer must finish (a capability in the
 * results, an exception), no for one that says {@code noFinishNeeded}, and yes for every Return
 * once the peer has finished an answer whose Return said {@code noFinishNeeded} (a peer that does
 * not know the flag, as libcapnp before 1.0). The hint is given only when it changes.
 */
class FinishHintTest {
  private static final long IFACE = 0x1234L;

  private final EventLoop loop = EventLoop.manual();
  private final RecordingCore fixture = new RecordingCore(loop, new Server() {
    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      if (methodId == 1) {
        return CompletableFuture.failedFuture(RpcException.failed("no"));
      }
      ctx.getResults().initAs(AnyStruct.factory(new StructSize(0, 1))).getPointer(0)
          .setAs(Text.FACTORY, new Text.Reader("pong"));
      return CompletableFuture.completedFuture(null);
    }
  }, FinishHintTest.class);
  private final List<Boolean> hints = fixture.finishHints;

  @AfterEach
  void tablesStayConsistent() {
    assertThat(fixture.core.invariantViolation()).isNull();
  }

  private void receive(Consumer<Rpc.Message.Builder> build) {
    fixture.receive(build);
  }

  private int bootstrap() {
    receive(m -> m.initBootstrap().setQuestionId(1));
    Rpc.Return.Reader r = lastReturn(1);
    assertThat(r.getNoFinishNeeded()).isFalse();
    int exportId = r.getResults().getCapTable().get(0).getSenderHosted();
    finish(1);
    return exportId;
  }

  private void call(int questionId, int exportId, int methodId) {
    receive(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(questionId);
      c.setInterfaceId(IFACE);
      c.setMethodId((short) methodId);
      c.initTarget().setImportedCap(exportId);
      c.initParams();
    });
  }

  private void finish(int questionId) {
    receive(m -> {
      Rpc.Finish.Builder f = m.initFinish();
      f.setQuestionId(questionId);
      f.setReleaseResultCaps(false);
    });
  }

  private Rpc.Return.Reader lastReturn(int answerId) {
    Rpc.Message.Reader m = fixture.sent.get(fixture.sent.size() - 1);
    assertThat(m.isReturn()).as("last sent: %s", m).isTrue();
    assertThat(m.getReturn().getAnswerId()).isEqualTo(answerId);
    return m.getReturn();
  }

  @Test
  void aPeerThatHonoursNoFinishNeededIsNotExpectedToFinish() {
    int exportId = bootstrap();
    assertThat(hints).containsExactly(true); // (the bootstrap's Return carries a capability)

    call(4, exportId, 0);
    assertThat(lastReturn(4).getNoFinishNeeded()).isTrue();
    call(5, exportId, 0);
    assertThat(lastReturn(5).getNoFinishNeeded()).isTrue();
    assertThat(hints).containsExactly(true, false); // (given once, when it changed)

    call(6, exportId, 1); // an exception: the peer must finish it
    assertThat(lastReturn(6).isException()).isTrue();
    assertThat(lastReturn(6).getNoFinishNeeded()).isFalse();
    assertThat(hints).containsExactly(true, false, true);
    finish(6);

    call(7, exportId, 0);
    assertThat(hints).containsExactly(true, false, true, false);
  }

  @Test
  void aPeerThatFinishesAnywayIsExpectedToFinishEveryReturn() {
    int exportId = bootstrap();
    call(4, exportId, 0);
    assertThat(lastReturn(4).getNoFinishNeeded()).isTrue();
    assertThat(hints).containsExactly(true, false);

    finish(4); // the answer is gone: a peer that does not know the flag (ignored otherwise)
    assertThat(fixture.sent.get(fixture.sent.size() - 1).isReturn()).isTrue(); // (no Abort)

    call(5, exportId, 0);
    assertThat(lastReturn(5).getNoFinishNeeded()).isTrue(); // (still said: the peer may skip it)
    assertThat(hints).containsExactly(true, false, true);
    call(6, exportId, 0);
    assertThat(hints).containsExactly(true, false, true);
  }
}
