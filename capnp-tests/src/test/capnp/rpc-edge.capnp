# Edge cases of the generated RPC code (compiled with -Xlint:all -Werror by
# GeneratedRpcCodeLintTest): nested and generic scopes, empty interfaces, names clashing with
# generated classes, interfaces as type arguments and list elements, named result structs from
# a file without RPC code.
@0xb5a7c2e91d3f4a60;

using Java = import "/capnp/java.capnp";
using Imported = import "test-import.capnp";
$Java.package("dev.capnp.test.rpc");
$Java.outerClassname("RpcEdge");

interface Calc(T) {
  eval @0 [U] (x :T, y :U, n :Int32) -> (r :T);
  ping @1 ();
  struct Nested {
    a @0 :T;
    cb @1 :Calc(T);
    cbs @2 :List(Calc(T));
  }
  interface Inner {
    call @0 (t :T) -> (calc :Calc(T));
  }
}

interface Empty {}

interface FromEmpty extends(Empty, Calc(Text)) {}

interface Diamond extends(FromEmpty, Empty) {
  eval @0 () -> ();
  # Same name as an inherited method.
}

interface Client {
  server @0 (server :Server) -> (pipeline :Pipeline);
  dispatch @1 () -> (onRelease :Bool);
}

interface Server {}

interface Factory {
  # The param and result structs of its methods each declare a Factory class of their own.
  make @0 (count :UInt32) -> (made :Factory);
}

struct Methods {
  # Declares no Methods class itself, but its nested interface does.
  interface Inner {
    ping @0 () -> ();
  }
  inner @0 :Inner;
}

struct Pipeline {
  reader @0 :Text;
  struct Reader {}
}

interface Named {
  imported @0 () -> Imported.ImportedStruct;
  stream @1 () -> stream;
}

struct Registry {
  loggers @0 :List(Named);
  boxes @1 :List(Calc(Text));
  holder @2 :BoxHolder(Named);
  nested @3 :Calc(Data).Nested;
}

struct BoxHolder(T) {
  value @0 :T;
  list @1 :List(Calc(T));
  calc @2 :Calc(T);
}
