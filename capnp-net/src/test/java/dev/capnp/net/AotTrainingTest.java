package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import org.junit.jupiter.api.Test;

/** The start-up training run makes every kind of call successfully and leaves nothing behind. */
class AotTrainingTest {

  @Test
  void everyKindOfCallSucceedsOverEveryTransportAndNothingLeaks() throws Exception {
    long before = Capability.liveReferenceCount();
    AotTraining.train(400);
    // handles are released on their loops as the vats close: give the counters a moment
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (Capability.liveReferenceCount() > before && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(before);
  }
}
