# Interfaces exercising the generated RPC code: typed clients and servers, pipelining,
# superclasses, generic interfaces and methods, and capabilities in struct fields.
@0xe3b0c44298fc1c14;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.test.rpc");
$Java.outerClassname("RpcCalls");

interface Logger {
  # Collects log lines.
  log @0 (line :Text) -> (count :UInt32);
  # Logs one line; returns how many lines were logged so far.
}

struct Session {
  id @0 :UInt64;
  logger @1 :Logger;
  inner @2 :Inner;
  any @3 :Capability;
  detail :group {
    logger @4 :Logger;
  }
  struct Inner {
    label @0 :Text;
    logger @1 :Logger;
  }
}

interface Service {
  getLogger @0 () -> (logger :Logger);
  echo @1 (value :Int32, tag :Text) -> (value :Int32, tag :Text);
  openSession @2 (id :UInt64) -> (session :Session);
  callBack @3 (callback :Logger, line :Text) -> (count :UInt32);
  nothing @4 ();
  class @5 (toString :Int32) -> (hashCode :Int32);
  holder @6 () -> (holder :Holder);
}

interface Named {
  name @0 () -> (name :Text);
}

interface Derived extends(Service, Named) {
  extra @0 (x :Int32) -> (y :Int32);
}

interface MoreDerived extends(Derived) {
  more @0 () -> (depth :UInt8);
}

interface Box(T) {
  get @0 () -> (value :T);
  put @1 (value :T) -> ();
  map @2 [U] (fn :Mapper(T, U)) -> (result :U);
}

interface Mapper(A, B) {
  apply @0 (a :A) -> (b :B);
}

interface TextBox extends(Box(Text)) {
  length @0 () -> (length :UInt32);
}

struct Holder {
  logger @0 :Logger;
  cap @1 :Capability;
  box @2 :Box(Text);
  union {
    none @3 :Void;
    service @4 :Service;
  }
  loggers @5 :List(Logger);
}

interface LoggerBox extends(Box(Logger)) {
  # A generic superclass bound to an interface: values are typed clients.
}
