package dev.capnp.rpc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import java.net.InetAddress;
import java.net.Socket;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Java client -> C++ server (interop/src/interop-server.c++) over TCP loopback: every scenario on
 * a fresh connection, which must end with the Java side's tables empty.
 *
 * <p>For debugging, {@code -Dinterop.port=N} sends the connections to 127.0.0.1:N instead (e.g.
 * a message-tracing proxy in front of an interop-server started by hand).
 */
class JavaClientCppServerTest {
  /** Skips the whole class, with the reason, when the C++ peers cannot be built here. */
  @BeforeAll
  static void requirePeers() {
    CppPeers.get();
  }

  private static PeerProcesses.Server server;
  private static EventLoop loop;

  private static synchronized PeerProcesses.Server server() {
    if (server == null) {
      server = CppPeers.get().startServer();
      loop = EventLoop.start("interop-java-client");
    }
    return server;
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
      loop.close();
    }
  }

  @Test
  void scenarioNamesMatchTheCppClient() {
    assertThat(JavaClientScenarios.ALL.keySet())
        .containsExactlyElementsOf(CppPeers.get().scenarios());
  }

  @TestFactory
  Stream<DynamicTest> scenarios() {
    PeerProcesses.Server cpp = server();
    return JavaClientScenarios.ALL.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(),
        () -> run(cpp, e.getKey(), e.getValue())));
  }

  private static void run(PeerProcesses.Server cpp, String name, JavaClientScenarios.Scenario scenario)
      throws Exception {
    int port = Integer.getInteger("interop.port", cpp.port());
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    RpcConnection connection = RpcConnection.create(loop,
        SocketTransports.over(socket, "interop-" + name), null, "java->c++ " + name);
    try {
      try (var service = new Interop.TestService.Client(connection.bootstrap())) {
        scenario.run(service, loop);
      }
      awaitTablesEmpty(connection);
      assertThat(connection.whenDisconnected()).as("connection lost").isNotDone();
    } finally {
      connection.close();
    }
    assertThat(cpp.stderr()).as("C++ server stderr").doesNotContain("terminate", "Assertion");
  }

  private static void awaitTablesEmpty(RpcConnection connection) throws Exception {
    for (int i = 0; i < 500; i++) {
      if (loop.submit(connection::tablesEmpty).get()) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("tables not empty after the scenario:\n"
        + loop.submit(connection::dumpTables).get());
  }
}
