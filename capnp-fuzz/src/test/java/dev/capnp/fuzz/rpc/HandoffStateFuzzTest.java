package dev.capnp.fuzz.rpc;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target 4, three-party handoff: three or four vats on the in-memory network, the fuzzer
 * choosing the schedule (see {@link HandoffStateTarget} for the steps and the oracles). The
 * committed corpus in {@code src/test/resources/dev/capnp/fuzz/rpc/HandoffStateFuzzTestInputs/handoff/}
 * replays in the normal build; {@code scripts/fuzz.sh handoff MINUTES} fuzzes.
 */
class HandoffStateFuzzTest {
  @FuzzTest(maxDuration = "5m")
  void handoff(byte[] input) {
    HandoffStateTarget.run(input);
  }

  /**
   * Replays the file or every file of the directory named by {@code -Dhandofffuzz.replay=PATH}
   * (e.g. Jazzer's {@code .cifuzz-corpus}); skipped without the property.
   */
  @org.junit.jupiter.api.Test
  void replay() throws java.io.IOException {
    String path = System.getProperty("handofffuzz.replay");
    org.junit.jupiter.api.Assumptions.assumeTrue(path != null, "no -Dhandofffuzz.replay");
    java.nio.file.Path p = java.nio.file.Path.of(path);
    if (java.nio.file.Files.isDirectory(p)) {
      try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(p)) {
        for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.sorted()::iterator) {
          try {
            HandoffStateTarget.run(java.nio.file.Files.readAllBytes(f));
          } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("replaying " + f + ": " + e.getMessage(), e);
          }
        }
      }
    } else {
      HandoffStateTarget.run(java.nio.file.Files.readAllBytes(p));
    }
  }

  /**
   * Random inputs, deterministic seeds (-Dhandofffuzz.seeds=N, default 40): a quick smoke run
   * of the target in the normal build beyond the committed corpus.
   */
  @org.junit.jupiter.api.Test
  void randomInputs() {
    int n = Integer.getInteger("handofffuzz.seeds", 40);
    for (int seed = 0; seed < n; seed++) {
      java.util.Random rnd = new java.util.Random(seed);
      byte[] input = new byte[200 + rnd.nextInt(400)];
      rnd.nextBytes(input);
      try {
        HandoffStateTarget.run(input);
      } catch (AssertionError | RuntimeException e) {
        java.nio.file.Path f = java.nio.file.Path.of("target", "handoff-random-seed-" + seed);
        try {
          java.nio.file.Files.write(f, input);
        } catch (java.io.IOException ignored) {
          // (the message still names the seed)
        }
        throw new AssertionError("seed " + seed + " (input written to " + f
            + "; replay it with -Dhandofffuzz.replay): " + e.getMessage(), e);
      }
    }
  }
}
