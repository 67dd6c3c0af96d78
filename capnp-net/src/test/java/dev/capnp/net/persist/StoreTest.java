package dev.capnp.net.persist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.Restorer;
import dev.capnp.net.ServiceId;
import dev.capnp.net.SturdyRef;
import dev.capnp.net.restore.Loader;
import dev.capnp.net.restore.RestorerTable;
import dev.capnp.net.restore.Wire;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.proto.PersistentSchema;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Text;
import dev.capnp.schema.Schema.CodeGeneratorRequest.RequestedFile;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's "Store" test: a store service creates files (each a persistent service whose data
 * lives in a {@link FileStore}, loaded on demand by a loader-backed {@link RestorerTable});
 * the client saves a file's sturdy ref, the server is killed and restarted, and the client
 * reconnects through the sturdy ref and finds the data. Runs over an in-memory connection.
 */
class StoreTest {
  static final long STORE = 0x5701_0000_0000_0001L;
  static final long FILE = 0x5701_0000_0000_0002L;
  static final PersistentSchema.Persistent.SaveResults.Factory<AnyPointer.Builder,
      AnyPointer.Reader, AnyPointer.Builder, AnyPointer.Reader> ONE_POINTER =
      PersistentSchema.Persistent.SaveResults.factory(AnyPointer.FACTORY, AnyPointer.FACTORY);

  @TempDir
  Path dir;
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

  /** A fresh random service ID (raw bytes: they travel as a Text of any bytes). */
  static ServiceId newId() {
    return ServiceId.generate();
  }

  /** The Text in field 0 of a one-pointer struct. */
  static String textOf(AnyPointer.Reader p) {
    return p.getAs(ONE_POINTER).getSturdyRef().getAs(Text.FACTORY).toString();
  }

  /** Sets field 0 of a new one-pointer struct at {@code p} to {@code s}. */
  static void setText(AnyPointer.Builder p, String s) {
    p.initAs(ONE_POINTER).getSturdyRef().setAs(Text.FACTORY, new Text.Reader(s));
  }

  static CapnpUri uriOf(ServiceId id) {
    return CapnpUri.parse("capnp://insecure@/tmp/store.sock/" + id.toBase64Url());
  }

  /** One file: get/set of a Text kept in the store under the digest. */
  static final class FileService extends Server {
    final FileStore db;
    final byte[] digest;

    FileService(FileStore db, byte[] digest) {
      this.db = db;
      this.digest = digest;
    }

    @Override
    protected CompletionStage<Void> dispatch(long iid, int mid,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      if (iid != FILE) {
        return unknownInterface(iid);
      }
      if (mid == 0) {
        String data = ctx.getParams().getAs(ONE_POINTER).getSturdyRef()
            .getAs(Text.FACTORY).toString();
        ctx.releaseParams();
        dev.capnp.runtime.MessageBuilder mb = new dev.capnp.runtime.MessageBuilder();
        mb.initRoot(RequestedFile.FACTORY).setFilename(data);
        db.save(digest, mb);
        return done();
      }
      if (mid == 1) {
        String data = db.load(digest, RequestedFile.FACTORY).orElseThrow().getFilename()
            .toString();
        ctx.getResults().initAs(ONE_POINTER).getSturdyRef()
            .setAs(Text.FACTORY, new Text.Reader(data));
        return done();
      }
      return unknownMethod(iid, mid);
    }
  }

  /** Loads files from the store: a stored digest gives a persistent file service. */
  static final class FileLoader implements Loader {
    final FileStore db;
    int loads;

    FileLoader(FileStore db) {
      this.db = db;
    }

    @Override
    public CapnpUri makeSturdy(ServiceId id) {
      return uriOf(id);
    }

    @Override
    public CompletionStage<Capability> load(SturdyRef self, ServiceId.DigestKey digest) {
      loads++;
      if (!db.contains(digest.bytes())) {
        return Restorer.unknownServiceId();
      }
      return CompletableFuture.completedFuture(Persistence.withSturdyRef(self,
          Capability.of(new FileService(db, digest.bytes()))));
    }
  }

