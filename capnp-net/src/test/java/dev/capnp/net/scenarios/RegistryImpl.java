package dev.capnp.net.scenarios;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The suite's registry: holds an echo service (initially its own), hands it out when unblocked
 * (directly, or as a promise resolved later), and returns capabilities nested in structs.
 */
final class RegistryImpl extends ScenarioApi.Registry.Server {
  private CompletableFuture<Void> blocked = new CompletableFuture<>();
  private ScenarioApi.Echo.Client echo = EchoImpl.create();

  /** A new registry capability. */
  static ScenarioApi.Registry.Client create() {
    return new ScenarioApi.Registry.Client(Capability.of(new RegistryImpl()));
  }

  @Override
  protected CompletionStage<Void> setEchoService(CallContext<
      ScenarioApi.Registry.SetEchoServiceParams.Reader,
      ScenarioApi.Registry.SetEchoServiceResults.Builder> context) {
    ScenarioApi.Echo.Client service = context.getParams().getService();
    context.releaseParams();
    echo.close();
    echo = service;
    return done();
  }

  @Override
  protected CompletionStage<Void> echoService(CallContext<
      ScenarioApi.Registry.EchoServiceParams.Reader,
      ScenarioApi.Registry.EchoServiceResults.Builder> context) {
    context.releaseParams();
    context.getResults().setService(echo);
    return blocked;
  }

  @Override
  protected CompletionStage<Void> echoServicePromise(CallContext<
      ScenarioApi.Registry.EchoServicePromiseParams.Reader,
      ScenarioApi.Registry.EchoServicePromiseResults.Builder> context) {
    context.releaseParams();
    CompletableFuture<Capability> target = new CompletableFuture<>();
    try (Capability promise = Capability.promise(target)) {
      context.getResults().setService(promise);
    }
    blocked.thenRun(() -> target.complete(echo.capability().dup()));
    return done();
  }

  @Override
  protected CompletionStage<Void> unblock(CallContext<ScenarioApi.Registry.UnblockParams.Reader,
      ScenarioApi.Registry.UnblockResults.Builder> context) {
    CompletableFuture<Void> old = blocked;
    blocked = new CompletableFuture<>();
    old.complete(null);
    return done();
  }

  @Override
  protected CompletionStage<Void> complex(CallContext<ScenarioApi.Registry.ComplexParams.Reader,
      ScenarioApi.Registry.ComplexResults.Builder> context) {
    context.releaseParams();
    ScenarioApi.Foo.Builder foo = context.getResults().initFoo();
    foo.initB();
    foo.setEcho(echo);
    try (Capability version = Capability.of(new VersionImpl())) {
      context.getResults().initBar().setVersion(version);
    }
    return done();
  }

  @Override
  protected void onRelease() {
    echo.close();
  }

  /** Reads "0.1". */
  static final class VersionImpl extends ScenarioApi.Version.Server {
    @Override
    protected CompletionStage<Void> read(CallContext<ScenarioApi.Version.ReadParams.Reader,
        ScenarioApi.Version.ReadResults.Builder> context) {
      context.getResults().setVersion("0.1");
      return done();
    }
  }
}
