package dev.capnp.net.transport;

import dev.capnp.rpc.EventLoop;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A vat's Netty event loop (I/O, Netty's tasks and the vat's RPC tasks) whose thread is a role
 * that one thread at a time holds: normally the loop's own daemon thread (its "home" thread),
 * and, while it waits for a reply, an application thread that blocks on a call of this vat
 * ({@link EventLoop#driveWhileWaiting}). The waiting thread then writes its call, sleeps in
 * {@code epoll_wait} itself and reads the reply itself, as a C++ client's {@code WaitScope}
 * does: one context switch per call instead of three (post to the loop thread, which writes;
 * the reply wakes the loop thread, which wakes the caller).
 *
 * <p>Ownership rule. {@code owner} names the thread that may run the loop (I/O handler, tasks,
 * timers); {@code null} means nobody runs it now. A thread takes the role with a compare-and-set
 * from {@code null} and gives it up by writing {@code null}; both are volatile, so everything a
 * holder did happens-before everything the next holder does, and the loop's state (Netty's
 * channels and pipelines, the vat's connections) is touched by one thread at a time. Netty's
 * {@code inEventLoop()} and the vat's {@link EventLoop#inLoop()} are true on the holder alone.
 * The epoll (or NIO) handler supports a change of thread
 * ({@link IoHandlerFactory#isChangingThreadSupported()}); with a handler that does not, or with
 * {@code -Dcapnp.net.callerDrives=false}, the home thread keeps the role for good.
 *
 * <p>Hand-overs:
 * <ul>
 *   <li>A waiting thread takes a free loop at once. If the home thread holds it, the waiter asks
 *       for it ({@code handoverWanted}, then a wake-up of the I/O handler); the home thread
 *       gives it up after its current turn and the waiter takes it. If another waiting thread
 *       holds it, the waiter parks: the holder completes the waiter's future on the loop (which
 *       unparks it) or, when it gives the role up, unparks the oldest waiter still waiting, which
 *       takes over (or, if its reply came meanwhile, wakes the next as it leaves). Any number of
 *       threads may wait at once; one drives. But waiters drive only while at most
 *       {@link #MAX_WAITERS_DRIVING} threads wait (twice the CPUs): with more, a waiter neither
 *       takes a free loop nor asks the home thread for it, a driver that leaves hands the loop to
 *       the home thread, and each waiter sleeps until its reply is in. Many threads on few CPUs
 *       would otherwise preempt the driver, and everyone's I/O would wait for it.</li>
 *   <li>A waiter that has its reply first runs what is ready without blocking (its Finish, for
 *       example), then gives the role up without waking the home thread: the next call of the
 *       same thread will most likely find the loop free and take it again without a context
 *       switch. Nobody runs the loop meanwhile, so the home thread takes it back after a grace
 *       period ({@code -Dcapnp.net.driverGraceMicros}, default 1,000 µs) without a waiter, at
 *       once when a task is queued by any other thread, and at once on shut-down. To see that,
 *       it wakes and looks a grace period after a release; while a thread keeps calling (two
 *       releases or more between two looks) it looks half as often each time, down to once per
 *       {@value #MAX_LOOK_GRACES} grace periods (each look is a wake-up and two context
 *       switches, on the caller's CPU when both are pinned to one), and looks every grace period
 *       again once it has the loop back. So after a thread's last call of a sequence the home
 *       thread takes the loop back within {@value #MAX_LOOK_GRACES} grace periods, and after a
 *       lone call within one or two. A task queued by the thread that gave the role up last is
 *       left for that thread's next wait (or the home thread). So, while a thread calls and
 *       waits in a sequence, incoming messages that nobody waits for (calls to the client's own
 *       capabilities, for example) are handled by its next wait, or by the home thread within
 *       the delay above when the sequence ends.</li>
 *   <li>A waiter that has its reply holds back the transports' flushes ({@link Flush}) queued
 *       from then on, the Finish of its call above all: they stay in the loop (the bytes in the
 *       channel's outbound buffer) and leave with the same thread's next call, in one write with
 *       it, as a loop caller's Finish does. Whoever takes the role next runs them first (after
 *       the tasks already queued, so the next call is written before the flush); so a held
 *       Finish leaves at the latest when the home thread takes the loop back (see above), never
 *       later. Other connections' flushes queued in that same last turn wait the
 *       same way (the same delay).</li>
 * </ul>
 *
 * <p>Yield after a reply (issue 12): after a turn in which it wrote a reply on a TCP connection
 * that the peer is to {@code Finish} (see {@link NettyTransport#finishFollowsReplies}),
 * the home thread yields the CPU ({@link Thread#yield}) before it sleeps in I/O, unless yields
 * have lately kept it off the CPU for long ({@link AnswerYield}). On a CPU shared with a peer that
 * writes a call and then, in a second write, its previous {@code Finish} (the C++ client), a
 * server woken by the first write often preempts the peer, answers, sleeps and is woken again by
 * the {@code Finish}; yielding lets the peer finish its writes first, so the next turn reads them
 * all (1.06-1.24 context switches per call instead of 1.30-1.38 in loaded runs). Off with
 * {@code -Dcapnp.net.yieldAfterReply=false}. Waiters that drive the loop never yield.
 *
 * <p>Spins (issue 12): the home thread, after a turn in which it wrote a reply (TCP or Unix),
 * polls its I/O without sleeping for up to {@value #DEFAULT_SPIN_AFTER_REPLY_MICROS} µs
 * ({@code -Dcapnp.net.spinAfterReplyMicros=N}; 0: never) before it sleeps, so that a peer's next
 * call, arriving from another CPU, does not have to wake it: on an otherwise idle 2-CPU virtual
 * machine that wake-up was more than half of an unpinned round trip. It does the same after a
 * turn in which it wrote a call, for the call's answer ({@link #callWritten};
 * {@code -Dcapnp.net.spinAfterCall=false} turns that part off), unless threads wait for the
 * loop. With
 * {@code -Dcapnp.net.spinForReplyMicros=N} (off by default: no gain measured) a waiter that
 * drives the loop polls for up to N µs for its reply after it wrote its call. Neither spins where
 * the process may run on one CPU only, nor while threads of the machine wait for a CPU
 * ({@link CpuPressure}), and both stop while spins do not pay (the peer's calls come later than
 * the window) or are preempted ({@link ReplySpin}; {@code benchmarks/README.md}, "Spinning
 * before sleeping" and "The server's spin on by default").
 *
 * <p>Shut-down ({@link #shutdownGracefully}) runs on the home thread: waiting threads stop
 * driving and wait as usual (the vat's close fails their calls), and the home thread finishes
 * the loop (quiet period, I/O handler destroyed, termination future completed).
 */
public final class DrivenIoEventLoop extends AbstractScheduledEventExecutor
    implements IoEventLoop, EventLoop.Driver {
  private static final Logger LOG = LoggerFactory.getLogger(DrivenIoEventLoop.class);
  /** Whether waiting threads may drive at all ({@code -Dcapnp.net.callerDrives}). */
  static final boolean CALLER_DRIVES =
      !"false".equals(System.getProperty("capnp.net.callerDrives"));
  /** How long the home thread leaves a loop that a waiter gave up without a driver. */
  static final long GRACE_NANOS = TimeUnit.MICROSECONDS.toNanos(
      Math.max(0, Long.getLong("capnp.net.driverGraceMicros", 1000)));
  /**
   * Whether the home thread yields the CPU after a turn that answered a peer
   * ({@code -Dcapnp.net.yieldAfterReply}, default true; see {@link AnswerYield}).
   */
  static final boolean YIELD_AFTER_REPLY =
      !"false".equals(System.getProperty("capnp.net.yieldAfterReply"));
  /** The default of {@link #SPIN_AFTER_REPLY_MICROS}. */
  static final long DEFAULT_SPIN_AFTER_REPLY_MICROS = 100;
  /**
   * How long (µs) the home thread polls its I/O without sleeping after a turn that answered a
   * peer ({@code -Dcapnp.net.spinAfterReplyMicros}, default
   * {@value #DEFAULT_SPIN_AFTER_REPLY_MICROS}; 0: never; see {@link ReplySpin}).
   */
  static final long SPIN_AFTER_REPLY_MICROS =
      Long.getLong("capnp.net.spinAfterReplyMicros", DEFAULT_SPIN_AFTER_REPLY_MICROS);
  /**
   * Whether the home thread also spins after a turn that wrote a call (or a bootstrap), for its
   * answer, as after a reply ({@code -Dcapnp.net.spinAfterCall}, default true; the window is
   * {@link #SPIN_AFTER_REPLY_MICROS}; see {@link ReplySpin}).
   */
  static final boolean SPIN_AFTER_CALL =
      !"false".equals(System.getProperty("capnp.net.spinAfterCall"));
  /**
   * How long (µs) a waiting thread that drives the loop polls its I/O without sleeping after it
   * wrote its call ({@code -Dcapnp.net.spinForReplyMicros}, 0: never; see {@link ReplySpin}).
   */
  static final long SPIN_FOR_REPLY_MICROS = Long.getLong("capnp.net.spinForReplyMicros", 0);
  /**
   * The longest interval, in grace periods, between the home thread's looks at a loop that a
   * thread calling in a sequence keeps taking (see {@link #lookNanos}).
   */
  static final int MAX_LOOK_GRACES = 8;
  /** The longest a driving waiter sleeps in the I/O handler between checks (interrupts). */
  private static final long MAX_DRIVE_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** The loop the current thread drives as a waiter (no nesting across vats). */
  private static final ThreadLocal<DrivenIoEventLoop> DRIVING = new ThreadLocal<>();
  private static final AtomicReferenceFieldUpdater<DrivenIoEventLoop, Thread> OWNER =
      AtomicReferenceFieldUpdater.newUpdater(DrivenIoEventLoop.class, Thread.class, "owner");
  private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<DrivenIoEventLoop>
      WAITING = java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(
          DrivenIoEventLoop.class, "waitingThreads");

  private static final int STARTED = 0;
  private static final int SHUTTING_DOWN = 1;
  private static final int SHUTDOWN = 2;
  private static final int TERMINATED = 3;

  private final Queue<Runnable> tasks = PlatformDependent.newMpscQueue();
  private final IoHandler handler;
  private final Thread home;
  private final boolean callersDrive;
  /**
   * The most threads that may wait at once for waiters to drive the loop: with more, the home
   * thread runs it ({@code -Dcapnp.net.maxWaitersDriving}, default twice the CPUs the JVM may
   * use; see {@link #driveUntil}).
   */
  static final int MAX_WAITERS_DRIVING = Math.max(1, Integer.getInteger(
      "capnp.net.maxWaitersDriving", 2 * Runtime.getRuntime().availableProcessors()));
  /** See {@link #MAX_WAITERS_DRIVING}. */
  private final int maxWaitersDriving;
  /** How long the home thread leaves a loop that a waiter gave up ({@link #GRACE_NANOS}). */
  private final long graceNanos;
  /**
   * The longest a waiter parks before it looks again (without a hand-over or its reply):
   * {@link #MAX_DRIVE_SLICE_NANOS} but in tests.
   */
  private final long parkSliceNanos;
  private final Promise<Void> termination = new DefaultPromise<>(GlobalEventExecutor.INSTANCE);
  private final Context context = new Context();
  /** When the home thread yields after answering ({@code null}: never); home-thread confined. */
  private final AnswerYield answerYield;
  /** When the home thread spins after answering ({@code null}: never); home-thread confined. */
  private final ReplySpin replySpin;
  /** One non-blocking poll of the loop for {@link #replySpin}; home-thread only. */
  private final java.util.function.BooleanSupplier spinPoll;
  /**
   * When a driving waiter spins for its reply ({@code null}: never); owner-confined (whichever
   * waiter holds the role uses it; the role's hand-over orders their uses).
   */
  private final ReplySpin callSpin;
  /** One non-blocking poll of the loop for {@link #callSpin}; the driving waiter only. */
  private final java.util.function.BooleanSupplier callPoll;
  /**
   * Flushes a waiter held back after its reply ({@link Flush}); owner-confined: whoever takes the
   * role next puts them back in {@link #tasks} before it runs anything.
   */
  private final ArrayDeque<Runnable> held = new ArrayDeque<>();
  /**
   * Threads parked in {@link #driveUntil} while another thread holds the role, oldest first,
   * each with the future it waits for.
   */
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  /** See {@link #waiterWakeups()}. */
  private final java.util.concurrent.atomic.LongAdder waiterWakeups =
      new java.util.concurrent.atomic.LongAdder();

  /** The thread that runs the loop now, or {@code null}. */
  private volatile Thread owner;
  /** The waiter that gave the role up last (its own tasks wait for its next wait). */
  private volatile Thread lessee;
  /**
   * How many times waiters have given the role up: written by the holder before it gives the
   * role up (so a home thread that sees the role free sees the count), read by the home thread
   * as a hint only.
   */
  private long waiterReleases;
  /** When a waiter last gave the role up ({@link System#nanoTime()}). */
  private volatile long releasedAt;
  /**
   * The home thread sleeps until a waiter gives the role up ({@link #release} unparks it): set
   * while a waiter has held the role for a whole grace period.
   */
  private volatile boolean homeAwaitsRelease;
  /**
   * A task was queued for the home thread to run on a free loop (by a thread other than the
   * waiter that gave the loop up last, whose own tasks wait for its next wait): take it back.
   */
  private volatile boolean taskForHome;
  /** A waiter asks the home thread to give the role up. */
  private volatile boolean handoverWanted;
  /**
   * How many threads are in {@link #driveUntil} now (driving, parked, or about to be). A waiter
   * drives only while it is the only one: see {@link #driveUntil}.
   */
  private volatile int waitingThreads;
  private volatile int state = STARTED;
  private volatile long quietPeriodNanos;
  private volatile long shutdownTimeoutNanos;
  /** The small write buffer kept for this loop's connections (by whoever runs the loop). */
  private final SpareBatchBuffer spareBatchBuffer = new SpareBatchBuffer();

  // owner-confined
  /** What the driving waiter waits for ({@code null} on the home thread). */
  private java.util.concurrent.Future<?> driveDone;
  private boolean initialized;
  private long shutdownStartedAt;
  private long lastTaskAt;

  // home-thread confined
  /**
   * How long after a waiter's release the home thread looks again: one grace period at first,
   * doubled at each look that finds the loop given up and taken again since the previous look
   * (a thread calling in a sequence), up to {@link #MAX_LOOK_GRACES} grace periods; back to one
   * grace period when the home thread takes the loop back.
   */
  private long lookNanos;
  /** {@link #waiterReleases} at the home thread's previous look. */
  private long lastLookReleases;
  /** How many times the home thread has woken from a timed sleep to look (home-confined). */
  private long looks;
  /** {@link #looks}, published for tests. */
  private volatile long homeLooks;
  /** {@link #lookNanos}, published for tests. */
  private volatile long publishedLookNanos;

  /**
   * A loop over a new I/O handler from {@code factory}, whose home thread (a daemon called
   * {@code name}) starts now.
   *
   * @param name the home thread's name
   * @param factory the I/O handler's factory (epoll or NIO)
   */
  public DrivenIoEventLoop(String name, IoHandlerFactory factory) {
    this(name, factory, GRACE_NANOS);
  }

  /**
   * A loop whose home thread leaves a loop that a waiter gave up for {@code graceNanos} (tests).
   */
  DrivenIoEventLoop(String name, IoHandlerFactory factory, long graceNanos) {
    this(name, factory, graceNanos, MAX_DRIVE_SLICE_NANOS, MAX_WAITERS_DRIVING);
  }

  /**
   * A loop as above whose parked waiters also wake every {@code parkSliceNanos} to look again
   * (tests: a long slice, so that only a hand-over wakes them), and whose waiters drive while at
   * most {@code maxWaitersDriving} threads wait.
   */
  DrivenIoEventLoop(String name, IoHandlerFactory factory, long graceNanos,
      long parkSliceNanos, int maxWaitersDriving) {
    this.parkSliceNanos = parkSliceNanos;
    this.maxWaitersDriving = Math.max(1, maxWaitersDriving);
    this.graceNanos = Math.max(0, graceNanos);
    look(this.graceNanos);
    this.handler = factory.newHandler(this);
    this.callersDrive = CALLER_DRIVES && factory.isChangingThreadSupported();
    this.answerYield = YIELD_AFTER_REPLY ? new AnswerYield() : null;
    this.replySpin = ReplySpin.create(SPIN_AFTER_REPLY_MICROS);
    this.callSpin = ReplySpin.create(SPIN_FOR_REPLY_MICROS);
    this.spinPoll = replySpin == null ? null : this::spinPollOnce;
    this.callPoll = callSpin == null ? null : this::callPollOnce;
    this.home = new DefaultThreadFactory(name, true).newThread(this::homeRun);
    this.owner = home; // the home thread holds the role from the start
    home.start();
  }

  /**
   * The loop's own thread.
   *
   * @return the home thread
   */
  public Thread homeThread() {
    return home;
  }

  // ------------------------------------------------------------------ the role

  @Override
  public boolean isDriving(Thread thread) {
    return owner == thread;
  }

  @Override
  public boolean inEventLoop(Thread thread) {
    return owner == thread;
  }

  private boolean acquire(Thread t) {
    return OWNER.compareAndSet(this, null, t);
  }

  /** Gives the role up (by its holder {@code t}) and wakes whoever must take it next. */
  private void release(Thread t) {
    if (t != home) {
      lessee = t;
      waiterReleases++;
    }
    releasedAt = System.nanoTime(); // the home thread, too, leaves a handed-over loop a while
    owner = null;
    // threads still waiting (a driving waiter counted itself out): too many -> the home thread
    // takes the loop for them all (see driveUntil); else one of them drives
    boolean crowded = t != home && waitingThreads > maxWaitersDriving;
    if (!crowded && !waiters.isEmpty()) { // read after owner is written: see driveUntil
      wakeNextWaiter();
    }
    if (t != home && (crowded || homeAwaitsRelease || !tasks.isEmpty() || state != STARTED)) {
      if (crowded || !tasks.isEmpty()) {
        taskForHome = true;
      }
      LockSupport.unpark(home);
    }
  }

  /**
   * Wakes the oldest parked waiter (not the caller) that still waits, to take the free loop: one
   * thread, not every waiter (with many threads calling at once, waking them all on every
   * release cost each a wake-up, a failed take and a park again). Waiters whose futures are
   * complete were woken by the completion ({@link #watch}) and are leaving; if the one woken
   * here leaves instead of taking the loop (its reply came meanwhile), it wakes the next as it
   * goes ({@link #driveUntil}).
   */
  private void wakeNextWaiter() {
    Thread me = Thread.currentThread();
    for (Waiter w : waiters) {
      if (w.thread() != me && !w.done().isDone()) {
        LockSupport.unpark(w.thread());
        return;
      }
    }
  }

  /** A thread parked in {@link #driveUntil} and the future it waits for. */
  private record Waiter(Thread thread, java.util.concurrent.Future<?> done) {}

  private void homeRun() {
    // whether to take a free loop now: not on every wake-up, which may fall between two calls of
    // a thread calling in a sequence (taking the loop then would cost it a hand-over)
    boolean takeBack = true;
    for (;;) {
      Thread me = home;
      if (owner == me || (takeBack && acquire(me))) {
        try {
          while (!handoverWanted || state != STARTED) {
            int work = runOnce(Long.MAX_VALUE);
            if (replySpin != null) {
              replySpin.turnDone(work);
            }
            if (answerYield != null) {
              answerYield.afterTurn(); // a peer we preempted on this CPU finishes its writes
            }
            if (replySpin != null) {
              replySpin.afterTurn(spinPoll); // the peer's next call, before we sleep
            }
            if (state == TERMINATED) {
              return;
            }
          }
        } catch (Throwable e) {
          failed(e, "event loop {} failed");
          takeBack = true;
          continue;
        } finally {
          if (owner == me) {
            handoverWanted = false;
            release(me);
            lastLookReleases = waiterReleases;
            look(graceNanos);
          }
        }
      }
      takeBack = false;
      if (state == TERMINATED) {
        return;
      }
      Thread o = owner;
      long idle = System.nanoTime() - releasedAt;
      long releases = waiterReleases;
      boolean sequence = releases - lastLookReleases >= 2;
      lastLookReleases = releases;
      if (sequence) {
        // waiters gave the loop up and took it again since our last look: a thread calls in a
        // sequence, and drives the loop itself; look less often (each look costs a wake-up)
        look(Math.min(lookNanos * 2, graceNanos * MAX_LOOK_GRACES));
      }
      long wait;
      if (o == null) {
        if (taskForHome || state != STARTED || idle >= graceNanos) {
          look(graceNanos);
          taskForHome = false; // cleared before we take the loop: a later task sets it again
          takeBack = true;
          continue; // take the loop back
        }
        wait = Math.max(graceNanos, lookNanos) - idle;
      } else if (idle >= graceNanos && state == STARTED) {
        // a waiter has held the loop for a whole grace period (a long call): instead of a timer
        // every grace period, sleep until it gives the role up (release() reads the flag after
        // it writes owner; we read owner after we write the flag: one of us sees the other)
        homeAwaitsRelease = true;
        if (owner == o && state == STARTED) {
          LockSupport.park(this);
        }
        homeAwaitsRelease = false;
        continue;
      } else {
        // a waiter drives between releases: look again a look interval after the last one
        long look = Math.max(graceNanos, lookNanos);
        wait = idle < look ? look - idle : look;
      }
      LockSupport.parkNanos(this, Math.max(wait, 1000));
      homeLooks = ++looks;
    }
  }

  @Override
  public void driveUntil(java.util.concurrent.Future<?> done, boolean timed, long deadlineNanos,
      boolean interruptible) {
    Thread me = Thread.currentThread();
    if (!callersDrive || me == home || DRIVING.get() != null || isVirtual(me)) {
      return;
    }
    Waiter registered = null;
    boolean watching = false;
    boolean counted = false;
    try {
      while (!done.isDone() && state == STARTED) {
        if (!counted) {
          WAITING.incrementAndGet(this); // (drive() counts us out before it gives the loop up)
          counted = true;
        }
        if (me.isInterrupted()) {
          return; // parking and NIO's select would return at once: wait as usual instead
        }
        long left = timed ? deadlineNanos - System.nanoTime() : Long.MAX_VALUE;
        if (left <= 0) {
          return;
        }
        if (!watching) {
          // whoever completes done on another thread wakes us: parked, or asleep in I/O
          watching = true;
          watch(done, me);
        }
        // A waiter drives only while few threads wait (maxWaitersDriving, twice the CPUs).
        // Driving saves the caller of a sequence two hand-offs per call; with many threads
        // waiting, each must be woken for its reply anyway, and a driver that the scheduler
        // preempts for the others (more threads than CPUs) stalls everyone's I/O: the home
        // thread, which does nothing else, runs the loop (12 threads calling at once on one
        // CPU: 49k -> 84k calls/s, p99 3.8 -> 0.9 ms; with 4 threads on two CPUs, waiters that
        // drive did 55-63k calls/s against 38-43k).
        boolean few = waitingThreads <= maxWaitersDriving;
        if (few && acquire(me)) {
          // the common case, a free loop: no registration as a waiter (nothing to wake us for)
          counted = false;
          drive(me, done, timed, deadlineNanos);
          continue;
        }
        if (registered == null) {
          // register, then try again before parking: a holder that gives the role up after our
          // failed attempt either sees us in waiters (and unparks us, or an older waiter that
          // wakes the next if it leaves) or left it free for the attempt below
          registered = new Waiter(me, done);
          waiters.add(registered);
          continue;
        }
        Thread o = owner;
        if (o == home) {
          if (few) {
            handoverWanted = true;
            handler.wakeup();
          }
        } else if (o == null && !few) {
          taskForHome = true; // many wait, nobody runs the loop: the home thread takes it
          LockSupport.unpark(home);
        }
        long slice = timed ? Math.min(left, parkSliceNanos) : parkSliceNanos;
        long parkedAt = System.nanoTime();
        LockSupport.parkNanos(this, slice);
        if (System.nanoTime() - parkedAt < slice) {
          waiterWakeups.increment(); // woken (or a spurious return), not the slice's end
        }
      }
    } finally {
      if (counted) {
        WAITING.decrementAndGet(this);
      }
      if (registered != null) {
        waiters.remove(registered);
        if (owner == null && !waiters.isEmpty()) {
          // we may have been the one woken to take the free loop, and leave instead: pass the
          // wake-up on (read after our removal: a holder releasing now wakes one of the rest),
          // to the home thread if too many still wait (as release() does)
          if (waitingThreads > maxWaitersDriving) {
            taskForHome = true;
            LockSupport.unpark(home);
          } else {
            wakeNextWaiter();
          }
        }
      }
    }
  }

  /**
   * Wakes {@code waiter} when {@code done} is completed by another thread: unparks it, and wakes
   * the I/O handler if {@code waiter} sleeps in it as the loop's driver.
   */
  private void watch(java.util.concurrent.Future<?> done, Thread waiter) {
    if (done instanceof java.util.concurrent.CompletableFuture) {
      ((java.util.concurrent.CompletableFuture<?>) done).whenComplete((r, e) -> {
        if (Thread.currentThread() != waiter) {
          LockSupport.unpark(waiter);
          if (owner == waiter) {
            handler.wakeup(); // completed by another thread while we sleep in I/O
          }
        }
      });
    }
  }

  /** Runs the loop as {@code me}, which holds the role, until {@code done}; then gives it up. */
  private void drive(Thread me, java.util.concurrent.Future<?> done, boolean timed,
      long deadlineNanos) {
    DRIVING.set(this);
    driveDone = done;
    try {
      // first what is queued (our call, most likely): then the I/O handler may sleep at once
      tasksOnly();
      if (callSpin != null && !done.isDone()) {
        callSpin.answered(); // our call is written: poll a short while for its reply
        callSpin.afterTurn(callPoll);
      }
      while (!done.isDone() && state == STARTED && !me.isInterrupted()) {
        long slice = MAX_DRIVE_SLICE_NANOS;
        if (timed) {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            break;
          }
          slice = Math.min(slice, left);
        }
        runOnce(slice);
      }
      if (callSpin != null && done.isDone()) {
        callSpin.turnDone(1); // if it slept for the reply: how long that took
      }
      if (state == STARTED) {
        tasksOnly(); // what is queued now before giving up (flushes are held: see Flush)
      }
    } catch (Throwable e) {
      failed(e, "event loop {} failed on a waiting thread");
    } finally {
      driveDone = null;
      // set, not remove: a removed entry is made anew (a weak reference) by the next get
      DRIVING.set(null);
      // no longer waiting (or, after a failure, until driveUntil counts us again): counted out
      // before the release decides who runs the loop next
      WAITING.decrementAndGet(this);
      release(me);
    }
  }

  private static final java.lang.invoke.MethodHandle IS_VIRTUAL = isVirtualHandle();

  private static java.lang.invoke.MethodHandle isVirtualHandle() {
    try {
      return java.lang.invoke.MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
          java.lang.invoke.MethodType.methodType(boolean.class));
    } catch (ReflectiveOperationException e) {
      return null; // JDK 17-20: no virtual threads
    }
  }

  /**
   * Whether {@code t} is a virtual thread (JDK 21+): it does not drive, since sleeping in the
   * I/O handler's native wait would pin its carrier thread; it parks as before.
   */
  private static boolean isVirtual(Thread t) {
    if (IS_VIRTUAL == null) {
      return false;
    }
    try {
      return (boolean) IS_VIRTUAL.invokeExact(t);
    } catch (Throwable e) {
      return false;
    }
  }

  /**
   * Notes that the current turn wrote a reply to a peer (a transport's {@code sendReply}, on the
   * loop): the home thread may yield after it ({@link AnswerYield}; TCP only) and spin
   * ({@link ReplySpin}). Only the home thread's turns count; a driving waiter's are ignored.
   */
  void replyWritten(boolean tcp) {
    if (Thread.currentThread() != home) {
      return;
    }
    if (answerYield != null && tcp) {
      answerYield.answered();
    }
    if (replySpin != null) {
      replySpin.answered();
    }
  }

  /**
   * Notes that the current turn wrote a call or a bootstrap to a peer (a transport's
   * {@code sendCall}, on the loop): the home thread may spin for its answer ({@link ReplySpin},
   * unless {@code -Dcapnp.net.spinAfterCall=false}), as a loop whose code chains its calls
   * (each answer sends the next) does. Only the home thread's turns count, and only while no
   * thread waits in {@link #driveUntil}: a waiter that drives writes its own calls (its spin
   * for the reply is {@code -Dcapnp.net.spinForReplyMicros}), and where the home thread writes
   * the calls of threads that wait (more of them than {@link #MAX_WAITERS_DRIVING}), those
   * threads need the CPUs when their answers come, and a spin would hold one.
   */
  void callWritten() {
    if (SPIN_AFTER_CALL && replySpin != null && waitingThreads == 0
        && Thread.currentThread() == home) {
      replySpin.answered();
    }
  }

  /** How many times the home thread has woken from a timed sleep to look at the loop (tests). */
  long homeLooks() {
    return homeLooks;
  }

  /** Sets {@link #lookNanos} (on the home thread, or before it starts). */
  private void look(long nanos) {
    lookNanos = nanos;
    publishedLookNanos = nanos;
  }

  /** The home thread's look interval now (tests). */
  long lookNanos() {
    return publishedLookNanos;
  }

  /**
   * One poll of a spin after a reply (home thread, holding the role): handles what is ready
   * without sleeping; true if it did anything, or if the loop must stop spinning (a waiter wants
   * the role, shut-down).
   */
  private boolean spinPollOnce() {
    return handoverWanted || state != STARTED || runOnce(0) > 0;
  }

  /**
   * One poll of a driving waiter's spin for its reply: handles what is ready without sleeping;
   * true once the reply is in, or if the waiter must stop spinning (shut-down, an interrupt).
   */
  private boolean callPollOnce() {
    java.util.concurrent.Future<?> d = driveDone;
    if (d == null || d.isDone() || state != STARTED || Thread.currentThread().isInterrupted()) {
      return true;
    }
    runOnce(0);
    return d.isDone();
  }

  /**
   * How many times threads parked in {@link #driveUntil} were woken before their slice ended
   * (tests).
   */
  long waiterWakeups() {
    return waiterWakeups.sum();
  }

  /**
   * How many threads are parked in {@link #driveUntil} or about to park there, not counting a
   * registered waiter that took the loop (tests).
   */
  int parkedWaiters() {
    Thread o = owner;
    return (int) waiters.stream().filter(w -> w.thread() != o).count();
  }

  /** How many spins for their replies driving waiters have started (tests). */
  long callSpins() {
    return callSpin == null ? 0 : callSpin.spins();
  }

  /** How many spins after a reply the home thread has started (tests). */
  long replySpins() {
    return replySpin == null ? 0 : replySpin.spins();
  }

  /** How many times the home thread has yielded after a reply (tests). */
  long answerYields() {
    return answerYield == null ? 0 : answerYield.yields();
  }

  // ------------------------------------------------------------------ one turn

  /**
   * A flush of a transport's written messages (queued with {@link #execute}). A waiter that has
   * its reply holds it back for its own next call, or the grace period (see the class comment).
   */
  interface Flush extends Runnable {
  }

  /** Whether a flush run now would be held back: the driving waiter has its reply. */
  private boolean holdingFlushes() {
    java.util.concurrent.Future<?> d = driveDone;
    return d != null && state == STARTED && d.isDone();
  }

  /** Puts the held flushes back behind the queued tasks (unless they are still to be held). */
  private void requeueHeld() {
    if (!held.isEmpty() && !holdingFlushes()) {
      Runnable r;
      while ((r = held.poll()) != null) {
        tasks.add(r);
      }
    }
  }

  /**
   * Whether tasks are queued to run after the current one (on the loop: a transport's flush
   * steps behind them, {@code NettyTransport}).
   */
  boolean hasQueuedTasks() {
    return !tasks.isEmpty();
  }

  /** Whether flushes are held back now (for tests). */
  boolean hasHeldFlushes() {
    return !held.isEmpty();
  }

  /** One turn: I/O (sleeping at most {@code maxBlockNanos}, 0: not at all), then tasks. */
  private int runOnce(long maxBlockNanos) {
    if (!initialized) {
      initialized = true;
      handler.initialize();
    }
    requeueHeld();
    EventExecutor old = ThreadExecutorMap.setCurrentExecutor(this);
    try {
      if (state != STARTED) {
        shutdownTurn();
        return 0;
      }
      context.maxBlockNanos = maxBlockNanos;
      int io = handler.run(context);
      return io + runTasks();
    } finally {
      ThreadExecutorMap.setCurrentExecutor(old);
    }
  }

  /** Runs the queued tasks without asking the I/O handler (no system call when none is due). */
  private void tasksOnly() {
    if (!initialized || state != STARTED) {
      return;
    }
    EventExecutor old = ThreadExecutorMap.setCurrentExecutor(this);
    try {
      runTasks();
    } finally {
      ThreadExecutorMap.setCurrentExecutor(old);
    }
  }

  /**
   * Runs a task; what it throws is logged, and a fatal error ({@link EventLoop#isFatal}) is
   * also reported to {@link #onFatalError}. (Netty's {@code safeExecute}, used before, logged
   * every throwable as a warning and went on, so an {@code OutOfMemoryError} in a Netty task,
   * e.g. a flush, left a vat running in an unknown state; and when the log line itself ran out
   * of memory, the error escaped and ended the loop's thread: a server that served no one.)
   */
  private void runGuarded(Runnable r) {
    try {
      r.run();
    } catch (Throwable e) {
      failed(e, "a task of event loop {} failed");
    }
  }

  private volatile Consumer<Throwable> fatalHandler;

  /**
   * Sets what happens when a task or the I/O of this loop throws a fatal error
   * ({@link EventLoop#isFatal}: the JVM ran out of memory or broke down): the vat stops. Other
   * throwables are logged and the loop goes on. The handler runs on the thread that met the
   * error and must not block.
   *
   * @param handler called with the fatal error
   */
  public void onFatalError(Consumer<Throwable> handler) {
    this.fatalHandler = handler;
  }

  /**
   * A throwable caught on a thread driving this loop: reported if fatal, logged; nothing thrown
   * from here (the log itself may fail when memory is exhausted), so the thread goes on.
   */
  private void failed(Throwable e, String message) {
    if (EventLoop.isFatal(e)) {
      Consumer<Throwable> h = fatalHandler;
      if (h != null) {
        try {
          h.accept(e);
        } catch (Throwable ignored) {
          // (the handler failing too: nothing more can be done here)
        }
      }
    }
    try {
      LOG.error(message, home.getName(), e);
    } catch (Throwable ignored) {
      // logging may fail when memory is exhausted
    }
  }

  /** Runs the due timers and the queued tasks (at most 1,024, then I/O gets a turn). */
  private int runTasks() {
    requeueHeld();
    fetchFromScheduledTaskQueue(tasks);
    int n = 0;
    Runnable r;
    while (n < 1024 && (r = tasks.poll()) != null) {
      if (r instanceof Flush && holdingFlushes()) {
        held.add(r);
        continue;
      }
      runGuarded(r);
      n++;
    }
    return n;
  }

  private final class Context implements IoHandlerContext {
    long maxBlockNanos;

    @Override
    public boolean canBlock() {
      return maxBlockNanos > 0 && tasks.isEmpty() && !hasScheduledTasks();
    }

    @Override
    public long delayNanos(long currentTimeNanos) {
      return Math.min(maxBlockNanos,
          DrivenIoEventLoop.this.delayNanos(currentTimeNanos, maxBlockNanos));
    }

    @Override
    public long deadlineNanos() {
      long next = nextScheduledTaskDeadlineNanos();
      if (maxBlockNanos == Long.MAX_VALUE) {
        return next;
      }
      long now = getCurrentTimeNanos();
      if (next == -1 || next - now > maxBlockNanos) {
        return now + maxBlockNanos;
      }
      return next;
    }
  }

  // ------------------------------------------------------------------ tasks

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    Thread t = Thread.currentThread();
    if (state >= SHUTDOWN && owner != t) {
      throw new RejectedExecutionException("event loop " + home.getName() + " is shut down");
    }
    tasks.add(task);
    Thread o = owner;
    if (o == t) {
      return;
    }
    if (o != null) {
      handler.wakeup(); // the holder sleeps in I/O, or checks the queue before it does
      return;
    }
    if (t == lessee && state == STARTED) {
      return; // its next wait runs it (or the home thread, after the grace period)
    }
    taskForHome = true;
    LockSupport.unpark(home);
  }

  // ------------------------------------------------------------------ Netty plumbing

  @Override
  public DrivenIoEventLoop next() {
    return this;
  }

  @Override
  public IoEventLoopGroup parent() {
    return null;
  }

  @SuppressWarnings("deprecation")
  @Override
  public ChannelFuture register(Channel channel) {
    return register(new DefaultChannelPromise(channel, this));
  }

  @SuppressWarnings("deprecation")
  @Override
  public ChannelFuture register(ChannelPromise promise) {
    Objects.requireNonNull(promise, "promise");
    promise.channel().unsafe().register(this, promise);
    return promise;
  }

  @SuppressWarnings("deprecation")
  @Override
  public ChannelFuture register(Channel channel, ChannelPromise promise) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(promise, "promise");
    channel.unsafe().register(this, promise);
    return promise;
  }

  @Override
  public Future<IoRegistration> register(IoHandle handle) {
    Promise<IoRegistration> promise = newPromise();
    if (inEventLoop()) {
      registerNow(handle, promise);
    } else {
      execute(() -> registerNow(handle, promise));
    }
    return promise;
  }

  private void registerNow(IoHandle handle, Promise<IoRegistration> promise) {
    try {
      promise.setSuccess(handler.register(handle));
    } catch (Exception e) {
      promise.setFailure(e);
    }
  }

  @Override
  public boolean isCompatible(Class<? extends IoHandle> handleType) {
    return handler.isCompatible(handleType);
  }

  @Override
  public boolean isIoType(Class<? extends IoHandler> handlerType) {
    return handler.getClass().equals(handlerType);
  }

  // ------------------------------------------------------------------ shut-down

  @Override
  public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
    if (quietPeriod < 0 || timeout < quietPeriod) {
      throw new IllegalArgumentException("quietPeriod " + quietPeriod + ", timeout " + timeout);
    }
    beginShutdown(unit.toNanos(quietPeriod), unit.toNanos(timeout), SHUTTING_DOWN);
    return termination;
  }

  @Deprecated
  @Override
  public void shutdown() {
    beginShutdown(0, 0, SHUTDOWN);
  }

  private synchronized void beginShutdown(long quiet, long timeout, int newState) {
    if (state >= newState) {
      return;
    }
    if (state == STARTED) {
      quietPeriodNanos = quiet;
      shutdownTimeoutNanos = timeout;
    }
    state = newState;
    handler.wakeup();
    LockSupport.unpark(home);
    for (Waiter w : waiters) {
      LockSupport.unpark(w.thread());
    }
  }

  /** A turn of the shut-down, on the holder (the home thread: waiters stop driving). */
  private void shutdownTurn() {
    long now = System.nanoTime();
    if (shutdownStartedAt == 0) {
      shutdownStartedAt = now;
      lastTaskAt = now;
    }
    int ran = runTasks();
    handler.prepareToDestroy();
    if (ran > 0) {
      lastTaskAt = System.nanoTime();
    }
    now = System.nanoTime();
    boolean quiet = now - lastTaskAt >= quietPeriodNanos;
    if (state >= SHUTDOWN || quiet || now - shutdownStartedAt >= shutdownTimeoutNanos) {
      cancelScheduledTasks();
      try {
        handler.destroy();
        while (runTasks() > 0) {
          // tasks queued by the channels' closing
        }
      } finally {
        spareBatchBuffer.release();
        if (replySpin != null) {
          replySpin.close(); // its pressure file (home thread: the spin's own thread)
        }
        if (callSpin != null) {
          callSpin.close(); // no waiter drives any more
        }
        state = TERMINATED;
        termination.trySuccess(null);
      }
      return;
    }
    // still quiet-waiting: keep the I/O going (channels closing) for a short while
    context.maxBlockNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(10),
        Math.max(1, quietPeriodNanos - (now - lastTaskAt)));
    handler.run(context);
  }

  /**
   * The small write buffer kept for this loop's connections ({@link FrameEncoder}); used only by
   * whoever runs the loop.
   */
  SpareBatchBuffer spareBatchBuffer() {
    return spareBatchBuffer;
  }

  @Override
  public Future<?> terminationFuture() {
    return termination;
  }

  @Override
  public boolean isShuttingDown() {
    return state >= SHUTTING_DOWN;
  }

  @Override
  public boolean isShutdown() {
    return state >= SHUTDOWN;
  }

  @Override
  public boolean isTerminated() {
    return state == TERMINATED;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return termination.await(timeout, unit);
  }

  @Override
  public String toString() {
    return "DrivenIoEventLoop(" + home.getName() + ")";
  }
}