  /** The store: {@code createFile} adds an empty file and answers its (restored) capability. */
  static final class StoreService extends Server {
    final FileStore db;
    final Restorer restorer;

    StoreService(FileStore db, Restorer restorer) {
      this.db = db;
      this.restorer = restorer;
    }

    @Override
    protected CompletionStage<Void> dispatch(long iid, int mid,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      if (iid != STORE || mid != 0) {
        return unknownMethod(iid, mid);
      }
      ctx.releaseParams();
      ServiceId id = newId();
      dev.capnp.runtime.MessageBuilder empty = new dev.capnp.runtime.MessageBuilder();
      empty.initRoot(RequestedFile.FACTORY).setFilename("");
      db.save(id.digest(), empty);
      return restorer.restore(id).thenAccept(file -> {
        try (file) {
          file.writeTo(ctx.getResults().initAs(ONE_POINTER).getSturdyRef());
        }
      });
    }
  }

  /** A running server "process": its table and connection. */
  final class ServerProcess implements AutoCloseable {
    final RestorerTable table;
    final FileLoader loader;
    final Wire wire;

    ServerProcess(FileStore db, ServiceId mainId) {
      loader = new FileLoader(db);
      table = RestorerTable.ofLoader(loader);
      table.add(mainId, Capability.of(new StoreService(db, table)));
      wire = new Wire(loop, table);
    }

    Capability connect(ServiceId id) {
      return wire.client.bootstrap(id.toBytes());
    }

    @Override
    public void close() {
      wire.close();
      table.close();
    }
  }

  private static void set(Wire w, Capability file, String data) {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> req = file.newCall(FILE, 0);
    req.getParams().initAs(ONE_POINTER).getSturdyRef()
        .setAs(Text.FACTORY, new Text.Reader(data));
    w.await(req.send()).close();
  }

  private static String get(Wire w, Capability file) {
    try (Response<AnyPointer.Reader> r = w.await(file.newCall(FILE, 1).send())) {
      return r.get().getAs(ONE_POINTER).getSturdyRef().getAs(Text.FACTORY).toString();
    }
  }

  @Test
  void store() {
    FileStore db = new FileStore(dir);
    ServiceId mainId = newId();
    CapnpUri fileUri;
    ServerProcess server = new ServerProcess(db, mainId);
    try (Capability store = server.connect(mainId)) {
      ResponsePromise<AnyPointer.Reader, Pipeline> created = store.newCall(STORE, 0).send();
      try (Capability file = created.getPipelinedCap(0)) {
        set(server.wire, file, "Hello");
        assertThat(get(server.wire, file)).isEqualTo("Hello");
        fileUri = server.wire.await(Persistence.save(file));
        assertThat(fileUri.toString()).startsWith("capnp://insecure@/tmp/store.sock/");
        CompletableFuture<RpcException> broken = file.whenBroken();
        // the server goes away
        server.wire.killServer();
        RpcException why = server.wire.await(broken);
        assertThat(why.getType()).isEqualTo(RpcException.Type.DISCONNECTED);
        assertThat(file.problem()).isNotNull();
      }
      server.wire.await(created.handle((r, e) -> {
        if (r != null) {
          r.close();
        }
        return null;
      }));
    }
    server.close();
    assertThat(server.loader.loads).isEqualTo(1);

    // restart and reconnect through the saved sturdy ref
    ServerProcess restarted = new ServerProcess(db, mainId);
    try (Capability file = restarted.connect(fileUri.serviceId())) {
      assertThat(get(restarted.wire, file)).isEqualTo("Hello");
      set(restarted.wire, file, "Hello again");
      assertThat(restarted.wire.await(Persistence.save(file))).isEqualTo(fileUri);
    }
    assertThat(restarted.loader.loads).isEqualTo(1);
    try (Capability unknown = restarted.connect(newId())) {
      CompletableFuture<RpcException> broken = unknown.whenBroken();
      assertThat(restarted.wire.await(broken).getReason())
          .isEqualTo("Unknown persistent service ID");
    }
    restarted.close();
    assertThat(new FileStore(dir).load(fileUri.serviceId().digest(), RequestedFile.FACTORY)
        .orElseThrow().getFilename().toString()).isEqualTo("Hello again");
  }
}
