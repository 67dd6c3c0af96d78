#!/bin/sh
# Regenerates the committed Java code for the standard schemas in /usr/include/capnp:
#   schema.capnp                       -> capnp-runtime  dev.capnp.schema.Schema
#   rpc, rpc-twoparty, persistent, stream -> capnp-rpc   dev.capnp.rpc.proto.{Rpc,RpcTwoparty,PersistentSchema,Stream}
# except rpc.capnp, which comes from the project's copy of master's schema (Level 3 definitions):
#   capnp-rpc/src/main/schema/capnp/rpc.capnp (imports /capnp/c++.capnp from the include dir).
# It builds the compiler first (which itself reads requests through dev.capnp.schema, so a
# working generated Schema.java must already be committed).
# Usage: scripts/regenerate-standard-schemas.sh [CAPNP_INCLUDE_DIR]   (default /usr/include)
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
INCLUDE="${1:-/usr/include}"
cd "$ROOT"
mvn -B -q -o -pl capnp-compiler -am package -DskipTests
# Run the generator from a copy of the build output so rewriting sources cannot disturb it.
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cp -r capnp-compiler/target/classes "$TMP/compiler"
cp -r capnp-runtime/target/classes "$TMP/runtime"

# toString() needs dev.capnp.dynamic.TextFormat; leave it out until that class exists.
EXTRA=""
if [ ! -f capnp-runtime/src/main/java/dev/capnp/dynamic/TextFormat.java ]; then
  EXTRA="--no-tostring"
fi
gen() { # gen SCHEMA OUTPUT_DIR JAVA_PACKAGE
  SRC="$INCLUDE"
  if [ "$1" = rpc.capnp ]; then
    SRC="$ROOT/capnp-rpc/src/main/schema"
  fi
  capnp compile -I "$INCLUDE" --src-prefix "$SRC" -o- "$SRC/capnp/$1" \
    | java -cp "$TMP/compiler:$TMP/runtime" dev.capnp.compiler.CapnpcJava \
        --output "$2" --package "capnp/$1=$3" $EXTRA
}
gen schema.capnp capnp-runtime/src/main/java dev.capnp.schema
for f in rpc.capnp rpc-twoparty.capnp persistent.capnp stream.capnp; do
  gen "$f" capnp-rpc/src/main/java dev.capnp.rpc.proto
done
echo "regenerated; now run: mvn -B -q -o -pl capnp-runtime,capnp-compiler,capnp-rpc -am verify"
