#!/usr/bin/env bash
# Benchmark of the Java schema compiler: compiles /usr/include/capnp/schema.capnp + rpc.capnp
# in-process vs spawning `capnp compile -o-` for them (interleaved rounds, medians).
#
#   scripts/schemac-bench.sh [ROUNDS]      default 30; needs capnp on the PATH
#
# Environment: MVN_OPTS (extra Maven options, e.g. -o -Dmaven.repo.local=...).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q ${MVN_OPTS:-} -pl capnp-schema-compiler -am test-compile
cp="capnp-runtime/target/classes:capnp-schema-compiler/target/classes:capnp-schema-compiler/target/test-classes"
exec "${JAVA:-java}" -cp "$cp" dev.capnp.schemac.CompileBench "${1:-30}"
