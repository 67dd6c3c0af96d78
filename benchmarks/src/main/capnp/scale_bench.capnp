# The scale benchmark's interfaces (ScaleBench): many capabilities exported on one connection.
@0xc4ff95d9db1b462e;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.bench.rpc");
$Java.outerClassname("ScaleBenchApi");

interface Thing {
  id @0 () -> (id :UInt32);
}

interface Maker {
  prepare @0 (count :UInt32) -> ();
  # Makes `count` fresh capabilities (replacing earlier ones), held by the server, not exported.

  take @1 (from :UInt32, count :UInt32) -> (things :List(Thing));
  # Returns the prepared capabilities [from, from + count): each becomes an export.

  heap @2 () -> (usedBytes :UInt64, rssBytes :UInt64);
  # The server's heap in use after a full collection, and its resident set size.
}
