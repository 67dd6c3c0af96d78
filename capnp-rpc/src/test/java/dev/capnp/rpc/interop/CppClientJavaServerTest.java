package dev.capnp.rpc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

  private static ServerSocket listener;
  private static EventLoop loop;
  private static final List<RpcConnection> connections = new CopyOnWriteArrayList<>();
  private static final List<JavaTestService> services = new CopyOnWriteArrayList<>();

  private static synchronized int port() throws IOException {
    if (listener == null) {
      loop = EventLoop.start("interop-java-server");
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(CppClientJavaServerTest::acceptLoop, "interop-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();
    }
    return listener.getLocalPort();
  }

  private static void acceptLoop() {
    try {
      while (true) {
        Socket socket = listener.accept();
        RpcConnection connection = new RpcConnection(loop,
            SocketTransports.over(socket, "interop-server-conn"),
            objectId -> {
              JavaTestService service = new JavaTestService();
              services.add(service);
              return Capability.of(service, loop);
            }, "c++->java");
        connections.add(connection);
        connection.start();
      }
    } catch (IOException e) {
      // Listener closed: the tests are over.
    }
  }

  @AfterAll
  static void stop() throws IOException {
    if (listener != null) {
      listener.close();
      connections.forEach(RpcConnection::close);
      loop.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> scenarios() throws IOException {
    CppPeers peers = CppPeers.get();
    int port = port();
    return peers.scenarios().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
      services.clear();
      CppPeers.ClientRun run = peers.runClient(port, name);
      assertThat(run.passed(name)).as("scenario %s; C++ client output:%n%s", name, run.output)
          .isTrue();
      assertThat(run.exitCode).as("C++ client exit status; output:%n%s", run.output).isZero();
      // The client is gone, so its connection is too: every service must have been released.
      assertThat(services).hasSize(1);
      JavaClientScenarios.await(services.get(0).released(), "release of the bootstrap service");
    }));
  }
}
