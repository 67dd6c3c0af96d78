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

  /** A thread waiting on the loop for {@code reply}; {@code left} completes when it returns. */
  private record Caller(Thread thread, CompletableFuture<Void> reply,
      CompletableFuture<Void> left) {}

  /**
   * Starts a first caller, which takes the loop from the home thread (alone, it drives), then
   * {@code n} more, one by one, which park behind it in that order.
   */
  private List<Caller> driverAndParkedWaiters(int n) throws InterruptedException {
    List<Caller> callers = new ArrayList<>();
    for (int i = 0; i <= n; i++) {
      CompletableFuture<Void> reply = new CompletableFuture<>();
      CompletableFuture<Void> left = new CompletableFuture<>();
      callers.add(new Caller(waiter(i == 0 ? "driver" : "waiter-" + i, reply, left), reply, left));
      if (i == 0) {
        assertThat(awaitDriver(threads(callers))).isSameAs(callers.get(0).thread());
      } else {
        awaitParked(i); // one by one: they queue in this order
      }
    }
    assertThat(loop.inEventLoop(callers.get(0).thread())).isTrue();
    return callers;
  }

  private static List<Thread> threads(List<Caller> callers) {
    return callers.stream().map(Caller::thread).toList();
  }

  /** Completes {@code c}'s reply on the loop and waits until it has returned. */
  private void answer(Caller c) throws Exception {
    loop.execute(() -> c.reply().complete(null));
    c.left().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aDriverThatLeavesWakesOneWaiterNotAll() throws Exception {
    int n = 6; // few enough for waiters to drive on this loop
    loop = new DrivenIoEventLoop("waiters-test", NioIoHandler.newFactory(), GRACE_NANOS,
        PARK_SLICE_NANOS, n + 1);
    List<Caller> callers = driverAndParkedWaiters(n);

    long before = loop.waiterWakeups();
    answer(callers.get(0)); // the driver's reply: it leaves
    Thread next = awaitDriver(threads(callers.subList(1, callers.size())));
    Thread.sleep(50); // any other waiter woken would have counted by now
    assertThat(loop.waiterWakeups() - before)
        .as("waiters woken when the driver left (%s took over)", next.getName())
        .isEqualTo(1);
    assertThat(loop.parkedWaiters()).isEqualTo(n - 1);
    for (Caller c : callers.subList(1, callers.size())) { // the rest get the loop and replies
      answer(c);
    }
  }

  @Test
  void withSeveralThreadsWaitingTheHomeThreadRunsTheLoop() throws Exception {
    loop = new DrivenIoEventLoop("waiters-test", NioIoHandler.newFactory(), GRACE_NANOS,
        PARK_SLICE_NANOS, MAX_WAITERS_DRIVING);
    int n = 6;
    // (more than two waiting: the parked ones do not ask the home thread for the loop)
    List<Caller> callers = driverAndParkedWaiters(n);

    // the driver's reply: it leaves, and the home thread takes the loop, waking no waiter (each
    // would be a context switch, and a waiter that drives for six others stalls them all when
    // the scheduler preempts it)
    long before = loop.waiterWakeups();
    answer(callers.get(0));
    CompletableFuture<Thread> runner = new CompletableFuture<>();
    loop.execute(() -> runner.complete(Thread.currentThread()));
    Thread home = runner.get(10, TimeUnit.SECONDS);
    assertThat(threads(callers)).doesNotContain(home);
    assertThat(home.getName()).startsWith("waiters-test");
    assertThat(loop.waiterWakeups() - before).as("waiters woken").isZero();
    assertThat(loop.parkedWaiters()).isEqualTo(n);

    // the home thread answers each waiter, which leaves; none drives
    for (int i = 1; i <= n; i++) {
      answer(callers.get(i));
      assertThat(loop.waiterWakeups() - before).as("waiters woken").isEqualTo(i);
    }
  }

  @Test
  void aWaiterWhoseReplyCameIsPassedOverAndTheNextTakesTheLoop() throws Exception {
    loop = new DrivenIoEventLoop("waiters-test", NioIoHandler.newFactory(), GRACE_NANOS,
        PARK_SLICE_NANOS, MAX_WAITERS_DRIVING);
    List<Caller> callers = driverAndParkedWaiters(2);
    Caller driver = callers.get(0);
    Caller first = callers.get(1);
    Caller second = callers.get(2);

    // one turn of the driver answers the oldest waiter and then itself: the first (woken by its
    // reply) leaves, and the role goes to the second, woken for it (with a park slice of a
    // minute, nothing else would wake it)
    long before = loop.waiterWakeups();
    loop.execute(() -> {
      first.reply().complete(null);
      driver.reply().complete(null);
    });
    first.left().get(10, TimeUnit.SECONDS);
    driver.left().get(10, TimeUnit.SECONDS);
    assertThat(awaitDriver(List.of(first.thread(), second.thread()))).isSameAs(second.thread());
    assertThat(loop.waiterWakeups() - before).as("waiters woken: the first, then the second")
        .isEqualTo(2);
    answer(second);
  }
}
