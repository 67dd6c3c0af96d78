package dev.capnp.net.transport;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

/**
 * When a thread that runs a vat's loop polls its I/O without sleeping for a short while after it
 * sent a peer something the peer answers, instead of going to sleep in {@code epoll_wait} at once
 * (issue 12; see {@code benchmarks/README.md}, "Spinning before sleeping" and "The server's spin
 * on by default"): the home thread after a turn that wrote a reply (the peer's next call
 * follows) or a call of its own (its answer follows; {@link DrivenIoEventLoop#callWritten}),
 * on by default ({@link DrivenIoEventLoop#SPIN_AFTER_REPLY_MICROS}), a waiter that drives the
 * loop after it wrote its call (its reply follows; off by default).
 *
 * <p>Why: a peer that calls one call at a time sends its next call soon after our reply reaches
 * it, and a peer we call answers soon after our call reaches it. A thread asleep in
 * {@code epoll_wait} is woken by that message; on another CPU the wake-up is a costly step of
 * the round trip on a virtual machine (an idle virtual CPU halts, and the wake-up goes through
 * the hypervisor). A thread that is still polling when the message arrives reads it at once.
 * The price is the CPU of the spin (up to the window per reply); calls that come back to back
 * cost no more CPU with it than without (the wake-up it saves costs CPU too).
 *
 * <p>When: only after a turn that wrote a reply or a call ({@link #answered}), only where this
 * process may run on more than one CPU (checked once, {@link Runtime#availableProcessors}: on one
 * CPU a spin takes the time the peer needs to answer), and only while spins pay:
 * <ul>
 *   <li>A score (0 to {@value #MAX_SCORE}) of the recent gaps between a reply and the next turn
 *       with work, spun or slept: a gap within the window (the longest spin) counts up, a
 *       longer one (or a spin that ran out) counts down; it spins while the score is at least
 *       {@value #SPIN_SCORE}. A peer that thinks between calls, or none, costs at most a few
 *       windows of CPU, then nothing (a clock read per reply).</li>
 *   <li>A spin that was kept off the CPU (two polls further apart than
 *       {@link #PREEMPTED_NANOS}: another thread wanted this CPU) stops, and no spin starts for a
 *       back-off that starts at {@link #MIN_BACKOFF_NANOS}, doubles with each such spin up to
 *       {@link #MAX_BACKOFF_NANOS} and halves with each spin that finds work. So a machine
 *       whose CPUs are all busy sees at most one preempted spin per back-off.</li>
 *   <li>Not while threads of the machine have lately waited for a CPU ({@link CpuPressure},
 *       read at most once a millisecond): then a spin holds a CPU that another thread waits
 *       for. Twelve threads making blocking calls on two CPUs ran 13-15 % slower with spins
 *       that did not look.</li>
 * </ul>
 * A busy server never spins for long: its next poll finds work.
 *
 * <p>How: each poll is a system call ({@code epoll_wait} with no timeout), so a spin does not poll
 * without pause: it polls at once, then waits (on the CPU, {@link Thread#onSpinWait}) between
 * polls for {@link #FIRST_POLL_INTERVAL_NANOS}, doubling up to {@link #MAX_POLL_INTERVAL_NANOS}:
 * a message that arrives early is seen within a microsecond or two, a later one within the
 * longest interval, and a spin of 20 µs costs about 8 system calls instead of 30-40.
 *
 * <p>Threading: confined to the thread that holds the loop (one policy for the home thread, one
 * shared by the waiters that drive the loop, whose hand-overs of the role order their uses).
 */
final class ReplySpin {
  /** Two polls further apart than this (ns): the spinning thread was kept off the CPU. */
  static final long PREEMPTED_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
  /** The first back-off after a preempted spin (ns). */
  static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** The longest back-off (ns). */
  static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** The wait before the second poll of a spin (ns); it doubles for each later one. */
  static final long FIRST_POLL_INTERVAL_NANOS = 500;
  /** The longest wait between two polls of a spin (ns). */
  static final long MAX_POLL_INTERVAL_NANOS = TimeUnit.MICROSECONDS.toNanos(
      Math.max(0, Long.getLong("capnp.net.spinPollMaxMicros", 4)));
  /** The highest score. */
  static final int MAX_SCORE = 3;
  /** The lowest score that spins. */
  static final int SPIN_SCORE = 2;

  private final LongSupplier clock;
  /** Whether the CPUs were contended lately, given the time now ({@link CpuPressure}). */
  private final LongPredicate contended;
  private final long windowNanos;
  /** The longest wait between polls (ns); 0: poll without pause. */
  private final long maxPollIntervalNanos;
  private boolean answered;
  /** When the last reply turn ended without a spin (0: no gap being measured). */
  private long sleptAt;
  private int score;
  private long backoffNanos;
  /** No spins before this time (while {@link #backoffNanos} is not 0). */
  private long quietUntil;
  private long spins;
  private long hits;

