package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.restore.NamedServices;
import dev.capnp.rpc.Capability;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link VatMeterBinder}: a vat's counters in a typed Micrometer registry. */
@Timeout(60)
class VatMeterBinderTest {
  @TempDir
  Path dir;

  @Test
  void everyMeterFollowsTheVatsCounters() throws Exception {
    VatConfig config = VatConfig.builder()
        .listenAddress(NetAddress.unix(dir.resolve("s.sock").toString())).build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Vat server = Vat.create(config, null);
        NamedServices services = NamedServices.serve(server);
        Vat client = Vat.client()) {
      CapnpUri uri = services.add("main", new Echo("e:"));
      new VatMeterBinder(client.metrics(), "client").bindTo(registry);
      new VatMeterBinder(server.metrics(), "server").bindTo(registry);
      try (Capability echo = client.importRef(uri).connect().get(10, TimeUnit.SECONDS)) {
        for (int i = 0; i < 5; i++) {
          assertThat(Echo.ping(echo, "x")).isEqualTo("e:x");
        }
        assertThat(registry.get("capnp.net.connections").tag("vat", "client").gauge().value())
            .isEqualTo(1.0);
        assertThat(registry.get("capnp.net.connections.opened").tag("vat", "server")
            .functionCounter().count()).isEqualTo(1.0);
        assertThat(registry.get("capnp.net.messages.outbound.enqueued").tag("vat", "client")
            .functionCounter().count()).isGreaterThanOrEqualTo(6.0);
        assertThat(registry.get("capnp.net.messages.inbound.received").tag("vat", "server")
            .functionCounter().count()).isGreaterThanOrEqualTo(6.0);
        assertThat(registry.get("capnp.net.connect.failures").tag("vat", "client")
            .functionCounter().count()).isZero();
        assertThat(registry.get("capnp.net.connections.refused").tag("vat", "server")
            .functionCounter().count()).isZero();
      }
    }
  }
}
