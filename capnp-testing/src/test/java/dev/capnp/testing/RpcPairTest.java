package dev.capnp.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.Await;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import dev.capnp.testing.log.NoWarnings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The connected pairs and the leak check. */
@Timeout(60)
@ExtendWith({ReferenceLeakCheck.class, NoWarnings.class})
class RpcPairTest {
  @Test
  void inMemoryPairCallsThroughTheProtocol() {
    try (RpcPair pair = RpcPair.inMemory(new TestEcho());
        Capability echo = pair.bootstrap();
        Capability again = pair.client(c -> c)) {
      assertThat(TestEcho.reply(Await.result(TestEcho.send(echo, 0, "a")))).isEqualTo("echo:a");
      assertThat(TestEcho.reply(Await.result(TestEcho.send(again, 0, "b")))).isEqualTo("echo:b");
      assertThatThrownBy(() -> Await.result(TestEcho.send(echo, 1, "x")))
          .isInstanceOf(RpcException.class).hasMessage("as asked");
    }
  }

  @Test
  void loopbackPairCallsOverTlsOnTcp() {
    try (RpcPair pair = RpcPair.loopback(new TestEcho()); Capability echo = pair.bootstrap()) {
      assertThat(TestEcho.reply(Await.result(TestEcho.send(echo, 0, "net")))).isEqualTo("echo:net");
      assertThat(pair.toString()).contains("127.0.0.1");
    }
  }

  @Test
  void manualPairRunsOnlyWhenPumped() {
    try (ManualRpcPair pair = ManualRpcPair.start(new TestEcho());
        Capability echo = pair.bootstrap()) {
      var reply = TestEcho.send(echo, 0, "step");
      assertThat(reply).as("nothing is delivered before pumping").isNotDone();
      assertThat(pair.step()).isTrue();
      assertThat(reply).as("one step does not make a round trip").isNotDone();
      assertThat(TestEcho.reply(pair.await(reply))).isEqualTo("echo:step");
      assertThat(pair.pump()).as("nothing left").isZero();
      assertThat(pair.step()).isFalse();

      var pending = new java.util.concurrent.CompletableFuture<String>();
      assertThatThrownBy(() -> pair.await(pending)).isInstanceOf(AssertionError.class)
          .hasMessageContaining("still pending");
      assertThat(dev.capnp.rpc.EventLoop.current()).isSameAs(pair.loop());
    }
    assertThat(dev.capnp.rpc.EventLoop.current()).as("the test thread's loop is gone").isNull();
  }

  @Test
  void manualPairDisconnectBreaksTheClientsCalls() {
    try (ManualRpcPair pair = ManualRpcPair.start(new TestEcho());
        Capability echo = pair.bootstrap()) {
      assertThat(TestEcho.reply(pair.await(TestEcho.send(echo, 0, "x")))).isEqualTo("echo:x");
      pair.disconnect(RpcException.disconnected("pulled the plug"));
      var after = TestEcho.send(echo, 0, "y");
      assertThatThrownBy(() -> pair.await(after)).isInstanceOf(RpcException.class)
          .hasMessageContaining("pulled the plug");
    }
  }

  @Test
  void theLeakCheckNamesOpenReferences() {
    long before = Capability.liveReferenceCount();
    try (RpcPair pair = RpcPair.inMemory(new TestEcho())) {
      Capability leaked = pair.bootstrap();
      try {
        assertThatThrownBy(() -> ReferenceLeakCheck.assertNoLeaks(before, Duration.ofMillis(50)))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("capability reference(s) still open");
      } finally {
        leaked.close();
      }
    }
    ReferenceLeakCheck.assertNoLeaks(before, Duration.ofSeconds(5));
  }
}