  /**
   * The policy to use: {@code null} (no spins) if {@code windowMicros} is 0 or this process may
   * run on one CPU only.
   *
   * @param windowMicros the window in microseconds ({@code -Dcapnp.net.spinAfterReplyMicros} or
   *     {@code -Dcapnp.net.spinForReplyMicros})
   * @return the policy, or {@code null}
   */
  static ReplySpin create(long windowMicros) {
    if (windowMicros <= 0 || Runtime.getRuntime().availableProcessors() < 2) {
      return null;
    }
    return new ReplySpin(System::nanoTime, TimeUnit.MICROSECONDS.toNanos(windowMicros),
        MAX_POLL_INTERVAL_NANOS, new CpuPressure());
  }

  /**
   * A policy over {@code clock} (nanoseconds) that spins up to {@code windowNanos} and polls
   * without pause (tests).
   *
   * @param clock the time in nanoseconds
   * @param windowNanos the longest spin
   */
  ReplySpin(LongSupplier clock, long windowNanos) {
    this(clock, windowNanos, 0, now -> false);
  }

  /**
   * A policy over {@code clock} (nanoseconds) that spins up to {@code windowNanos}, waits up to
   * {@code maxPollIntervalNanos} between two polls (0: none), and does not spin while
   * {@code contended} (given the time now) says the CPUs are contended.
   *
   * @param clock the time in nanoseconds
   * @param windowNanos the longest spin
   * @param maxPollIntervalNanos the longest wait between polls
   * @param contended whether the CPUs were contended lately
   */
  ReplySpin(LongSupplier clock, long windowNanos, long maxPollIntervalNanos,
      LongPredicate contended) {
    if (windowNanos <= 0) {
      throw new IllegalArgumentException("spin window must be positive, got " + windowNanos);
    }
    if (maxPollIntervalNanos < 0) {
      throw new IllegalArgumentException(
          "poll interval must not be negative, got " + maxPollIntervalNanos);
    }
    this.clock = clock;
    this.windowNanos = windowNanos;
    this.maxPollIntervalNanos = maxPollIntervalNanos;
    this.contended = contended;
  }

  /** Notes that the current turn wrote a reply (or a waiter's call) to a peer (on the loop). */
  void answered() {
    answered = true;
  }

  /**
   * After a turn of the home thread that may have slept: if the previous reply turn went to
   * sleep without spinning, scores the gap from then to this turn (if it did work).
   *
   * @param work how many I/O events and tasks the turn handled
   */
  void turnDone(int work) {
    if (sleptAt == 0 || work == 0) {
      return;
    }
    score(clock.getAsLong() - sleptAt <= windowNanos);
    sleptAt = 0;
  }

  /**
   * At the end of a turn of the home thread: if the turn answered a peer and spins pay, polls
   * with {@code poll} (which handles what is ready without sleeping and says whether it did
   * anything, or whether the loop must stop spinning) until it does, the window is over or the
   * thread was kept off the CPU. Forgets the turn either way.
   *
   * @param poll one non-blocking poll of the loop; {@code true}: it did work (or must stop)
   */
  void afterTurn(BooleanSupplier poll) {
    while (answered) { // again after a poll that answered the next call
      answered = false;
      long start = clock.getAsLong();
      sleptAt = 0;
      if (score < SPIN_SCORE || (backoffNanos != 0 && start - quietUntil < 0)
          || contended.test(start)) {
        sleptAt = start; // the caller sleeps now: the next turn with work tells the gap
        return;
      }
      spins++;
      if (!spin(poll, start)) {
        return;
      }
    }
  }

  /** One spin from {@code start}: true if a poll did work within the window. */
  private boolean spin(BooleanSupplier poll, long start) {
    long last = start;
    long interval = Math.min(FIRST_POLL_INTERVAL_NANOS, maxPollIntervalNanos);
    for (;;) {
      if (poll.getAsBoolean()) {
        hits++;
        score(true);
        backoffNanos = backoffNanos / 2 < MIN_BACKOFF_NANOS ? 0 : backoffNanos / 2;
        return true;
      }
      long now = clock.getAsLong();
      long nextPoll = now + interval;
      interval = Math.min(interval * 2, maxPollIntervalNanos);
      for (;;) { // until the next poll: a wait on the CPU, no system call
        if (now - last > PREEMPTED_NANOS) {
          backoffNanos =
              Math.min(MAX_BACKOFF_NANOS, Math.max(MIN_BACKOFF_NANOS, backoffNanos * 2));
          quietUntil = now + backoffNanos;
          return false;
        }
        if (now - start >= windowNanos) {
          score(false);
          return false;
        }
        last = now;
        if (now - nextPoll >= 0) {
          break;
        }
        Thread.onSpinWait();
        now = clock.getAsLong();
      }
    }
  }

  private void score(boolean shortGap) {
    score = shortGap ? Math.min(MAX_SCORE, score + 1) : Math.max(0, score - 1);
  }

  /** Releases what the policy holds (its {@link CpuPressure} file); it spins no more after. */
  void close() {
    if (contended instanceof CpuPressure pressure) {
      pressure.close();
    }
  }

  /** How many spins started (tests, benchmarks). */
  long spins() {
    return spins;
  }

  /** How many spins found work within the window (tests, benchmarks). */
  long hits() {
    return hits;
  }

  /** The back-off in nanoseconds, 0 if none (tests). */
  long backoffNanos() {
    return backoffNanos;
  }

  /** The score now (tests). */
  int score() {
    return score;
  }
}
