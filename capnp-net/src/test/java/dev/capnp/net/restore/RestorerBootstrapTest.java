package dev.capnp.net.restore;

import dev.capnp.net.testlog.NoWarnings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.ServiceId;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Text;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Spec section 5: restorers answering Bootstrap messages over a connection. */
class RestorerBootstrapTest {
  private EventLoop loop;
  private long liveBefore;

  @BeforeEach
  void setUp() {
    loop = EventLoop.manual();
    liveBefore = Capability.liveReferenceCount();
  }

  @AfterEach
  void noLeaks() {
    loop.runPending();
    assertThat(Capability.liveReferenceCount()).as("live capability references")
        .isLessThanOrEqualTo(liveBefore);
    loop.close();
  }

  private static RpcException failure(Wire w, Capability cap) {
    CompletableFuture<String> f = TestEcho.ping(cap, "x");
    w.pump();
    assertThat(f).isCompletedExceptionally();
    try {
      f.join();
      throw new AssertionError("call succeeded");
    } catch (CompletionException e) {
      return (RpcException) e.getCause();
    }
  }

  @Test
  void serviceIdsSelectServices() {
    try (RestorerTable table = RestorerTable.create(RestorerTableTest::uriOf);
        Wire w = new Wire(loop, table)) {
      table.add(ServiceId.ofPublic("alice"), Capability.of(new TestEcho()));
      table.add(ServiceId.ofPublic("bob"), Capability.of(new TestEcho()));
      try (Capability alice = w.client.bootstrap("alice");
          Capability bob = w.client.bootstrap("bob")) {
        assertThat(w.ping(alice, "a")).isEqualTo("got:0:a");
        assertThat(w.ping(alice, "a")).isEqualTo("got:1:a");
        assertThat(w.ping(bob, "b")).isEqualTo("got:0:b");
      }
      try (Capability unknown = w.client.bootstrap("carol")) {
        RpcException e = failure(w, unknown);
        assertThat(e.getType()).isEqualTo(RpcException.Type.FAILED);
        assertThat(e.getReason()).isEqualTo("Unknown persistent service ID");
      }
      try (Capability empty = w.client.bootstrap()) {
        assertThat(failure(w, empty).getReason()).isEqualTo("Unknown persistent service ID");
      }
    }
  }

  @Test
  void emptyIdIsWhatCppClientsAskFor() {
    try (SingleRestorer r = new SingleRestorer(ServiceId.EMPTY, Capability.of(new TestEcho()));
        Wire w = new Wire(loop, r)) {
      try (Capability cap = w.client.bootstrap()) {
        assertThat(w.ping(cap, "hi")).isEqualTo("got:0:hi");
      }
      try (Capability cap = w.client.bootstrap("")) {
        assertThat(w.ping(cap, "hi")).isEqualTo("got:1:hi");
      }
      try (Capability cap = w.client.bootstrap("x")) {
        assertThat(failure(w, cap).getReason()).isEqualTo("Unknown persistent service ID");
      }
    }
  }

  @Test
  void noRestorer() {
    try (Wire w = new Wire(loop, null); Capability cap = w.client.bootstrap()) {
      assertThat(failure(w, cap).getReason()).isEqualTo("This vat has no restorer");
    }
  }

  @Test
  void slowRestoreAnswersWithAPromise() {
    CompletableFuture<Capability> gate = new CompletableFuture<>();
    try (Wire w = new Wire(loop, id -> gate)) {
      try (Capability cap = w.client.bootstrap("slow")) {
        CompletableFuture<String> reply = TestEcho.ping(cap, "early");
        w.pump();
        assertThat(reply).isNotDone();
        gate.complete(Capability.of(new TestEcho()));
        assertThat(w.await(reply)).isEqualTo("got:0:early");
      }
    }
  }

