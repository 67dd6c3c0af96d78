package dev.capnp.net.transport;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * When a vat's home thread gives the CPU away ({@link Thread#yield}) after a turn of its loop,
 * before it sleeps in I/O (issue 12; see {@code benchmarks/README.md}, "A server that yields
 * after it answers").
 *
 * <p>Why: a peer on the same CPU that writes a call and then, in a second write, the previous
 * call's {@code Finish} (the C++ client does) wakes us with its first write; the kernel often
 * lets us preempt it there, so we answer the call, sleep, and are woken again by the
 * {@code Finish}: two sleeps, two waits and two reads per call. Yielding after a turn that
 * answered a peer lets the peer finish its writes (and its next call) first, so that our next
 * turn reads them all. When nothing else is runnable on our CPU the yield returns at once (one
 * system call).
 *
 * <p>When: only after a turn that wrote a reply the peer is to {@code Finish} ({@link #answered};
 * {@link NettyTransport#finishFollowsReplies}: a peer that honours {@code noFinishNeeded} writes
 * nothing after a plain {@code Return} but its next call, and a yield would be a system call for
 * nothing), and only while yields are short. A yield that kept us off the CPU for longer than
 * {@link #LONG_YIELD_NANOS} gave it to other work than a peer finishing its writes (a CPU-bound
 * process sharing our CPU), which then delays every call by up to a scheduler slice; after such a yield we stop yielding for a back-off
 * period that doubles with each long yield ({@link #MIN_BACKOFF_NANOS} to
 * {@link #MAX_BACKOFF_NANOS}) and halves with each short one (below the minimum: none). So a
 * CPU-bound process that shares our CPU costs at most one long yield per back-off period.
 *
 * <p>Threading: confined to the home thread of one loop (the thread that holds the loop's role
 * when it calls {@link #answered}; waiters that drive the loop never yield).
 */
final class AnswerYield {
  /** A yield longer than this (ns) handed the CPU to other work than the peer. */
  static final long LONG_YIELD_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
  /** The first back-off after a long yield (ns). */
  static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** The longest back-off (ns). */
  static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final LongSupplier clock;
  private final Runnable yielder;
  private boolean answered;
  private long backoffNanos;
  /** No yields before this time (while {@link #backoffNanos} is not 0). */
  private long quietUntil;
  private long yields;

  /** A policy over {@link System#nanoTime} and {@link Thread#yield}. */
  AnswerYield() {
    this(System::nanoTime, Thread::yield);
  }

  /**
   * A policy over {@code clock} (nanoseconds) and {@code yielder} (tests).
   *
   * @param clock the time in nanoseconds
   * @param yielder gives the CPU away
   */
  AnswerYield(LongSupplier clock, Runnable yielder) {
    this.clock = clock;
    this.yielder = yielder;
  }

  /** Notes that the current turn wrote a reply to a peer (on the loop's thread). */
  void answered() {
    answered = true;
  }

  /**
   * At the end of a turn of the home thread: yields if the turn answered a peer and yields are
   * not backing off; forgets the turn either way.
   */
  void afterTurn() {
    if (!answered) {
      return;
    }
    answered = false;
    long start = clock.getAsLong();
    if (backoffNanos != 0 && start - quietUntil < 0) {
      return;
    }
    yielder.run();
    yields++;
    long end = clock.getAsLong();
    if (end - start > LONG_YIELD_NANOS) {
      backoffNanos = Math.min(MAX_BACKOFF_NANOS, Math.max(MIN_BACKOFF_NANOS, backoffNanos * 2));
      quietUntil = end + backoffNanos;
    } else {
      backoffNanos = backoffNanos / 2 < MIN_BACKOFF_NANOS ? 0 : backoffNanos / 2;
    }
  }

  /** How many times this policy has yielded (tests, benchmarks). */
  long yields() {
    return yields;
  }

  /** The back-off in nanoseconds, 0 if none (tests). */
  long backoffNanos() {
    return backoffNanos;
  }
}
