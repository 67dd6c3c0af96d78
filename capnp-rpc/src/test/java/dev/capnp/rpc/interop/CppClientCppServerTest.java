package dev.capnp.rpc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The C++ peers against each other (C++ client -> C++ server): proves the interop scenarios
 * themselves, so a failure in the Java directions points at the Java RPC.
 */
class CppClientCppServerTest {
  /** Skips the whole class, with the reason, when the C++ peers cannot be built here. */
  @BeforeAll
  static void requirePeers() {
    CppPeers.get();
  }


  @TestFactory
  Stream<DynamicTest> everyScenarioPasses() {
    CppPeers peers = CppPeers.get();
    List<String> scenarios = peers.scenarios();
    assertThat(scenarios).contains("bootstrap", "embargo-return", "tail-call", "ordering");
    PeerProcesses.ClientRun run;
    String serverErrors;
    try (PeerProcesses.Server server = peers.startServer()) {
      run = peers.runClient(server.port());
      serverErrors = server.stderr();
    }
    return scenarios.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
      assertThat(run.passed(name))
          .as("scenario %s; client output:%n%s%nserver stderr:%n%s", name, run.output, serverErrors)
          .isTrue();
    }));
  }
}
