package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.CalculatorApi.Calculator;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The calculator service. An expression is parsed into a tree of {@link Expr} nodes (taking
 * references to the capabilities it names), then evaluated asynchronously: a
 * {@code previousResult} is read, a {@code call} calls its function (local or remote) once its
 * arguments are known. Nothing blocks the event loop.
 */
public final class CalculatorService extends Calculator.Server {
  /**
   * A capability for a new calculator served by the current thread's event loop (or the shared
   * default loop); prefer {@link #create(EventLoop)} with the vat's loop.
   *
   * @return a new calculator capability; the caller owns it
   */
  public static Calculator.Client create() {
    return new Calculator.Client(Capability.of(new CalculatorService()));
  }

  /**
   * A capability for a new calculator served by {@code loop}. Serve it on the loop of the vat
   * that exports it ({@code Vat.loop()}) and calls from the network reach it with no thread
   * hand-off; the values and functions it makes are served by the same loop.
   *
   * @param loop the event loop serving the calculator
   * @return a new calculator capability; the caller owns it
   */
  public static Calculator.Client create(EventLoop loop) {
    return new Calculator.Client(Capability.of(new CalculatorService(), loop));
  }

  @Override
  protected CompletionStage<Void> evaluate(CallContext<Calculator.EvaluateParams.Reader,
      Calculator.EvaluateResults.Builder> context) {
    Expr expr = Expr.parse(context.getParams().getExpression());
    context.releaseParams();
    return expr.evaluate(new double[0]).whenComplete((v, e) -> expr.close()).thenAccept(v -> {
      try (Capability value = Capability.of(new ValueImpl(v))) {
        context.getResults().setValue(value);
      }
    });
  }

  @Override
  protected CompletionStage<Void> defFunction(CallContext<Calculator.DefFunctionParams.Reader,
      Calculator.DefFunctionResults.Builder> context) {
    int paramCount = context.getParams().getParamCount();
    Expr body = Expr.parse(context.getParams().getBody());
    context.releaseParams();
    try (Capability func = Capability.of(new DefinedFunction(paramCount, body))) {
      context.getResults().setFunc(func);
    }
    return done();
  }

  @Override
  protected CompletionStage<Void> getOperator(CallContext<Calculator.GetOperatorParams.Reader,
      Calculator.GetOperatorResults.Builder> context) {
    Calculator.Operator op = context.getParams().getOp();
    if (op == Calculator.Operator._NOT_IN_SCHEMA) {
      return CompletableFuture.failedFuture(RpcException.failed("Unknown operator"));
    }
    try (Capability func = Capability.of(new OperatorFunction(op))) {
      context.getResults().setFunc(func);
    }
    return done();
  }

  /** A value that is already known. */
  public static final class ValueImpl extends Calculator.Value.Server {
    private final double value;

    /**
     * A value of {@code value}.
     *
     * @param value the value
     */
    public ValueImpl(double value) {
      this.value = value;
    }

    @Override
    protected CompletionStage<Void> read(CallContext<Calculator.Value.ReadParams.Reader,
        Calculator.Value.ReadResults.Builder> context) {
      context.getResults().setValue(value);
      return done();
    }
  }

  /** One of the four arithmetic operators, as a function of two parameters. */
  public static final class OperatorFunction extends Calculator.Function.Server {
    private final Calculator.Operator op;

    /**
     * The function computing {@code op}.
     *
     * @param op the arithmetic operator
     */
    public OperatorFunction(Calculator.Operator op) {
      this.op = op;
    }

    @Override
    protected CompletionStage<Void> call(CallContext<Calculator.Function.CallParams.Reader,
        Calculator.Function.CallResults.Builder> context) {
      var params = context.getParams().getParams();
      if (params.size() != 2) {
        return CompletableFuture.failedFuture(
            RpcException.failed("Wrong number of parameters: " + params.size() + " (need 2)"));
      }
      double a = params.get(0);
      double b = params.get(1);
      double r = switch (op) {
        case ADD -> a + b;
        case SUBTRACT -> a - b;
        case MULTIPLY -> a * b;
        case DIVIDE -> a / b;
        default -> throw new IllegalStateException("operator " + op);
      };
      context.getResults().setValue(r);
      return done();
    }
  }

