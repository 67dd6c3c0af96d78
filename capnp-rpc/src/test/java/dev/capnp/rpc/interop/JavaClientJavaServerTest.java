package dev.capnp.rpc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The Java client scenarios against the Java server over TCP loopback (no C++ involved): tells a
 * Java-side protocol problem apart from a cross-implementation one. Needs no C++ toolchain.
 */
class JavaClientJavaServerTest {
  private static EventLoop clientLoop;
  private static EventLoop serverLoop;

  @BeforeAll
  static void start() {
    clientLoop = EventLoop.start("interop-jj-client");
    serverLoop = EventLoop.start("interop-jj-server");
  }

  @AfterAll
  static void stop() {
    clientLoop.close();
    serverLoop.close();
  }

  @TestFactory
  Stream<DynamicTest> scenarios() {
    return JavaClientScenarios.ALL.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(),
        () -> run(e.getKey(), e.getValue())));
  }

  private static void run(String name, JavaClientScenarios.Scenario scenario) throws Exception {
    JavaTestService service = new JavaTestService();
    RpcConnection serverSide;
    RpcConnection clientSide;
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
      Socket server = listener.accept();
      serverSide = new RpcConnection(serverLoop,
          SocketTransports.over(server, "jj-server-" + name),
          objectId -> Capability.of(service, serverLoop), "java server " + name);
      serverSide.start();
      clientSide = RpcConnection.create(clientLoop,
          SocketTransports.over(client, "jj-client-" + name), null, "java client " + name);
    }
    try {
      try (var bootstrap = new Interop.TestService.Client(clientSide.bootstrap())) {
        scenario.run(bootstrap, clientLoop);
      }
      awaitTablesEmpty(clientLoop, clientSide);
      awaitTablesEmpty(serverLoop, serverSide);
      assertThat(clientSide.whenDisconnected()).as("connection lost").isNotDone();
    } finally {
      clientSide.close();
    }
    JavaClientScenarios.await(service.released(), "release of the service after disconnect");
  }

  private static void awaitTablesEmpty(EventLoop loop, RpcConnection connection) throws Exception {
    for (int i = 0; i < 500; i++) {
      if (loop.submit(connection::tablesEmpty).get()) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("tables of " + connection + " not empty after the scenario:\n"
        + loop.submit(connection::dumpTables).get());
  }
}
