#!/usr/bin/env bash
# Builds what the demo needs and runs it:
#  1. capability RPC between two processes: a server vat (TLS on loopback, a fresh key) serves the
#     echo service as a sturdy ref written to a cap file; a client process reads the cap file,
#     connects (pinning the server's key), calls, passes a callback the server calls back,
#     pipelines a call on a capability the server has not returned yet, and shows an error;
#  2. serialization: generated builders write an address book, the capnp-java tool decodes it to
#     text, re-encodes the text (packed) and the generated readers read it back.
# Extra Maven arguments may be passed in MAVEN_ARGS (e.g. MAVEN_ARGS=-Dmaven.repo.local=/tmp/m2).
set -euo pipefail
cd "$(dirname "$0")"

# shellcheck disable=SC2086 # MAVEN_ARGS holds several words
mvn -B -q -ntp -Dstyle.color=never ${MAVEN_ARGS:-} -pl examples,capnp-tool -am package -DskipTests

jar=examples/target/examples.jar
work=$(mktemp -d)
server_pid=
stop_server() {
  exec 3>&- 2>/dev/null || true   # the server stops when its standard input ends ...
  if [ -n "$server_pid" ]; then
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$server_pid" 2>/dev/null || true   # ... or when killed, if it did not
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop_server EXIT
trap 'exit 130' INT TERM

echo "== Capability RPC between two processes"
echo "-- starting the server: java dev.capnp.examples.rpc.EchoServerMain (TLS, 127.0.0.1, free port)"
mkfifo "$work/server.stdin"
java -cp "$jar" dev.capnp.examples.rpc.EchoServerMain --until-stdin-closes --delay-ms 100 \
    --capnp-secret-key-file "$work/key.pem" --capnp-listen-address tcp:127.0.0.1:0 \
    --cap-file "$work/echo.cap" \
    < "$work/server.stdin" > >(sed -u 's/^/   server | /') 2>&1 &
server_pid=$!
exec 3> "$work/server.stdin"   # holds the server's stdin open until this script ends

for _ in $(seq 300); do
  [ -s "$work/echo.cap" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "demo: the server exited before writing its cap file" >&2
    exit 1
  fi
  sleep 0.1
done
if [ ! -s "$work/echo.cap" ]; then
  echo "demo: the server wrote no cap file within 30 s" >&2
  exit 1
fi
sleep 0.2   # lets the server's "Server running" line come first
echo "-- the cap file holds the sturdy ref: $(cat "$work/echo.cap")"
echo "-- running the client in another process: java dev.capnp.examples.rpc.EchoDemoClientMain echo.cap"
java -cp "$jar" dev.capnp.examples.rpc.EchoDemoClientMain "$work/echo.cap" | sed -u 's/^/   /'
sleep 0.2   # lets the server's last lines come through before the next section
stop_server
server_pid=
trap - EXIT

schema=examples/src/main/capnp/addressbook.capnp
classpath="examples/target/classes:capnp-runtime/target/classes"
message=$(mktemp)
trap 'rm -f "$message"' EXIT

echo
echo "== Serialization: an address book built with the generated Java builders, decoded by bin/capnp-java:"
java -cp "$classpath" dev.capnp.examples.AddressBookMain write > "$message"
bin/capnp-java decode "$schema" AddressBook < "$message"

echo
echo "== The same text encoded (packed) by bin/capnp-java and read back with the generated readers:"
bin/capnp-java decode "$schema" AddressBook < "$message" \
  | bin/capnp-java encode --packed "$schema" AddressBook \
  | bin/capnp-java decode --packed "$schema" AddressBook \
  | bin/capnp-java encode "$schema" AddressBook \
  | java -cp "$classpath" dev.capnp.examples.AddressBookMain read
