package dev.capnp.net.scenarios;

import static dev.capnp.net.scenarios.Calls.ping;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.AuthDigest;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.SecretKey;
import dev.capnp.net.ServiceId;
import dev.capnp.rpc.RpcException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import dev.capnp.net.testlog.NoWarnings;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's networked scenarios Simple, Crypto, Bad crypto, Parallel, Registry, Embargo,
 * Resolve, Cancel and Indexing: a server vat and a client vat over a real Unix socket.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class BasicScenariosTest {
  @TempDir
  Path dir;

  private void simple(boolean tls) {
    try (Vats vats = Vats.start(dir, tls, EchoImpl.create().capability());
        var echo = new ScenarioApi.Echo.Client(vats.bootstrap())) {
      assertThat(ping(echo, "ping")).isEqualTo("got:0:ping");
    }
  }

  @Test
  void simple() {
    simple(false);
  }

  @Test
  void crypto() {
    simple(true);
  }

  @Test
  void badCrypto() throws InterruptedException {
    try (Vats vats = Vats.start(dir, true, EchoImpl.create().capability())) {
      CapnpUri good = vats.server.sturdyUri(ServiceId.EMPTY);
      AuthDigest wrong = SecretKey.generate().digest();
      CapnpUri bad = new CapnpUri(wrong, good.address(), good.serviceId());
      NoWarnings.expect("TLS handshake with", 1); // and nothing else (checked after the test)
      RpcException e = Vats.failure(vats.client.importRef(bad).connect());
      assertThat(e.getType()).isEqualTo(RpcException.Type.FAILED);
      assertThat(e.getMessage())
          .contains("TLS connection failed: TLS failure: authentication failure");
      assertThat(NoWarnings.await("", 1, 5000)).as("the server logs one warning")
          .isEqualTo(1);
      // the right key still works afterwards
      try (var echo = new ScenarioApi.Echo.Client(vats.bootstrap())) {
        assertThat(ping(echo, "ping")).isEqualTo("got:0:ping");
      }
    }
  }

  @Test
  void parallel() {
    try (Vats vats = Vats.start(dir, false, EchoImpl.create().capability());
        var echo = new ScenarioApi.Echo.Client(vats.bootstrap())) {
      CompletableFuture<String> slow = Calls.ping(echo, "ping1", true);
      assertThat(ping(echo, "ping2")).isEqualTo("got:1:ping2");
      assertThat(slow).isNotDone();
      Calls.unblock(echo);
      assertThat(Vats.await(slow)).isEqualTo("got:0:ping1");
    }
  }

  @Test
  void registry() {
    try (Vats vats = Vats.start(dir, false, RegistryImpl.create().capability());
        var registry = new ScenarioApi.Registry.Client(vats.bootstrap())) {
      var call = registry.echoServiceRequest().send();
      try (ScenarioApi.Echo.Client echo = call.pipeline().getService()) {
        Calls.closeWhenDone(call);
        Calls.unblock(registry);
        assertThat(ping(echo, "ping")).isEqualTo("got:0:ping");
      }
    }
  }

  /**
   * A client-local echo service handed to the server's registry and fetched back (directly, or
   * as a promise the server resolves later) ends up as the local object; calls made while it
   * was still remote arrive first (embargo).
   */
  private void localServiceComesBack(boolean viaPromise) {
    try (Vats vats = Vats.start(dir, false, RegistryImpl.create().capability());
        var registry = new ScenarioApi.Registry.Client(vats.bootstrap());
        // The client's own service lives on the client vat's loop (the threading rule).
        ScenarioApi.Echo.Client local = EchoImpl.create(vats.client.loop())) {
      Calls.setEchoService(registry, local);
      var call = viaPromise ? registry.echoServicePromiseRequest().send()
          : registry.echoServiceRequest().send();
      ScenarioApi.Echo.Client echo = viaPromise
          ? ((ScenarioApi.Registry.EchoServicePromiseResults.Pipeline) call.pipeline())
              .getService()
          : ((ScenarioApi.Registry.EchoServiceResults.Pipeline) call.pipeline()).getService();
      try (echo) {
        Calls.closeWhenDone(call);
        CompletableFuture<String> first = Calls.ping(echo, "ping", false);
        Calls.unblock(registry);
        assertThat(Vats.await(first)).isEqualTo("got:0:ping");
        assertThat(ping(echo, "ping")).isEqualTo("got:1:ping");
        assertThat(ping(echo, "ping")).isEqualTo("got:2:ping");
        Vats.await(echo.whenResolved());
        assertThat(echo.capability().isSameAs(local.capability()))
            .as("the echo service came back as the client's own object").isTrue();
      }
    }
  }

  @Test
  void embargo() {
    localServiceComesBack(false);
  }

  @Test
  void resolve() {
    localServiceComesBack(true);
  }

  @Test
  void cancel() {
    try (Vats vats = Vats.start(dir, false, EchoImpl.create().capability());
        var echo = new ScenarioApi.Echo.Client(vats.bootstrap())) {
      var slow = Calls.pingCall(echo, "ping1", true);
      assertThat(ping(echo, "ping")).isEqualTo("got:1:ping");
      slow.cancel(true); // abandon the slow call: Finish goes to the server
      assertThat(slow).isCompletedExceptionally();
      Calls.unblock(echo);
      assertThat(ping(echo, "ping")).isEqualTo("got:2:ping");
    }
  }

  @Test
  void indexing() {
    try (Vats vats = Vats.start(dir, false, RegistryImpl.create().capability());
        var registry = new ScenarioApi.Registry.Client(vats.bootstrap())) {
      var call = registry.complexRequest().send();
      try (ScenarioApi.Echo.Client echo = call.pipeline().getFoo().getEcho();
          ScenarioApi.Version.Client version = call.pipeline().getBar().getVersion()) {
        Calls.closeWhenDone(call);
        assertThat(ping(echo, "ping")).isEqualTo("got:0:ping");
        try (var r = Vats.await(version.readRequest().send())) {
          assertThat(r.get().getVersion().toString()).isEqualTo("0.1");
        }
      }
    }
  }
}
