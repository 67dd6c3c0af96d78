package dev.capnp.bench.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A few calls of {@link HandoffBench} and {@link ForwardingBench} in each mode (Level 3 on and
 * off), in memory and over TLS: each runs and reports sane figures (not timed).
 */
class ThreePartyBenchSmokeTest {

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"handoff, memory", "handoff, tls", "forwarding, memory", "forwarding, tls"})
  void bothModesRun(String bench, String network) throws Exception {
    boolean handoff = bench.equals("handoff");
    for (boolean on : new boolean[] {true, false}) {
      double[] m = handoff ? HandoffBench.run(network, on, 200, 10)
          : ForwardingBench.run(network, on, 200, 64);
      assertThat(m[0]).as("median µs").isPositive();
      assertThat(m[1]).as("p99 µs").isGreaterThanOrEqualTo(m[0]);
      assertThat(m[2]).as("calls/s").isPositive();
      if (handoff) {
        assertThat(m[3]).as("first call µs").isPositive();
      }
    }
  }
}
