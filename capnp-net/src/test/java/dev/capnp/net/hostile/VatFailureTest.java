package dev.capnp.net.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.Echo;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.testlog.NoWarnings;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Server;
import dev.capnp.runtime.AnyPointer;
import java.net.ConnectException;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A vat whose loop hits a fatal error (here a simulated {@code OutOfMemoryError} thrown by a
 * service) does not go on half-alive: it says so, stops listening, aborts its connections and
 * fails {@link Vat#whenStopped()}, so that a server's main can exit non-zero and be restarted.
 */
class VatFailureTest {
  /** Throws a (simulated) OutOfMemoryError on the vat's loop for every call. */
  static final class Exhausted extends Server {
    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      throw new OutOfMemoryError("simulated: Java heap space");
    }
  }

  @Test
  void aFatalErrorOnTheLoopStopsTheVatLoudly() throws Exception {
    NoWarnings.expect("fatal error on event loop", 1);
    NoWarnings.expect("failed and is shutting down", 1);
    Vat server = Vat.create(VatConfig.builder().tls(false)
        .listenAddress(NetAddress.tcp("127.0.0.1", 0)).build(), null);
    try (Vat client = Vat.client()) {
      server.setRestorer(id -> CompletableFuture.completedFuture(
          Capability.of(new Exhausted(), server.loop())));
      int port = ((NetAddress.Tcp) server.boundAddress()).port();
      CapnpUri uri = server.sturdyUri(ServiceId.ofPublic("x"));
      try (Capability cap = client.importRef(uri).connect().get(10, TimeUnit.SECONDS)) {
        CompletableFuture<?> call = Echo.request(cap, "hi").send();
        assertThatThrownBy(() -> server.whenStopped().get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(OutOfMemoryError.class);
        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class);
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
            .as("the listener is closed").isInstanceOf(ConnectException.class);
      }
    } finally {
      server.close();
    }
    assertThat(server.whenStopped()).isCompletedExceptionally();
  }

  /**
   * A service that, on the vat's loop, queues a Netty task (on the same thread, outside the
   * vat's own task wrapper) throwing a simulated OutOfMemoryError: an error in Netty's own work
   * (a flush, a timer, a read) is as fatal as one in a service. Netty's {@code safeExecute}
   * logged it as a warning and the vat went on (and when that log line ran out of memory too,
   * the loop's thread died: a server alive but serving no one, as 64 clients that never read
   * made EchoServerMain with a 64 MiB heap).
   */
  static final class ExhaustedInNettyTask extends Server {
    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      io.netty.util.internal.ThreadExecutorMap.currentExecutor().execute(() -> {
        throw new OutOfMemoryError("simulated: Java heap space (in a Netty task)");
      });
      return new CompletableFuture<>(); // never returns
    }
  }

  @Test
  void aFatalErrorInANettyTaskOfTheVatsThreadStopsTheVat() throws Exception {
    NoWarnings.expect("fatal error on event loop", 1);
    NoWarnings.expect("failed and is shutting down", 1);
    NoWarnings.expect("a task of event loop", 1);
    Vat server = Vat.create(VatConfig.builder().tls(false)
        .listenAddress(NetAddress.tcp("127.0.0.1", 0)).build(), null);
    try (Vat client = Vat.client()) {
      server.setRestorer(id -> CompletableFuture.completedFuture(
          Capability.of(new ExhaustedInNettyTask(), server.loop())));
      CapnpUri uri = server.sturdyUri(ServiceId.ofPublic("x"));
      try (Capability cap = client.importRef(uri).connect().get(10, TimeUnit.SECONDS)) {
        CompletableFuture<?> call = Echo.request(cap, "hi").send();
        assertThatThrownBy(() -> server.whenStopped().get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(OutOfMemoryError.class)
            .hasMessageContaining("in a Netty task");
        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class);
      }
    } finally {
      server.close();
    }
  }

  @Test
  void aClosedVatStopsNormally() throws Exception {
    Vat v = Vat.create(VatConfig.builder().tls(false)
        .listenAddress(NetAddress.tcp("127.0.0.1", 0)).build(), null);
    assertThat(v.whenStopped()).isNotDone();
    v.close();
    assertThat(v.whenStopped()).isCompleted();
  }
}
