# The echo benchmark's interface (the seed library's test-bin/echo), plus a blob echo for the
# comparison with C++ (benchmarks/compare-cxx.sh, issue 12).
@0x987aa980d80da5b0;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.bench.rpc");
$Java.outerClassname("EchoBenchApi");

interface Echo {
  ping @0 (msg :Text) -> (reply :Text);
  # Replies "echo:" followed by msg.

  echoData @1 (data :Data) -> (data :Data);
  # Returns its argument.
}
