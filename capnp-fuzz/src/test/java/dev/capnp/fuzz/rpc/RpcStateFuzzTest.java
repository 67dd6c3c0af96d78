package dev.capnp.fuzz.rpc;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target 2, the RPC state machine: two or three vats in one process, the fuzzer choosing
 * every step (see {@link RpcStateTarget} for the steps and the oracles). The committed corpus in
 * {@code src/test/resources/dev/capnp/fuzz/rpc/RpcStateFuzzTestInputs/rpc/} replays in the
 * normal build; {@code scripts/fuzz.sh rpc MINUTES} fuzzes.
 */
class RpcStateFuzzTest {
  @FuzzTest(maxDuration = "5m")
  void rpc(byte[] input) {
    RpcStateTarget.run(input);
  }

  /**
   * Replays the file or every file of the directory named by
   * {@code -Drpcfuzz.replay=PATH} (e.g. Jazzer's
   * {@code .cifuzz-corpus}, for coverage measurements); skipped without the property.
   */
  @org.junit.jupiter.api.Test
  void replay() throws java.io.IOException {
    String path = System.getProperty("rpcfuzz.replay");
    org.junit.jupiter.api.Assumptions.assumeTrue(path != null, "no -Drpcfuzz.replay");
    java.nio.file.Path p = java.nio.file.Path.of(path);
    if (java.nio.file.Files.isDirectory(p)) {
      try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(p)) {
        for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.sorted()::iterator) {
          try {
            RpcStateTarget.run(java.nio.file.Files.readAllBytes(f));
          } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("replaying " + f + ": " + e.getMessage(), e);
          }
        }
      }
    } else {
      RpcStateTarget.run(java.nio.file.Files.readAllBytes(p));
    }
  }
}
