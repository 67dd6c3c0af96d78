package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.CalculatorApi.Calculator;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.ResponsePromise;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The calculator client: a sequence of evaluations that exercises literals, operators obtained
 * by pipelining, pipelined previous results, functions defined on the server and a function
 * implemented by the client that the server calls back. Blocking; call from outside any loop.
 */
public final class CalculatorClient {
  private final Calculator.Client calc;
  private final PrintStream out;
  private final EventLoop callbackLoop;
  private final List<ResponsePromise<?, ?>> responses = new ArrayList<>();

  /**
   * A client of {@code calc} (borrowed) printing its progress to {@code out}; the function it
   * serves to the calculator runs on the shared default loop.
   *
   * @param calc the calculator; borrowed
   * @param out where progress is printed
   */
  public CalculatorClient(Calculator.Client calc, PrintStream out) {
    this(calc, out, EventLoop.currentOrDefault());
  }

  /**
   * A client of {@code calc} (borrowed) printing its progress to {@code out}, serving its own
   * function on {@code callbackLoop} (the client vat's {@code Vat.loop()}: the server's calls to
   * it then need no thread hand-off).
   *
   * @param calc the calculator; borrowed
   * @param out where progress is printed
   * @param callbackLoop the event loop serving the client's function
   */
  public CalculatorClient(Calculator.Client calc, PrintStream out, EventLoop callbackLoop) {
    this.calc = calc;
    this.out = out;
    this.callbackLoop = java.util.Objects.requireNonNull(callbackLoop, "callbackLoop");
  }

  /** Runs every step; throws {@link IllegalStateException} if a result is wrong. */
  public void runAll() {
    for (Runnable step : new Runnable[] {this::literal, this::addWithPipelinedOperator,
        this::pipelinedPreviousResult, this::definedFunctions, this::clientSideFunction}) {
      try {
        step.run();
      } finally {
        releaseResponses();
      }
    }
  }

  /**
   * {@code 21 * 2} using the server's multiply operator: the calc_direct request.
   *
   * @param a the left operand
   * @param b the right operand
   * @return the product computed by the server
   */
  public double multiply(double a, double b) {
    try {
      return multiplyPipelined(a, b);
    } finally {
      releaseResponses();
    }
  }

  private double multiplyPipelined(double a, double b) {
    try (Calculator.Function.Client mul = operator(Calculator.Operator.MULTIPLY)) {
      var request = calc.evaluateRequest();
      var call = request.getParams().initExpression().initCall();
      call.setFunction(mul);
      var params = call.initParams(2);
      params.get(0).setLiteral(a);
      params.get(1).setLiteral(b);
      return readPipelined(request.send());
    }
  }

  /** Evaluates the literal 123. */
  private void literal() {
    var request = calc.evaluateRequest();
    request.getParams().initExpression().setLiteral(123);
    check("literal 123", readPipelined(request.send()), 123);
  }

  /** Evaluates {@code 123 + 45}, with the add operator used before its call has returned. */
  private void addWithPipelinedOperator() {
    try (Calculator.Function.Client add = operator(Calculator.Operator.ADD)) {
      var request = calc.evaluateRequest();
      var call = request.getParams().initExpression().initCall();
      call.setFunction(add);
      var params = call.initParams(2);
      params.get(0).setLiteral(123);
      params.get(1).setLiteral(45);
      check("123 + 45", readPipelined(request.send()), 168);
    }
  }

  /** {@code (4 + 6) * 3} where {@code 4 + 6} is still a promise when sent back: one round trip. */
  private void pipelinedPreviousResult() {
    try (Calculator.Function.Client add = operator(Calculator.Operator.ADD);
        Calculator.Function.Client mul = operator(Calculator.Operator.MULTIPLY)) {
      var first = calc.evaluateRequest();
      var c1 = first.getParams().initExpression().initCall();
      c1.setFunction(add);
      var p1 = c1.initParams(2);
      p1.get(0).setLiteral(4);
      p1.get(1).setLiteral(6);
      var firstPromise = first.send();
      try (Calculator.Value.Client sum = firstPromise.pipeline().getValue()) {
        keep(firstPromise);
        var second = calc.evaluateRequest();
        var c2 = second.getParams().initExpression().initCall();
        c2.setFunction(mul);
        var p2 = c2.initParams(2);
        p2.get(0).setPreviousResult(sum);
        p2.get(1).setLiteral(3);
        check("(4 + 6) * 3", readPipelined(second.send()), 30);
      }
    }
  }

