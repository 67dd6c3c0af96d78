#!/bin/sh
# Compares two builds of the RPC stack on the echo benchmark: the vat stack over TCP and Unix
# sockets, client and server in one process and in two, REPEAT rounds (default 3) in which the
# two jars alternate, then per configuration the median calls/s and median round trip of each
# jar and the ratio after/before.
#
#   benchmarks/compare-echo.sh BEFORE.jar AFTER.jar
#
# Build a jar: mvn -B -q -pl benchmarks -am package -DskipTests (target/benchmarks.jar); for an
# earlier commit, in a git worktree of it. Environment: REPEAT (3), TRANSPORTS ("tcp unix"),
# PROCESSES ("1 2"), BENCH_JAVA_OPTS.
set -eu
if [ $# -ne 2 ] || [ ! -f "$1" ] || [ ! -f "$2" ]; then
  echo "usage: $0 BEFORE.jar AFTER.jar" >&2
  exit 2
fi
repeat=${REPEAT:-3}
results=$(mktemp "${TMPDIR:-/tmp}/compare-echo.XXXXXX")
trap 'rm -f "$results"' EXIT INT TERM
uptime
i=0
while [ "$i" -lt "$repeat" ]; do
  for transport in ${TRANSPORTS:-tcp unix}; do
    for processes in ${PROCESSES:-1 2}; do
      for which in before after; do
        if [ "$which" = before ]; then jar=$1; else jar=$2; fi
        # shellcheck disable=SC2086
        line=$(java ${BENCH_JAVA_OPTS:-} -cp "$jar" dev.capnp.bench.rpc.EchoBench --stack vat \
            --transport "$transport" --processes "$processes" 2>&1 | grep '^echo ')
        echo "$which: $line"
        echo "$line" | sed -n "s/.*: \([0-9]*\) calls\/s, median round trip \([0-9.]*\) us.*/$transport $processes $which \1 \2/p" >>"$results"
      done
    done
  done
  i=$((i + 1))
done
uptime
echo
echo "median of $repeat: transport processes | before calls/s, round trip us | after | ratio calls/s, ratio round trip"
median() { sort -n | awk '{v[NR]=$1} END {if (NR) print v[int((NR + 1) / 2)]}'; }
for transport in ${TRANSPORTS:-tcp unix}; do
  for processes in ${PROCESSES:-1 2}; do
    br=$(awk -v k="$transport $processes before" '$1" "$2" "$3 == k {print $4}' "$results" | median)
    bl=$(awk -v k="$transport $processes before" '$1" "$2" "$3 == k {print $5}' "$results" | median)
    ar=$(awk -v k="$transport $processes after" '$1" "$2" "$3 == k {print $4}' "$results" | median)
    al=$(awk -v k="$transport $processes after" '$1" "$2" "$3 == k {print $5}' "$results" | median)
    [ -n "$br" ] && [ -n "$ar" ] || continue
    awk -v t="$transport" -v p="$processes" -v br="$br" -v bl="$bl" -v ar="$ar" -v al="$al" \
        'BEGIN { printf "%s %s | %d %.1f | %d %.1f | %.2f %.2f\n", t, p, br, bl, ar, al, ar / br, al / bl }'
  done
done
