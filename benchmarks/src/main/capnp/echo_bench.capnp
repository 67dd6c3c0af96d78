# The echo benchmark's interface (the seed library's test-bin/echo).
@0x987aa980d80da5b0;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.bench.rpc");
$Java.outerClassname("EchoBenchApi");

interface Echo {
  ping @0 (msg :Text) -> (reply :Text);
  # Replies "echo:" followed by msg.
}
