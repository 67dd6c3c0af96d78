# Services of the seed library's networked test suite (its examples/testlib/test_api.capnp and
# calculator.capnp), used by dev.capnp.net.scenarios.
#
# Compiled into dev.capnp.net.scenarios.ScenarioApi by the capnp Maven plugin (generate-test).
@0xe01ecba1a3451f92;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.net.scenarios");
$Java.outerClassname("ScenarioApi");

interface Echo {
  ping @0 (msg :Text, slow :Bool) -> (reply :Text);
  # Replies "got:<n>:<msg>" where n counts the pings received so far; a slow ping does not
  # return until the next unblock.
  unblock @1 ();
}

interface Registry {
  setEchoService @2 (service :Echo) -> ();
  echoService @0 () -> (service :Echo);
  # Returns the current echo service once unblocked.
  echoServicePromise @4 () -> (service :Echo);
  # Returns at once a promise that resolves to the echo service when unblocked.
  unblock @1 ();
  complex @3 () -> (foo :Foo, bar :Bar);
  # foo.echo = the echo service, bar.version = a Version service.
}

interface Version {
  read @0 () -> (version :Text);
}

struct Foo {
  b @0 :Bar;
  echo @1 :Echo;
}

struct Bar {
  f @0 :Foo;
  version @1 :Version;
}

interface File {
  set @0 (data :Text) -> ();
  get @1 () -> (data :Text);
}

interface Store {
  createFile @0 () -> (file :File);
}

struct Simple {
  text @0 :Text;
}

struct SavedFile {
  # What the Store scenario's database keeps per file.
  data @0 :Text;
}

# The Calculator scenarios run the examples module's calculator (examples: CalculatorScenariosTest).
