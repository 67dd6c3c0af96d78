package dev.capnp.examples.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.examples.rpc.CalculatorApi.Calculator;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.runtime.AnyPointer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's networked Calculator, Calculator 2 and Calculator 3 scenarios (its {@code test.ml}
 * runs the calc example's service over a Unix socket): local and remote functions, a pipelined
 * previous result used twice in parallel, and a raw {@code Capability.newCall} whose pipelined
 * capability is used after the question is dropped. They live here, next to
 * {@link CalculatorService}, so the suite tests the example itself (capnp-net's scenario suite
 * cannot depend on the examples module). Each scenario ends with no capability reference left.
 */
@Timeout(60)
class CalculatorScenariosTest {
  private static final long TIMEOUT_SECONDS = 20;

  @TempDir
  Path dir;

  private long liveBefore;

  @BeforeEach
  void countReferences() {
    liveBefore = Capability.liveReferenceCount();
  }

  @AfterEach
  void noLeaks() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long live = Capability.liveReferenceCount();
    while (live > liveBefore && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
      live = Capability.liveReferenceCount();
    }
    assertThat(live).as("live capability references").isLessThanOrEqualTo(liveBefore);
  }

  /** A server vat (Unix socket, TLS off) offering a calculator at the empty ID, and a client. */
  private static final class Vats implements AutoCloseable {
    final SingleRestorer restorer;
    final Vat server;
    final Vat client = Vat.client();

    Vats(Path dir) {
      VatConfig config = VatConfig.builder()
          .listenAddress(NetAddress.unix(dir.resolve("calc.sock").toString())).tls(false).build();
      server = Vat.create(config, null);
      restorer = new SingleRestorer(ServiceId.EMPTY,
          CalculatorService.create(server.loop()).capability());
      server.setRestorer(restorer);
    }

    Capability bootstrap() {
      return await(client.importRef(server.sturdyUri(ServiceId.EMPTY)).connect());
    }

    @Override
    public void close() {
      client.close();
      server.close();
      restorer.close();
    }
  }

  private static <T> T await(CompletableFuture<T> f) {
    return f.orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
  }

  /** Closes the response of {@code promise} once it arrives (its pipelined caps stay usable). */
  private static void closeWhenDone(ResponsePromise<?, ?> promise) {
    promise.whenComplete((r, e) -> {
      if (r != null) {
        r.close();
      }
    });
  }

  /** Fills {@code e} with {@code f(a, b)} for literals a, b. */
  private static void call(Calculator.Expression.Builder e, Calculator.Function.Client f,
      double a, double b) {
    var call = e.initCall();
    call.setFunction(f);
    var params = call.initParams(2);
    params.get(0).setLiteral(a);
    params.get(1).setLiteral(b);
  }

  /** Reads (and releases) the value of an evaluation, without waiting for the evaluate call. */
  private static CompletableFuture<Double> finalRead(ResponsePromise<
      Calculator.EvaluateResults.Reader, Calculator.EvaluateResults.Pipeline> evaluation) {
    Calculator.Value.Client value = evaluation.pipeline().getValue();
    closeWhenDone(evaluation);
    return value.readRequest().send().thenApply(r -> {
      try (r) {
        return r.get().getValue();
      }
    }).whenComplete((v, e) -> value.close());
  }

  private static Calculator.Function.Client getOperator(Calculator.Client calc,
      Calculator.Operator op) {
    var request = calc.getOperatorRequest();
    request.getParams().setOp(op);
    var promise = request.send();
    // take the pipelined capability before the response can be closed
    Calculator.Function.Client func = promise.pipeline().getFunc();
    closeWhenDone(promise);
    return func;
  }

  private static double callFn(Calculator.Function.Client f, double a, double b) {
    var request = f.callRequest();
    var list = request.getParams().initParams(2);
    list.set(0, a);
    list.set(1, b);
    try (var r = await(request.send())) {
      return r.get().getValue();
    }
  }

  @Test
  void calculator() {
    try (Vats vats = new Vats(dir);
        var calc = new Calculator.Client(vats.bootstrap())) {
      var literal = calc.evaluateRequest();
      literal.getParams().initExpression().setLiteral(1);
      assertThat(await(finalRead(literal.send()))).as("Simple calc").isEqualTo(1.0);

      try (var localAdd = new Calculator.Function.Client(
          Capability.of(new CalculatorService.OperatorFunction(Calculator.Operator.ADD),
              vats.client.loop()))) {
        var withLocal = calc.evaluateRequest();
        call(withLocal.getParams().initExpression(), localAdd, 1, 2);
        assertThat(await(finalRead(withLocal.send()))).as("Complex with local fn")
            .isEqualTo(3.0);
      }

      try (var remoteAdd = getOperator(calc, Calculator.Operator.ADD)) {
        assertThat(callFn(remoteAdd, 5, 3)).as("Check fn").isEqualTo(8.0);
        var withRemote = calc.evaluateRequest();
        call(withRemote.getParams().initExpression(), remoteAdd, 1, 2);
        assertThat(await(finalRead(withRemote.send()))).as("Complex with remote fn")
            .isEqualTo(3.0);
      }
    }
  }

  @Test
  void calculator2() {
    try (Vats vats = new Vats(dir);
        var calc = new Calculator.Client(vats.bootstrap());
        var remoteAdd = getOperator(calc, Calculator.Operator.ADD);
        var remoteMul = getOperator(calc, Calculator.Operator.MULTIPLY)) {
      var product = calc.evaluateRequest();
      call(product.getParams().initExpression(), remoteMul, 4, 6);
      var productPromise = product.send();
      try (Calculator.Value.Client result = productPromise.pipeline().getValue()) {
        closeWhenDone(productPromise);
        CompletableFuture<Double> add3 = addToPrevious(calc, remoteAdd, result, 3);
        CompletableFuture<Double> add5 = addToPrevious(calc, remoteAdd, result, 5);
        assertThat(await(add3)).as("First").isEqualTo(27.0);
        assertThat(await(add5)).as("Second").isEqualTo(29.0);
      }
    }
  }

  private static CompletableFuture<Double> addToPrevious(Calculator.Client calc,
      Calculator.Function.Client add, Calculator.Value.Client previous, double x) {
    var request = calc.evaluateRequest();
    var c = request.getParams().initExpression().initCall();
    c.setFunction(add);
    var params = c.initParams(2);
    params.get(0).setPreviousResult(previous);
    params.get(1).setLiteral(x);
    return finalRead(request.send());
  }

  @Test
  void calculator3() {
    try (Vats vats = new Vats(dir);
        var calc = new Calculator.Client(vats.bootstrap())) {
      // getOperator(multiply) through the untyped API; the question is dropped at once and
      // only its pipelined capability is kept.
      var raw = calc.capability().newCall(Calculator.TYPE_ID, Calculator.Methods.GET_OPERATOR);
      AnyPointer.Builder params = raw.getParams();
      params.initAs(Calculator.GetOperatorParams.FACTORY).setOp(Calculator.Operator.MULTIPLY);
      var question = raw.send();
      try (var mul = new Calculator.Function.Client(question.getPipelinedCap(0))) {
        closeWhenDone(question);
        var request = calc.evaluateRequest();
        call(request.getParams().initExpression(), mul, 4, 6);
        assertThat(await(finalRead(request.send()))).as("Result").isEqualTo(24.0);
      }
    }
  }
}