  /** {@code f(x, y) = x * 100 + y}, {@code g(x) = f(x, x + 1) * 2}; evaluates f(12, 34) + g(21). */
  private void definedFunctions() {
    try (Calculator.Function.Client add = operator(Calculator.Operator.ADD);
        Calculator.Function.Client mul = operator(Calculator.Operator.MULTIPLY)) {
      var defF = calc.defFunctionRequest();
      defF.getParams().setParamCount(2);
      var fAdd = defF.getParams().initBody().initCall();
      fAdd.setFunction(add);
      var fAddParams = fAdd.initParams(2);
      var fMul = fAddParams.get(0).initCall();
      fMul.setFunction(mul);
      var fMulParams = fMul.initParams(2);
      fMulParams.get(0).setParameter(0);
      fMulParams.get(1).setLiteral(100);
      fAddParams.get(1).setParameter(1);
      var fPromise = defF.send();
      try (Calculator.Function.Client f = fPromise.pipeline().getFunc()) {
        keep(fPromise);
        var defG = calc.defFunctionRequest();
        defG.getParams().setParamCount(1);
        var gMul = defG.getParams().initBody().initCall();
        gMul.setFunction(mul);
        var gMulParams = gMul.initParams(2);
        var gF = gMulParams.get(0).initCall();
        gF.setFunction(f);
        var gFParams = gF.initParams(2);
        gFParams.get(0).setParameter(0);
        var gAdd = gFParams.get(1).initCall();
        gAdd.setFunction(add);
        var gAddParams = gAdd.initParams(2);
        gAddParams.get(0).setParameter(0);
        gAddParams.get(1).setLiteral(1);
        gMulParams.get(1).setLiteral(2);
        var gPromise = defG.send();
        try (Calculator.Function.Client g = gPromise.pipeline().getFunc()) {
          keep(gPromise);
          var eval = calc.evaluateRequest();
          var sum = eval.getParams().initExpression().initCall();
          sum.setFunction(add);
          var sumParams = sum.initParams(2);
          var callF = sumParams.get(0).initCall();
          callF.setFunction(f);
          var callFParams = callF.initParams(2);
          callFParams.get(0).setLiteral(12);
          callFParams.get(1).setLiteral(34);
          var callG = sumParams.get(1).initCall();
          callG.setFunction(g);
          callG.initParams(1).get(0).setLiteral(21);
          check("f(12, 34) + g(21)", readPipelined(eval.send()), 1234 + 4244);
        }
      }
    }
  }

  /** {@code pow(2, 4 + 5)} where {@code pow} is a function served by the client. */
  private void clientSideFunction() {
    try (Calculator.Function.Client add = operator(Calculator.Operator.ADD);
        Calculator.Function.Client pow =
            new Calculator.Function.Client(Capability.of(new PowerFunction(), callbackLoop))) {
      var request = calc.evaluateRequest();
      var call = request.getParams().initExpression().initCall();
      call.setFunction(pow);
      var params = call.initParams(2);
      params.get(0).setLiteral(2);
      var inner = params.get(1).initCall();
      inner.setFunction(add);
      var innerParams = inner.initParams(2);
      innerParams.get(0).setLiteral(4);
      innerParams.get(1).setLiteral(5);
      check("pow(2, 4 + 5)", readPipelined(request.send()), 512);
    }
  }

  /** The server's function for {@code op}, pipelined (usable before the call returns). */
  private Calculator.Function.Client operator(Calculator.Operator op) {
    var request = calc.getOperatorRequest();
    request.getParams().setOp(op);
    var promise = request.send();
    Calculator.Function.Client f = promise.pipeline().getFunc();
    keep(promise);
    return f;
  }

  /**
   * Keeps the response of a call whose pipelined capabilities are in use; closed by
   * {@link #releaseResponses()} once the step is over.
   */
  private void keep(ResponsePromise<?, ?> promise) {
    responses.add(promise);
  }

  /** Waits for the kept responses and closes them. */
  private void releaseResponses() {
    for (ResponsePromise<?, ?> p : responses) {
      try {
        closeQuietly(p.join());
      } catch (RuntimeException e) {
        // the failure was reported by the call that used the pipelined capability
      }
    }
    responses.clear();
  }

  /** Reads the value of an evaluation without waiting for the evaluate call itself. */
  private double readPipelined(ResponsePromise<
      Calculator.EvaluateResults.Reader, Calculator.EvaluateResults.Pipeline> evaluation) {
    try (Calculator.Value.Client value = evaluation.pipeline().getValue()) {
      keep(evaluation);
      try (var response = value.readRequest().send().join()) {
        return response.get().getValue();
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private void check(String what, double got, double expected) {
    out.println(what + " = " + got);
    if (got != expected) {
      throw new IllegalStateException(what + ": expected " + expected + ", got " + got);
    }
  }

  /** {@code pow(base, exponent)}, served by the client. */
  static final class PowerFunction extends Calculator.Function.Server {
    @Override
    protected CompletionStage<Void> call(CallContext<Calculator.Function.CallParams.Reader,
        Calculator.Function.CallResults.Builder> context) {
      var p = context.getParams().getParams();
      context.getResults().setValue(Math.pow(p.get(0), p.get(1)));
      return done();
    }
  }
}
