# The classic Cap'n Proto calculator: expressions whose values and functions are capabilities,
# so that a client can evaluate a chain of dependent calls in one round trip.
@0x85150b117366d14b;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.examples.rpc");
$Java.outerClassname("CalculatorApi");

interface Calculator {
  evaluate @0 (expression :Expression) -> (value :Value);
  # Evaluates the expression; the result is a Value to read (or to pass on, unread).

  struct Expression {
    union {
      literal @0 :Float64;
      previousResult @1 :Value;
      # The value of an earlier evaluation (may still be a promise).
      parameter @2 :UInt32;
      # A parameter of the function being defined (only inside defFunction bodies).
      call :group {
        function @3 :Function;
        params @4 :List(Expression);
      }
    }
  }

  interface Value {
    read @0 () -> (value :Float64);
  }

  defFunction @1 (paramCount :Int32, body :Expression) -> (func :Function);
  # A function evaluated by the server whose body refers to its parameters.

  interface Function {
    call @0 (params :List(Float64)) -> (value :Float64);
  }

  getOperator @2 (op :Operator) -> (func :Function);

  enum Operator {
    add @0;
    subtract @1;
    multiply @2;
    divide @3;
  }
}
