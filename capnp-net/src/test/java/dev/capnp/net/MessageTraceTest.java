package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.testlog.LogRecorder;
import dev.capnp.rpc.Capability;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With the logger {@code dev.capnp.rpc.trace} at TRACE, each connection logs one line per
 * message and direction: type, ids, target, size.
 */
class MessageTraceTest {
  @AfterEach
  void off() {
    LogRecorder.trace("dev.capnp.rpc.trace", false);
  }

  @Test
  void everyMessageIsTracedInBothDirections() throws Exception {
    LogRecorder.trace("dev.capnp.rpc.trace", true);
    try (Vat server = Vat.create(VatConfig.builder().tls(false)
            .listenAddress(NetAddress.tcp("127.0.0.1", 0)).build(),
            id -> CompletableFuture.completedFuture(Capability.of(new Echo("e:"))));
        Vat client = Vat.client()) {
      try (Capability cap = client.importRef(server.sturdyUri(ServiceId.ofPublic("x")))
          .connect().get(10, TimeUnit.SECONDS)) {
        assertThat(Echo.ping(cap, "hi")).isEqualTo("e:hi");
      }
    }
    List<String> lines = LogRecorder.traces();
    String iface = "iface=0x" + Long.toHexString(Echo.INTERFACE_ID);
    // the ping goes to the bootstrap's answer (pipelined) or, once it has returned, to the import
    String call = "call q=\\d+ target=(answer:\\d+\\[\\]|import:\\d+) " + iface
        + " method=0 caps=0 \\(\\d+ B\\)";
    // the client's side: its bootstrap and call go out, the answers come in
    assertThat(lines).anyMatch(l -> l.matches(".*->.* -> bootstrap q=0 \\(\\d+ B\\)"));
    assertThat(lines).anyMatch(l -> l.matches(".*->.* -> " + call));
    assertThat(lines).anyMatch(l -> l.matches(
        ".*->.* <- return a=\\d+ results caps=0 \\(\\d+ B\\)"));
    assertThat(lines).anyMatch(l -> l.matches(".*->.* -> finish q=\\d+ .*"));
    // the server's side sees the same messages the other way round
    assertThat(lines).anyMatch(l -> l.matches(".*<-.* <- " + call));
    assertThat(lines).anyMatch(l -> l.matches(
        ".*<-.* -> return a=\\d+ results caps=0 \\(\\d+ B\\)"));
  }
}
