package dev.capnp.net.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.Vat;
import dev.capnp.rpc.Capability;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server whose vat's loop hits a fatal error, a real OutOfMemoryError (a method that fills the
 * 64 MiB heap on the loop) or a simulated one, does not hang half-alive: the process exits
 * with status 1 promptly, so that a supervisor restarts it, and the caller's call fails.
 */
class ServerDeathTest {
  @ParameterizedTest
  @ValueSource(ints = {TargetServer.EXHAUST, TargetServer.DIE})
  void aServerWhoseLoopRunsOutOfMemoryExitsNonZero(int method) throws Exception {
    try (ServerProcess server = ServerProcess.start("64m", false, List.of(
        "--capnp-secret-key-file", "", "--capnp-listen-address", "tcp:127.0.0.1:0",
        "--capnp-disable-tls"))) {
      try (Vat client = Vat.client();
          Capability cap = client.importRef(server.uri()).connect().get(30, TimeUnit.SECONDS)) {
        assertThatThrownBy(() -> ServerProcess.call(cap, method, "", 60))
            .as("the call that killed the server fails").isNotInstanceOf(
                java.util.concurrent.TimeoutException.class);
      }
      assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).as("the server exited")
          .isTrue();
      assertThat(server.process().exitValue()).as("exit status").isEqualTo(1);
      assertThat(server.log()).anyMatch(l -> l.contains("OutOfMemoryError"))
          .anyMatch(l -> l.contains("failed and is shutting down"));
    }
  }
}
