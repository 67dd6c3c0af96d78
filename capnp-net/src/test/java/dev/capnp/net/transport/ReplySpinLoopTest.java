package dev.capnp.net.transport;

import static dev.capnp.net.transport.AnswerYieldLoopTest.forked;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A vat's loop spins after replies ({@link ReplySpin}) on a Unix-domain socket as on TCP, by
 * default, and after a lone call its home thread writes, and a blocking caller that drives it
 * spins for its reply when asked to, where it may run on two CPUs or more; not on one CPU, and
 * not with {@code -Dcapnp.net.spinAfterReplyMicros=0} (forked JVMs:
 * the properties and the CPU count are read once; the CPU count is set with
 * {@code -XX:ActiveProcessorCount} so that the test does not depend on the machine's). A window of
 * 100 ms makes every gap between a reply and the next call (or a call and its reply) a short one,
 * so spins start after the first few however loaded the machine is.
 */
class ReplySpinLoopTest {
  @Test
  void repliesAreFollowedBySpinsOnTwoCpus() throws Exception {
    assertThat(forked("-XX:ActiveProcessorCount=2 -Dcapnp.net.spinAfterReplyMicros=100000",
        "spins")).matches("spins=[1-9][0-9]*");
  }

  @Test
  void theHomeThreadSpinsAfterRepliesByDefaultOnTwoCpus() throws Exception {
    // no property: the default window (100 µs); 2,000 calls, so that some gaps between a reply
    // and the next call are short enough for spins to start even on a loaded machine
    assertThat(forked("-XX:ActiveProcessorCount=2", "spinsMany"))
        .matches("spins=[1-9][0-9]*");
  }

  @Test
  void theHomeThreadSpinsAfterCallsForTheirAnswersByDefault() throws Exception {
    // a client loop that calls from its home thread (each answer sends the next call)
    assertThat(forked("-XX:ActiveProcessorCount=2", "homeCallSpins"))
        .matches("spins=[1-9][0-9]*");
    // messages that are not calls are not followed by spins
    assertThat(forked("-XX:ActiveProcessorCount=2", "homeCallSpinsPlain"))
        .isEqualTo("spins=0");
    // nor calls the home thread writes while threads wait for the loop (their answers will
    // need the CPUs)
    assertThat(forked("-XX:ActiveProcessorCount=2", "homeCallSpinsWaiters"))
        .isEqualTo("spins=0");
    // nor a call that is not the only one awaiting its answer
    assertThat(forked("-XX:ActiveProcessorCount=2", "homeCallSpinsTwoAwaited"))
        .isEqualTo("spins=0");
    // nor calls with the option off
    assertThat(forked("-XX:ActiveProcessorCount=2 -Dcapnp.net.spinAfterCall=false",
        "homeCallSpins")).isEqualTo("spins=0");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aLoopThatEndedHoldsNoPressureFile() throws Exception {
    // the spins read /proc/pressure/cpu (CpuPressure); the loop's end closes it
    assertThat(forked("-XX:ActiveProcessorCount=2", "pressureFiles")).endsWith("open=0");
  }

  @Test
  void aBlockingCallerSpinsForItsReplyWithTheOptionOnly() throws Exception {
    assertThat(forked("-XX:ActiveProcessorCount=2 -Dcapnp.net.spinForReplyMicros=100000",
        "callSpins")).matches("callSpins=[1-9][0-9]*");
    assertThat(forked("-XX:ActiveProcessorCount=2", "callSpins")).isEqualTo("callSpins=0");
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
