package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link AnswerYield}: a yield after a turn that answered a peer, none after other turns, and a
 * back-off after yields that kept the thread off the CPU for long (a fake clock; the yield
 * "takes" as long as the test says).
 */
class AnswerYieldTest {
  private long now = 1_000_000_000L;
  private long yieldTakes;
  private int yielded;
  private final AnswerYield policy = new AnswerYield(() -> now, () -> {
    yielded++;
    now += yieldTakes;
  });

  private void answeredTurn() {
    policy.answered();
    policy.afterTurn();
  }

  private static long micros(long us) {
    return TimeUnit.MICROSECONDS.toNanos(us);
  }

  @Test
  void yieldsAfterATurnThatAnsweredAndOnlyThen() {
    policy.afterTurn();
    assertThat(yielded).isZero();
    answeredTurn();
    assertThat(yielded).isEqualTo(1);
    policy.afterTurn(); // the next turn answered nobody: the mark was for one turn
    assertThat(yielded).isEqualTo(1);
    answeredTurn();
    assertThat(yielded).isEqualTo(2);
    assertThat(policy.yields()).isEqualTo(2);
  }

  @Test
  void shortYieldsGoOnWithoutBackOff() {
    yieldTakes = micros(40); // the peer finishes its writes and its next call
    for (int i = 0; i < 100; i++) {
      answeredTurn();
    }
    assertThat(yielded).isEqualTo(100);
    assertThat(policy.backoffNanos()).isZero();
  }

  @Test
  void aLongYieldStopsYieldingForABackOffThatDoublesWhileYieldsStayLong() {
    yieldTakes = micros(3000); // a CPU-bound process ran for a scheduler slice
    answeredTurn();
    assertThat(yielded).isEqualTo(1);
    assertThat(policy.backoffNanos()).isEqualTo(AnswerYield.MIN_BACKOFF_NANOS);
    // within the back-off: answered turns do not yield
    now += AnswerYield.MIN_BACKOFF_NANOS - micros(1);
    answeredTurn();
    assertThat(yielded).isEqualTo(1);
    // after it: one more (long) yield, and twice the back-off
    now += micros(2);
    answeredTurn();
    assertThat(yielded).isEqualTo(2);
    assertThat(policy.backoffNanos()).isEqualTo(2 * AnswerYield.MIN_BACKOFF_NANOS);
    now += 2 * AnswerYield.MIN_BACKOFF_NANOS - micros(1);
    answeredTurn();
    assertThat(yielded).isEqualTo(2);
    // never beyond the longest back-off
    for (int i = 0; i < 20; i++) {
      now += AnswerYield.MAX_BACKOFF_NANOS;
      answeredTurn();
    }
    assertThat(policy.backoffNanos()).isEqualTo(AnswerYield.MAX_BACKOFF_NANOS);
  }

  @Test
  void shortYieldsAfterABackOffHalveItUntilItIsGone() {
    yieldTakes = micros(3000);
    answeredTurn();
    now += AnswerYield.MIN_BACKOFF_NANOS;
    answeredTurn();
    assertThat(policy.backoffNanos()).isEqualTo(2 * AnswerYield.MIN_BACKOFF_NANOS);
    yieldTakes = micros(40);
    now += 2 * AnswerYield.MIN_BACKOFF_NANOS;
    answeredTurn();
    assertThat(policy.backoffNanos()).isEqualTo(AnswerYield.MIN_BACKOFF_NANOS);
    answeredTurn(); // (no waiting: the back-off only holds after a long yield)
    assertThat(policy.backoffNanos()).isZero();
    assertThat(yielded).isEqualTo(4);
  }

  @Test
  void aYieldJustAtTheThresholdIsShort() {
    yieldTakes = AnswerYield.LONG_YIELD_NANOS;
    answeredTurn();
    answeredTurn();
    assertThat(yielded).isEqualTo(2);
    assertThat(policy.backoffNanos()).isZero();
  }
}