  @Test
  void slowRestoreFailureBreaksThePromise() {
    NoWarnings.expect("Uncaught exception restoring object", 1);
    CompletableFuture<Capability> gate = new CompletableFuture<>();
    try (Wire w = new Wire(loop, id -> gate)) {
      try (Capability cap = w.client.bootstrap("slow")) {
        CompletableFuture<String> reply = TestEcho.ping(cap, "early");
        w.pump();
        gate.completeExceptionally(new IllegalStateException("secret detail"));
        w.pump();
        assertThat(reply).isCompletedExceptionally();
        assertThat(failure(w, cap).getReason()).isEqualTo("Internal error restoring object");
      }
    }
  }

  @Test
  void restorerExceptionsAreHidden() {
    NoWarnings.expect("Uncaught exception restoring object", 1);
    try (Wire w = new Wire(loop, id -> {
      throw new IllegalStateException("secret detail");
    }); Capability cap = w.client.bootstrap("x")) {
      assertThat(failure(w, cap).getReason()).isEqualTo("Internal error restoring object");
    }
    try (Wire w = new Wire(loop, id -> CompletableFuture.failedFuture(
        new java.util.concurrent.CancellationException()));
        Capability cap = w.client.bootstrap("x")) {
      assertThat(failure(w, cap).getReason()).isEqualTo("Cancelled");
    }
    try (Wire w = new Wire(loop, id -> CompletableFuture.failedFuture(
        RpcException.overloaded("busy"))); Capability cap = w.client.bootstrap("x")) {
      RpcException e = failure(w, cap);
      assertThat(e.getType()).isEqualTo(RpcException.Type.OVERLOADED);
      assertThat(e.getReason()).isEqualTo("busy");
    }
  }

  @Test
  void clientLeavesWhileTheLoaderRuns() {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    TestEcho service = new TestEcho();
    LoaderTableTest.FnLoader loader = new LoaderTableTest.FnLoader();
    ServiceId id = ServiceId.ofPublic("late");
    loader.on(id, () -> gate.thenApply(v -> Capability.of(service)));
    try (RestorerTable table = RestorerTable.ofLoader(loader)) {
      Wire w = new Wire(loop, table);
      Capability cap = w.client.bootstrap("late");
      CompletableFuture<RpcException> broken = cap.whenBroken();
      w.pump();
      assertThat(loader.loads(id)).isEqualTo(1);
      w.client.disconnect(RpcException.disconnected("client left"));
      w.pump();
      assertThat(w.await(broken).getType()).isEqualTo(RpcException.Type.DISCONNECTED);
      cap.close();
      gate.complete(null);
      w.close();
      loop.runPending();
      assertThat(service.released).as("restored service released").isTrue();
      assertThat(table.size()).isZero();
    }
  }

  @Test
  void objectIdIsTextOfRawBytes() {
    byte[] raw = {(byte) 0xff, 0, (byte) 0xc3, 0x28, 'a'};
    MessageBuilder mb = new MessageBuilder();
    AnyPointer.Builder p = mb.getRootAnyPointer();
    p.setAs(Text.FACTORY, RestorerBootstrap.objectIdOf(ServiceId.of(raw)));
    assertThat(RestorerBootstrap.serviceIdOf(p.asReader())).isEqualTo(ServiceId.of(raw));
    assertThat(RestorerBootstrap.objectIdOf(ServiceId.EMPTY)).isNull();
    assertThat(RestorerBootstrap.serviceIdOf(null)).isEqualTo(ServiceId.EMPTY);
    MessageBuilder empty = new MessageBuilder();
    assertThat(RestorerBootstrap.serviceIdOf(empty.getRootAnyPointer().asReader()))
        .isEqualTo(ServiceId.EMPTY);
    MessageBuilder struct = new MessageBuilder();
    struct.getRootAnyPointer().initAs(dev.capnp.rpc.proto.Rpc.Bootstrap.FACTORY);
    assertThatThrownBy(() -> RestorerBootstrap.serviceIdOf(
        struct.getRootAnyPointer().asReader()))
        .isInstanceOf(RpcException.class)
        .hasMessageContaining("deprecatedObjectId is not a Text");
  }
}
