package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.persist.Persistence;
import dev.capnp.net.restore.NamedServices;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link NamedServices}: several services on one vat by name, IDs derived from the key. */
@Timeout(60)
class NamedServicesTest {
  @TempDir
  Path dir;

  private VatConfig config() {
    return VatConfig.builder().secretKeyFile(dir.resolve("key.pem"))
        .listenAddress(NetAddress.unix(dir.resolve("s.sock").toString())).build();
  }

  @Test
  void eachNameIsItsOwnSturdyRefStableAcrossRestarts() throws Exception {
    CapnpUri admin;
    CapnpUri user;
    try (Vat server = Vat.create(config(), null);
        NamedServices services = NamedServices.serve(server);
        Vat client = Vat.client()) {
      admin = services.add("admin", new Echo("admin:"));
      user = services.add("user", Capability.of(new Echo("user:"), server.loop()));
      assertThat(admin).isNotEqualTo(user);
      assertThat(admin.serviceId()).isEqualTo(server.config().derivedId("admin"));
      assertThat(services.sturdyUri("user")).isEqualTo(user);
      try (Capability a = client.importRef(admin).connect().get(10, TimeUnit.SECONDS);
          Capability u = client.importRef(user).connect().get(10, TimeUnit.SECONDS)) {
        assertThat(Echo.ping(a, "x")).isEqualTo("admin:x");
        assertThat(Echo.ping(u, "y")).isEqualTo("user:y");
      }
      try (Capability local = services.sturdyRef("admin").connect().get(10, TimeUnit.SECONDS)) {
        assertThat(Echo.ping(local, "z")).isEqualTo("admin:z");
      }
    }
    try (Vat restarted = Vat.create(config(), null);
        NamedServices services = NamedServices.serve(restarted)) {
      assertThat(services.add("admin", new Echo("admin:"))).isEqualTo(admin);
    }
  }

  @Test
  void aPersistentServiceAnswersSaveWithItsOwnUri() throws Exception {
    try (Vat server = Vat.create(config(), null);
        NamedServices services = NamedServices.serve(server);
        Vat client = Vat.client()) {
      CapnpUri logger = services.addPersistent("logger",
          Capability.of(new Echo("log:"), server.loop()));
      CapnpUri plain = services.add("plain", new Echo("p:"));
      try (Capability l = client.importRef(logger).connect().get(10, TimeUnit.SECONDS);
          Capability p = client.importRef(plain).connect().get(10, TimeUnit.SECONDS)) {
        assertThat(Persistence.save(l).get(10, TimeUnit.SECONDS)).isEqualTo(logger);
        assertThat(Echo.ping(l, "still forwarded")).isEqualTo("log:still forwarded");
        assertThatThrownBy(() -> Persistence.save(p).get(10, TimeUnit.SECONDS))
            .hasCauseInstanceOf(RpcException.class)
            .hasMessageContaining("nknown interface");
      }
    }
  }

  @Test
  void badNamesAndUnknownIdsHaveClearErrors() throws Exception {
    try (Vat server = Vat.create(config(), null);
        NamedServices services = NamedServices.serve(server);
        Vat client = Vat.client()) {
      services.add("main", new Echo("m:"));
      Capability spare = Capability.of(new Echo("again:"), server.loop());
      assertThatThrownBy(() -> services.add("main", spare))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("A service named \"main\" is already served");
      assertThatThrownBy(() -> services.add("", new Echo("e:")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("A service name must not be empty");
      assertThatThrownBy(() -> services.sturdyUri("nope"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("No service named \"nope\" (served: main)");
      try (Capability unknown = client.importRef(server.sturdyUri(services.id("nope")))
          .connect().get(10, TimeUnit.SECONDS)) {
        assertThatThrownBy(() -> Echo.ping(unknown, "x"))
            .hasMessageContaining(Restorer.UNKNOWN_SERVICE_ID);
      }
    }
    try (Vat clientOnly = Vat.client()) {
      assertThatThrownBy(() -> NamedServices.serve(clientOnly))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("need a vat that listens");
    }
  }
}
