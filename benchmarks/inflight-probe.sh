#!/bin/bash
# Where the CPU of a Java -> Java "inflight" run goes (100 calls in flight, calls from the client
# vat's loop; issue 12), per thread group: one RpcBench server and one client, both pinned to one
# CPU (taskset -c $CPU, 0 by default, as compare-cxx.sh's pinned mode), and around the measured
# calls (the --sync handshake) `perf stat --per-thread` of each process. Prints one line:
#
#   LABEL TRANSPORT TIME load=... calls/s=... alloc=B/call | client: cpu us/call vat=.. jit=..
#   other=..; vat sys=.. cs=..; <vat syscalls by kind per call>; jit sys=.. | server: ...
#
# vat: the capnp-vat-* threads (the loop: I/O, protocol, replies); jit: the C1/C2 compiler
# threads; other: the rest (GC, the benchmark's main thread). CPU is perf's task-clock. A jit
# figure well above 0 means that side was still compiling in the measured section (not warm):
# pinned, the compilers share the CPU with the calls. See benchmarks/README.md, "100 in flight,
# pinned: the JIT in the measured section".
#
# usage: benchmarks/inflight-probe.sh LABEL JAR tcp|unix ["JVM OPTIONS"]
# environment: CALLS (50000), WARMUP (20000), CPU (0)
# e.g. alternate two jars: for i in 1 2 3; do benchmarks/inflight-probe.sh old old.jar tcp;
#        benchmarks/inflight-probe.sh new benchmarks/target/benchmarks.jar tcp; done
set -eu
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  sed -n '2,/^set -eu$/{/^set -eu$/d;p}' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
label=$1 jar=$2 transport=$3 jvm_opts=${4:-}
case $transport in tcp|unix) ;; *) echo "transport must be tcp or unix, got $transport" >&2; exit 2 ;; esac
if [ ! -e "$jar" ]; then echo "no such jar: $jar" >&2; exit 2; fi
calls=${CALLS:-50000}
pin="taskset -c ${CPU:-0}"
events=task-clock,context-switches,raw_syscalls:sys_enter
for s in epoll_pwait epoll_pwait2 epoll_wait read recvfrom write writev sched_yield futex; do
  events=$events,syscalls:sys_enter_$s
done
if ! perf stat -e "$events" -o /dev/null true >/dev/null 2>&1; then
  echo "perf stat -e $events does not work here (perf missing? permissions? tracefs?)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/inflight-probe.XXXXXX")
server_pid= client_pid=
cleanup() {
  exec 3>&- 4<&- 5>&- 2>/dev/null || true
  for p in $client_pid $server_pid; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

mkfifo "$work/sin" "$work/cin" "$work/cout"
# shellcheck disable=SC2086
$pin java -Xms256m -Xmx256m -XX:+AlwaysPreTouch $jvm_opts -cp "$jar" \
    dev.capnp.bench.rpc.RpcBench --serve --transport "$transport" \
    <"$work/sin" >"$work/sout" 2>"$work/serr" &
server_pid=$!
exec 3>"$work/sin"
address=
while [ -z "$address" ]; do
  kill -0 "$server_pid" 2>/dev/null || { echo "server failed:" >&2; cat "$work/serr" >&2; exit 1; }
  sleep 0.05
  address=$(sed -n 's/^ADDRESS //p' "$work/sout")
done
# shellcheck disable=SC2086
$pin java -Xms256m -Xmx256m -XX:+AlwaysPreTouch $jvm_opts -cp "$jar" \
    dev.capnp.bench.rpc.RpcBench --connect "$address" --workload inflight --caller loop \
    --warmup "${WARMUP:-20000}" --calls "$calls" --sync \
    <"$work/cin" >"$work/cout" 2>"$work/cerr" &
client_pid=$!
exec 5>"$work/cin" 4<"$work/cout"
ready=
while IFS= read -r l <&4; do case $l in READY) ready=1; break ;; esac; done
if [ -z "$ready" ]; then echo "client failed:" >&2; tail -5 "$work/cerr" >&2; exit 1; fi
perf stat --per-thread -x, -e "$events" -p "$client_pid" -o "$work/perf.client" >/dev/null 2>&1 &
perf_client=$!
perf stat --per-thread -x, -e "$events" -p "$server_pid" -o "$work/perf.server" >/dev/null 2>&1 &
perf_server=$!
sleep 0.3 # let perf attach to every thread
echo go >&5
line=
while IFS= read -r l <&4; do case $l in RESULT*) line=$l; break ;; esac; done
kill -INT "$perf_client" "$perf_server" 2>/dev/null || true
wait "$perf_client" "$perf_server" 2>/dev/null || true
echo done >&5 2>/dev/null || true
exec 4<&- 5>&- 3>&-
wait "$client_pid" "$server_pid" 2>/dev/null || true
client_pid= server_pid=
if [ -z "$line" ]; then echo "client failed:" >&2; tail -5 "$work/cerr" >&2; exit 1; fi

field() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# perf's per-thread CSV: thread-tid,count,unit,event,...
summary() {
  awk -F, -v n="$calls" '$2 ~ /^[0-9.]+$/ {
      g = "other"; if ($1 ~ /^capnp-vat/) g = "vat"; else if ($1 ~ /Compiler/) g = "jit"
      ev = $4
      if (ev == "task-clock") cpu[g] += $2          # ms
      else if (ev == "raw_syscalls:sys_enter") sys[g] += $2
      else if (ev == "context-switches") cs[g] += $2
      else if (g == "vat") { sub(/^syscalls:sys_enter_/, "", ev); kind[ev] += $2 }
    }
    END {
      printf " cpu us/call vat=%.1f jit=%.1f other=%.1f; vat sys=%.4f cs=%.4f;",
          cpu["vat"] * 1000 / n, cpu["jit"] * 1000 / n, cpu["other"] * 1000 / n,
          sys["vat"] / n, cs["vat"] / n
      for (e in kind) if (kind[e] > 0) printf " %s=%.4f", e, kind[e] / n
      printf "; jit sys=%.3f\n", sys["jit"] / n
    }' "$1"
}
echo "$label $transport $(date -u +%T) load=$(cut -d' ' -f1 /proc/loadavg)" \
    "calls/s=$(field calls_per_s) alloc=$(field alloc_b_per_call) |" \
    "client:$(summary "$work/perf.client") | server:$(summary "$work/perf.server")"
