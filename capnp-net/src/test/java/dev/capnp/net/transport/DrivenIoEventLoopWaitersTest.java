package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many threads waiting on one {@link DrivenIoEventLoop}: one drives, the others park; when the
 * driver has its reply and gives the role up, one parked waiter is woken to take it over, not
 * all of them (each needless wake-up is a context switch and a failed take; with twelve threads
 * calling at once that was most of a call's CPU), and waiters whose replies came meanwhile are
 * passed over.
 */
class DrivenIoEventLoopWaitersTest {
  /** Long: the home thread never takes a given-up loop back while the test looks. */
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** Long: a parked waiter wakes only when woken, never at the end of its park's slice. */
  private static final long PARK_SLICE_NANOS = TimeUnit.SECONDS.toNanos(60);
  private DrivenIoEventLoop loop;

  @AfterEach
  void shutDown() throws Exception {
    if (loop != null) {
      loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  /** A thread that drives {@code loop} until {@code reply} completes. */
  private Thread waiter(String name, CompletableFuture<Void> reply, CompletableFuture<Void> left) {
    Thread t = new Thread(() -> {
      loop.driveUntil(reply, false, 0, false);
      left.complete(null);
    }, name);
    t.start();
    return t;
  }

  /** Waits until {@code n} threads are parked as waiters. */
  private void awaitParked(int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (loop.parkedWaiters() < n && System.nanoTime() < end) {
      Thread.sleep(1);
    }
    assertThat(loop.parkedWaiters()).as("parked waiters").isEqualTo(n);
    Thread.sleep(20); // let each one reach its park
  }

  /** Waits until a thread other than the home thread holds the loop. */
  private Thread awaitDriver(List<Thread> threads) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      for (Thread t : threads) {
        if (loop.inEventLoop(t)) {
          return t;
        }
      }
      Thread.sleep(1);
    }
    throw new AssertionError("no waiter took the loop");
  }

  @Test
  void aDriverThatGivesUpTheLoopWakesOneWaiter() throws Exception {
    loop = new DrivenIoEventLoop("waiters-test", NioIoHandler.newFactory(), GRACE_NANOS,
        PARK_SLICE_NANOS);
    int n = 6;
    List<CompletableFuture<Void>> replies = new ArrayList<>();
    List<CompletableFuture<Void>> left = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i <= n; i++) {
      replies.add(new CompletableFuture<>());
      left.add(new CompletableFuture<>());
    }
    // the first thread takes the loop (from the home thread), the others park behind it
    threads.add(waiter("driver", replies.get(0), left.get(0)));
    Thread driver = awaitDriver(threads);
    for (int i = 1; i <= n; i++) {
      threads.add(waiter("waiter-" + i, replies.get(i), left.get(i)));
    }
    awaitParked(n);
    assertThat(loop.inEventLoop(driver)).isTrue();

    long before = loop.waiterWakeups();
    loop.execute(() -> replies.get(0).complete(null)); // the driver's reply: it leaves
    left.get(0).get(10, TimeUnit.SECONDS);
    Thread next = awaitDriver(threads.subList(1, threads.size()));
    Thread.sleep(50); // any other waiter woken would have counted by now
    assertThat(loop.waiterWakeups() - before)
        .as("waiters woken when the driver left (%s took over)", next.getName())
        .isEqualTo(1);
    assertThat(loop.parkedWaiters()).isEqualTo(n - 1);

    // the rest still get the loop and their replies, one after another
    for (int i = 1; i <= n; i++) {
      CompletableFuture<Void> r = replies.get(i);
      loop.execute(() -> r.complete(null));
    }
    for (int i = 1; i <= n; i++) {
      left.get(i).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aWaiterWhoseReplyCameLeavesAndTheNextTakesTheLoop() throws Exception {
    loop = new DrivenIoEventLoop("waiters-test", NioIoHandler.newFactory(), GRACE_NANOS,
        PARK_SLICE_NANOS);
    CompletableFuture<Void> driverReply = new CompletableFuture<>();
    CompletableFuture<Void> firstReply = new CompletableFuture<>();
    CompletableFuture<Void> secondReply = new CompletableFuture<>();
    CompletableFuture<Void> driverLeft = new CompletableFuture<>();
    CompletableFuture<Void> firstLeft = new CompletableFuture<>();
    CompletableFuture<Void> secondLeft = new CompletableFuture<>();
    List<Thread> threads = new ArrayList<>();
    threads.add(waiter("driver", driverReply, driverLeft));
    awaitDriver(threads);
    Thread first = waiter("first", firstReply, firstLeft);
    awaitParked(1);
    Thread second = waiter("second", secondReply, secondLeft);
    awaitParked(2);

    // one turn of the driver answers the oldest waiter and then itself: the first (woken by its
    // reply) leaves, and the role goes to the second, woken for it (with a park slice of a
    // minute, nothing else would wake it)
    long before = loop.waiterWakeups();
    loop.execute(() -> {
      firstReply.complete(null);
      driverReply.complete(null);
    });
    firstLeft.get(10, TimeUnit.SECONDS);
    driverLeft.get(10, TimeUnit.SECONDS);
    assertThat(awaitDriver(List.of(first, second))).isSameAs(second);
    assertThat(loop.waiterWakeups() - before).as("waiters woken: the first, then the second")
        .isEqualTo(2);
    loop.execute(() -> secondReply.complete(null));
    secondLeft.get(10, TimeUnit.SECONDS);
  }
}
