package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.persist.CapFile;
import dev.capnp.net.restore.NamedServices;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link RemoteService}: a one-line client connection by URI or cap file. */
@Timeout(60)
class RemoteServiceTest {
  @TempDir
  Path dir;

  @Test
  void connectsByCapFileOrUriAndClosesEverything() throws Exception {
    VatConfig config = VatConfig.builder()
        .listenAddress(NetAddress.unix(dir.resolve("s.sock").toString())).build();
    long before = Capability.liveReferenceCount();
    try (Vat server = Vat.create(config, null);
        NamedServices services = NamedServices.serve(server)) {
      CapnpUri uri = services.add("main", new Echo("e:"));
      Path capFile = dir.resolve("echo.cap");
      CapFile.save(capFile, uri);
      try (RemoteService<Capability> echo = RemoteService.connect(capFile.toString())) {
        assertThat(Echo.ping(echo.get(), "a")).isEqualTo("e:a");
        assertThat(echo.vat().connectionCount()).isEqualTo(1);
      }
      try (RemoteService<Capability> echo = RemoteService.connect(uri, c -> c)) {
        assertThat(Echo.ping(echo.get(), "b")).isEqualTo("e:b");
        echo.get().close(); // the client closed its handle itself: close() must not fail
      }
    }
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(before);
  }

  @Test
  void failuresAreClear() {
    assertThatThrownBy(() -> RemoteService.connect(dir.resolve("none.cap").toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
    String nobody = "capnp://insecure@" + dir.resolve("nobody.sock") + "/";
    assertThatThrownBy(() -> RemoteService.connect(nobody))
        .isInstanceOf(RpcException.class).hasMessageContaining("Could not connect");
  }

  @Test
  void withCapSyncThrowsTheRpcExceptionItself() {
    String nobody = "capnp://insecure@" + dir.resolve("nobody.sock") + "/";
    try (Vat client = Vat.client()) {
      assertThatThrownBy(() -> client.importRef(nobody).withCapSync(cap -> "unreachable"))
          .isExactlyInstanceOf(RpcException.class).hasMessageContaining("Could not connect");
    }
  }
}
