#!/bin/bash
# What the server's spin after a reply costs (issue 12; benchmarks/README.md, "The server's spin
# on by default"): one Java server (RpcBench --serve, -Dcapnp.net.spinAfterReplyMicros=SPIN_US)
# and one Java client making blocking pings that busy-wait THINK_US between calls
# (--think-micros), unpinned; prints the client's median and p99 and the server's CPU time,
# context switches and system calls per call over the measured calls (perf stat -p).
#
#   benchmarks/spin-cost.sh SPIN_US THINK_US [tcp|unix] [CALLS]
#   e.g. for think in 0 50 100; do for spin in 0 100; do benchmarks/spin-cost.sh $spin $think unix; done; done
#
# Environment: BENCH_JAR (benchmarks/target/benchmarks.jar), JAVA (java), WARMUP (30000).
set -eu
if [ $# -lt 2 ]; then
  sed -n '2,/^set -eu$/{/^set -eu$/d;p}' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
spin=$1; think=$2; tr=${3:-tcp}; calls=${4:-20000}
jar=${BENCH_JAR:-$here/target/benchmarks.jar}
java="${JAVA:-java} -Xms256m -Xmx256m -XX:+AlwaysPreTouch -cp $jar"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkfifo "$out/sin" "$out/cin"
(sleep 600 > "$out/sin") & s1=$!
$java -Dcapnp.net.spinAfterReplyMicros="$spin" dev.capnp.bench.rpc.RpcBench --serve --transport "$tr" \
  < "$out/sin" > "$out/srv.out" 2>&1 & srv=$!
for _ in $(seq 100); do grep -q ADDRESS "$out/srv.out" 2>/dev/null && break; sleep 0.1; done
addr=$(awk '/ADDRESS/ {print $2}' "$out/srv.out")
(exec 3>"$out/cin"; sleep 600) & s2=$!
$java dev.capnp.bench.rpc.RpcBench --connect "$addr" --workload ping --caller blocking \
  --warmup "${WARMUP:-30000}" --calls "$calls" --think-micros "$think" --sync \
  < "$out/cin" > "$out/cli.out" 2>&1 & cli=$!
exec 4>"$out/cin"
for _ in $(seq 600); do grep -q READY "$out/cli.out" 2>/dev/null && break; sleep 0.1; done
perf stat -x, -e task-clock,context-switches,raw_syscalls:sys_enter -p "$srv" -o "$out/perf" & perf=$!
sleep 0.2
echo go >&4
for _ in $(seq 6000); do grep -q RESULT "$out/cli.out" 2>/dev/null && break; sleep 0.02; done
kill -INT $perf; wait $perf 2>/dev/null || true
echo done >&4; exec 4>&-
kill $s1 $s2 2>/dev/null || true
wait $cli $srv 2>/dev/null || true
grep -q RESULT "$out/cli.out" || { cat "$out/cli.out" >&2; exit 1; }
med=$(grep -o 'median_us=[0-9.]*' "$out/cli.out" | cut -d= -f2)
p99=$(grep -o 'p99_us=[0-9.]*' "$out/cli.out" | cut -d= -f2)
awk -F, -v spin="$spin" -v think="$think" -v tr="$tr" -v med="$med" -v p99="$p99" -v n="$calls" '
  /task-clock/ {tc=$1} /context-switches/ {cs=$1} /raw_syscalls/ {sc=$1}
  END {printf "spin_us=%s think_us=%s transport=%s median_us=%s p99_us=%s server_cpu_us_per_call=%.1f server_switches_per_call=%.2f server_syscalls_per_call=%.1f\n",
    spin, think, tr, med, p99, tc*1000/n, cs/n, sc/n}' "$out/perf"
