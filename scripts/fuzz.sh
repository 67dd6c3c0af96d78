#!/usr/bin/env bash
# Fuzzes one capnp-fuzz target for N minutes with Jazzer; keeps new crash reproducers as named
# regression inputs. See docs/FUZZING.md.
#
#   scripts/fuzz.sh TARGET MINUTES     fuzz (TARGET: decoder, or a Class#method of capnp-fuzz)
#   scripts/fuzz.sh --seed decoder     regenerate the decoder's seed corpus
#   scripts/fuzz.sh --list             list the targets
#
# Environment: JAVA_HOME (JDK to fuzz on), FUZZ_HEAP (default -Xmx128m), FUZZ_LOG (log file,
# default capnp-fuzz/target/fuzz-TARGET.log), FUZZ_MVN_OPTS (extra Maven options, e.g. -o).
set -euo pipefail
cd "$(dirname "$0")/.."

# target name -> test class#method and its corpus directory (relative to test resources)
declare -A TESTS=(
  [decoder]="DecoderFuzzTest#decode"
  [rpc]="RpcStateFuzzTest#rpc"
  [hostile]="HostilePeerFuzzTest#hostile"
  [handoff]="HandoffStateFuzzTest#handoff"
)
# targets whose test class lives in a sub-package of dev.capnp.fuzz (its corpus follows it)
declare -A SUBDIRS=(
  [RpcStateFuzzTest]=rpc
  [HostilePeerFuzzTest]=rpc
  [HandoffStateFuzzTest]=rpc
)
RESOURCES=capnp-fuzz/src/test/resources/dev/capnp/fuzz

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

resolve() { # TARGET -> Class#method
  local t="$1"
  if [[ -n "${TESTS[$t]:-}" ]]; then echo "${TESTS[$t]}"; elif [[ "$t" == *#* ]]; then echo "$t";
  else echo "unknown target '$t' (try --list)" >&2; exit 2; fi
}

[[ $# -ge 1 ]] || usage
case "$1" in
  --list)
    for t in "${!TESTS[@]}"; do echo "$t -> ${TESTS[$t]}"; done
    exit 0 ;;
  --seed)
    [[ "${2:-}" == decoder ]] || { echo "only the decoder has generated seeds" >&2; exit 2; }
    dir="$PWD/$RESOURCES/DecoderFuzzTestInputs/decode"
    mvn -B -q ${FUZZ_MVN_OPTS:-} -pl capnp-fuzz -am test -Dtest='DecoderSeedsTest#writeSeeds' \
      -Dsurefire.failIfNoSpecifiedTests=false -Dseeds.write="$dir"
    echo "seeds written to $dir"
    exit 0 ;;
  -h|--help) usage ;;
esac
[[ $# -eq 2 && "$2" =~ ^[0-9]+$ ]] || usage

test="$(resolve "$1")"
minutes="$2"
class="${test%%#*}"
method="${test##*#}"
inputs="$RESOURCES/${SUBDIRS[$class]:+${SUBDIRS[$class]}/}${class}Inputs/$method"
mkdir -p "$inputs" capnp-fuzz/target
log="${FUZZ_LOG:-$PWD/capnp-fuzz/target/fuzz-$1.log}"
before="$(mktemp)"
ls "$inputs" | sort > "$before"

echo "fuzzing $test for $minutes minutes on $(${JAVA_HOME:+$JAVA_HOME/bin/}java -version 2>&1 | head -1); log: $log"
set +e
JAZZER_FUZZ=1 mvn -B ${FUZZ_MVN_OPTS:-} -pl capnp-fuzz -am test \
  -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
  -Djazzer.max_duration="${minutes}m" -Djazzer.instrument='dev.capnp.**' \
  -Dfuzz.heap="${FUZZ_HEAP:--Xmx128m}" >"$log" 2>&1
status=$?
set -e

# Jazzer's progress lines: "#N ... cov: C ft: F corp: ... exec/s: E"
grep -E '^#[0-9]+' "$log" | tail -1 || true
grep -E 'Done [0-9]+ runs|==[0-9]+== ERROR|FuzzTestFindingException|Java Exception' "$log" | head -5 || true

# New reproducers (Jazzer writes crash-<sha1>, timeout-..., slow-unit-... next to the corpus):
# give them a name that says what they are, so they replay as named regression tests.
new=0
for f in $(ls "$inputs" | sort | comm -13 "$before" -); do
  case "$f" in
    crash-*|timeout-*|slow-unit-*|oom-*)
      kind="${f%%-*}"
      named="regression-$(date -u +%Y%m%d)-$kind-${f#*-}"
      mv "$inputs/$f" "$inputs/$named"
      echo "new reproducer: $inputs/$named"
      new=$((new + 1)) ;;
  esac
done
rm -f "$before"
if [[ $new -gt 0 ]]; then
  echo "$new new reproducer(s): rename them after the defect, fix the code, and commit them."
fi
exit $status
