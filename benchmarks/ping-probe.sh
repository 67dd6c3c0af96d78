#!/bin/bash
# Per-thread counts of one sequential-ping run, pinned (both processes under taskset -c CPU),
# to find which thread switches and which system calls it makes per call (issue 12). See
# benchmarks/README.md, "Context switches per call, pinned (2026-12-05, 21:5x-22:3x UTC)".
#
#   SIDE=server benchmarks/ping-probe.sh   # C++ client (its loop) -> Java server; counts the server
#   SIDE=client benchmarks/ping-probe.sh   # Java client (CALLER) -> C++ server; counts the client
#
# Environment: SIDE (server), SERVER_IMPL (java; cxx: the C++ server under the C++ client, counted
# the same way, for comparison; SIDE=server only), CALLER (blocking; loop; client side only), TRANSPORT (tcp),
# WORKLOAD (ping; inflight: 100 calls in flight, CALLER=loop), BENCH_JAR
# (benchmarks/target/benchmarks.jar), WARMUP (50000), CALLS (20000), CPU (0; "all":
# unpinned, no taskset),
# JAVA_PREFIX (a command before the Java side's taskset, e.g. "chrt -b 0" for SCHED_BATCH),
# STRACE=1 (also strace the counted Java thread / process for 0.3 s into OUT/strace.*),
# TIMELINE=1 (also record 0.1 s of everything on CPU with perf: switches, wake-ups, system calls
# of both processes in order, into OUT/timeline; strace would slow one side and change the race),
# OUT (a fresh temporary directory). Prints the RESULT line and, per thread of the counted
# process with more than 100 events, context switches, system calls by kind and wake-ups
# (sched:sched_wakeup is counted on the waker), plus voluntary/nonvoluntary switches (server).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
side=${SIDE:-server}; caller=${CALLER:-blocking}; tr=${TRANSPORT:-tcp}; cpu=${CPU:-0}
jar=${BENCH_JAR:-$here/target/benchmarks.jar}; cxx=$root/interop/build/echo-bench
out=${OUT:-$(mktemp -d)}; mkdir -p "$out"
pin="taskset -c $cpu"; rec_cpus="-C $cpu"
if [ "$cpu" = all ]; then pin=""; rec_cpus="-a"; fi
java_cmd="java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -cp $jar dev.capnp.bench.rpc.RpcBench"
if [ "$side" = server ]; then
  srv_cmd="${JAVA_PREFIX:-} $pin $java_cmd"
  [ "${SERVER_IMPL:-java}" = cxx ] && srv_cmd="$pin $cxx"
  cli_cmd="$pin $cxx"; cli_caller=loop
else
  srv_cmd="$pin $cxx"
  cli_cmd="${JAVA_PREFIX:-} $pin $java_cmd"; cli_caller=$caller
fi
events=task-clock,context-switches,cpu-migrations,raw_syscalls:sys_enter,sched:sched_wakeup
for s in epoll_pwait2 epoll_wait recvfrom sendto read write readv writev futex; do
  events=$events,syscalls:sys_enter_$s
done
rm -f "$out/srv.in" "$out/cli.in"; mkfifo "$out/srv.in" "$out/cli.in"
( sleep 1000 > "$out/srv.in" ) & slp=$!
# shellcheck disable=SC2086
$srv_cmd --serve --transport "$tr" < "$out/srv.in" > "$out/srv.out" 2>&1 & srv=$!
for _ in $(seq 100); do grep -q ADDRESS "$out/srv.out" 2>/dev/null && break; sleep 0.2; done
addr=$(awk '/ADDRESS/ {print $2}' "$out/srv.out")
( exec 3>"$out/cli.in"; sleep 300 ) & cslp=$!
# shellcheck disable=SC2086
$cli_cmd --connect "$addr" --workload "${WORKLOAD:-ping}" --caller "$cli_caller" --warmup "${WARMUP:-50000}" \
  --calls "${CALLS:-20000}" --sync < "$out/cli.in" > "$out/cli.out" 2>&1 & cli=$!
exec 4>"$out/cli.in"
for _ in $(seq 600); do grep -q READY "$out/cli.out" 2>/dev/null && break; sleep 0.2; done
if [ "$side" = server ]; then counted=$srv; else counted=$cli; fi
perf stat -x, --per-thread -e "$events" -p "$counted" -o "$out/perf" & perf=$!
sleep 0.3
grep voluntary /proc/"$counted"/task/*/status > "$out/vol.before" 2>/dev/null || true
echo go >&4
if [ "${STRACE:-0}" = 1 ]; then
  vt=$(grep -l capnp-vat /proc/"$counted"/task/*/comm | head -1 | cut -d/ -f5)
  [ "$side" = client ] && [ "$caller" = blocking ] && vt=$counted
  timeout 0.3 strace -tt -T -p "$vt" -o "$out/strace.java" || true
fi
if [ "${TIMELINE:-0}" = 1 ]; then
  sleep 0.2
  perf record -q $rec_cpus -o "$out/timeline.data" -e sched:sched_switch,sched:sched_wakeup \
    -e raw_syscalls:sys_enter,raw_syscalls:sys_exit -- sleep 0.1 2>/dev/null || true
  perf script -i "$out/timeline.data" -F tid,time,event,trace 2>/dev/null > "$out/timeline" || true
fi
for _ in $(seq 600); do grep -q RESULT "$out/cli.out" && break; sleep 0.1; done
grep voluntary /proc/"$counted"/task/*/status > "$out/vol.after" 2>/dev/null || true
kill -INT $perf; wait $perf 2>/dev/null || true
echo done >&4; exec 4>&-
kill $cslp 2>/dev/null || true; wait $cli 2>/dev/null || true
kill $slp 2>/dev/null || true; wait $srv 2>/dev/null || true
grep RESULT "$out/cli.out"
calls=$(sed -n 's/.* calls=\([0-9]*\).*/\1/p' "$out/cli.out")
echo "per call, by thread of the $side (pid $counted):"
grep -v '^#' "$out/perf" | grep -v 'not counted' | awk -F, -v n="$calls" \
  '$2>100 {printf "  %-28s %-36s %8.3f\n", $1, $4, $2/n}' | sort
paste "$out/vol.before" "$out/vol.after" | awk -v n="$calls" \
  '{split($1,a,"/"); d=$4-$2; if (d>100) printf "  tid %s %s %.3f\n", a[5], $3, d/n}'
echo "raw files: $out"
