package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * While a thread calls in a sequence, driving the loop for each call, the home thread of a
 * {@link DrivenIoEventLoop} looks at the loop less and less often (each look is a wake-up); it
 * still takes the loop back once the sequence ends.
 */
class DrivenIoEventLoopLookTest {
  private static final long GRACE_MILLIS = 5;
  private DrivenIoEventLoop loop;

  @AfterEach
  void shutDown() throws Exception {
    if (loop != null) {
      loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  /** One "call": a task that replies in a later task, driven from this thread until the reply. */
  private static void call(DrivenIoEventLoop loop) {
    CompletableFuture<Void> reply = new CompletableFuture<>();
    loop.execute(() -> loop.execute(() -> reply.complete(null)));
    loop.driveUntil(reply, false, 0, false);
    assertThat(reply).isDone();
  }

  /** Calls in a sequence from this thread for {@code millis}. */
  private static void callFor(DrivenIoEventLoop loop, long millis) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < end) {
      call(loop);
    }
  }

  @Test
  void aThreadCallingInASequenceIsLookedAtLessOften() {
    loop = new DrivenIoEventLoop("look-test", NioIoHandler.newFactory(),
        TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS));
    long maxLook = DrivenIoEventLoop.MAX_LOOK_GRACES * TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
    // the home thread hands the loop over and backs off: 5, 10, 20, 40 ms (75 ms unloaded). On a
    // loaded machine the caller may be descheduled for longer than a grace period between two
    // calls: the sequence has then ended as the home thread sees it, which takes the loop back
    // and starts over. So: up to 5 attempts, one of which must show the back-off throughout.
    // Each condition must hold in one attempt at least.
    boolean backedOff = false;
    boolean fewerLooks = false;
    String seen = "";
    for (int attempt = 0; attempt < 5 && !(backedOff && fewerLooks); attempt++) {
      callFor(loop, 400);
      long reached = loop.lookNanos();
      long before = loop.homeLooks();
      callFor(loop, 400);
      long looks = loop.homeLooks() - before;
      backedOff |= reached == maxLook && loop.lookNanos() == maxLook;
      // one look per grace period would be 80 in 400 ms; backed off, 10 (sleeping longer than
      // asked only lowers it). A loaded machine breaks some sequences, each starting over at
      // one grace period: half of 80 still tells a back-off from none.
      fewerLooks |= looks <= 400 / GRACE_MILLIS / 2;
      seen += String.format("%n attempt %d: look %d ns after the first 400 ms, %d ns after the"
          + " second, %d looks in it", attempt, reached, loop.lookNanos(), looks);
    }
    assertThat(backedOff && fewerLooks)
        .as("the home thread backs off to %d ns and looks less often:%s", maxLook, seen)
        .isTrue();
  }

  @Test
  void theHomeThreadTakesTheLoopBackWhenTheSequenceEnds() throws Exception {
    loop = new DrivenIoEventLoop("look-test", NioIoHandler.newFactory(),
        TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS));
    callFor(loop, 400);
    // queued by the last driver: not woken for it, left to its next wait or the home thread,
    // which looks again at the latest MAX_LOOK_GRACES grace periods after the last release
    CompletableFuture<Thread> ranOn = new CompletableFuture<>();
    loop.execute(() -> ranOn.complete(Thread.currentThread()));
    assertThat(ranOn.get(5, TimeUnit.SECONDS)).isSameAs(loop.homeThread());
    // and looks every grace period again, now that it has the loop back
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (loop.lookNanos() != TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS)
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(loop.lookNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS));
  }
}
