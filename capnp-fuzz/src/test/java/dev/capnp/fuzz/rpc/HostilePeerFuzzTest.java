package dev.capnp.fuzz.rpc;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target 3, the hostile peer: a raw peer sends syntactically valid but malicious
 * {@code rpc.capnp} messages to a vat that also serves a well-behaved connection (see
 * {@link HostilePeerTarget} for the input layout and the oracles). The committed corpus in
 * {@code src/test/resources/dev/capnp/fuzz/rpc/HostilePeerFuzzTestInputs/hostile/} replays in
 * the normal build; {@code scripts/fuzz.sh hostile MINUTES} fuzzes.
 */
class HostilePeerFuzzTest {
  @FuzzTest(maxDuration = "5m")
  void hostile(byte[] input) {
    HostilePeerTarget.run(input);
  }
}
