package dev.capnp.net.scenarios;

import static dev.capnp.net.scenarios.Calls.ping;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.net.NetAddress;
import dev.capnp.net.Restorer;
import dev.capnp.net.SecretKey;
import dev.capnp.net.ServiceId;
import dev.capnp.net.SturdyRef;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's connection scenarios over real sockets: Sturdy self, Broken ref 1-4, Parallel
 * connect, Parallel fails, Crossed calls, Await settled and Late bootstrap.
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class ConnectionScenariosTest {
  @TempDir
  Path dir;

  @Test
  void sturdySelf() {
    try (Vats vats = Vats.start(dir, true, EchoImpl.create().capability())) {
      SturdyRef own = vats.server.sturdyRef(ServiceId.EMPTY);
      try (Capability restored = Vats.await(own.connect())) {
        assertThat(restored.isSameAs(vats.service)).as("restored locally: the same object")
            .isTrue();
      }
    }
  }

  @Test
  void brokenRef() {
    try (Vats vats = Vats.start(dir, false, EchoImpl.create().capability());
        var echo = new ScenarioApi.Echo.Client(vats.bootstrap())) {
      assertThat(ping(echo, "ping")).isEqualTo("got:0:ping");
      CompletableFuture<RpcException> broken = echo.whenBroken();
      assertThat(echo.problem()).as("still OK").isNull();
      assertThat(broken).isNotDone();
      vats.server.close(); // turn the server off
      RpcException problem = Vats.await(broken);
      assertThat(problem.getType()).isEqualTo(RpcException.Type.DISCONNECTED);
      assertThat(echo.problem()).isNotNull();
      RpcException e = Vats.failure(Calls.ping(echo, "ping", false));
      assertThat(e.getType()).isEqualTo(RpcException.Type.DISCONNECTED);
    }
  }

  /** {@code whenBroken} follows promises. */
  @Test
  void brokenRef2() {
    CompletableFuture<Capability> first = new CompletableFuture<>();
    try (Capability promise = Capability.promise(first)) {
      CompletableFuture<RpcException> problem = promise.whenBroken();
      CompletableFuture<Capability> second = new CompletableFuture<>();
      first.complete(Capability.promise(second));
      assertThat(problem).as("no problem yet").isNotDone();
      RpcException ex = RpcException.failed("Test");
      second.complete(Capability.broken(ex));
      assertThat(Vats.await(problem).getMessage()).contains("Test");
      assertThat(promise.problem()).isNotNull();
    }
  }

  /** {@code whenBroken} on a broken capability fires at once. */
  @Test
  void brokenRef3() {
    RpcException ex = RpcException.failed("Test");
    try (Capability c = Capability.broken(ex)) {
      assertThat(Vats.await(c.whenBroken()).getMessage()).contains("Test");
    }
  }

  /**
   * {@code whenBroken} does not fire after the capability was released, and watching does not
   * keep the released promise alive.
   */
  @Test
  void brokenRef4() throws InterruptedException {
    CompletableFuture<Capability> target = new CompletableFuture<>();
    Capability promise = Capability.promise(target);
    CompletableFuture<RpcException> problem = promise.whenBroken();
    promise.close();
    Thread.sleep(50);
    assertThat(problem).as("released, not called").isNotDone();
    target.complete(Capability.broken(RpcException.failed("Test")));
    Thread.sleep(50);
    assertThat(problem).as("released, not called after the promise broke").isNotDone();
  }

  @Test
  void parallelConnect() {
    try (Vats vats = Vats.start(dir, true, EchoImpl.create().capability())) {
      SturdyRef ref = vats.client.importRef(vats.server.sturdyUri(ServiceId.EMPTY));
      CompletableFuture<Capability> a = ref.connect();
      CompletableFuture<Capability> b = ref.connect();
      try (Capability s1 = Vats.await(a); Capability s2 = Vats.await(b)) {
        Vats.await(s1.whenResolved());
        Vats.await(s2.whenResolved());
        assertThat(s1.isSameAs(s2)).as("one shared connection, one import").isTrue();
        try (var echo = new ScenarioApi.Echo.Client(s1.dup())) {
          assertThat(ping(echo, "ping")).isEqualTo("got:0:ping");
        }
      }
    }
  }

  @Test
  void parallelFails() {
    try (Vats vats = Vats.start(dir, true, EchoImpl.create().capability())) {
      SturdyRef ref = vats.client.importRef(vats.server.sturdyUri(ServiceId.EMPTY));
      CompletableFuture<Capability> a = ref.connect();
      CompletableFuture<Capability> b = ref.connect();
      try (Capability s1 = Vats.await(a); Capability s2 = Vats.await(b)) {
        Vats.await(s1.whenResolved());
        Vats.await(s2.whenResolved());
        assertThat(s1.isSameAs(s2)).as("one shared connection").isTrue();
        vats.server.close();
        RpcException e1 = Vats.await(s1.whenBroken());
        RpcException e2 = Vats.await(s2.whenBroken());
        assertThat(e1.getType()).isEqualTo(RpcException.Type.DISCONNECTED);
        assertThat(e2.getMessage()).as("the same failure").isEqualTo(e1.getMessage());
      }
      // Restart the server: the sturdy ref connects again.
      vats.restartServer();
      try (var echo = new ScenarioApi.Echo.Client(Vats.await(ref.connect()))) {
        assertThat(ping(echo, "ping")).isEqualTo("got:0:ping");
      }
    }
  }

  private static String pingOrRetry(ScenarioApi.Echo.Client echo, SturdyRef ref) {
    try {
      return Vats.await(Calls.ping(echo, "ping", false));
    } catch (RpcException | CompletionException e) {
      // a crossed connection may be invalidated by the newer one: one retry is allowed
      try (var again = new ScenarioApi.Echo.Client(Vats.await(ref.connect()))) {
        return ping(again, "ping");
      }
    }
  }

  @Test
  void crossedCalls() {
    SecretKey keyA = Vats.clientKey();
    SecretKey keyB = Vats.serverKey();
    for (int round = 0; round < 10; round++) {
      Path sockA = dir.resolve("a" + round + ".sock");
      Path sockB = dir.resolve("b" + round + ".sock");
      try (ScenarioApi.Echo.Client echoA = EchoImpl.create();
          ScenarioApi.Echo.Client echoB = EchoImpl.create();
          Vat a = Vat.create(VatConfig.builder().secretKey(keyA)
              .listenAddress(NetAddress.unix(sockA.toString())).build(),
              Vats.single(ServiceId.EMPTY, echoA.capability()));
          Vat b = Vat.create(VatConfig.builder().secretKey(keyB)
              .listenAddress(NetAddress.unix(sockB.toString())).build(),
              Vats.single(ServiceId.EMPTY, echoB.capability()))) {
        Vats.assumeNetworking(a);
        SturdyRef toB = a.importRef(b.sturdyUri(ServiceId.EMPTY));
        SturdyRef toA = b.importRef(a.sturdyUri(ServiceId.EMPTY));
        CompletableFuture<Capability> fromA = toB.connect();
        CompletableFuture<Capability> fromB = toA.connect();
        try (var aToB = new ScenarioApi.Echo.Client(Vats.await(fromA));
            var bToA = new ScenarioApi.Echo.Client(Vats.await(fromB))) {
          String aGot = pingOrRetry(aToB, toB);
          String bGot = pingOrRetry(bToA, toA);
          assertThat(aGot).as("round %d, a's ping", round).startsWith("got:").endsWith(":ping");
          assertThat(bGot).as("round %d, b's ping", round).startsWith("got:").endsWith(":ping");
        }
      }
    }
  }

  @Test
  void awaitSettled() {
    CompletableFuture<Capability> target = new CompletableFuture<>();
    try (Capability p = Capability.promise(target)) {
      CompletableFuture<Void> settled = p.whenResolved();
      assertThat(settled).isNotDone();
      target.complete(EchoImpl.create().capability());
      Vats.await(settled);
      assertThat(p.problem()).as("Ok").isNull();
    }
    CompletableFuture<Capability> failing = new CompletableFuture<>();
    try (Capability p = Capability.promise(failing)) {
      CompletableFuture<Void> settled = p.whenResolved();
      failing.completeExceptionally(RpcException.failed("Test"));
      Vats.await(settled);
      assertThat(p.problem()).as("Error").isNotNull();
      assertThat(p.problem().getMessage()).contains("Test");
    }
  }

  /** The client leaves while the server's restorer is still loading the service. */
  @Test
  void lateBootstrap() {
    CompletableFuture<Void> loading = new CompletableFuture<>();
    CompletableFuture<Void> release = new CompletableFuture<>();
    CompletableFuture<Void> loaded = new CompletableFuture<>();
    Restorer slow = id -> {
      loading.complete(null);
      return release.thenApply(x -> {
        Capability c = EchoImpl.create().capability();
        loaded.complete(null);
        return c;
      });
    };
    try (Vats vats = Vats.start(dir, false, slow)) {
      CompletableFuture<Capability> connecting =
          vats.client.importRef(vats.server.sturdyUri(ServiceId.EMPTY)).connect();
      Vats.await(loading);
      // connect() may already have handed out the (promised) capability: watch it first
      Capability early = connecting.isDone() && !connecting.isCompletedExceptionally()
          ? connecting.join() : null;
      CompletableFuture<RpcException> broken = early == null ? null : early.whenBroken();
      vats.client.close(); // the client leaves
      RpcException e;
      if (early != null) {
        e = Vats.await(broken);
        early.close();
      } else {
        e = Vats.failure(connecting);
      }
      assertThat(e.getType()).isEqualTo(RpcException.Type.DISCONNECTED);
      release.complete(null); // the loader finishes; the server must drop the result
      Vats.await(loaded);
    }
  }
}
