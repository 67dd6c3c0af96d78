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

  createLogger @3 (label :Text) -> (callback :Callback);
  # A new logger printing "<label>: <msg>", saved in the server's store: ask it for its sturdy
  # ref with Persistent.save; the ref still works after the server restarts. (Servers without a
  # store answer "This echo service has no store to create loggers in".)
}

# What the server's store (a FileStore) keeps for each logger created by createLogger.
struct SavedLogger {
  label @0 :Text;
}

struct SavedService {
  logger @0 :SavedLogger;
  # A union can be added later for other kinds of saved services.
}
