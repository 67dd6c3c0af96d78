package dev.capnp.net.scenarios;

import static dev.capnp.net.scenarios.Calls.ping;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.AuthDigest;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.Restorer;
import dev.capnp.net.ServiceId;
import dev.capnp.net.SturdyRef;
import dev.capnp.net.restore.Loader;
import dev.capnp.net.restore.RestorerTable;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The seed's Table restorer and Fn restorer scenarios. */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class RestorerScenariosTest {
  private static CapnpUri makeSturdy(ServiceId id) {
    return new CapnpUri(AuthDigest.INSECURE, NetAddress.unix("/sock"), id);
  }

  /** Restores on {@code loop} (restorers run on their vat's loop). */
  private static CompletableFuture<Capability> restore(EventLoop loop, Restorer r, ServiceId id) {
    return loop.submit(() -> r.restore(id)).thenCompose(CompletionStage::toCompletableFuture);
  }

  @Test
  void tableRestorer() {
    ServiceId echoId = ServiceId.ofPublic("echo");
    ServiceId registryId = ServiceId.ofPublic("registry");
    ServiceId brokenId = ServiceId.ofPublic("broken");
    ServiceId unknownId = ServiceId.ofPublic("unknown");
    try (EventLoop loop = EventLoop.start("table-restorer");
        RestorerTable table = loop.submit(
            () -> RestorerTable.create(RestorerScenariosTest::makeSturdy)).join()) {
      table.add(echoId, EchoImpl.create().capability());
      table.add(registryId, RegistryImpl.create().capability());
      table.add(brokenId, Capability.broken(RpcException.failed("broken")));
      try (var a1 = new ScenarioApi.Echo.Client(Vats.await(restore(loop, table, echoId)))) {
        assertThat(ping(a1, "ping")).isEqualTo("got:0:ping");
        try (Capability a2 = Vats.await(restore(loop, table, echoId));
            Capability r1 = Vats.await(restore(loop, table, registryId));
            Capability x = Vats.await(restore(loop, table, brokenId))) {
          assertThat(a2.isSameAs(a1.capability())).as("Same cap").isTrue();
          assertThat(r1.isSameAs(a1.capability())).isFalse();
          assertThat(x.problem()).as("Broken response").isNotNull();
          assertThat(x.problem().getMessage()).contains("broken");
        }
        RpcException missing = Vats.failure(restore(loop, table, unknownId));
        assertThat(missing.getMessage()).as("Missing mapping")
            .contains("Unknown persistent service ID");
      }
      table.remove(echoId);
      RpcException removed = Vats.failure(restore(loop, table, echoId));
      assertThat(removed.getMessage()).contains("Unknown persistent service ID");
    }
  }

  /** The loader of the Fn restorer scenario: a at once, b and c after the gate opens. */
  private static final class TestLoader implements Loader {
    final ServiceId a = ServiceId.ofPublic("a");
    final ServiceId b = ServiceId.ofPublic("b");
    final ServiceId c = ServiceId.ofPublic("c");
    final Gate delay = new Gate();
    final AtomicInteger loadsOfA = new AtomicInteger();
    final AtomicInteger loadsOfB = new AtomicInteger();
    final AtomicInteger loadsOfC = new AtomicInteger();
    final AtomicReference<Capability> currentC = new AtomicReference<>();

    @Override
    public CapnpUri makeSturdy(ServiceId id) {
      return RestorerScenariosTest.makeSturdy(id);
    }

    @Override
    public CompletionStage<Capability> load(SturdyRef self, ServiceId.DigestKey digest) {
      if (digest.equals(a.digestKey())) {
        loadsOfA.incrementAndGet();
        return CompletableFuture.completedFuture(EchoImpl.create().capability());
      } else if (digest.equals(b.digestKey())) {
        // Join the gate before counting the load: the test broadcasts as soon as it sees the
        // count, and a load that joined later would wait for the next broadcast forever.
        CompletableFuture<Void> gate = delay.await();
        loadsOfB.incrementAndGet();
        return gate.thenApply(x -> EchoImpl.create().capability());
      } else if (digest.equals(c.digestKey())) {
        CompletableFuture<Void> gate = delay.await();
        loadsOfC.incrementAndGet();
        return gate.thenCompose(x -> {
          Capability granted = currentC.get();
          return granted == null
              ? CompletableFuture.failedFuture(RpcException.failed("Broken C"))
              : CompletableFuture.completedFuture(granted.dup());
        });
      }
      return Restorer.unknownServiceId();
    }
  }

  @Test
  void fnRestorer() {
    TestLoader loader = new TestLoader();
    try (EventLoop loop = EventLoop.start("fn-restorer");
        RestorerTable table = RestorerTable.ofLoader(loader)) {
      // Restoring the same ID twice gives the cached capability.
      Capability a1 = Vats.await(restore(loop, table, loader.a));
      Capability a2 = Vats.await(restore(loop, table, loader.a));
      assertThat(a1.isSameAs(a2)).as("Restore cached").isTrue();
      assertThat(loader.loadsOfA).hasValue(1);
      a1.close();
      a2.close();
      // Once released, the next lookup loads a fresh one.
      try (Capability a3 = Vats.await(restore(loop, table, loader.a))) {
        assertThat(loader.loadsOfA).as("reloaded after release").hasValue(2);
        assertThat(a3.problem()).isNull();
      }

      // Two lookups in parallel: one load.
      CompletableFuture<Capability> b1f = restore(loop, table, loader.b);
      CompletableFuture<Capability> b2f = restore(loop, table, loader.b);
      awaitLoads(loader.loadsOfB, 1);
      assertThat(b1f).isNotDone();
      loader.delay.broadcast();
      try (Capability b1 = Vats.await(b1f); Capability b2 = Vats.await(b2f)) {
        assertThat(b1.isSameAs(b2)).as("Restore delayed cached").isTrue();
        assertThat(loader.loadsOfB).hasValue(1);
        table.clear(); // no effect on the users
        try (var echo = new ScenarioApi.Echo.Client(b1.dup())) {
          assertThat(ping(echo, "ping")).isEqualTo("got:0:ping");
        }
      }

      // Failed lookups are not cached.
      CompletableFuture<Capability> c1 = restore(loop, table, loader.c);
      awaitLoads(loader.loadsOfC, 1);
      loader.delay.broadcast();
      assertThat(Vats.failure(c1).getMessage()).as("C initially fails").contains("Broken C");
      CompletableFuture<Capability> c2f = restore(loop, table, loader.c);
      try (ScenarioApi.Echo.Client cService = EchoImpl.create()) {
        loader.currentC.set(cService.capability());
        awaitLoads(loader.loadsOfC, 2);
        loader.delay.broadcast();
        try (var c2 = new ScenarioApi.Echo.Client(Vats.await(c2f))) {
          assertThat(ping(c2, "ping")).as("C now works").isEqualTo("got:0:ping");
          assertThat(ping(cService, "ping")).as("the same service").isEqualTo("got:1:ping");
        }
        loader.currentC.set(null);
      }

      // Two users; one frees the capability at once: the other's stays alive.
      CompletableFuture<Void> firstUser = restore(loop, table, loader.b).thenAccept(Capability::close);
      CompletableFuture<Capability> b2f2 = restore(loop, table, loader.b);
      // both lookups must be waiting for the one load before it completes: the loop runs them
      // in order, so once a later task ran, so did they (otherwise the first user could release
      // the service before the second lookup, which then rightly loads it again)
      loop.submit(() -> null).join();
      awaitLoads(loader.loadsOfB, 2);
      loader.delay.broadcast();
      Vats.await(firstUser);
      try (var b2 = new ScenarioApi.Echo.Client(Vats.await(b2f2))) {
        assertThat(b2.problem()).as("Cap not freed").isNull();
        assertThat(ping(b2, "ping")).isEqualTo("got:0:ping");
      }
    }
  }

  /** Waits until the loader has started {@code n} loads (they then wait on the gate). */
  private static void awaitLoads(AtomicInteger loads, int n) {
    long deadline = System.nanoTime() + Vats.TIMEOUT_SECONDS * 1_000_000_000L;
    while (loads.get() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the loader was called " + loads.get() + " times, not " + n);
      }
      Thread.onSpinWait();
    }
  }
}
