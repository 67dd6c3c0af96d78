package dev.capnp.rpc.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.RpcException;
import dev.capnp.runtime.MessageBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link BoundedWaits}: one timer for all the waits of a connection, ticking every quarter of
 * the bound while waits are pending; a wait ends at the fifth tick after it began unless
 * canceled. The ticks are run by hand here (the outbox records what it was asked to schedule).
 */
class BoundedWaitsTest {
  private final List<Runnable> timers = new ArrayList<>();
  private final List<Long> delays = new ArrayList<>();
  private final Outbox outbox = new Outbox() {
    @Override
    public void send(MessageBuilder message, boolean isReturn) {
      throw new AssertionError("nothing is sent");
    }

    @Override
    public void later(Runnable action) {
      throw new AssertionError("not used");
    }

    @Override
    public Runnable schedule(Runnable action, long delayMillis) {
      timers.add(action);
      delays.add(delayMillis);
      return () -> timers.remove(action);
    }

    @Override
    public void ended(RpcException reason) {
    }
  };

  /** Runs the one pending tick (there is exactly one while waits are pending). */
  private void tick() {
    assertThat(timers).hasSize(1);
    timers.remove(0).run();
  }

  @Test
  void manyWaitsShareOneTimerAndEachEndsAfterItsBound() {
    BoundedWaits waits = new BoundedWaits(outbox, 1000);
    List<String> ended = new ArrayList<>();
    List<Runnable> cancels = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String name = "w" + i;
      cancels.add(waits.start(() -> ended.add(name)));
    }
    assertThat(timers).as("one timer, not one per wait").hasSize(1);
    assertThat(delays).containsExactly(250L);
    for (int i = 0; i < 100; i += 2) {
      cancels.get(i).run(); // answered in time
    }
    cancels.get(0).run(); // (idempotent)
    assertThat(waits.size()).isEqualTo(50);
    for (int t = 1; t <= 4; t++) {
      tick();
      assertThat(ended).as("not before the bound (tick " + t + ")").isEmpty();
    }
    Runnable later = waits.start(() -> ended.add("later"));
    tick();
    assertThat(ended).hasSize(50).allMatch(n -> Integer.parseInt(n.substring(1)) % 2 == 1);
    assertThat(waits.size()).isEqualTo(1);
    for (int t = 2; t <= 4; t++) { // ("later" began before the fifth tick: its first)
      tick();
    }
    assertThat(ended).doesNotContain("later");
    tick();
    assertThat(ended).endsWith("later");
    later.run(); // (after its end: nothing)
    assertThat(waits.size()).isZero();
    assertThat(timers).as("no tick while nothing waits").isEmpty();
  }

  @Test
  void theTicksStopWhenNothingWaitsAndStartAgainWithTheNextWait() {
    BoundedWaits waits = new BoundedWaits(outbox, 2);
    List<String> ended = new ArrayList<>();
    waits.start(() -> ended.add("a")).run();
    tick();
    assertThat(timers).isEmpty();
    waits.start(() -> ended.add("b"));
    assertThat(timers).hasSize(1);
    assertThat(delays).containsExactly(1L, 1L); // (a quarter of 2 ms, at least 1 ms)
    for (int t = 1; t <= 5; t++) {
      tick();
    }
    assertThat(ended).containsExactly("b");
    assertThat(timers).isEmpty();
  }

  @Test
  void aWaitStartedByAnEndingWaitGetsItsOwnBound() {
    BoundedWaits waits = new BoundedWaits(outbox, 4);
    List<String> ended = new ArrayList<>();
    waits.start(() -> {
      ended.add("first");
      waits.start(() -> ended.add("second"));
    });
    for (int t = 1; t <= 5; t++) {
      tick();
    }
    assertThat(ended).containsExactly("first");
    for (int t = 1; t <= 5; t++) {
      tick();
    }
    assertThat(ended).containsExactly("first", "second");
  }

  @Test
  void theBoundMustBePositive() {
    assertThatThrownBy(() -> new BoundedWaits(outbox, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
  }
}
