package dev.capnp.net.persist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.ServiceId;
import dev.capnp.net.restore.RestorerTable;
import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.net.restore.TestEcho;
import dev.capnp.net.restore.Wire;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.proto.PersistentSchema;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Text;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Spec section 6: the persistence wrapper, {@code save} as Text, over a connection. */
class PersistenceTest {
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

  static CapnpUri uri(String sid) {
    return CapnpUri.parse("capnp://sha-256:s16WV4JeGusAL_nTjvICiQOFqm3LqYrDj3K-HXdMi8s@localhost:7000/"
        + ServiceId.ofPublic(sid).toBase64Url());
  }

  private static Throwable failureOf(Wire w, CompletableFuture<?> f) {
    w.await(f.handle((v, e) -> null));
    assertThat(f).isCompletedExceptionally();
    try {
      f.join();
      throw new AssertionError("succeeded");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void wrappedServiceSavesAndForwards() {
    TestEcho echo = new TestEcho();
    CapnpUri u = uri("main");
    Capability wrapped = Persistence.withSturdyUri(u, Capability.of(echo));
    try (SingleRestorer r = new SingleRestorer(ServiceId.EMPTY, wrapped);
        Wire w = new Wire(loop, r); Capability cap = w.client.bootstrap()) {
      assertThat(w.ping(cap, "a")).isEqualTo("got:0:a");
      assertThat(w.await(Persistence.save(cap))).isEqualTo(u);
      assertThat(w.await(Persistence.saveText(cap))).isEqualTo(u.toString());
      assertThat(u.toString()).endsWith("@localhost:7000/bWFpbg");
      assertThat(w.ping(cap, "b")).isEqualTo("got:1:b");
    }
    loop.runPending();
    assertThat(echo.released).as("the wrapper releases the service").isTrue();
  }

  @Test
  void sturdyRefIsATextOnTheWireAndTheGeneratedClientReadsIt() {
    CapnpUri u = uri("typed");
    try (SingleRestorer r = new SingleRestorer(ServiceId.EMPTY,
        Persistence.withSturdyUri(u, Capability.of(new TestEcho())));
        Wire w = new Wire(loop, r)) {
      PersistentSchema.Persistent.Client<Text.Builder, Text.Reader, AnyPointer.Builder,
          AnyPointer.Reader> client = new PersistentSchema.Persistent.Client<>(
              w.client.bootstrap(), Text.FACTORY, AnyPointer.FACTORY);
      try (client) {
        var req = client.saveRequest();
        req.getParams().initSealFor().setAs(Text.FACTORY, new Text.Reader("ignored"));
        try (var resp = w.await(req.send())) {
          assertThat(resp.get().getSturdyRef().toString()).isEqualTo(u.toString());
        }
      }
    }
  }

  @Test
  void notPersistentGivesUnknownInterface() {
    try (SingleRestorer r = new SingleRestorer(ServiceId.EMPTY, Capability.of(new TestEcho()));
        Wire w = new Wire(loop, r); Capability cap = w.client.bootstrap()) {
      Throwable e = failureOf(w, Persistence.save(cap));
      assertThat(e).isInstanceOf(RpcException.class);
      assertThat(((RpcException) e).getType()).isEqualTo(RpcException.Type.UNIMPLEMENTED);
      assertThat(((RpcException) e).getReason())
          .isEqualTo("Unknown interface 14468694717054801553");
    }
  }

  @Test
  void otherPersistentMethodsAreUnimplemented() {
    try (SingleRestorer r = new SingleRestorer(ServiceId.EMPTY,
        Persistence.withSturdyUri(uri("x"), Capability.of(new TestEcho())));
        Wire w = new Wire(loop, r); Capability cap = w.client.bootstrap()) {
      Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> req =
          cap.newCall(Persistence.INTERFACE_ID, 1);
      CompletableFuture<Response<AnyPointer.Reader>> f = req.send();
      RpcException e = (RpcException) failureOf(w, f);
      assertThat(e.getType()).isEqualTo(RpcException.Type.UNIMPLEMENTED);
      assertThat(e.getReason()).isEqualTo("Unknown persistence method 1");
    }
  }

  @Test
  void saveErrorsBecomeExceptionReturns() {
    Capability wrapped = Persistence.withPersistence(
        () -> CompletableFuture.failedFuture(RpcException.failed("not saveable now")),
        Capability.of(new TestEcho()));
    try (SingleRestorer r = new SingleRestorer(ServiceId.EMPTY, wrapped);
        Wire w = new Wire(loop, r); Capability cap = w.client.bootstrap()) {
      RpcException e = (RpcException) failureOf(w, Persistence.save(cap));
      assertThat(e.getReason()).isEqualTo("not saveable now");
      assertThat(w.ping(cap, "still works")).isEqualTo("got:0:still works");
    }
  }

  @Test
  void withSturdyRefOfATable() {
    ServiceId id = ServiceId.generate();
    try (RestorerTable table = RestorerTable.create(
        sid -> CapnpUri.parse("capnp://insecure@/run/x.sock/" + sid.toBase64Url()))) {
      table.add(id, Persistence.withSturdyRef(table.sturdyRef(id),
          Capability.of(new TestEcho())));
      Capability cap = TestEcho.await(loop, table.restore(id).toCompletableFuture());
      CapnpUri saved = TestEcho.await(loop, Persistence.save(cap));
      assertThat(saved.serviceId()).isEqualTo(id);
      assertThat(saved).isEqualTo(table.sturdyUri(id));
      cap.close();
    }
  }

  @Test
  void capabilitiesInParamsAndResultsAreForwarded() {
    // A service that answers its params' capability back: the wrapper must copy it across.
    dev.capnp.rpc.Server mirror = new dev.capnp.rpc.Server() {
      @Override
      protected java.util.concurrent.CompletionStage<Void> dispatch(long iid, int mid,
          dev.capnp.rpc.CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
        try (Capability c = Capability.fromPointer(ctx.getParams())) {
          c.writeTo(ctx.getResults());
        }
        return done();
      }
    };
    TestEcho callback = new TestEcho();
    try (SingleRestorer r = new SingleRestorer(ServiceId.EMPTY,
        Persistence.withSturdyUri(uri("m"), Capability.of(mirror)));
        Wire w = new Wire(loop, r); Capability cap = w.client.bootstrap();
        Capability cb = Capability.of(callback)) {
      Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> req = cap.newCall(0x1234L, 0);
      cb.writeTo(req.getParams());
      var promise = req.send();
      try (Capability pipelined = promise.getPipelinedCap()) {
        assertThat(w.ping(pipelined, "back")).isEqualTo("got:0:back");
      }
      try (Response<AnyPointer.Reader> resp = w.await(promise);
          Capability back = resp.getCap()) {
        assertThat(back.isSameAs(cb)).as("the client's own object came back").isTrue();
      }
    }
  }
}
