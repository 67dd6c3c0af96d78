package dev.capnp.net.restore;

import static dev.capnp.net.restore.TestEcho.await;
import static dev.capnp.net.restore.TestEcho.pingNow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.Restorer;
import dev.capnp.net.ServiceId;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The seed's "Table restorer" test, plus single restorers and table details. */
class RestorerTableTest {
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

  static CapnpUri uriOf(ServiceId id) {
    return CapnpUri.parse("capnp://insecure@/tmp/test.sock/" + id.toBase64Url());
  }

  private Capability restore(Restorer r, ServiceId id) {
    return await(loop, r.restore(id).toCompletableFuture());
  }

  private RpcException restoreFailure(Restorer r, ServiceId id) {
    CompletableFuture<Capability> f = r.restore(id).toCompletableFuture();
    loop.runPending();
    assertThat(f).isCompletedExceptionally();
    try {
      f.join().close();
      throw new AssertionError("restore succeeded");
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(RpcException.class);
      return (RpcException) e.getCause();
    }
  }

  @Test
  void tableRestorer() {
    ServiceId echoId = ServiceId.ofPublic("echo");
    ServiceId registryId = ServiceId.ofPublic("registry");
    ServiceId brokenId = ServiceId.ofPublic("broken");
    ServiceId unknownId = ServiceId.ofPublic("unknown");
    try (RestorerTable table = RestorerTable.create(RestorerTableTest::uriOf)) {
      table.add(echoId, Capability.of(new TestEcho()));
      table.add(registryId, Capability.of(new TestEcho()));
      table.add(brokenId, Capability.broken(RpcException.failed("broken")));

      Capability a1 = restore(table, echoId);
      assertThat(pingNow(loop, a1, "ping")).isEqualTo("got:0:ping");
      Capability a2 = restore(table, echoId);
      assertThat(a2.isSameAs(a1)).as("same cap").isTrue();
      assertThat(pingNow(loop, a2, "ping")).isEqualTo("got:1:ping");
      Capability r1 = restore(table, registryId);
      assertThat(r1.isSameAs(a1)).isFalse();

      Capability x = restore(table, brokenId);
      assertThat(x.problem()).isNotNull();
      assertThat(x.problem().getReason()).isEqualTo("broken");
      x.close();

      RpcException missing = restoreFailure(table, unknownId);
      assertThat(missing.getType()).isEqualTo(RpcException.Type.FAILED);
      assertThat(missing.getReason()).isEqualTo("Unknown persistent service ID");

      a1.close();
      a2.close();
      r1.close();
      table.remove(echoId);
      assertThat(restoreFailure(table, echoId).getReason())
          .isEqualTo(Restorer.UNKNOWN_SERVICE_ID);
      assertThatThrownBy(() -> table.remove(echoId))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Service ID not in restorer table");
      assertThat(table.size()).isEqualTo(2);
    }
  }

  @Test
  void removeReleasesTheTablesReference() {
    TestEcho echo = new TestEcho();
    ServiceId id = ServiceId.generate();
    try (RestorerTable table = RestorerTable.create(RestorerTableTest::uriOf)) {
      table.add(id, Capability.of(echo));
      Capability c = restore(table, id);
      table.remove(id);
      loop.runPending();
      assertThat(echo.released).as("still used by c").isFalse();
      assertThat(pingNow(loop, c, "x")).isEqualTo("got:0:x");
      c.close();
      loop.runPending();
      assertThat(echo.released).isTrue();
    }
  }

  @Test
  void addTwiceAndAfterCloseFail() {
    ServiceId id = ServiceId.ofPublic("a");
    RestorerTable table = RestorerTable.create(RestorerTableTest::uriOf);
    table.add(id, Capability.of(new TestEcho()));
    assertThatThrownBy(() -> table.add(ServiceId.ofPublic("a"), Capability.of(new TestEcho())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Service ID already in restorer table");
    table.close();
    assertThat(table.size()).isZero();
    assertThatThrownBy(() -> table.add(id, Capability.of(new TestEcho())))
        .isInstanceOf(IllegalStateException.class).hasMessage("Restorer table is closed");
    assertThat(restoreFailure(table, id).getReason()).isEqualTo("Restorer table is closed");
  }

  @Test
  void clearReleasesEverything() {
    TestEcho e1 = new TestEcho();
    TestEcho e2 = new TestEcho();
    RestorerTable table = RestorerTable.create(RestorerTableTest::uriOf);
    table.add(ServiceId.ofPublic("1"), Capability.of(e1));
    table.add(ServiceId.ofPublic("2"), Capability.of(e2));
    table.clear();
    loop.runPending();
    assertThat(e1.released).isTrue();
    assertThat(e2.released).isTrue();
    assertThat(restoreFailure(table, ServiceId.ofPublic("1")).getReason())
        .isEqualTo(Restorer.UNKNOWN_SERVICE_ID);
    table.close();
  }

  @Test
  void sturdyRefConnectsThroughTheTable() {
    ServiceId id = ServiceId.generate();
    try (RestorerTable table = RestorerTable.create(RestorerTableTest::uriOf)) {
      table.add(id, Capability.of(new TestEcho()));
      var ref = table.sturdyRef(id);
      assertThat(ref.uri()).isEqualTo(uriOf(id));
      assertThat(ref.uri().serviceId()).isEqualTo(id);
      assertThat(table.sturdyUri(id)).isEqualTo(uriOf(id));
      String reply = await(loop, ref.withCap(c -> TestEcho.ping(c, "hi")));
      assertThat(reply).isEqualTo("got:0:hi");
    }
  }

  @Test
  void singleRestorerComparesDigests() {
    ServiceId id = ServiceId.of(new byte[] {1, 2, 3});
    TestEcho echo = new TestEcho();
    try (SingleRestorer r = new SingleRestorer(id, Capability.of(echo))) {
      Capability c = restore(r, ServiceId.of(new byte[] {1, 2, 3}));
      assertThat(pingNow(loop, c, "p")).isEqualTo("got:0:p");
      Capability d = restore(r, id);
      assertThat(d.isSameAs(c)).isTrue();
      c.close();
      d.close();
      assertThat(restoreFailure(r, ServiceId.of(new byte[] {1, 2})).getReason())
          .isEqualTo("Unknown persistent service ID");
      assertThat(restoreFailure(r, ServiceId.EMPTY).getReason())
          .isEqualTo("Unknown persistent service ID");
    }
    loop.runPending();
    assertThat(echo.released).isTrue();
  }

  @Test
  void singleRestorerForTheEmptyId() {
    try (SingleRestorer r = new SingleRestorer(ServiceId.EMPTY, Capability.of(new TestEcho()))) {
      Capability c = restore(r, ServiceId.ofPublic(""));
      assertThat(pingNow(loop, c, "p")).isEqualTo("got:0:p");
      c.close();
      assertThat(restoreFailure(r, ServiceId.ofPublic("x")).getReason())
          .isEqualTo("Unknown persistent service ID");
    }
  }

  @Test
  void noRestorer() {
    assertThat(restoreFailure(Restorer.NONE, ServiceId.EMPTY).getReason())
        .isEqualTo("This vat has no restorer");
  }
}
