package dev.capnp.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Await}: blocking waits that throw {@link RpcException} itself. */
class AwaitTest {
  @Test
  void returnsTheValue() {
    assertThat(Await.result(CompletableFuture.completedFuture("x"))).isEqualTo("x");
    assertThat(Await.result(CompletableFuture.completedStage(7))).isEqualTo(7);
    assertThat(Await.result(CompletableFuture.completedFuture(1), 1, TimeUnit.SECONDS))
        .isEqualTo(1);
  }

  @Test
  void anRpcFailureIsThrownWithItsTypeAndReason() {
    RpcException original = RpcException.disconnected("Connection closed");
    assertThatThrownBy(() -> Await.result(CompletableFuture.failedFuture(original)))
        .isExactlyInstanceOf(RpcException.class)
        .hasMessage("Connection closed")
        .hasCause(original)
        .satisfies(e -> assertThat(((RpcException) e).getType())
            .isEqualTo(RpcException.Type.DISCONNECTED));
  }

  @Test
  void otherFailuresAndCancellationBecomeFailed() {
    assertThatThrownBy(() -> Await.result(
        CompletableFuture.failedFuture(new IllegalStateException("bad state"))))
        .isExactlyInstanceOf(RpcException.class).hasMessage("bad state")
        .satisfies(e -> assertThat(((RpcException) e).getType())
            .isEqualTo(RpcException.Type.FAILED));
    CompletableFuture<String> canceled = new CompletableFuture<>();
    canceled.cancel(false);
    assertThatThrownBy(() -> Await.result(canceled)).isExactlyInstanceOf(RpcException.class)
        .hasMessage("Call canceled");
  }

  @Test
  void aTimeoutIsOverloadedAndLeavesTheFuturePending() {
    CompletableFuture<String> pending = new CompletableFuture<>();
    assertThatThrownBy(() -> Await.result(pending, 10, TimeUnit.MILLISECONDS))
        .isExactlyInstanceOf(RpcException.class).hasMessage("Timed out after 10 milliseconds")
        .satisfies(e -> assertThat(((RpcException) e).getType())
            .isEqualTo(RpcException.Type.OVERLOADED));
    assertThat(pending).isNotDone();
  }

  @Test
  void anInterruptIsFailedAndKeepsTheFlag() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Await.result(new CompletableFuture<String>()))
          .isExactlyInstanceOf(RpcException.class).hasMessage("Interrupted while waiting");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
