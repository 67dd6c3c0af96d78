package dev.capnp.bench.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A few calls of {@link ForwardingBench} in each mode: it runs, and each mode takes its path. */
class ForwardingBenchSmokeTest {

  @Test
  void bothModesRunAndTakeTheirPathInMemory() throws Exception {
    check("memory");
  }

  @Test
  void bothModesRunAndTakeTheirPathOverTls() throws Exception {
    check("tls");
  }

  private static void check(String network) throws Exception {
    for (boolean forwarding : new boolean[] {true, false}) {
      double[] m = ForwardingBench.run(network, forwarding, 200, 64);
      assertThat(m[0]).as("median µs").isPositive();
      assertThat(m[1]).as("p99 µs").isGreaterThanOrEqualTo(m[0]);
      assertThat(m[2]).as("calls/s").isPositive();
    }
  }
}
