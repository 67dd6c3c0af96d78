package dev.capnp.rpc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * C++ client (interop/src/interop-client.c++) -> Java server ({@link JavaTestService}) over TCP
 * loopback: one client process per scenario, each on its own connection.
 */
class CppClientJavaServerTest {
  /** Skips the whole class, with the reason, when the C++ peers cannot be built here. */
  @BeforeAll
  static void requirePeers() {
    CppPeers.get();
  }

  private static JavaPeerServer server;

  private static synchronized JavaPeerServer server() throws IOException {
    if (server == null) {
      server = new JavaPeerServer("c++");
    }
    return server;
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> scenarios() throws IOException {
    CppPeers peers = CppPeers.get();
    JavaPeerServer java = server();
    return peers.scenarios().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
      java.services.clear();
      PeerProcesses.ClientRun run = peers.runClient(java.port(), name);
      assertThat(run.passed(name)).as("scenario %s; C++ client output:%n%s", name, run.output)
          .isTrue();
      assertThat(run.exitCode).as("C++ client exit status; output:%n%s", run.output).isZero();
      // The client is gone, so its connection is too: every service must have been released.
      assertThat(java.services).hasSize(1);
      JavaClientScenarios.await(java.services.get(0).released(),
          "release of the bootstrap service");
    }));
  }
}
