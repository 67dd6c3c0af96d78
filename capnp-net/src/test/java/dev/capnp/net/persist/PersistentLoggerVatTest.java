package dev.capnp.net.persist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.Restorer;
import dev.capnp.net.ServiceId;
import dev.capnp.net.SturdyRef;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.restore.Loader;
import dev.capnp.net.restore.RestorerTable;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Text;
import dev.capnp.schema.Schema.CodeGeneratorRequest.RequestedFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed tutorial's "Persisting sturdy refs" over real vats (Unix socket, TLS on): loggers
 * live in a {@link FileStore}, a loader-backed {@link RestorerTable} restores them on demand,
 * the admin's root logger has a derived ID, sturdy refs travel as cap files, and everything
 * still works after the server is restarted with the same key file and store directory.
 */
@Timeout(60)
class PersistentLoggerVatTest {
  static final long LOGGER = 0x10c0_0000_0000_0001L;
  static final int LOG = 0;
  static final int SUB = 1;

  @TempDir
  Path dir;
  private long liveBefore;
  private final List<String> serverLog = new CopyOnWriteArrayList<>();

  @BeforeEach
  void countReferences() {
    liveBefore = Capability.liveReferenceCount();
  }

  @AfterEach
  void noLeaks() throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    long live = Capability.liveReferenceCount();
    while (live > liveBefore && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
      live = Capability.liveReferenceCount();
    }
    assertThat(live).as("live capability references").isLessThanOrEqualTo(liveBefore);
  }

  /** A logger: {@code log(msg)} records and answers {@code "<label> says <msg>"}; {@code sub}. */
  final class LoggerImpl extends Server {
    final String label;
    final ServerProcess server;

    LoggerImpl(String label, ServerProcess server) {
      this.label = label;
      this.server = server;
    }

    @Override
    protected CompletionStage<Void> dispatch(long iid, int mid,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      if (iid != LOGGER) {
        return unknownInterface(iid);
      }
      String arg = StoreTest.textOf(ctx.getParams());
      ctx.releaseParams();
      switch (mid) {
        case LOG:
          String line = label + " says " + arg;
          serverLog.add(line);
          StoreTest.setText(ctx.getResults(), line);
          return done();
        case SUB:
          ServiceId id = server.saveNew(label + "/" + arg);
          return server.table.restore(id).thenAccept(sub -> {
            try (sub) {
              sub.writeTo(ctx.getResults().initAs(StoreTest.ONE_POINTER).getSturdyRef());
            }
          });
        default:
          return unknownMethod(iid, mid);
      }
    }
  }

  /** One run of the server: vat, loader-backed table over the store, root logger. */
  final class ServerProcess implements Loader, AutoCloseable {
    final FileStore store;
    final VatConfig config;
    final Vat vat;
    final RestorerTable table;
    final ServiceId rootId;
    int loads;

    ServerProcess() throws Exception {
      Path storeDir = dir.resolve("store");
      Files.createDirectories(storeDir);
      store = new FileStore(storeDir);
      config = VatConfig.builder().secretKeyFile(dir.resolve("server.pem"))
          .listenAddress(NetAddress.unix(dir.resolve("server.sock").toString())).tls(true)
          .build();
      vat = Vat.create(config, null);
      table = RestorerTable.ofLoader(this);
      rootId = config.derivedId("root");
      table.add(rootId, Persistence.withSturdyRef(table.sturdyRef(rootId),
          Capability.of(new LoggerImpl("root", this), vat.loop())));
      vat.setRestorer(table);
      CapFile.save(dir.resolve("admin.cap"), vat.sturdyUri(rootId));
    }

    ServiceId saveNew(String label) {
      ServiceId id = ServiceId.generate();
      MessageBuilder mb = new MessageBuilder();
      mb.initRoot(RequestedFile.FACTORY).setFilename(label);
      store.save(id.digest(), mb);
      return id;
    }

    @Override
    public CapnpUri makeSturdy(ServiceId id) {
      return config.sturdyUri(id);
    }

    @Override
    public CompletionStage<Capability> load(SturdyRef self, ServiceId.DigestKey digest) {
      loads++;
      return store.load(digest, RequestedFile.FACTORY)
          .map(saved -> CompletableFuture.completedFuture(Persistence.withSturdyRef(self,
              Capability.of(new LoggerImpl(saved.getFilename().toString(), this),
                  vat.loop()))))
          .orElseGet(Restorer::unknownServiceId);
    }

    @Override
    public void close() {
      vat.close();
      table.close();
    }
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  static String log(Capability logger, String msg) throws Exception {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> req = logger.newCall(LOGGER, LOG);
    StoreTest.setText(req.getParams(), msg);
    try (Response<AnyPointer.Reader> r = await(req.send())) {
      return StoreTest.textOf(r.get());
    }
  }

  static Capability sub(Capability logger, String label) throws Exception {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> req = logger.newCall(LOGGER, SUB);
    StoreTest.setText(req.getParams(), label);
    try (Response<AnyPointer.Reader> r = await(req.send())) {
      return r.getCap(0);
    }
  }

  @Test
  void loggersPersistAcrossServerRestarts() throws Exception {
    Path adminCap = dir.resolve("admin.cap");
    Path aliceCap = dir.resolve("alice.cap");
    try (Vat client = Vat.client()) {
      CapnpUri rootUri;
      try (ServerProcess server = new ServerProcess()) {
        rootUri = server.vat.sturdyUri(server.rootId);
        assertThat(CapFile.load(adminCap)).isEqualTo(rootUri);
        try (Capability root = await(client.importRef(CapFile.load(adminCap)).connect())) {
          assertThat(log(root, "Hello from Admin")).isEqualTo("root says Hello from Admin");
          try (Capability alice = sub(root, "alice")) {
            CapnpUri aliceUri = await(Persistence.save(alice));
            assertThat(aliceUri.address()).isEqualTo(rootUri.address());
            assertThat(aliceUri.auth()).isEqualTo(rootUri.auth());
            CapFile.save(aliceCap, aliceUri);
            assertThat(log(alice, "Hello from Alice"))
                .isEqualTo("root/alice says Hello from Alice");
          }
        }
        assertThat(server.loads).isEqualTo(1);
      }

      // a new server process: same key file and store; IDs and data survive
      try (ServerProcess restarted = new ServerProcess()) {
        assertThat(restarted.vat.sturdyUri(restarted.rootId)).as("derived root ID is stable")
            .isEqualTo(rootUri);
        SturdyRef aliceRef = client.importRef(CapFile.load(aliceCap));
        // withCapSync: the body blocks, so it must run on this thread, not the vat's loop
        String reply = aliceRef.withCapSync(alice -> {
          try (Capability bob = sub(alice, "bob")) {
            return log(alice, "Hello again") + " / " + log(bob, "Hello from Bob");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        assertThat(reply).isEqualTo(
            "root/alice says Hello again / root/alice/bob says Hello from Bob");
        try (Capability root = await(client.importRef(CapFile.load(adminCap)).connect())) {
          assertThat(log(root, "still admin")).isEqualTo("root says still admin");
        }
        // an ID that was never saved
        CapnpUri bogus = restarted.vat.sturdyUri(ServiceId.generate());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> {
              try (Capability c = await(client.importRef(bogus).connect())) {
                log(c, "x");
              }
            });
        assertThat(e.getCause()).isInstanceOf(RpcException.class)
            .hasMessageContaining("Unknown persistent service ID");
      }
    }
    assertThat(serverLog).contains("root says Hello from Admin",
        "root/alice says Hello from Alice", "root/alice says Hello again",
        "root/alice/bob says Hello from Bob");
  }
}
