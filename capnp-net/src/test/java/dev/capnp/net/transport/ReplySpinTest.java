package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ReplySpin} over a fake clock: no spin until replies are followed by short gaps, a spin
 * that ends at the first poll with work (and goes on when that poll answered again), fewer spins
 * after spins that ran out, and a back-off after a spin that was kept off the CPU.
 */
class ReplySpinTest {
  private static final long WINDOW = micros(100);
  private long now = 1_000_000_000L;
  /** How long one empty poll takes (ns). */
  private long pollTakes = micros(1);
  /** The poll that finds work (1-based), 0: none does. */
  private int workAtPoll;
  /** Whether the poll that finds work answered the next call too. */
  private int answersAgain;
  private int polls;
  private final ReplySpin policy = new ReplySpin(() -> now, WINDOW);

  private static long micros(long us) {
    return TimeUnit.MICROSECONDS.toNanos(us);
  }

  private boolean poll() {
    polls++;
    now += pollTakes;
    if (workAtPoll != 0 && polls == workAtPoll) {
      if (answersAgain > 0) {
        answersAgain--;
        policy.answered();
        polls = 0; // the next spin counts its polls afresh
      }
      return true;
    }
    return false;
  }

  /** A reply turn, then (if it did not spin) a sleep of {@code gap} and a turn with work. */
  private void answeredTurnThenSleep(long gap) {
    polls = 0;
    policy.answered();
    policy.afterTurn(this::poll);
    now += gap;
    policy.turnDone(1);
  }

  /** Two short gaps after replies: the score that spins. */
  private void warmUp() {
    answeredTurnThenSleep(micros(30));
    answeredTurnThenSleep(micros(30));
    assertThat(policy.score()).isEqualTo(ReplySpin.SPIN_SCORE);
  }

  @Test
  void doesNotSpinUntilRepliesAreFollowedByShortGaps() {
    answeredTurnThenSleep(micros(30));
    assertThat(polls).isZero();
    assertThat(policy.score()).isEqualTo(1);
    answeredTurnThenSleep(micros(30));
    assertThat(polls).isZero();
    workAtPoll = 5;
    policy.answered();
    policy.afterTurn(this::poll);
    assertThat(polls).isEqualTo(5);
    assertThat(policy.spins()).isEqualTo(1);
    assertThat(policy.hits()).isEqualTo(1);
  }

  @Test
  void longGapsAfterRepliesNeverStartSpins() {
    for (int i = 0; i < 50; i++) {
      answeredTurnThenSleep(micros(500)); // a peer that thinks between calls
    }
    assertThat(policy.spins()).isZero();
    assertThat(policy.score()).isZero();
  }

  @Test
  void turnsWithoutAReplyNeitherSpinNorScore() {
    warmUp();
    policy.afterTurn(this::poll);
    assertThat(polls).isZero();
    now += micros(500);
    policy.turnDone(1); // no reply turn went to sleep before this one: nothing scored
    assertThat(policy.score()).isEqualTo(ReplySpin.SPIN_SCORE);
    now += micros(500);
    policy.turnDone(0); // a turn without work (a wake-up for nothing) scores nothing either
    assertThat(policy.score()).isEqualTo(ReplySpin.SPIN_SCORE);
  }

  @Test
  void spinsAgainWhenThePollAnsweredTheNextCall() {
    warmUp();
    workAtPoll = 3;
    answersAgain = 4; // the peer's next four calls arrive while we spin
    policy.answered();
    policy.afterTurn(this::poll);
    assertThat(policy.spins()).isEqualTo(5);
    assertThat(policy.hits()).isEqualTo(5);
  }

  @Test
  void spinsThatRunOutLowerTheScoreUntilNoneStarts() {
    warmUp();
    workAtPoll = 0; // the peer does not call again within the window
    polls = 0;
    long start = now;
    policy.answered();
    policy.afterTurn(this::poll);
    assertThat(now - start).isBetween(WINDOW, WINDOW + pollTakes); // bounded by the window
    assertThat(policy.spins()).isEqualTo(1);
    assertThat(policy.hits()).isZero();
    assertThat(policy.score()).isEqualTo(ReplySpin.SPIN_SCORE - 1);
    polls = 0;
    policy.answered();
    policy.afterTurn(this::poll);
    assertThat(polls).isZero(); // below the spinning score: it sleeps
    assertThat(policy.spins()).isEqualTo(1);
  }

