package dev.capnp.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target 1, the decoder: arbitrary bytes through framing, packing, generated readers, the
 * dynamic reader and the text printer (see {@link DecoderTarget} for the input layout and the
 * oracles). In a normal build the committed corpus in
 * {@code src/test/resources/dev/capnp/fuzz/DecoderFuzzTestInputs/decode/} is replayed;
 * {@code JAZZER_FUZZ=1} (or {@code scripts/fuzz.sh decoder MINUTES}) fuzzes.
 */
class DecoderFuzzTest {
  @FuzzTest(maxDuration = "5m")
  void decode(byte[] input) {
    DecoderTarget.run(input);
  }
}
