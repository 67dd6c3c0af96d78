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

  /**
   * Replays the file or every file of the directory named by
   * {@code -Dhostilefuzz.replay=PATH} (e.g. Jazzer's
   * {@code .cifuzz-corpus}, for coverage measurements); skipped without the property.
   */
  @org.junit.jupiter.api.Test
  void replay() throws java.io.IOException {
    String path = System.getProperty("hostilefuzz.replay");
    org.junit.jupiter.api.Assumptions.assumeTrue(path != null, "no -Dhostilefuzz.replay");
    java.nio.file.Path p = java.nio.file.Path.of(path);
    if (java.nio.file.Files.isDirectory(p)) {
      try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(p)) {
        for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.sorted()::iterator) {
          HostilePeerTarget.run(java.nio.file.Files.readAllBytes(f));
        }
      }
    } else {
      HostilePeerTarget.run(java.nio.file.Files.readAllBytes(p));
    }
  }
}
