package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.FlowController;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.StreamFlowControl;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The flow controllers on their own: window arithmetic, failures, the adaptive window. */
class FlowControllerTest {

  @Test
  void fixedWindowBlocksOnceTheWindowIsFullAndAnAckReleasesTheSender() {
    FlowController f = StreamFlowControl.fixedWindow(4000).newController();
    CompletableFuture<Void>[] acks = newAcks(5);
    // ready while (in flight - one message) < window
    for (int i = 0; i < 4; i++) {
      assertThat(f.send(1000, acks[i])).isCompleted();
    }
    CompletableFuture<Void> blocked = f.send(1000, acks[4]);
    assertThat(blocked).isNotDone();
    assertThat(f.bytesInFlight()).isEqualTo(5000);
    acks[0].complete(null);
    assertThat(blocked).isCompleted();
    assertThat(f.bytesInFlight()).isEqualTo(4000);
    CompletableFuture<Void> all = f.waitAllAcked();
    for (int i = 1; i < 5; i++) {
      assertThat(all).isNotDone();
      acks[i].complete(null);
    }
    assertThat(all).isCompleted();
    assertThat(f.waitAllAcked()).isCompleted();
  }

  @Test
  void aMessageLargerThanTheWindowDoesNotStallTheStream() {
    FlowController f = StreamFlowControl.fixedWindow(100).newController();
    CompletableFuture<Void>[] acks = newAcks(3);
    assertThat(f.send(10_000, acks[0])).isCompleted();
    assertThat(f.send(50, acks[1])).isCompleted(); // 10,050 < window + largest message
    assertThat(f.send(10_000, acks[2])).isNotDone();
  }

  @Test
  void theFirstFailedAckBreaksTheStream() {
    FlowController f = StreamFlowControl.fixedWindow(1000).newController();
    CompletableFuture<Void>[] acks = newAcks(3);
    f.send(800, acks[0]);
    f.send(800, acks[1]);
    CompletableFuture<Void> blocked = f.send(800, acks[2]);
    assertThat(blocked).isNotDone();
    CompletableFuture<Void> all = f.waitAllAcked();
    acks[1].completeExceptionally(RpcException.failed("disk full"));
    assertThat(reason(blocked)).isEqualTo("disk full");
    assertThat(reason(f.send(1, CompletableFuture.completedFuture(null)))).isEqualTo("disk full");
    acks[0].complete(null); // an older call that still succeeded changes nothing
    acks[2].complete(null);
    assertThat(reason(all)).isEqualTo("disk full");
    assertThat(reason(f.waitAllAcked())).isEqualTo("disk full");
  }

  @Test
  void adaptiveWindowGrowsWithTheBandwidthDelayProductOfALongPath() {
    long[] now = {0};
    FlowController f = StreamFlowControl.adaptive(65536, () -> now[0]).newController();
    ArrayDeque<CompletableFuture<Void>> outstanding = new ArrayDeque<>();
    long rtt = 100_000_000L; // 100 ms, and an unlimited path: every round trip acks a window
    long previous = f.window();
    for (int round = 0; round < 6; round++) {
      // the writer fills the window at once
      CompletableFuture<Void> ready;
      do {
        CompletableFuture<Void> ack = new CompletableFuture<>();
        outstanding.add(ack);
        ready = f.send(16384, ack);
        now[0] += 1000;
      } while (ready.isDone());
      now[0] += rtt;
      while (!outstanding.isEmpty()) {
        outstanding.poll().complete(null);
        now[0] += 1000;
      }
      assertThat(f.window()).isGreaterThanOrEqualTo(previous);
      assertThat(f.window()).isLessThanOrEqualTo(previous * 2); // at most doubles per round trip
      previous = f.window();
    }
    assertThat(f.window()).isGreaterThanOrEqualTo(8 * 65536);
  }

  @Test
  void adaptiveWindowStaysWhenTheApplicationIsTheLimit() {
    long[] now = {0};
    FlowController f = StreamFlowControl.adaptive(65536, () -> now[0]).newController();
    for (int i = 0; i < 50; i++) {
      CompletableFuture<Void> ack = new CompletableFuture<>();
      assertThat(f.send(1000, ack)).isCompleted();
      now[0] += 1_000_000; // acknowledged after 1 ms
      ack.complete(null);
      now[0] += 1_000_000_000; // the writer writes once a second
    }
    assertThat(f.window()).isEqualTo(65536);
  }

  @Test
  void adaptiveWindowShrinksGraduallyOnASlowPathButNotBelowTheMinimum() {
    long[] now = {0};
    FlowController f = StreamFlowControl.adaptive(1 << 20, () -> now[0]).newController();
    ArrayDeque<CompletableFuture<Void>> outstanding = new ArrayDeque<>();
    long previous = f.window();
    // the window may shrink by 7/8 per round trip, measured from each call's send: calls queued
    // behind a full 1 MiB window take long to come back, so this takes a few thousand acks
    for (int i = 0; i < 3000; i++) {
      // keep the window full; the path delivers 16 KiB per 10 ms with a 10 ms round trip
      CompletableFuture<Void> ready;
      do {
        CompletableFuture<Void> ack = new CompletableFuture<>();
        outstanding.add(ack);
        ready = f.send(16384, ack);
      } while (ready.isDone());
      now[0] += 10_000_000;
      outstanding.poll().complete(null);
      assertThat(f.window()).isGreaterThanOrEqualTo(Math.max(65536, previous * 7 / 8 * 7 / 8));
      previous = f.window();
    }
    assertThat(f.window()).isEqualTo(65536);
  }

  @Test
  void policiesRejectNonPositiveWindows() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> StreamFlowControl.fixedWindow(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> StreamFlowControl.adaptive(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static CompletableFuture<Void>[] newAcks(int n) {
    CompletableFuture<Void>[] a = new CompletableFuture[n];
    for (int i = 0; i < n; i++) {
      a[i] = new CompletableFuture<>();
    }
    return a;
  }

  private static String reason(CompletableFuture<Void> f) {
    assertThat(f).isCompletedExceptionally();
    try {
      f.join();
      throw new AssertionError("not failed");
    } catch (CompletionException e) {
      return RpcException.of(e).getReason();
    }
  }
}
