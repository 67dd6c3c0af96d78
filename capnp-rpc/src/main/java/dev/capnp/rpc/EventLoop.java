package dev.capnp.rpc;

import dev.capnp.rpc.internal.ApiAccess;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.CrossLoopClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single thread that owns a vat's protocol state.
 *
 * <p>Threading rule: every connection table, every capability's internal state and every
 * completion of an RPC future happens on the loop's thread. Public handles
 * ({@link Capability}, {@link Request}, {@link ResponsePromise}) may be used from any thread:
 * work is posted to the loop with {@link #execute(Runnable)}. Nothing that runs on the loop may
 * block; blocking server handlers run elsewhere (see {@link Blocking}).
 *
 * <p>Three kinds exist: {@link #start(String)} runs its own daemon thread; {@link #manual()} is
 * driven by its creating thread calling {@link #runPending()} (deterministic tests);
 * {@link #onExecutor} and {@link #driven} run on a network event loop (a vat's Netty loop).
 *
 * <p>For a {@link #driven} loop "the loop's thread" is a role, not a fixed thread: a
 * {@link Driver} hands the role to one thread at a time, either its own thread or an application
 * thread that waits for a reply of this loop ({@link ResponsePromise#get()},
 * {@link ResponsePromise#join()}, {@link Await}) and runs the loop meanwhile, as a C++
 * {@code WaitScope} does, instead of sleeping while another thread does the work and wakes it.
 * The rule above still holds: at any moment at most one thread is the loop's thread
 * ({@link #inLoop()} is true on it alone), and the driver's hand-over (a volatile write by the
 * thread that gives the role up, read by the one that takes it) orders everything the previous
 * holder did before everything the next one does, so loop-confined state needs no further
 * synchronization. A thread that is inside a task of any loop never takes the role while it
 * waits (a handler that blocks on the loop deadlocks or is refused exactly as before), and
 * blocking handlers still run off the loop.
 */
public final class EventLoop implements Executor, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
  private static final ThreadLocal<EventLoop> CURRENT = new ThreadLocal<>();
  /** The vat a blocking handler's thread works for (new local capabilities belong to it). */
  private static final ThreadLocal<EventLoop> HOME = new ThreadLocal<>();
  private static volatile EventLoop defaultLoop;

  static {
    ApiAccess.install(new ApiAccess.Access() {
      @Override
      public java.util.concurrent.ConcurrentHashMap<ClientHook, CrossLoopClient> bridges(
          EventLoop loop) {
        return loop.bridges;
      }

      @Override
      public ClientHook takeHook(Capability capability) {
        return capability.takeHook();
      }

      @Override
      public Capability wrapHook(ClientHook owned) {
        return new Capability(owned);
      }

      @Override
      public Object connectionCore(RpcConnection connection) {
        return connection.core();
      }
    });
  }

  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  /**
   * The bridges through which this loop reaches other loops' capabilities, one per foreign
   * capability, so that every path to it shares one embargo (see {@link CrossLoopClient}).
   */
  final java.util.concurrent.ConcurrentHashMap<ClientHook, CrossLoopClient> bridges =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final String name;
  private final boolean manual;
  /** For {@link #onExecutor} loops: the single-threaded executor that runs the tasks. */
  private final Executor external;
  /** For {@link #onExecutor} loops: whether a drain task is queued on {@link #external}. */
  private final java.util.concurrent.atomic.AtomicBoolean drainScheduled =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final Runnable drainTask = this::drain;
  /** For {@link #driven} loops: hands the loop's thread role to one thread at a time. */
  private final Driver driver;
  private volatile Thread thread;
  private volatile boolean closed;
  /** Set while the loop thread is (about to be) parked; producers only unpark then. */
  private volatile boolean parked;

  private EventLoop(String name, boolean manual) {
    this(name, manual, null);
  }

  private EventLoop(String name, boolean manual, Executor external) {
    this.name = name;
    this.manual = manual;
    this.external = external;
    this.driver = external instanceof Driver ? (Driver) external : null;
  }

  /**
   * Runs a {@link #driven} loop: an executor whose tasks run on whichever thread holds the
   * loop's role now, and which lets a thread that waits for one of the loop's futures take that
   * role while it waits.
   *
   * <p>Contract: {@link #execute} queues a task to run on the role's holder, in order;
   * {@link #isDriving} is true on the holder alone; a hand-over of the role happens-before
   * everything the next holder does.
   */
  public interface Driver extends Executor {
    /**
     * Whether {@code thread} holds the loop's role now.
     *
     * @param thread a thread
     * @return {@code true} if {@code thread} runs the loop now
     */
    boolean isDriving(Thread thread);

    /**
     * Runs the loop on the calling thread until {@code done} completes, if the role can be
     * taken; while another thread holds it, waits (parked) for {@code done} or for the role.
     * Returns early, without error, when the driver does not let callers drive (then the caller
     * waits as it would have), when the loop shuts down, at {@code deadlineNanos} (a
     * {@link System#nanoTime()} value) if {@code timed}, or when the thread is interrupted if
     * {@code interruptible}. Never called from a thread that is inside a task of a loop.
     *
     * @param done what the caller waits for
     * @param timed whether {@code deadlineNanos} applies
     * @param deadlineNanos when to give up, if {@code timed}
     * @param interruptible whether an interrupt ends the wait
     */
    void driveUntil(java.util.concurrent.Future<?> done, boolean timed, long deadlineNanos,
        boolean interruptible);
  }

  /**
   * A loop whose tasks run on {@code driver}, whose thread is a role held by one thread at a
   * time (see the class comment): normally the driver's own thread, and an application thread
   * while it waits for a reply of this loop. Batches and {@link #close()} as
   * {@link #onExecutor}.
   *
   * @param name the loop's name (for logs)
   * @param driver runs the tasks and hands the role over
   * @return a loop that runs its tasks on {@code driver}
   */
  public static EventLoop driven(String name, Driver driver) {
    return new EventLoop(name, false, java.util.Objects.requireNonNull(driver, "driver"));
  }

  /**
   * Waits for {@code done}, a future completed by this loop, running the loop on the calling
   * thread meanwhile when the loop is {@link #driven} and the thread may take its role (it is
   * not inside a task of any loop). Returns when {@code done} has completed, or earlier without
   * waiting (the caller then waits on {@code done} itself): when the thread cannot drive, at
   * the deadline, on an interrupt if {@code interruptible}, or when the loop shuts down.
   *
   * @param done the future to wait for
   * @param timed whether {@code deadlineNanos} applies
   * @param deadlineNanos a {@link System#nanoTime()} deadline, if {@code timed}
   * @param interruptible whether an interrupt ends the wait
   */
  public void driveWhileWaiting(java.util.concurrent.Future<?> done, boolean timed,
      long deadlineNanos, boolean interruptible) {
    Driver d = driver;
    if (d == null || closed || done.isDone() || CURRENT.get() != null
        || d.isDriving(Thread.currentThread())) {
      return;
    }
    d.driveUntil(done, timed, deadlineNanos, interruptible);
  }

  /** Whether the calling thread is the loop's thread now (tasks aside: see {@link #inLoop}). */
  private boolean onOwnThread() {
    Thread t = Thread.currentThread();
    if (t == thread) {
      return true;
    }
    Driver d = driver;
    return d != null && d.isDriving(t);
  }

  /**
   * A loop whose tasks run on {@code executor}, a single-threaded executor whose only thread is
   * {@code thread} (for example a Netty event loop). Network I/O and RPC work then share one
   * thread, avoiding a cross-thread hand-off per message. Tasks are run in batches of at most
   * 256 before yielding back to the executor.
   *
   * <p>{@link #close()} must be called once the executor has stopped running this loop's tasks;
   * the loop then runs queued and later tasks on the calling thread, one at a time (so that
   * handles of a closed vat, whose connections are all broken, still settle instead of hanging).
   *
   * @param name the loop's name (for logs)
   * @param executor the single-threaded executor that runs the tasks
   * @param thread the executor's only thread
   * @return a loop that runs its tasks on {@code executor}
   */
  public static EventLoop onExecutor(String name, Executor executor, Thread thread) {
    EventLoop loop = new EventLoop(name, false, executor);
    loop.thread = thread;
    return loop;
  }

  private void drain() {
    EventLoop old = CURRENT.get();
    CURRENT.set(this);
    try {
      drainScheduled.set(false);
      if (!runQueued() && !closed && drainScheduled.compareAndSet(false, true)) {
        external.execute(drainTask);
      }
    } finally {
      // set, not remove(): the executor's thread keeps its entry, and the next drain (one per
      // batch of tasks) stores into it instead of allocating a new one
      CURRENT.set(old);
    }
  }

  /**
   * A loop running on a new daemon thread called {@code name}.
   *
   * @param name the name of the loop and of its thread
   * @return the running loop
   */
  public static EventLoop start(String name) {
    EventLoop loop = new EventLoop(name, false);
    Thread t = new Thread(loop::runForever, name);
    t.setDaemon(true);
    loop.thread = t;
    t.start();
    return loop;
  }

  /**
   * A loop owned by the calling thread, which runs queued work in {@link #runPending()}.
   *
   * @return a new manual loop owned by the calling thread
   */
  public static EventLoop manual() {
    EventLoop loop = new EventLoop("manual-" + Thread.currentThread().getName(), true);
    loop.thread = Thread.currentThread();
    CURRENT.set(loop);
    return loop;
  }

  /**
   * The loop whose thread is running now, or {@code null}.
   *
   * @return the current loop, or {@code null} if this thread runs none
   */
  public static EventLoop current() {
    return CURRENT.get();
  }

  /**
   * The current loop (or, on a blocking handler's thread, the loop of the handler's vat), else a
   * shared default loop (started on first use).
   *
   * @return the loop to use from this thread; never {@code null}
   */
  public static EventLoop currentOrDefault() {
    EventLoop l = CURRENT.get();
    if (l != null) {
      return l;
    }
    l = HOME.get();
    if (l != null) {
      return l;
    }
    EventLoop d = defaultLoop;
    if (d == null) {
      synchronized (EventLoop.class) {
        d = defaultLoop;
        if (d == null) {
          d = start("capnp-default-loop");
          defaultLoop = d;
        }
      }
    }
    return d;
  }

  /** Runs {@code task} on the calling (non-loop) thread on behalf of this loop's vat. */
  void runAsHome(Runnable task) {
    EventLoop old = HOME.get();
    HOME.set(this);
    try {
      task.run();
    } finally {
      if (old == null) {
        HOME.remove();
      } else {
        HOME.set(old);
      }
    }
  }

  private volatile long uncaught;

  /**
   * Whether the calling thread is this loop's thread.
   *
   * @return {@code true} if the calling thread is this loop's thread
   */
  public boolean inLoop() {
    return onOwnThread() || (closed && external != null && Thread.holdsLock(queue));
  }

  /** Queues {@code task} to run on the loop (FIFO). Callable from any thread. */
  @Override
  public void execute(Runnable task) {
    queue.add(task);
    if (external != null) {
      if (closed) {
        runClosedInline();
        return;
      }
      if (!closed && drainScheduled.compareAndSet(false, true)) {
        try {
          external.execute(drainTask);
        } catch (RuntimeException rejected) {
          drainScheduled.set(false);
          LOG.debug("executor of loop {} rejected a drain: {}", name, rejected.toString());
        }
      }
      return;
    }
    if (!manual && parked) {
      LockSupport.unpark(thread);
    }
  }

  /**
   * Runs {@code task} on the loop after {@code delay} (callable from any thread); cancelling the
   * returned future before then stops it. A loop running on a scheduling executor (a Netty
   * event loop) uses that executor's timers; other loops share one daemon timer thread, which
   * only queues the task here. The loop's clock is the only clock protocol code sees.
   *
   * @param task the work to run on the loop
   * @param delay the delay, in {@code unit}s
   * @param unit the unit of {@code delay}
   * @return a future for the scheduled run; cancel it to stop the task
   */
  public java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, long delay,
      java.util.concurrent.TimeUnit unit) {
    Runnable onLoop = () -> execute(task);
    if (external instanceof java.util.concurrent.ScheduledExecutorService && !closed) {
      try {
        return ((java.util.concurrent.ScheduledExecutorService) external)
            .schedule(onLoop, delay, unit);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // the executor has stopped: fall back to the shared timer (the loop runs inline now)
      }
    }
    return Timer.INSTANCE.schedule(onLoop, delay, unit);
  }

  /** The shared timer of loops that have no scheduler of their own. */
  private static final class Timer {
    static final java.util.concurrent.ScheduledThreadPoolExecutor INSTANCE = create();

    private static java.util.concurrent.ScheduledThreadPoolExecutor create() {
      java.util.concurrent.ScheduledThreadPoolExecutor t =
          new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "capnp-loop-timer");
            th.setDaemon(true);
            return th;
          });
      t.setRemoveOnCancelPolicy(true);
      return t;
    }
  }

  /**
   * Runs {@code task} now if on the loop, else queues it.
   *
   * @param task the work to run on the loop
   */
  public void run(Runnable task) {
    if (inLoop()) {
      task.run();
    } else {
      execute(task);
    }
  }

  /**
   * Evaluates {@code task} on the loop and returns its result as a future.
   *
   * @param <T> the type of the result
   * @param task the work to evaluate on the loop
   * @return a future completed with the task's result or exception
   */
  public <T> CompletableFuture<T> submit(Supplier<T> task) {
    CompletableFuture<T> f = new CompletableFuture<>();
    run(() -> {
      try {
        f.complete(task.get());
      } catch (RuntimeException | Error e) {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  /**
   * Runs queued tasks (including ones they queue) until the queue is empty; manual loops only,
   * from the owning thread. Returns the number of tasks run.
   *
   * @return the number of tasks run
   */
  public int runPending() {
    if (!manual || !inLoop()) {
      throw new IllegalStateException("runPending() needs a manual loop on its owning thread");
    }
    int n = 0;
    Runnable r;
    while ((r = queue.poll()) != null) {
      runSafely(r);
      n++;
    }
    return n;
  }

  /**
   * Whether no tasks are queued.
   *
   * @return {@code true} if no tasks are queued
   */
  public boolean isIdle() {
    return queue.isEmpty();
  }

  private void runForever() {
    CURRENT.set(this);
    while (!closed) {
      Runnable r = queue.poll();
      if (r == null) {
        parked = true;
        if (queue.isEmpty() && !closed) {
          LockSupport.park(this);
        }
        parked = false;
        continue;
      }
      runSafely(r);
    }
  }

  /**
   * How many tasks of this loop ended with an uncaught exception (each is logged); a diagnostic
   * for tests and fuzzers, where any such exception is a defect.
   *
   * @return the number of tasks that threw
   */
  public long uncaughtExceptions() {
    return uncaught;
  }

  private void runSafely(Runnable r) {
    boolean wasBusy = busy;
    busy = true;
    try {
      r.run();
    } catch (RuntimeException | Error e) {
      uncaught(e);
    } finally {
      busy = wasBusy;
    }
  }

  private void uncaught(Throwable e) {
    uncaught++;
    if (isFatal(e)) {
      fatal(e);
      return;
    }
    LOG.error("uncaught exception on event loop {}", name, e);
  }

  /**
   * Whether the loop's thread is inside one of the loop's tasks (or a {@link #tryRunNow}
   * action) now. Read and written on the loop's thread only.
   */
  private boolean busy;

  /**
   * Most queued tasks run in one go on an executor's thread: a drain before it yields back to
   * the executor, or {@link #tryRunNow} ahead of its action before it leaves the action to be
   * queued behind the rest.
   */
  private static final int BATCH = 256;

  /**
   * Runs up to {@value #BATCH} queued tasks in order, on the loop's thread (the only one that
   * takes from the queue), stopping if the loop closes.
   *
   * @return whether the queue is then empty and the loop still open
   */
  private boolean runQueued() {
    for (int i = 0; i < BATCH && !closed; i++) {
      Runnable r = queue.poll();
      if (r == null) {
        return true;
      }
      runSafely(r);
    }
    return !closed && queue.isEmpty();
  }

  /**
   * Runs {@code action} on {@code arg} at once, as a task of this loop, if that keeps the
   * loop's order, and returns true; else returns false (the caller then queues it with
   * {@link #execute}). At once means: this loop is driven by an executor ({@link #onExecutor},
   * a Netty event loop, whose thread also runs its own I/O), and the caller is on that thread
   * outside any of the loop's tasks. Tasks already queued run first, in order (up to
   * {@value #BATCH} of them; more, and the action is left to the queue), so the action
   * runs exactly where it would have run had it been queued.
   *
   * <p>A transport's I/O callback (a message decoded by Netty) thus reaches protocol code
   * without a queued task: nothing is allocated for it, and a message is handled before the
   * next one is decoded. Running the queue first matters under load: handling a call to a local
   * object queues the call's delivery, so without it every later message of the same read
   * would be queued too, and a vat reading from many fast peers would decode far more than it
   * handles (the queue grows up to the connections' incoming limits) instead of reading no
   * faster than it handles.
   *
   * @param <T> the type of the argument
   * @param action what to run (a long-lived object: a lambda made per call would defeat this)
   * @param arg its argument
   * @return whether {@code action} ran
   */
  public <T> boolean tryRunNow(java.util.function.Consumer<? super T> action, T arg) {
    if (external == null || closed || busy || !onOwnThread()) {
      return false;
    }
    EventLoop old = CURRENT.get();
    CURRENT.set(this);
    try {
      if (!runQueued()) {
        return false;
      }
      busy = true;
      try {
        action.accept(arg);
      } catch (RuntimeException | Error e) {
        uncaught(e);
      } finally {
        busy = false;
      }
      return true;
    } finally {
      CURRENT.set(old);
    }
  }

  /**
   * Whether {@code e} means the loop's state can no longer be trusted and its vat must stop:
   * the JVM ran out of memory or broke down. A task's other exceptions, a stack overflow
   * included, fail that task alone (logged) and the loop goes on.
   *
   * @param e an exception thrown by a task
   * @return {@code true} if the vat must stop
   */
  public static boolean isFatal(Throwable e) {
    return e instanceof OutOfMemoryError || e instanceof InternalError
        || e instanceof UnknownError;
  }

  private volatile java.util.function.Consumer<Throwable> fatalHandler;
  private final java.util.concurrent.atomic.AtomicBoolean fatalSeen =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Sets what happens when a task of this loop throws a {@link #isFatal fatal} error (the loop's
   * owner shuts its vat down and reports it); without a handler the error is logged. The
   * handler runs once, on the thread that met the error (usually the loop's), and must not
   * block.
   *
   * @param handler called once with the fatal error
   */
  public void onFatalError(java.util.function.Consumer<Throwable> handler) {
    this.fatalHandler = handler;
  }

  /**
   * Reports a fatal error of this loop (once); see {@link #onFatalError}.
   *
   * @param e the fatal error
   */
  public void fatal(Throwable e) {
    if (!fatalSeen.compareAndSet(false, true)) {
      return;
    }
    java.util.function.Consumer<Throwable> h = fatalHandler;
    try {
      LOG.error("fatal error on event loop {}: its vat cannot go on", name, e);
    } catch (Throwable ignored) {
      // logging may itself fail when memory is exhausted; the handler still runs
    }
    if (h != null) {
      h.accept(e);
    }
  }

  /**
   * Stops the loop: a threaded loop's thread ends (queued tasks are dropped); a manual loop stops
   * being its thread's current loop.
   */
  /** After close, an executor-driven loop runs its tasks on the caller's thread, serialized. */
  private void runClosedInline() {
    if (Thread.holdsLock(queue)) {
      return; // queued behind the task that is running now
    }
    synchronized (queue) {
      EventLoop old = CURRENT.get();
      CURRENT.set(this);
      try {
        Runnable r;
        while ((r = queue.poll()) != null) {
          runSafely(r);
        }
      } finally {
        if (old == null) {
          CURRENT.remove();
        } else {
          CURRENT.set(old);
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    if (external != null) {
      runClosedInline();
    }
    if (manual && CURRENT.get() == this) {
      CURRENT.remove();
    }
    if (!manual && external == null) {
      LockSupport.unpark(thread);
    }
  }

  @Override
  public String toString() {
    return "EventLoop(" + name + ")";
  }
}
