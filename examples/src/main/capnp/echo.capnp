# The tutorial's echo service: a ping, a heartbeat that calls the client back, and a logger the
# server hands out (pipelining).
@0xa0f14dec7e4db959;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.examples.rpc");
$Java.outerClassname("EchoApi");

interface Callback {
  log @0 (msg :Text) -> ();
}

interface Echo {
  ping @0 (msg :Text) -> (reply :Text);
  # Replies "echo:" followed by msg.

  heartbeat @1 (msg :Text, callback :Callback) -> ();
  # Calls callback.log(msg) three times, pausing between the calls, then returns.

  getLogger @2 () -> (callback :Callback);
  # The server's own logger, which prints what it receives.
}
