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
 * Threads waiting on one {@link DrivenIoEventLoop}: while few threads wait (here at most two), one
 * of them drives the loop, and when it leaves, one other waiter is woken to drive, not all of
 * them (each needless wake-up is a context switch and a failed take); with more waiting, the home
 * thread runs the loop and no waiter is woken but by its reply (a driver preempted for the other
 * threads would stall them all).
 */
class DrivenIoEventLoopWaitersTest {
  /** Long: the home thread never takes a given-up loop back while the test looks. */
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** Long: a parked waiter wakes only when woken, never at the end of its park's slice. */
  private static final long PARK_SLICE_NANOS = TimeUnit.SECONDS.toNanos(60);
  /** Waiters drive while at most this many threads wait (the default: twice the CPUs). */
  private static final int MAX_WAITERS_DRIVING = 2;
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
  void aDriverThatLeavesHandsTheLoopToTheOneThreadStillWaiting() throws Exception {
    loop = new DrivenIoEventLoop("waiters-test", NioIoHandler.newFactory(), GRACE_NANOS,
        PARK_SLICE_NANOS, MAX_WAITERS_DRIVING);
    CompletableFuture<Void> driverReply = new CompletableFuture<>();
    CompletableFuture<Void> waiterReply = new CompletableFuture<>();
    CompletableFuture<Void> driverLeft = new CompletableFuture<>();
    CompletableFuture<Void> waiterLeft = new CompletableFuture<>();
    Thread driver = waiter("driver", driverReply, driverLeft);
    assertThat(awaitDriver(List.of(driver))).isSameAs(driver);
    Thread waiter = waiter("waiter", waiterReply, waiterLeft);
    awaitParked(1);

    long before = loop.waiterWakeups();
    loop.execute(() -> driverReply.complete(null)); // the driver's reply: it leaves
    driverLeft.get(10, TimeUnit.SECONDS);
    assertThat(awaitDriver(List.of(waiter))).isSameAs(waiter);
    assertThat(loop.waiterWakeups() - before).as("waiters woken").isEqualTo(1);
    loop.execute(() -> waiterReply.complete(null));
    waiterLeft.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aDriverThatLeavesWakesOneWaiterNotAll() throws Exception {
    int n = 6; // few enough for waiters to drive on this loop
    loop = new DrivenIoEventLoop("waiters-test", NioIoHandler.newFactory(), GRACE_NANOS,
        PARK_SLICE_NANOS, n + 1);
    List<CompletableFuture<Void>> replies = new ArrayList<>();
    List<CompletableFuture<Void>> left = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i <= n; i++) {
      replies.add(new CompletableFuture<>());
      left.add(new CompletableFuture<>());
    }
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
    for (int i = 1; i <= n; i++) { // the rest still get the loop and their replies
      CompletableFuture<Void> r = replies.get(i);
      loop.execute(() -> r.complete(null));
    }
    for (int i = 1; i <= n; i++) {
      left.get(i).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void withSeveralThreadsWaitingTheHomeThreadRunsTheLoop() throws Exception {
    loop = new DrivenIoEventLoop("waiters-test", NioIoHandler.newFactory(), GRACE_NANOS,
        PARK_SLICE_NANOS, MAX_WAITERS_DRIVING);
    int n = 6;
    List<CompletableFuture<Void>> replies = new ArrayList<>();
    List<CompletableFuture<Void>> left = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i <= n; i++) {
      replies.add(new CompletableFuture<>());
      left.add(new CompletableFuture<>());
    }
    // the first thread, alone, takes the loop (from the home thread); the others park behind it
    // (more than two waiting: they do not ask the home thread for it)
    threads.add(waiter("driver", replies.get(0), left.get(0)));
    Thread driver = awaitDriver(threads);
    for (int i = 1; i <= n; i++) {
      threads.add(waiter("waiter-" + i, replies.get(i), left.get(i)));
    }
    awaitParked(n);
    assertThat(loop.inEventLoop(driver)).isTrue();

    // the driver's reply: it leaves, and the home thread takes the loop, waking no waiter (each
    // would be a context switch, and a waiter that drives for six others stalls them all when
    // the scheduler preempts it)
    long before = loop.waiterWakeups();
    loop.execute(() -> replies.get(0).complete(null));
    left.get(0).get(10, TimeUnit.SECONDS);
    CompletableFuture<Thread> runner = new CompletableFuture<>();
    loop.execute(() -> runner.complete(Thread.currentThread()));
    Thread home = runner.get(10, TimeUnit.SECONDS);
    assertThat(threads).doesNotContain(home);
    assertThat(home.getName()).startsWith("waiters-test");
    assertThat(loop.waiterWakeups() - before).as("waiters woken").isZero();
    assertThat(loop.parkedWaiters()).isEqualTo(n);

    // the home thread answers each waiter, which leaves; none drives
    for (int i = 1; i <= n; i++) {
      CompletableFuture<Void> r = replies.get(i);
      loop.execute(() -> r.complete(null));
      left.get(i).get(10, TimeUnit.SECONDS);
      assertThat(loop.waiterWakeups() - before).as("waiters woken").isEqualTo(i);
    }
  }

  @Test
  void aWaiterWhoseReplyCameLeavesAndTheOtherStillGetsItsReply() throws Exception {
    loop = new DrivenIoEventLoop("waiters-test", NioIoHandler.newFactory(), GRACE_NANOS,
        PARK_SLICE_NANOS, MAX_WAITERS_DRIVING);
    CompletableFuture<Void> driverReply = new CompletableFuture<>();
    CompletableFuture<Void> firstReply = new CompletableFuture<>();
    CompletableFuture<Void> secondReply = new CompletableFuture<>();
    CompletableFuture<Void> driverLeft = new CompletableFuture<>();
    CompletableFuture<Void> firstLeft = new CompletableFuture<>();
    CompletableFuture<Void> secondLeft = new CompletableFuture<>();
    awaitDriver(List.of(waiter("driver", driverReply, driverLeft)));
    waiter("first", firstReply, firstLeft);
    awaitParked(1);
    waiter("second", secondReply, secondLeft);
    awaitParked(2);

    // one turn of the driver answers the oldest waiter and then itself: both leave; whoever runs
    // the loop next (the second waiter, or the home thread while the first is still counted as
    // waiting), the second's reply reaches it, though its park's slice is a minute
    loop.execute(() -> {
      firstReply.complete(null);
      driverReply.complete(null);
    });
    firstLeft.get(10, TimeUnit.SECONDS);
    driverLeft.get(10, TimeUnit.SECONDS);
    loop.execute(() -> secondReply.complete(null));
    secondLeft.get(10, TimeUnit.SECONDS);
  }
}
