@0xd6e1f2a3b4c5d607;
# Interfaces for the generated RPC code tests.

using Java = import "/capnp/java.capnp";
using Imp = import "imported.capnp";
$Java.package("dev.capnp.compiler.test.rpc");
$Java.outerClassname("Calls");

interface Logger {
  # Writes log lines.
  log @0 (line :Text) -> (count :UInt32);
  # Logs one line; returns how many lines were logged so far.
}

struct Session {
  # A struct holding capabilities (pipelined through).
  id @0 :UInt64;
  logger @1 :Logger;
  inner @2 :Inner;
  any @3 :Capability;
  point @4 :Imp.Point;
  loggers @5 :List(Logger);
  struct Inner {
    logger @0 :Logger;
    label @1 :Text;
  }
}

interface Service {
  # A service with capabilities in params and results.
  getLogger @0 () -> (logger :Logger);
  echo @1 (value :Int32, tag :Text) -> (value :Int32, tag :Text);
  openSession @2 (id :UInt64) -> (session :Session);
  callBack @3 (callback :Logger, line :Text) -> (count :UInt32);
  nothing @4 ();
  class @5 (toString :Int32) -> (hashCode :Int32);
  # Java keywords and Object methods as names.
  getPoint @6 () -> Imp.Point;
  # Results given as a named struct type.
}

interface Named {
  name @0 () -> (name :Text);
}

interface Derived extends(Service, Named) {
  # Inherits from two interfaces.
  extra @0 (x :Int32) -> (y :Int32);
}

interface MoreDerived extends(Derived) {
  more @0 () -> ();
}

interface Box(T) {
  # A generic interface.
  get @0 () -> (value :T);
  put @1 (value :T) -> ();
  map @2 [U] (fn :Mapper(T, U)) -> (result :U);
  # A generic method.
}

interface Mapper(A, B) {
  apply @0 (a :A) -> (b :B);
}

interface TextBox extends(Box(Text)) {
  length @0 () -> (length :UInt32);
}

interface LoggerBox extends(Box(Logger)) {}

struct Holder {
  logger @0 :Logger;
  cap @1 :Capability;
  boxed @2 :Box(Text);
  union {
    none @3 :Void;
    service @4 :Service;
  }
}

interface Calc(T) {
  # A generic interface with a nested generic struct.
  eval @0 [U] (x :T, y :U, n :Int32) -> (r :T);
  ping @1 ();
  struct Nested {
    a @0 :T;
  }
}

interface Empty {}

interface FromEmpty extends(Empty, Calc(Text)) {}

struct Registry {
  loggers @0 :List(Logger);
  boxes @1 :List(Box(Text));
  loggerBox @2 :BoxHolder(Logger);
}

struct BoxHolder(T) {
  value @0 :T;
  list @1 :List(Calc(T));
}

interface Client {
  # Named like a generated member class: becomes Client_.
  server @0 (server :Server) -> (pipeline :Pipeline);
}

interface Server {}

struct Pipeline {
  reader @0 :Text;
}