  /** A function defined by {@code defFunction}: a body referring to its parameters. */
  static final class DefinedFunction extends Calculator.Function.Server {
    private final int paramCount;
    private final Expr body;

    DefinedFunction(int paramCount, Expr body) {
      this.paramCount = paramCount;
      this.body = body;
    }

    @Override
    protected CompletionStage<Void> call(CallContext<Calculator.Function.CallParams.Reader,
        Calculator.Function.CallResults.Builder> context) {
      var params = context.getParams().getParams();
      if (params.size() != paramCount) {
        return CompletableFuture.failedFuture(RpcException.failed(
            "Wrong number of parameters: " + params.size() + " (need " + paramCount + ")"));
      }
      double[] args = new double[params.size()];
      for (int i = 0; i < args.length; i++) {
        args[i] = params.get(i);
      }
      context.releaseParams();
      return body.evaluate(args).thenAccept(v -> context.getResults().setValue(v));
    }

    @Override
    protected void onRelease() {
      body.close();
    }
  }

  /** A parsed expression; holds references to the capabilities it names until closed. */
  public abstract static class Expr implements AutoCloseable {
    /**
     * Evaluates with the given function parameters.
     *
     * @param args the function parameters, in order
     * @return a future completed with the value
     */
    public abstract CompletableFuture<Double> evaluate(double[] args);

    /** Releases the capabilities held by this expression. */
    @Override
    public void close() {
    }

    /**
     * Parses {@code e}, taking new references to its capabilities.
     *
     * @param e the expression to parse
     * @return the parsed expression
     */
    public static Expr parse(Calculator.Expression.Reader e) {
      switch (e.which()) {
        case LITERAL: {
          double v = e.getLiteral();
          return new Expr() {
            @Override
            public CompletableFuture<Double> evaluate(double[] args) {
              return CompletableFuture.completedFuture(v);
            }
          };
        }
        case PREVIOUS_RESULT:
          return new Previous(e.getPreviousResult());
        case PARAMETER: {
          int index = e.getParameter();
          return new Expr() {
            @Override
            public CompletableFuture<Double> evaluate(double[] args) {
              if (index < 0 || index >= args.length) {
                return CompletableFuture.failedFuture(
                    RpcException.failed("Parameter index out of range: " + index));
              }
              return CompletableFuture.completedFuture(args[index]);
            }
          };
        }
        case CALL: {
          List<Expr> params = new ArrayList<>();
          for (Calculator.Expression.Reader p : e.getCall().getParams()) {
            params.add(parse(p));
          }
          return new Call(e.getCall().getFunction(), params);
        }
        default:
          throw RpcException.failed("Unknown expression type " + e.which());
      }
    }
  }

  /** {@code previousResult}: read a value. */
  private static final class Previous extends Expr {
    private final Calculator.Value.Client value;

    Previous(Calculator.Value.Client value) {
      this.value = value;
    }

    @Override
    public CompletableFuture<Double> evaluate(double[] args) {
      return value.readRequest().send().thenApply(r -> {
        try (r) {
          return r.get().getValue();
        }
      });
    }

    @Override
    public void close() {
      value.close();
    }
  }

  /** {@code call}: evaluate the arguments, then call the function. */
  private static final class Call extends Expr {
    private final Calculator.Function.Client function;
    private final List<Expr> params;

    Call(Calculator.Function.Client function, List<Expr> params) {
      this.function = function;
      this.params = params;
    }

    @Override
    public CompletableFuture<Double> evaluate(double[] args) {
      List<CompletableFuture<Double>> values = new ArrayList<>();
      for (Expr p : params) {
        values.add(p.evaluate(args));
      }
      return CompletableFuture.allOf(values.toArray(CompletableFuture[]::new))
          .thenCompose(x -> {
            var request = function.callRequest();
            var list = request.getParams().initParams(values.size());
            for (int i = 0; i < values.size(); i++) {
              list.set(i, values.get(i).join());
            }
            return request.send();
          })
          .thenApply(r -> {
            try (r) {
              return r.get().getValue();
            }
          });
    }

    @Override
    public void close() {
      function.close();
      for (Expr p : params) {
        p.close();
      }
    }
  }
}
