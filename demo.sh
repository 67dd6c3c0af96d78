#!/usr/bin/env bash
# Builds capnp-java and runs the demo: generated builders write an address book, the capnp-java
# tool decodes it to text, re-encodes the text (packed) and decodes it again.
set -euo pipefail
cd "$(dirname "$0")"

mvn -B -q -ntp -Dstyle.color=never package -DskipTests

schema=examples/src/main/capnp/addressbook.capnp
classpath="examples/target/classes:capnp-runtime/target/classes"
message=$(mktemp)
trap 'rm -f "$message"' EXIT

echo "== An address book built with the generated Java builders, decoded by bin/capnp-java:"
java -cp "$classpath" dev.capnp.examples.AddressBookMain write > "$message"
bin/capnp-java decode "$schema" AddressBook < "$message"

echo
echo "== The same text encoded (packed) by bin/capnp-java and read back with the generated readers:"
bin/capnp-java decode "$schema" AddressBook < "$message" \
  | bin/capnp-java encode --packed "$schema" AddressBook \
  | bin/capnp-java decode --packed "$schema" AddressBook \
  | bin/capnp-java encode "$schema" AddressBook \
  | java -cp "$classpath" dev.capnp.examples.AddressBookMain read
