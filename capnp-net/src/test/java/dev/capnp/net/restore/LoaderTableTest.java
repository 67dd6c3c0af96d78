package dev.capnp.net.restore;

import dev.capnp.net.testlog.NoWarnings;
import static dev.capnp.net.restore.TestEcho.await;
import static dev.capnp.net.restore.TestEcho.pingNow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.Restorer;
import dev.capnp.net.ServiceId;
import dev.capnp.net.SturdyRef;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The seed's "Fn restorer" test ({@code of_loader}) and more loader-table details. */
class LoaderTableTest {
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

  /** A loader dispatching on the digest to per-ID behaviours, counting loads. */
  static final class FnLoader implements Loader {
    final Map<ServiceId.DigestKey, Supplier<CompletionStage<Capability>>> byDigest =
        new HashMap<>();
    final Map<ServiceId.DigestKey, AtomicInteger> loads = new HashMap<>();
    final List<SturdyRef> selfRefs = new ArrayList<>();

    void on(ServiceId id, Supplier<CompletionStage<Capability>> f) {
      byDigest.put(id.digestKey(), f);
      loads.put(id.digestKey(), new AtomicInteger());
    }

    int loads(ServiceId id) {
      return loads.get(id.digestKey()).get();
    }

    @Override
    public CapnpUri makeSturdy(ServiceId id) {
      return RestorerTableTest.uriOf(id);
    }

    @Override
    public synchronized CompletionStage<Capability> load(SturdyRef self,
        ServiceId.DigestKey digest) {
      selfRefs.add(self);
      Supplier<CompletionStage<Capability>> f = byDigest.get(digest);
      if (f == null) {
        return Restorer.unknownServiceId();
      }
      loads.get(digest).incrementAndGet();
      return f.get();
    }
  }

  private Capability restore(Restorer r, ServiceId id) {
    return await(loop, r.restore(id).toCompletableFuture());
  }

  private static String failureOf(CompletableFuture<Capability> f) {
    assertThat(f).isCompletedExceptionally();
    try {
      f.join();
      throw new AssertionError("succeeded");
    } catch (CompletionException e) {
      return e.getCause().getMessage();
    }
  }

  @Test
  void restoresOfALiveServiceAreTheLoadersOwnCapability() {
    ServiceId id = ServiceId.ofPublic("own");
    Capability own = Capability.of(new TestEcho(), loop);
    FnLoader loader = new FnLoader();
    loader.on(id, () -> CompletableFuture.completedFuture(own.dup()));
    try (RestorerTable table = RestorerTable.ofLoader(loader)) {
      try (Capability r1 = restore(table, id); Capability r2 = restore(table, id)) {
        assertThat(r1.isSameAs(own)).as("not a wrapper: the loader's capability").isTrue();
        assertThat(r2.isSameAs(r1)).isTrue();
      }
      loop.runPending();
      // the loader's holder keeps the service alive, so it stays cached
      try (Capability r3 = restore(table, id)) {
        assertThat(r3.isSameAs(own)).isTrue();
        assertThat(loader.loads(id)).isEqualTo(1);
      }
      own.close();
      loop.runPending();
      assertThat(table.size()).as("released: dropped from the cache").isZero();
      loader.byDigest.put(id.digestKey(),
          () -> CompletableFuture.completedFuture(Capability.of(new TestEcho(), loop)));
      try (Capability r4 = restore(table, id)) {
        assertThat(loader.loads(id)).as("loaded again").isEqualTo(2);
        assertThat(r4.problem()).isNull();
      }
    }
  }

