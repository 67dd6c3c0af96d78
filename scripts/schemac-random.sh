#!/usr/bin/env bash
# Long run of the schema compiler's property test: N random valid schemas (from seed S on) must
# compile to the same CodeGeneratorRequest as `capnp compile -o-` (which must be on the PATH).
# The CI run does 200 (seeds 1..200); this is for longer runs.
#
#   scripts/schemac-random.sh [N] [S]      default N=5000 S=1000
#
# Environment: MVN_OPTS (extra Maven options, e.g. -o -Dmaven.repo.local=...).
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-5000}
seed=${2:-1000}
CAPNP_INTEROP_REQUIRED=1 mvn -B -ntp ${MVN_OPTS:-} -pl capnp-schema-compiler -am test \
  -Dtest=RandomSchemaTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dschemac.randomCases="$cases" -Dschemac.randomSeed="$seed"
