@0xf1e2d3c4b5a69788;
# A streaming method: its results are stream.capnp's StreamResult.

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.compiler.test.rpc");

interface Sink {
  write @0 (data :Data) -> stream;
}
