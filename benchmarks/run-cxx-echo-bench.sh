#!/bin/sh
# The RPC echo benchmark against the C++ reference implementation (libcapnp 0.9.2): four pairings
# of client -> server, each side its own process, both pinned to core 0 (`taskset -c 0`) and both
# unpinned, REPEAT times each (default 3, the pairings interleaved), then the median of each
# configuration and its ratio to C++ client -> C++ server.
#
#   cxx->cxx    interop/build/echo-bench client  ->  interop/build/echo-bench server
#   java->java  EchoBench --stack raw --connect  ->  EchoBench --stack raw --serve
#   java->cxx   EchoBench --stack raw --connect  ->  interop/build/echo-bench server
#   cxx->java   interop/build/echo-bench client  ->  EchoBench --stack raw --serve
#
# Build first: make -C interop && mvn -B -q -pl benchmarks -am package -DskipTests
# (BENCH_JAR: another build of the benchmarks jar, e.g. of an earlier commit)
# Environment: REPEAT (3), TRANSPORTS ("tcp unix"), MODES ("pinned unpinned"), BENCH_JAVA_OPTS
# (JVM options of both Java sides), CALLS / WARMUP (100000 / 20000; SMOKE=1 sets 200 / 0, one
# repetition, unpinned: a quick check that every pairing talks).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jar="${BENCH_JAR:-$here/target/benchmarks.jar}"
cxx="$here/../interop/build/echo-bench"
repeat=${REPEAT:-3}
transports=${TRANSPORTS:-tcp unix}
modes=${MODES:-pinned unpinned}
calls=${CALLS:-100000}
warmup=${WARMUP:-20000}
if [ "${SMOKE:-0}" = 1 ]; then
  repeat=1 calls=200 warmup=0 modes=unpinned
fi
for f in "$jar" "$cxx"; do
  if [ ! -e "$f" ]; then
    echo "missing $f: run make -C interop && mvn -B -q -pl benchmarks -am package -DskipTests" >&2
    exit 2
  fi
done
work=$(mktemp -d "${TMPDIR:-/tmp}/cxx-echo-bench.XXXXXX")
server_pid=
cleanup() {
  exec 3>&- 2>/dev/null || true
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

java_cmd() { # java_cmd ARGS...: the benchmark's JVM
  # shellcheck disable=SC2086
  java ${BENCH_JAVA_OPTS:-} -cp "$jar" dev.capnp.bench.rpc.EchoBench "$@"
}

# start_server cxx|java TRANSPORT PIN: starts the server, its stdin on fd 3, sets $address.
start_server() {
  rm -f "$work/in" "$work/out"
  mkfifo "$work/in"
  if [ "$1" = cxx ]; then
    $3 "$cxx" server "$2" <"$work/in" >"$work/out" &
  else
    # shellcheck disable=SC2086
    $3 java ${BENCH_JAVA_OPTS:-} -cp "$jar" dev.capnp.bench.rpc.EchoBench --serve --stack raw \
        --transport "$2" <"$work/in" >"$work/out" &
  fi
  server_pid=$!
  exec 3>"$work/in"
  address=
  while [ -z "$address" ]; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the $1 $2 server exited without printing its address" >&2
      exit 1
    fi
    sleep 0.1
    address=$(sed -n 's/^ADDRESS //p' "$work/out")
  done
}

stop_server() { # the server exits when its stdin closes
  exec 3>&-
  wait "$server_pid" || true
  server_pid=
}

# run_client cxx|java ADDRESS PIN: prints the client's "echo ..." line.
run_client() {
  if [ "$1" = cxx ]; then
    $3 "$cxx" client "$2" --calls "$calls" --warmup "$warmup"
  else
    # shellcheck disable=SC2086
    $3 java ${BENCH_JAVA_OPTS:-} -cp "$jar" dev.capnp.bench.rpc.EchoBench --stack raw \
        --connect "$2" --calls "$calls" --warmup "$warmup"
  fi | grep '^echo '
}

results="$work/results"
: >"$results"
uptime
for mode in $modes; do
  if [ "$mode" = pinned ]; then pin="taskset -c 0"; else pin=; fi
  for transport in $transports; do
    i=0
    while [ "$i" -lt "$repeat" ]; do
      for pairing in cxx-cxx java-java java-cxx cxx-java; do
        client=${pairing%-*}
        server=${pairing#*-}
        start_server "$server" "$transport" "$pin"
        line=$(run_client "$client" "$address" "$pin")
        stop_server
        echo "$mode $transport $client->$server: $line"
        # calls/s and median round trip (us) out of "...: X calls/s, median round trip Y us"
        echo "$line" | sed -n "s/.*: \([0-9]*\) calls\/s, median round trip \([0-9.]*\) us/$mode $transport $pairing \1 \2/p" >>"$results"
      done
      i=$((i + 1))
    done
  done
done
uptime

echo
echo "median of $repeat (ratio to cxx->cxx):"
echo "mode transport client->server calls/s median-round-trip-us calls/s-ratio latency-ratio"
for mode in $modes; do
  for transport in $transports; do
    base_rate= base_lat=
    for pairing in cxx-cxx java-java java-cxx cxx-java; do
      rate=$(awk -v k="$mode $transport $pairing" '$1" "$2" "$3 == k {print $4}' "$results" \
          | sort -n | awk '{v[NR]=$1} END {if (NR) print v[int((NR + 1) / 2)]}')
      lat=$(awk -v k="$mode $transport $pairing" '$1" "$2" "$3 == k {print $5}' "$results" \
          | sort -n | awk '{v[NR]=$1} END {if (NR) print v[int((NR + 1) / 2)]}')
      if [ -z "$rate" ]; then continue; fi
      if [ "$pairing" = cxx-cxx ]; then base_rate=$rate base_lat=$lat; fi
      awk -v m="$mode" -v t="$transport" -v p="$pairing" -v r="$rate" -v l="$lat" \
          -v br="$base_rate" -v bl="$base_lat" 'BEGIN {
            split(p, s, "-");
            printf "%s %s %s->%s %d %.1f %.2f %.2f\n", m, t, s[1], s[2], r, l, r / br, l / bl }'
    done
  done
done
