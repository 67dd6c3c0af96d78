package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioIoHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A waiting thread that drives a {@link DrivenIoEventLoop} holds back the transports' flushes
 * queued after its reply (its Finish) for its next call, and the home thread runs them when the
 * grace period ends without one.
 */
class DrivenIoEventLoopFlushTest {
  private DrivenIoEventLoop loop;

  @AfterEach
  void shutDown() throws Exception {
    if (loop != null) {
      loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Makes this thread the waiter that gave the loop up last (its next task waits for its next
   * wait): drives until a timer completes a reply on this thread (the home thread holds the
   * loop at first, and would run a task queued now itself).
   */
  private static void becomeTheLastDriver(DrivenIoEventLoop loop) throws Exception {
    for (int i = 0; i < 100; i++) {
      CompletableFuture<Thread> r = new CompletableFuture<>();
      loop.schedule(() -> r.complete(Thread.currentThread()), 20, TimeUnit.MILLISECONDS);
      loop.driveUntil(r, false, 0, false);
      if (r.get() == Thread.currentThread()) {
        return;
      }
    }
    throw new AssertionError("this thread never drove the loop");
  }

  /** Drives {@code loop} from this thread until a task queued by a task queued now replies. */
  private static void call(DrivenIoEventLoop loop, List<String> log, String name,
      Runnable afterReply) {
    CompletableFuture<Void> reply = new CompletableFuture<>();
    loop.execute(() -> {
      log.add(name); // "writes the call"; its "reply" comes in a later task
      loop.execute(() -> {
        reply.complete(null);
        afterReply.run();
      });
    });
    loop.driveUntil(reply, false, 0, false);
    assertThat(reply).isDone();
  }

  @Test
  void aFlushQueuedAfterTheReplyLeavesWithTheSameThreadsNextCall() throws Exception {
    // a grace period the test never reaches: the home thread does not take the loop back
    loop = new DrivenIoEventLoop("flush-test", NioIoHandler.newFactory(),
        TimeUnit.HOURS.toNanos(1));
    becomeTheLastDriver(loop);
    List<String> log = new CopyOnWriteArrayList<>();
    DrivenIoEventLoop.Flush flush = () -> log.add("flush");
    call(loop, log, "call1", () -> loop.execute(flush));
    // held: not run before this thread gave the loop up
    assertThat(log).containsExactly("call1");
    assertThat(loop.hasHeldFlushes()).isTrue();
    // the next call runs first (it writes its message), then the held flush sends both
    call(loop, log, "call2", () -> { });
    assertThat(log).containsExactly("call1", "call2", "flush");
    assertThat(loop.hasHeldFlushes()).isFalse();
  }

  @Test
  void aTaskThatIsNotAFlushIsNotHeld() throws Exception {
    loop = new DrivenIoEventLoop("flush-test", NioIoHandler.newFactory(),
        TimeUnit.HOURS.toNanos(1));
    becomeTheLastDriver(loop);
    List<String> log = new CopyOnWriteArrayList<>();
    call(loop, log, "call1", () -> loop.execute(() -> log.add("task")));
    assertThat(log).containsExactly("call1", "task");
    assertThat(loop.hasHeldFlushes()).isFalse();
  }

  @Test
  void aHeldFlushRunsOnTheHomeThreadWhenNoCallFollows() throws Exception {
    loop = new DrivenIoEventLoop("flush-test", NioIoHandler.newFactory(),
        TimeUnit.MILLISECONDS.toNanos(1));
    becomeTheLastDriver(loop);
    List<String> log = new CopyOnWriteArrayList<>();
    CompletableFuture<Thread> flushedBy = new CompletableFuture<>();
    call(loop, log, "call1",
        () -> loop.execute((DrivenIoEventLoop.Flush) () -> flushedBy.complete(
            Thread.currentThread())));
    assertThat(flushedBy.get(20, TimeUnit.SECONDS)).isSameAs(loop.homeThread());
  }

  @Test
  void aHeldFlushRunsWhenTheLoopShutsDown() throws Exception {
    loop = new DrivenIoEventLoop("flush-test", NioIoHandler.newFactory(),
        TimeUnit.HOURS.toNanos(1));
    becomeTheLastDriver(loop);
    List<String> log = new CopyOnWriteArrayList<>();
    call(loop, log, "call1", () -> loop.execute((DrivenIoEventLoop.Flush) () -> log.add("flush")));
    loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    assertThat(log).containsExactly("call1", "flush");
  }

  @Test
  void aFlushHeldAfterALongCallRunsOnTheHomeThread() throws Exception {
    // the waiter holds the role for many grace periods (the home thread sleeps until it gives
    // the role up); the flush it holds back then still runs on the home thread
    loop = new DrivenIoEventLoop("flush-test", NioIoHandler.newFactory(),
        TimeUnit.MILLISECONDS.toNanos(1));
    becomeTheLastDriver(loop);
    CompletableFuture<Void> reply = new CompletableFuture<>();
    CompletableFuture<Thread> flushedBy = new CompletableFuture<>();
    Thread other = new Thread(() -> {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      loop.execute(() -> {
        reply.complete(null);
        loop.execute((DrivenIoEventLoop.Flush) () -> flushedBy.complete(Thread.currentThread()));
      });
    });
    other.start();
    loop.driveUntil(reply, false, 0, false);
    assertThat(reply).isDone();
    assertThat(flushedBy.get(20, TimeUnit.SECONDS)).isSameAs(loop.homeThread());
    other.join();
  }
}