  @Test
  void fnRestorer() {
    ServiceId a = ServiceId.ofPublic("a");
    ServiceId b = ServiceId.ofPublic("b");
    ServiceId c = ServiceId.ofPublic("c");
    CompletableFuture<?>[] delay = {new CompletableFuture<Void>()};
    AtomicReference<Supplier<CompletionStage<Capability>>> currentC = new AtomicReference<>(
        () -> CompletableFuture.failedFuture(RpcException.failed("Broken C")));
    FnLoader loader = new FnLoader();
    loader.on(a, () -> CompletableFuture.completedFuture(Capability.of(new TestEcho())));
    loader.on(b, () -> delay[0].thenApply(v -> Capability.of(new TestEcho())));
    loader.on(c, () -> delay[0].thenCompose(v -> currentC.get().get()));
    try (RestorerTable table = RestorerTable.ofLoader(loader)) {
      // restoring the same ID twice caches the capability
      Capability a1 = restore(table, a);
      Capability a2 = restore(table, a);
      assertThat(a2.isSameAs(a1)).as("restore cached").isTrue();
      assertThat(loader.loads(a)).isEqualTo(1);
      assertThat(pingNow(loop, a1, "x")).isEqualTo("got:0:x");
      assertThat(pingNow(loop, a2, "x")).isEqualTo("got:1:x");
      a1.close();
      a2.close();
      loop.runPending();
      assertThat(table.size()).as("released entry dropped").isZero();
      // but once released, the next lookup loads a fresh one
      Capability a3 = restore(table, a);
      assertThat(loader.loads(a)).isEqualTo(2);
      assertThat(pingNow(loop, a3, "x")).as("a new service").isEqualTo("got:0:x");
      a3.close();

      // two lookups in parallel do only one load
      CompletableFuture<Capability> b1 = table.restore(b).toCompletableFuture();
      CompletableFuture<Capability> b2 = table.restore(b).toCompletableFuture();
      loop.runPending();
      assertThat(b1).isNotDone();
      assertThat(b2).isNotDone();
      delay[0].complete(null);
      Capability b1c = await(loop, b1);
      Capability b2c = await(loop, b2);
      assertThat(b2c.isSameAs(b1c)).as("restore delayed cached").isTrue();
      assertThat(loader.loads(b)).isEqualTo(1);
      table.clear(); // no effect on the users
      assertThat(pingNow(loop, b1c, "y")).isEqualTo("got:0:y");
      b1c.close();
      b2c.close();

      // failed lookups are not cached
      delay[0] = new CompletableFuture<Void>();
      CompletableFuture<Capability> c1 = table.restore(c).toCompletableFuture();
      delay[0].complete(null);
      loop.runPending();
      assertThat(failureOf(c1)).isEqualTo("Broken C");
      assertThat(table.size()).isZero();
      delay[0] = new CompletableFuture<Void>();
      CompletableFuture<Capability> c2 = table.restore(c).toCompletableFuture();
      TestEcho cService = new TestEcho();
      currentC.set(() -> CompletableFuture.completedFuture(Capability.of(cService)));
      delay[0].complete(null);
      Capability c2c = await(loop, c2);
      assertThat(loader.loads(c)).isEqualTo(2);
      assertThat(pingNow(loop, c2c, "z")).isEqualTo("got:0:z");
      assertThat(cService.released).isFalse();
      c2c.close();
      loop.runPending();
      assertThat(cService.released).as("loaded service released with its last user").isTrue();

      // two users; one frees the cap at once
      delay[0] = new CompletableFuture<Void>();
      CompletableFuture<Capability> first = table.restore(b).toCompletableFuture()
          .thenApply(cap -> {
            cap.close();
            return cap;
          });
      CompletableFuture<Capability> second = table.restore(b).toCompletableFuture();
      delay[0].complete(null);
      await(loop, first);
      Capability secondCap = await(loop, second);
      assertThat(secondCap.problem()).isNull();
      assertThat(pingNow(loop, secondCap, "w")).as("cap not freed").isEqualTo("got:0:w");
      assertThat(table.size()).isEqualTo(1);
      Capability third = restore(table, b);
      assertThat(third.isSameAs(secondCap)).as("still cached").isTrue();
      assertThat(loader.loads(b)).isEqualTo(2);
      secondCap.close();
      third.close();
      loop.runPending();
      assertThat(table.size()).isZero();
    }
  }

  @Test
  void unknownIdsGoThroughTheLoader() {
    FnLoader loader = new FnLoader();
    try (RestorerTable table = RestorerTable.ofLoader(loader)) {
      CompletableFuture<Capability> f = table.restore(ServiceId.ofPublic("nope"))
          .toCompletableFuture();
      loop.runPending();
      assertThat(failureOf(f)).isEqualTo("Unknown persistent service ID");
      assertThat(loader.selfRefs).hasSize(1);
      assertThat(loader.selfRefs.get(0).uri())
          .isEqualTo(RestorerTableTest.uriOf(ServiceId.ofPublic("nope")));
    }
  }

