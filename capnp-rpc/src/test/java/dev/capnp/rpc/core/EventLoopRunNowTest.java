package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link EventLoop#tryRunNow} runs an action at once only where that keeps the loop's order: on
 * an executor-driven loop's thread, outside the loop's tasks, after the tasks already queued;
 * otherwise it declines and the caller queues.
 */
class EventLoopRunNowTest {
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final List<String> log = new ArrayList<>(); // (written on the executor's thread only)
  private final Consumer<String> record = s -> log.add(s + (EventLoop.current() != null
      ? " on-loop" : " no-loop"));

  @AfterEach
  void stop() throws Exception {
    executor.shutdownNow();
    executor.awaitTermination(10, TimeUnit.SECONDS);
  }

  private EventLoop loop() throws Exception {
    Thread t = executor.submit(Thread::currentThread).get();
    return EventLoop.onExecutor("run-now", executor, t);
  }

  @Test
  void runsAtOnceOnTheLoopThreadOutsideTasks() throws Exception {
    EventLoop loop = loop();
    boolean ran = executor.submit(() -> loop.tryRunNow(record, "io")).get();
    assertThat(ran).isTrue();
    assertThat(executor.submit(() -> List.copyOf(log)).get()).containsExactly("io on-loop");
    assertThat(executor.submit(EventLoop::current).get()).isNull(); // restored afterwards
  }

  @Test
  void declinesInsideATaskAndOffTheThread() throws Exception {
    EventLoop loop = loop();
    assertThat(loop.tryRunNow(record, "other thread")).isFalse();

    List<Boolean> inTask = new ArrayList<>();
    loop.submit(() -> inTask.add(loop.tryRunNow(record, "in a task"))).get(10, TimeUnit.SECONDS);
    assertThat(inTask).containsExactly(false);
  }

  /**
   * Tasks queued (not yet drained) when the I/O callback comes run first, in order, on the
   * loop, and then the action: what a queued action would have seen, without queueing it.
   */
  @Test
  void runsQueuedTasksFirst() throws Exception {
    EventLoop loop = loop();
    boolean ran = executor.submit(() -> {
      loop.execute(() -> record.accept("queued first"));
      loop.execute(() -> record.accept("queued second"));
      return loop.tryRunNow(record, "io");
    }).get();
    assertThat(ran).isTrue();
    assertThat(executor.submit(() -> List.copyOf(log)).get())
        .containsExactly("queued first on-loop", "queued second on-loop", "io on-loop");
    assertThat(executor.submit(EventLoop::current).get()).isNull(); // restored afterwards
  }

  /** Behind a long queue, the action is left to the queue after a bounded number of tasks. */
  @Test
  void declinesBehindALongQueue() throws Exception {
    EventLoop loop = loop();
    List<String> seen = executor.submit(() -> {
      for (int i = 0; i < 1000; i++) {
        int n = i;
        loop.execute(() -> log.add("task " + n));
      }
      assertThat(loop.tryRunNow(record, "io")).isFalse();
      return List.copyOf(log); // before the executor's drain runs the rest
    }).get();
    assertThat(seen).hasSizeBetween(1, 999).doesNotContain("io on-loop");
    assertThat(seen.get(seen.size() - 1)).isEqualTo("task " + (seen.size() - 1)); // in order
  }

  @Test
  void manualLoopsNeverRunAtOnce() {
    EventLoop loop = EventLoop.manual();
    try {
      assertThat(loop.tryRunNow(record, "x")).isFalse();
    } finally {
      loop.close();
    }
  }
}
