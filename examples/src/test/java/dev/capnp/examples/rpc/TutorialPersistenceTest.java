package dev.capnp.examples.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.persist.CapFile;
import dev.capnp.rpc.RpcException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tutorial's last part, in its order, over real vats (TLS, a Unix socket): several sturdy
 * refs on one vat, the Persistence API, loggers created on demand and kept in a store, and all
 * of it again after the server restarts with the same key file and store.
 */
@Timeout(120)
class TutorialPersistenceTest {
  @TempDir
  Path dir;
  private final ByteArrayOutputStream serverOut = new ByteArrayOutputStream();
  private final PrintStream serverPrints = new PrintStream(serverOut, true, StandardCharsets.UTF_8);

  private EchoStoreServer startServer() {
    VatConfig config = VatConfig.builder().secretKeyFile(dir.resolve("key.pem"))
        .listenAddress(NetAddress.unix(dir.resolve("echo.sock").toString())).build();
    return EchoStoreServer.start(config, dir.resolve("store"), 0, serverPrints);
  }

  private String serverPrinted() {
    return serverOut.toString(StandardCharsets.UTF_8);
  }

  @Test
  void hostingSeveralSturdyRefs() {
    try (EchoStoreServer server = startServer(); Vat client = Vat.client()) {
      assertThat(server.echoUri()).isNotEqualTo(server.loggerUri());
      assertThat(server.echoUri().auth()).isEqualTo(server.loggerUri().auth());
      LoggerClientMain.log(client, server.loggerUri(), "Hello via logger.cap");
      client.importRef(server.echoUri()).withCapSync(cap -> {
        try (EchoApi.Echo.Client echo = new EchoApi.Echo.Client(cap.dup())) {
          return assertThat(EchoClient.ping(echo, "x")).isEqualTo("echo:x");
        }
      });
    }
    assertThat(serverPrinted().lines()).containsExactly("Service log: \"Hello via logger.cap\"");
  }

  @Test
  void thePersistenceApiGivesTheLoggersSturdyRef() {
    try (EchoStoreServer server = startServer(); Vat client = Vat.client()) {
      CapnpUri saved = LoggerClientMain.saveLogger(client, server.echoUri());
      assertThat(saved).isEqualTo(server.loggerUri());
      LoggerClientMain.log(client, saved, "Reconnected by the saved URI");
    }
    assertThat(serverPrinted()).contains("Service log: \"Reconnected by the saved URI\"");
  }

  @Test
  void createdLoggersAreStoredAndSurviveARestart() throws Exception {
    CapnpUri echoUri;
    CapnpUri alice;
    try (Vat client = Vat.client()) {
      try (EchoStoreServer server = startServer()) {
        echoUri = server.echoUri();
        alice = LoggerClientMain.create(client, echoUri, "Alice");
        assertThat(alice.auth()).isEqualTo(echoUri.auth());
        assertThat(alice.serviceId()).isNotEqualTo(echoUri.serviceId());
        assertThat(serverPrinted()).contains("Alice: \"Pipelined call to logger!\"");
        // the store holds the logger under its ID's digest, not the ID itself
        try (var files = Files.list(dir.resolve("store"))) {
          assertThat(files.map(f -> f.getFileName().toString()))
              .containsExactly(java.util.Base64.getUrlEncoder().withoutPadding()
                  .encodeToString(alice.serviceId().digest()));
        }
      }

      try (EchoStoreServer restarted = startServer()) {
        assertThat(restarted.echoUri()).as("derived IDs are stable").isEqualTo(echoUri);
        LoggerClientMain.log(client, alice, "Still here after the restart");
        assertThat(serverPrinted()).contains("Alice: \"Still here after the restart\"");

        CapnpUri neverSaved = alice.withServiceId(ServiceId.generate());
        assertThatThrownBy(() -> LoggerClientMain.log(client, neverSaved, "x"))
            .isInstanceOf(RpcException.class).hasMessage("Unknown persistent service ID");
      }
    }
  }

  @Test
  void theCommandLineClientWritesCapFilesAndReportsErrors() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    Path echoCap = dir.resolve("echo.cap");
    Path bobCap = dir.resolve("bob.cap");
    try (EchoStoreServer server = startServer()) {
      CapFile.save(echoCap, server.echoUri());
      assertThat(LoggerClientMain.run(new String[] {"create", echoCap.toString(), "Bob",
          bobCap.toString()}, o, e)).isZero();
      assertThat(LoggerClientMain.run(new String[] {"log", bobCap.toString(), "hi"}, o, e))
          .isZero();
      assertThat(LoggerClientMain.run(new String[] {"log", echoCap.toString()}, o, e))
          .isEqualTo(2);
      assertThat(LoggerClientMain.run(new String[] {"log", dir.resolve("none.cap").toString(),
          "x"}, o, e)).isEqualTo(2);
      assertThat(LoggerClientMain.run(new String[] {"log", echoCap.toString(), "x"}, o, e))
          .as("the echo service is no logger").isEqualTo(1);
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("The new logger's URI is " + CapFile.load(bobCap) + ".", "Logged.");
    assertThat(serverPrinted()).contains("Bob: \"hi\"");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: LoggerClientMain",
        "File \"" + dir.resolve("none.cap") + "\" does not exist", "Unimplemented: ");
  }

  @Test
  void anEchoServiceWithoutAStoreRefusesToCreateLoggers() {
    try (var loop = dev.capnp.rpc.EventLoop.start("no-store");
        EchoApi.Echo.Client echo = EchoService.create(0, loop)) {
      var request = echo.createLoggerRequest();
      request.getParams().setLabel("x");
      assertThatThrownBy(() -> dev.capnp.rpc.Await.result(request.send()))
          .isInstanceOf(RpcException.class)
          .hasMessage("This echo service has no store to create loggers in");
    }
  }
}
