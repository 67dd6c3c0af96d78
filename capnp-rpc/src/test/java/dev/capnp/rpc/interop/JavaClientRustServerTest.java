package dev.capnp.rpc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import java.net.InetAddress;
import java.net.Socket;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Java client -> Rust server (interop/rust, capnp-rpc 0.14) over TCP loopback: every scenario
 * on a fresh connection, which must end with the Java side's tables empty and the server alive.
 *
 * <p>One exception, a bug of capnp-rpc 0.14: when a Finish cancels a call, it drops the call
 * without ever sending its Return (rpc.capnp: a question ID is only freed once both the Finish and
 * the Return have been exchanged; the C++ reference answers {@code canceled}). So after
 * {@code cancel} the Java side must still hold exactly that one canceled question, and nothing
 * else.
 */
class JavaClientRustServerTest {
  /** Skips the whole class, with the reason, when the Rust peers cannot be built here. */
  @BeforeAll
  static void requirePeers() {
    RustPeers.get();
  }

  private static PeerProcesses.Server server;
  private static EventLoop loop;

  private static synchronized PeerProcesses.Server server() {
    if (server == null) {
      server = RustPeers.get().startServer();
      loop = EventLoop.start("interop-java-client-rust");
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

  @TestFactory
  Stream<DynamicTest> scenarios() {
    PeerProcesses.Server rust = server();
    return JavaClientScenarios.ALL.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(),
        () -> run(rust, e.getKey(), e.getValue())));
  }

  /** Every scenario in turn on one connection, as a long-lived client. */
  @Test
  void allScenariosOnOneConnection() throws Exception {
    PeerProcesses.Server rust = server();
    int stderrBefore = rust.stderr().length();
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), rust.port());
    RpcConnection connection = RpcConnection.create(loop,
        SocketTransports.over(socket, "interop-rust-all"), null, "java->rust all");
    try {
      try (var service = new Interop.TestService.Client(connection.bootstrap())) {
        for (var e : JavaClientScenarios.ALL.entrySet()) {
          try {
            e.getValue().run(service, loop);
          } catch (Exception | AssertionError failure) {
            throw new AssertionError("scenario " + e.getKey() + " failed", failure);
          }
        }
      }
      awaitOnlyCanceledQuestionLeft(connection);
      assertThat(connection.whenDisconnected()).as("connection lost").isNotDone();
    } finally {
      connection.close();
    }
    assertThat(rust.stderr().substring(stderrBefore)).as("Rust server stderr")
        .doesNotContain("panicked");
  }

  private static void run(PeerProcesses.Server rust, String name,
      JavaClientScenarios.Scenario scenario) throws Exception {
    int stderrBefore = rust.stderr().length();
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), rust.port());
    RpcConnection connection = RpcConnection.create(loop,
        SocketTransports.over(socket, "interop-rust-" + name), null, "java->rust " + name);
    try {
      try (var service = new Interop.TestService.Client(connection.bootstrap())) {
        scenario.run(service, loop);
      }
      if (name.equals("cancel")) {
        awaitOnlyCanceledQuestionLeft(connection);
      } else {
        awaitTablesEmpty(connection);
      }
      assertThat(connection.whenDisconnected()).as("connection lost").isNotDone();
    } finally {
      connection.close();
    }
    assertThat(rust.stderr().substring(stderrBefore)).as("Rust server stderr")
        .doesNotContain("panicked");
  }

  /** The tables once a Rust 0.14 callee has canceled a call without returning it. */
  private static final Pattern ONE_CANCELED_QUESTION = Pattern
      .compile("connection [^\n]*\n  questions:\n    \\d+ CANCELED refs=0 canceled\n"
          + "  answers:\n  imports:\n  exports:\n  embargoes:\n?");

  private static void awaitOnlyCanceledQuestionLeft(RpcConnection connection) throws Exception {
    String tables = "";
    for (int i = 0; i < 500; i++) {
      tables = loop.submit(connection::dumpTables).get();
      if (ONE_CANCELED_QUESTION.matcher(tables).matches()) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("after cancel the tables should hold just the canceled question "
        + "(capnp-rpc 0.14 never returns it), but hold:\n" + tables);
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