  @Test
  void aSpinKeptOffTheCpuBacksOffForAPeriodThatDoublesWhileItHappens() {
    warmUp();
    workAtPoll = 1;
    answeredTurnThenSleep(0); // a spin that finds work: score 3
    assertThat(policy.score()).isEqualTo(ReplySpin.MAX_SCORE);
    workAtPoll = 0;
    polls = 0;
    pollTakes = micros(2000); // another thread had the CPU between two polls
    policy.answered();
    policy.afterTurn(this::poll);
    assertThat(polls).isEqualTo(1);
    assertThat(policy.backoffNanos()).isEqualTo(ReplySpin.MIN_BACKOFF_NANOS);
    // within the back-off: replies do not spin
    pollTakes = micros(1);
    now += ReplySpin.MIN_BACKOFF_NANOS - micros(100);
    polls = 0;
    policy.answered();
    policy.afterTurn(this::poll);
    assertThat(polls).isZero();
    policy.turnDone(1);
    // after it: a spin again, kept off the CPU again: twice the back-off
    now += micros(200);
    pollTakes = micros(2000);
    policy.answered();
    policy.afterTurn(this::poll);
    assertThat(polls).isEqualTo(1);
    assertThat(policy.backoffNanos()).isEqualTo(2 * ReplySpin.MIN_BACKOFF_NANOS);
    // never beyond the longest back-off
    for (int i = 0; i < 20; i++) {
      now += ReplySpin.MAX_BACKOFF_NANOS;
      policy.answered();
      policy.afterTurn(this::poll);
    }
    assertThat(policy.backoffNanos()).isEqualTo(ReplySpin.MAX_BACKOFF_NANOS);
    // spins that find work halve it, down to none
    pollTakes = micros(1);
    workAtPoll = 2;
    for (int i = 0; i < 20; i++) {
      now += ReplySpin.MAX_BACKOFF_NANOS;
      polls = 0;
      policy.answered();
      policy.afterTurn(this::poll);
    }
    assertThat(policy.backoffNanos()).isZero();
  }

  /**
   * Polls of one spin whose work arrives {@code arrivesAfter} ns after it starts, with a clock
   * that advances 100 ns at each read and polls that take 1 µs, under a policy that waits up to
   * {@code maxInterval} ns between polls.
   */
  private static int pollsUntilWork(long maxInterval, long arrivesAfter) {
    long[] clock = {0};
    ReplySpin p = new ReplySpin(() -> clock[0] += 100, micros(100), maxInterval, t -> false);
    for (int i = 0; i < ReplySpin.SPIN_SCORE; i++) { // short gaps: the score that spins
      p.answered();
      p.afterTurn(() -> true);
      p.turnDone(1);
    }
    int[] polls = {0};
    long start = clock[0];
    p.answered();
    p.afterTurn(() -> {
      polls[0]++;
      clock[0] += micros(1);
      return clock[0] - start >= arrivesAfter;
    });
    assertThat(p.spins()).isEqualTo(1);
    assertThat(p.hits()).isEqualTo(1);
    return polls[0];
  }

  @Test
  void pollsSoonAtFirstThenAtTheLongestInterval() {
    // without pause, a spin of 20 µs polls about 18 times (a poll takes 1 µs here); waiting up
    // to 4 µs between polls (500 ns, then doubling), about 6
    assertThat(pollsUntilWork(0, micros(20))).isGreaterThanOrEqualTo(15);
    assertThat(pollsUntilWork(micros(4), micros(20))).isBetween(4, 8);
    // a message that comes at once is still seen at the first or second poll
    assertThat(pollsUntilWork(micros(4), 0)).isEqualTo(1);
    assertThat(pollsUntilWork(micros(4), micros(1))).isEqualTo(1);
    assertThat(pollsUntilWork(micros(4), micros(2))).isEqualTo(2);
  }

  @Test
  void noSpinWhileTheCpusAreContended() {
    boolean[] contended = {true};
    long[] askedAt = {0};
    int[] polls = {0};
    ReplySpin p = new ReplySpin(() -> now, WINDOW, 0, t -> {
      askedAt[0] = t;
      return contended[0];
    });
    for (int i = 0; i < 4; i++) { // short gaps: the score would spin
      p.answered();
      p.afterTurn(() -> {
        polls[0]++;
        return true;
      });
      now += micros(10);
      p.turnDone(1);
    }
    assertThat(p.score()).isEqualTo(ReplySpin.MAX_SCORE);
    assertThat(p.spins()).isZero();
    assertThat(polls[0]).isZero();
    assertThat(askedAt[0]).isEqualTo(now - micros(10)); // asked with the time of the turn's end
    contended[0] = false;
    p.answered();
    p.afterTurn(() -> {
      polls[0]++;
      return true;
    });
    assertThat(p.spins()).isEqualTo(1);
    assertThat(polls[0]).isEqualTo(1);
  }

  @Test
  void aPollIntervalMustNotBeNegative() {
    assertThatThrownBy(() -> new ReplySpin(() -> now, WINDOW, -1, t -> false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("poll interval must not be negative");
  }

  @Test
  void aWindowMustBePositiveAndZeroMicrosMeansNoPolicy() {
    assertThatThrownBy(() -> new ReplySpin(() -> now, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spin window must be positive");
    assertThat(ReplySpin.create(0)).isNull();
  }
}
