package dev.capnp.rpc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Rust client (interop/rust, capnp-rpc 0.14) -> Java server ({@link JavaTestService}) over TCP
 * loopback: one client process per scenario, each on its own connection. The Rust client runs
 * every scenario of the C++ client but {@code streaming} (see interop/README.md).
 */
class RustClientJavaServerTest {
  /**
   * Scenarios the Rust client fails against the C++ reference server too, because of a bug of
   * capnp-rpc 0.14: skipped with the reason (interop/README.md, "Rust peers").
   */
  static final Map<String, String> RUST_LIMITS = Map.of("tail-call",
      "capnp-rpc 0.14 cannot be tail-called: given a Call with sendResultsTo.yourself and, at "
      + "once, the Return.takeFromOtherQuestion naming it (as the C++ reference and we send "
      + "them), it never returns either; the Rust client fails this against the C++ server too");

  /** Skips the whole class, with the reason, when the Rust peers cannot be built here. */
  @BeforeAll
  static void requirePeers() {
    RustPeers.get();
  }

  private static JavaPeerServer server;

  private static synchronized JavaPeerServer server() throws IOException {
    if (server == null) {
      server = new JavaPeerServer("rust");
    }
    return server;
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void rustClientRunsEveryScenarioButStreaming() {
    assertThat(RustPeers.get().scenarios())
        .containsExactlyElementsOf(JavaClientScenarios.ALL.keySet().stream()
            .filter(name -> !name.equals("streaming")).toList());
  }

  /** Every scenario (but the skipped ones) in turn on one connection, as a long-lived client. */
  @Test
  void allScenariosOnOneConnection() throws Exception {
    RustPeers peers = RustPeers.get();
    JavaPeerServer java = server();
    String[] names = peers.scenarios().stream().filter(n -> !RUST_LIMITS.containsKey(n))
        .toArray(String[]::new);
    java.services.clear();
    PeerProcesses.ClientRun run = peers.runClient(java.port(), names);
    assertThat(run.verdicts.keySet()).as("Rust client output:%n%s", run.output)
        .containsExactly(names);
    assertThat(run.exitCode).as("Rust client exit status; output:%n%s", run.output).isZero();
    assertThat(java.services).hasSize(1);
    JavaClientScenarios.await(java.services.get(0).released(), "release of the bootstrap service");
  }

  @TestFactory
  Stream<DynamicTest> scenarios() throws IOException {
    RustPeers peers = RustPeers.get();
    JavaPeerServer java = server();
    return peers.scenarios().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
      Assumptions.assumeFalse(RUST_LIMITS.containsKey(name), () -> RUST_LIMITS.get(name));
      java.services.clear();
      PeerProcesses.ClientRun run = peers.runClient(java.port(), name);
      assertThat(run.passed(name)).as("scenario %s; Rust client output:%n%s", name, run.output)
          .isTrue();
      assertThat(run.exitCode).as("Rust client exit status; output:%n%s", run.output).isZero();
      assertThat(run.output).as("Rust client output").doesNotContain("panicked");
      // The client is gone, so its connection is too: every service must have been released.
      assertThat(java.services).hasSize(1);
      JavaClientScenarios.await(java.services.get(0).released(),
          "release of the bootstrap service");
    }));
  }
}
