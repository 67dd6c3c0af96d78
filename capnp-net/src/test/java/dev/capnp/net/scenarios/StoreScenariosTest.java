package dev.capnp.net.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.Restorer;
import dev.capnp.net.ServiceId;
import dev.capnp.net.SturdyRef;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.persist.FileStore;
import dev.capnp.net.persist.Persistence;
import dev.capnp.net.restore.Loader;
import dev.capnp.net.restore.RestorerTable;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.runtime.MessageBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The seed's Store and File store scenarios. */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class StoreScenariosTest {
  @TempDir
  Path dir;

  /** The in-memory database of files, keyed by the digest of each file's service ID. */
  private static final class Db {
    final Map<ServiceId.DigestKey, String> files = new ConcurrentHashMap<>();
  }

  /** A file of the database; answers {@code Persistent.save} through its wrapper. */
  private static final class FileImpl extends ScenarioApi.File.Server {
    private final Db db;
    private final ServiceId.DigestKey key;

    FileImpl(Db db, ServiceId.DigestKey key) {
      this.db = db;
      this.key = key;
    }

    @Override
    protected CompletionStage<Void> set(CallContext<ScenarioApi.File.SetParams.Reader,
        ScenarioApi.File.SetResults.Builder> context) {
      db.files.put(key, context.getParams().getData().toString());
      return done();
    }

    @Override
    protected CompletionStage<Void> get(CallContext<ScenarioApi.File.GetParams.Reader,
        ScenarioApi.File.GetResults.Builder> context) {
      context.getResults().setData(db.files.get(key));
      return done();
    }
  }

  /** Creates files: a new ID in the database, restored through the table. */
  private static final class StoreImpl extends ScenarioApi.Store.Server {
    private final Db db;
    private final Restorer restorer;

    StoreImpl(Db db, Restorer restorer) {
      this.db = db;
      this.restorer = restorer;
    }

    @Override
    protected CompletionStage<Void> createFile(CallContext<
        ScenarioApi.Store.CreateFileParams.Reader,
        ScenarioApi.Store.CreateFileResults.Builder> context) {
      ServiceId id = ServiceId.generate();
      db.files.put(id.digestKey(), "");
      return restorer.restore(id).thenAccept(file -> {
        try (file) {
          context.getResults().setFile(file);
        }
      });
    }
  }

  /** One run of the persistent server: a vat whose table loads files from the database. */
  private static final class Server implements AutoCloseable {
    final Vat vat;
    final RestorerTable table;

    Server(Path socket, Db db, ServiceId mainId) {
      vat = Vat.create(Vats.serverConfig(socket, true), null);
      Vats.assumeNetworking(vat);
      Loader loader = new Loader() {
        @Override
        public CapnpUri makeSturdy(ServiceId id) {
          return vat.sturdyUri(id);
        }

        @Override
        public CompletionStage<Capability> load(SturdyRef self, ServiceId.DigestKey digest) {
          if (!db.files.containsKey(digest)) {
            return Restorer.unknownServiceId();
          }
          return CompletableFuture.completedFuture(Persistence.withSturdyRef(self,
              Capability.of(new FileImpl(db, digest), vat.loop())));
        }
      };
      table = RestorerTable.ofLoader(loader);
      table.add(mainId, Capability.of(new StoreImpl(db, table), vat.loop()));
      vat.setRestorer(table);
    }

    @Override
    public void close() {
      vat.close();
      table.close();
    }
  }

  @Test
  void store() {
    Db db = new Db();
    Path socket = dir.resolve("server.sock");
    ServiceId mainId = ServiceId.generate();
    try (Vat client = Vat.create(VatConfig.builder().secretKey(Vats.clientKey()).build(),
        null)) {
      SturdyRef fileRef;
      ScenarioApi.File.Client file;
      try (Server server = new Server(socket, db, mainId)) {
        SturdyRef storeRef = client.importRef(server.vat.sturdyUri(mainId));
        try (var store = new ScenarioApi.Store.Client(Vats.await(storeRef.connect()))) {
          var created = Vats.await(store.createFileRequest().send());
          file = created.get().getFile();
          created.close();
          var set = file.setRequest();
          set.getParams().setData("Hello");
          Vats.await(set.send()).close();
          CapnpUri uri = Vats.await(Persistence.save(file.capability()));
          fileRef = client.importRef(uri);
        }
      }
      // The server is gone: the live reference breaks.
      try (file) {
        Vats.await(file.whenBroken());
        assertThat(file.problem()).isNotNull();
      }
      // Restart the server; the sturdy ref reconnects and the data persisted.
      Server restarted = new Server(socket, db, mainId);
      try (restarted;
          var again = new ScenarioApi.File.Client(Vats.await(fileRef.connect()));
          var got = Vats.await(again.getRequest().send())) {
        assertThat(got.get().getData().toString()).as("Read file").isEqualTo("Hello");
      }
    }
  }

  @Test
  void fileStore() {
    FileStore store = new FileStore(dir);
    byte[] missing = "missing".getBytes(StandardCharsets.UTF_8);
    assertThat(store.load(missing, ScenarioApi.Simple.FACTORY)).as("Missing file").isEmpty();
    MessageBuilder message = new MessageBuilder();
    message.initRoot(ScenarioApi.Simple.FACTORY).setText("Test");
    byte[] digest = "!/..".getBytes(StandardCharsets.UTF_8);
    store.save(digest, ScenarioApi.Simple.FACTORY,
        message.getRoot(ScenarioApi.Simple.FACTORY).asReader());
    assertThat(store.load(digest, ScenarioApi.Simple.FACTORY).map(s -> s.getText().toString()))
        .as("Restored").contains("Test");
    assertThat(dir.resolve("..").normalize()).as("nothing written outside the store")
        .isNotEqualTo(store.pathOf(digest).getParent());
  }
}