  @Test
  void addedServicesWinOverTheLoader() {
    FnLoader loader = new FnLoader();
    ServiceId id = ServiceId.ofPublic("root");
    loader.on(id, () -> CompletableFuture.completedFuture(Capability.of(new TestEcho())));
    try (RestorerTable table = RestorerTable.ofLoader(loader)) {
      TestEcho root = new TestEcho();
      table.add(id, Capability.of(root));
      Capability c = restore(table, id);
      assertThat(pingNow(loop, c, "r")).isEqualTo("got:0:r");
      assertThat(pingNow(loop, c, "r")).isEqualTo("got:1:r");
      assertThat(loader.loads(id)).isZero();
      c.close();
    }
  }

  @Test
  void loaderExceptionsAreNotCachedAndBecomeInternalErrors() {
    NoWarnings.expect("Uncaught exception restoring object", 1);
    FnLoader loader = new FnLoader();
    ServiceId id = ServiceId.ofPublic("boom");
    int[] calls = {0};
    loader.on(id, () -> {
      if (calls[0]++ == 0) {
        throw new IllegalStateException("disk on fire");
      }
      return CompletableFuture.completedFuture(Capability.of(new TestEcho()));
    });
    try (RestorerTable table = RestorerTable.ofLoader(loader)) {
      CompletableFuture<Capability> f = table.restore(id).toCompletableFuture();
      assertThat(failureOf(f)).isEqualTo("disk on fire");
      assertThat(RestorerBootstrap.clientError(f.handle((x, e) -> e).join()).getReason())
          .isEqualTo("Internal error restoring object");
      Capability c = restore(table, id);
      assertThat(pingNow(loop, c, "ok")).isEqualTo("got:0:ok");
      c.close();
    }
  }

  @Test
  void waiterThatGaveUpDoesNotLeak() {
    FnLoader loader = new FnLoader();
    ServiceId id = ServiceId.ofPublic("late");
    CompletableFuture<Void> gate = new CompletableFuture<>();
    TestEcho service = new TestEcho();
    loader.on(id, () -> gate.thenApply(v -> Capability.of(service)));
    try (RestorerTable table = RestorerTable.ofLoader(loader)) {
      CompletableFuture<Capability> f = table.restore(id).toCompletableFuture();
      f.cancel(false);
      gate.complete(null);
      loop.runPending();
      assertThat(service.released).as("nobody took it").isTrue();
      assertThat(table.size()).isZero();
    }
  }

  @Test
  void loadsFromManyThreadsShareOneLoad() throws Exception {
    EventLoop shared = EventLoop.start("loader-table-test");
    try {
      FnLoader loader = new FnLoader();
      ServiceId id = ServiceId.generate();
      CompletableFuture<Void> gate = new CompletableFuture<>();
      loader.on(id, () -> gate.thenApply(v -> Capability.of(new TestEcho(), shared)));
      RestorerTable table = RestorerTable.ofLoader(loader);
      int n = 8;
      List<CompletableFuture<Capability>> results = new ArrayList<>();
      CountDownLatch ready = new CountDownLatch(n);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Thread t = new Thread(() -> {
          CompletableFuture<Capability> r = table.restore(id).toCompletableFuture();
          synchronized (results) {
            results.add(r);
          }
          ready.countDown();
        });
        threads.add(t);
        t.start();
      }
      assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
      gate.complete(null);
      List<Capability> caps = new ArrayList<>();
      for (CompletableFuture<Capability> r : results) {
        caps.add(r.get(10, TimeUnit.SECONDS));
      }
      assertThat(loader.loads(id)).isEqualTo(1);
      for (Capability c : caps) {
        assertThat(c.isSameAs(caps.get(0))).isTrue();
      }
      assertThat(TestEcho.ping(caps.get(3), "t").get(10, TimeUnit.SECONDS))
          .isEqualTo("got:0:t");
      // release from many threads at once; then the entry is gone and a new load happens
      List<Thread> closers = new ArrayList<>();
      for (Capability c : caps) {
        Thread t = new Thread(c::close);
        closers.add(t);
        t.start();
      }
      for (Thread t : closers) {
        t.join();
      }
      for (int i = 0; i < 1000 && table.size() != 0; i++) {
        shared.submit(() -> null).get(10, TimeUnit.SECONDS);
      }
      assertThat(table.size()).isZero();
      Capability again = table.restore(id).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(loader.loads(id)).isEqualTo(2);
      again.close();
      table.close();
      shared.submit(() -> null).get(10, TimeUnit.SECONDS);
      for (Thread t : threads) {
        t.join();
      }
    } finally {
      shared.close();
    }
  }
}
