package dev.capnp.net.transport;

import static dev.capnp.net.transport.AnswerYieldLoopTest.forked;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A vat's loop spins after replies ({@link ReplySpin}) on a Unix-domain socket as on TCP, where
 * it may run on two CPUs or more, not on one CPU, and not with
 * {@code -Dcapnp.net.spinAfterReplyMicros=0} (forked JVMs: the property and the CPU count are
 * read once; the CPU count is set with {@code -XX:ActiveProcessorCount} so that the test does not
 * depend on the machine's). A window of 100 ms makes every gap between a reply and the blocking
 * client's next call a short one, so spins start after the first replies however loaded the
 * machine is.
 */
class ReplySpinLoopTest {
  @Test
  void repliesAreFollowedBySpinsOnTwoCpus() throws Exception {
    assertThat(forked("-XX:ActiveProcessorCount=2 -Dcapnp.net.spinAfterReplyMicros=100000",
        "spins")).matches("spins=[1-9][0-9]*");
  }

  @Test
  void notOnOneCpu() throws Exception {
    assertThat(forked("-XX:ActiveProcessorCount=1 -Dcapnp.net.spinAfterReplyMicros=100000",
        "spins")).isEqualTo("spins=0");
  }

  @Test
  void notWithAWindowOfZero() throws Exception {
    assertThat(forked("-XX:ActiveProcessorCount=2 -Dcapnp.net.spinAfterReplyMicros=0",
        "spins")).isEqualTo("spins=0");
  }
}
