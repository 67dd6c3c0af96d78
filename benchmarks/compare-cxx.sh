#!/bin/sh
# The RPC comparison against the C++ reference implementation asked by issue 12, in one command:
# the Java side is the stack users get (dev.capnp.net.Vat over Netty, TLS off, plain bootstrap),
# the C++ side libcapnp's TwoPartyClient / TwoPartyVatNetwork (interop/build/echo-bench, the same
# flags and output as dev.capnp.bench.rpc.RpcBench). See benchmarks/README.md, "RPC against C++:
# compare-cxx.sh (issue 12)".
#
# For each mode (pinned: both processes under `taskset -c 0`; unpinned), transport (tcp, unix),
# REPEAT times, the four pairings client->server (cxx->cxx, java->java, java->cxx, cxx->java)
# interleaved: one fresh server per pairing, then for each workload a fresh client process:
#   cold           20,000 calls, 100 in flight, no warm-up: time to the first 1,000 and 20,000
#                  completions (runs first, so the server is fresh too)
#   ping-blocking  one call at a time from a plain thread that waits (C++: from its loop)
#   ping-loop      one call at a time, each sent from the previous one's completion on the loop
#   inflight       100 calls in flight (lanes on the loop), calls/s
#   ping-listener, inflight-listener, cold-listener: ping-loop, inflight and cold with each Java call sent with
#                  Request.send(ResponseListener) (no promise, no pipeline); a C++ client runs
#                  them as ping-loop, inflight and cold (not in the default WORKLOADS)
#   blob           echoData of 1 MiB, one at a time, MiB/s of payload
# Around each measured section (the --sync handshake) `perf stat -e raw_syscalls:sys_enter,
# context-switches,page-faults -p PID` counts the client and the server separately, and the
# client's CPU time (user + sys of all its threads, JIT compilers and GC included, from
# /proc/PID/stat; clock ticks, usually 10 ms) gives its CPU µs per call, which a loaded machine
# disturbs less than the times. The CPU time of the JIT compiler threads of each side in that
# section (threads "C1/C2 CompilerThre...", from /proc/PID/task/*/stat; 0 for C++), per call,
# says whether a Java side was still compiling, i.e. not yet warm: pinned, both sides share one
# CPU with their compilers, so a compiling side's calls/s measures its JIT as much as its calls
# (benchmarks/README.md, "100 in flight, pinned: the JIT in the measured section").
# Then the medians with ratios to cxx->cxx of the same mode/transport/workload.
#
# A third side, javat ("java, tuned for start-up"), is the Java side with the start-up options of
# benchmarks/README.md "Cold start": JAVAT_OPTS, by default the options bin/capnp-aot-train prints
# after training a cache with dev.capnp.net.AotTraining (the library's generic training run, not
# this benchmark) on the same jar: -XX:TieredStopAtLevel=1 and, on a JDK with ahead-of-time
# caches (25+), -XX:+AOTCompileEagerly -XX:AOTCache=. Add it to PAIRINGS, e.g.
# PAIRINGS="cxx-cxx java-cxx javat-cxx java-java javat-javat". A fourth side, javax, is the Java
# side with JAVAX_OPTS, to compare JVM options interleaved in one run (e.g. JAVAX_OPTS=
# "-XX:TieredStopAtLevel=1" against javat, or a cache trained another way).
#
# Builds what is missing: `make -C interop` (always, incremental) and, when the jar is absent,
# `mvn -B -q -pl benchmarks -am package -DskipTests` (MVN_ARGS: more Maven arguments, e.g. -o).
# Environment: REPEAT (3), MODES ("pinned unpinned"), TRANSPORTS ("tcp unix"), WORKLOADS
# ("cold ping-blocking ping-loop inflight blob"), PAIRINGS ("cxx-cxx java-java java-cxx cxx-java"),
# WARMUP (20000), INFLIGHT_WARMUP (the inflight workload's warm-up; WARMUP), PING_CALLS (10000), INFLIGHT_CALLS (50000), BLOB_WARMUP (200), BLOB_CALLS
# (1000), BLOB_CALLER (blocking), COLD_CALLS (20000), BENCH_JAR (another build of the jar),
# CXX_ECHO_BENCH (another build of the C++ side, e.g. interop/'s echo-bench built against a
# libcapnp 1.x: `make -C interop BUILD=DIR CAPNP=... PKG_CONFIG_PATH=...`, see benchmarks/README.md),
# BENCH_JAVA_OPTS (JVM options of every Java process), JAVAT_OPTS (more JVM options of the javat
# side, see above), JAVA (another JDK's java), RESULTS (also
# keep the raw results in this file). SMOKE=1: one quick unpinned repetition with few calls, to
# check that every pairing and workload talks (~1 min).
set -eu
if [ $# -gt 0 ]; then
  # everything is set through the environment (see above); an argument is a mistake, not a run
  sed -n '2,/^set -eu$/{/^set -eu$/d;p}' "$0" | sed 's/^# \{0,1\}//' >&2
  echo "compare-cxx.sh takes no arguments (got: $*); set REPEAT, MODES, ... instead" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
jar="${BENCH_JAR:-$here/target/benchmarks.jar}"
cxx="${CXX_ECHO_BENCH:-$root/interop/build/echo-bench}"
java_bin=${JAVA:-java}
repeat=${REPEAT:-3}
modes=${MODES:-pinned unpinned}
transports=${TRANSPORTS:-tcp unix}
workloads=${WORKLOADS:-cold ping-blocking ping-loop inflight blob}
pairings=${PAIRINGS:-cxx-cxx java-java java-cxx cxx-java}
warmup=${WARMUP:-20000}
inflight_warmup=${INFLIGHT_WARMUP:-$warmup}
ping_calls=${PING_CALLS:-10000}
inflight_calls=${INFLIGHT_CALLS:-50000}
blob_warmup=${BLOB_WARMUP:-200}
blob_calls=${BLOB_CALLS:-1000}
blob_caller=${BLOB_CALLER:-blocking}
cold_calls=${COLD_CALLS:-20000}
if [ "${SMOKE:-0}" = 1 ]; then
  repeat=1 modes=unpinned warmup=200 inflight_warmup=200 ping_calls=200 inflight_calls=1000 blob_warmup=2
  blob_calls=10 cold_calls=2000
fi

# ---------------------------------------------------------------- build what is missing
make -s -C "$root/interop" all >&2
if [ ! -e "$jar" ]; then
  if [ -n "${BENCH_JAR:-}" ]; then
    echo "BENCH_JAR=$jar does not exist" >&2
    exit 2
  fi
  echo "building $jar" >&2
  # shellcheck disable=SC2086
  (cd "$root" && mvn -B -q ${MVN_ARGS:-} -pl benchmarks -am package -DskipTests) >&2
fi
if ! "$java_bin" -cp "$jar" dev.capnp.bench.rpc.RpcBench --help 2>&1 | grep -q 'usage: RpcBench'
then
  echo "$jar has no dev.capnp.bench.rpc.RpcBench (an older build?)" >&2
  exit 2
fi
case " $modes " in *" pinned "*)
  if ! command -v taskset >/dev/null; then echo "taskset missing (util-linux)" >&2; exit 2; fi
esac
perf_events=raw_syscalls:sys_enter,context-switches,page-faults
use_perf=1
if ! command -v perf >/dev/null 2>&1; then
  echo "WARNING: perf not found: no syscall / context-switch counts" >&2
  use_perf=0
elif ! perf stat -x, -e "$perf_events" -o /dev/null true >/dev/null 2>&1; then
  echo "WARNING: perf stat -e $perf_events does not work here (permissions? tracefs?):" \
      "no syscall / context-switch counts" >&2
  use_perf=0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/compare-cxx.XXXXXX")
server_pid= client_pid=
cleanup() {
  exec 3>&- 4<&- 5>&- 2>/dev/null || true
  for p in $client_pid $server_pid; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap '' PIPE # a client that died early must not kill the script through its stdin fifo

# side_cmd cxx|java|javat|javax: the command of one side (without its arguments)
side_cmd() {
  case $1 in
    cxx) echo "$cxx" ;;
    javat) echo "$java_bin ${BENCH_JAVA_OPTS:-} $javat_opts -cp $jar dev.capnp.bench.rpc.RpcBench" ;;
    javax) echo "$java_bin ${BENCH_JAVA_OPTS:-} ${JAVAX_OPTS:-} -cp $jar dev.capnp.bench.rpc.RpcBench" ;;
    *) echo "$java_bin ${BENCH_JAVA_OPTS:-} -cp $jar dev.capnp.bench.rpc.RpcBench" ;;
  esac
}

# the javat side's options: JAVAT_OPTS, or those bin/capnp-aot-train prints after training a cache
# with dev.capnp.net.AotTraining on the jar (C1 only; on JDK 25+ an AOT cache compiled eagerly)
javat_opts=
case " $pairings " in *javat*)
  if [ -n "${JAVAT_OPTS+x}" ]; then
    javat_opts=$JAVAT_OPTS
  else
    echo "training a start-up cache with bin/capnp-aot-train (about 20 s)" >&2
    if javat_opts=$(JAVA="$java_bin" CAPNP_AOT_TRAIN_OPTS="${BENCH_JAVA_OPTS:-}" \
        "$root/bin/capnp-aot-train" "$work/train.aot" "$jar" 2>"$work/train.out"); then
      :
    else
      echo "WARNING: training failed; javat runs with C1 only, no cache:" >&2
      tail -5 "$work/train.out" >&2
      javat_opts=-XX:TieredStopAtLevel=1
    fi
  fi
  echo "javat options: $javat_opts" >&2
esac

# start_server cxx|java TRANSPORT PIN: the server, its stdin on fd 3; sets server_pid, address
start_server() {
  rm -f "$work/sin" "$work/sout"
  mkfifo "$work/sin"
  # shellcheck disable=SC2046,SC2086
  $3 $(side_cmd "$1") --serve --transport "$2" <"$work/sin" >"$work/sout" 2>"$work/serr" &
  server_pid=$!
  exec 3>"$work/sin"
  address=
  while [ -z "$address" ]; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the $1 $2 server exited without printing its address:" >&2
      cat "$work/serr" >&2
      exit 1
    fi
    sleep 0.05
    address=$(sed -n 's/^ADDRESS //p' "$work/sout")
  done
}

stop_server() { # the server exits when its stdin closes
  exec 3>&-
  wait "$server_pid" || true
  server_pid=
}

# perf_start PID FILE: counts PID's threads into FILE; sets perf_pid
perf_start() {
  perf stat -x, -e "$perf_events" -p "$1" -o "$2" >/dev/null 2>&1 &
  perf_pid=$!
}

# cpu_ticks PID: user + sys clock ticks of PID so far (all its threads), or "-"
cpu_ticks() {
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo -
}
clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)

# jit_ticks PID: user + sys clock ticks so far of PID's JIT compiler threads (HotSpot names them
# "C1 CompilerThreadN" / "C2 CompilerThreadN", cut to 15 characters), 0 if none, "-" if gone
jit_ticks() {
  [ -d "/proc/$1/task" ] || { echo -; return; }
  cat "/proc/$1"/task/*/stat 2>/dev/null | awk '{
    comm = $0; sub(/^[^(]*\(/, "", comm); sub(/\) .*$/, "", comm)
    if (comm ~ /^C[12] CompilerThre/) { sub(/^.*\) /, ""); t += $12 + $13 } }
    END { print t + 0 }'
}

# per_call_us TICKS CALLS: clock ticks as µs per call, or "-"
per_call_us() {
  if [ "$1" = - ]; then echo -; return; fi
  awk -v t="$1" -v hz="$clk_tck" -v n="$2" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }'
}

# perf_count FILE EVENT: the count of EVENT in perf's CSV output, or "-"
perf_count() {
  awk -F, -v e="$2" '$3 == e && $1 ~ /^[0-9]+$/ {print $1; found = 1} END {if (!found) print "-"}' \
      "$1" 2>/dev/null || echo -
}

# args_of WORKLOAD CLIENT: the client's workload arguments
args_of() {
  c=$2
  case $1 in
    cold) echo "--workload inflight --caller loop --warmup 0 --calls $cold_calls" ;;
    cold-listener) [ "$c" = cxx ] && cl=loop || cl=listener
      echo "--workload inflight --caller $cl --warmup 0 --calls $cold_calls" ;;
    ping-blocking) [ "$c" = cxx ] && cl=loop || cl=blocking
      echo "--workload ping --caller $cl --warmup $warmup --calls $ping_calls" ;;
    ping-loop) echo "--workload ping --caller loop --warmup $warmup --calls $ping_calls" ;;
    ping-listener) [ "$c" = cxx ] && cl=loop || cl=listener
      echo "--workload ping --caller $cl --warmup $warmup --calls $ping_calls" ;;
    inflight) echo "--workload inflight --caller loop --warmup $inflight_warmup" \
        "--calls $inflight_calls" ;;
    inflight-listener) [ "$c" = cxx ] && cl=loop || cl=listener
      echo "--workload inflight --caller $cl --warmup $inflight_warmup --calls $inflight_calls" ;;
    blob) [ "$c" = cxx ] && cl=loop || cl=$blob_caller
      echo "--workload blob --caller $cl --warmup $blob_warmup --calls $blob_calls" ;;
    *) echo "unknown workload $1 (cold cold-listener ping-blocking ping-loop ping-listener" \
        "inflight inflight-listener blob)" >&2; exit 2 ;;
  esac
}

# run_client cxx|java|javat|javax WORKLOAD PIN: one client process with the --sync handshake and
# perf around the measured calls; sets line (the RESULT line, empty on failure), counts,
# used_ticks (the client's CPU clock ticks in the measured section, or "-") and jit_c / jit_s (the
# clock ticks of the client's / server's JIT compiler threads in that section, or "-")
run_client() {
  rm -f "$work/cin" "$work/cout" "$work/perf.c" "$work/perf.s"
  mkfifo "$work/cin" "$work/cout"
  # shellcheck disable=SC2046,SC2086
  $3 $(side_cmd "$1") --connect "$address" $(args_of "$2" "$1") --sync \
      <"$work/cin" >"$work/cout" 2>"$work/cerr" &
  client_pid=$!
  exec 5>"$work/cin" 4<"$work/cout"
  line= counts="- - - - - -" used_ticks=- jit_c=- jit_s=-
  ready=
  while IFS= read -r l <&4; do
    case $l in READY) ready=1; break ;; esac
  done
  if [ -n "$ready" ]; then
    pc= ps=
    if [ "$use_perf" = 1 ]; then
      perf_start "$client_pid" "$work/perf.c"; pc=$perf_pid
      perf_start "$server_pid" "$work/perf.s"; ps=$perf_pid
      sleep 0.3 # let perf attach to every thread
    fi
    t0=$(cpu_ticks "$client_pid")
    jc0=$(jit_ticks "$client_pid") js0=$(jit_ticks "$server_pid")
    echo go >&5
    while IFS= read -r l <&4; do
      case $l in RESULT*) line=$l; break ;; esac
    done
    t1=$(cpu_ticks "$client_pid")
    jc1=$(jit_ticks "$client_pid") js1=$(jit_ticks "$server_pid")
    if [ "$t0" != - ] && [ "$t1" != - ]; then
      used_ticks=$((t1 - t0))
    fi
    # (a compiler thread that exits takes its ticks along: a negative difference is unknown)
    if [ "$jc0" != - ] && [ "$jc1" != - ] && [ "$jc1" -ge "$jc0" ]; then jit_c=$((jc1 - jc0)); fi
    if [ "$js0" != - ] && [ "$js1" != - ] && [ "$js1" -ge "$js0" ]; then jit_s=$((js1 - js0)); fi
    if [ -n "$pc" ]; then
      kill -INT "$pc" "$ps" 2>/dev/null || true
      wait "$pc" "$ps" 2>/dev/null || true
      counts="$(perf_count "$work/perf.c" raw_syscalls:sys_enter)"
      counts="$counts $(perf_count "$work/perf.c" context-switches)"
      counts="$counts $(perf_count "$work/perf.c" page-faults)"
      counts="$counts $(perf_count "$work/perf.s" raw_syscalls:sys_enter)"
      counts="$counts $(perf_count "$work/perf.s" context-switches)"
      counts="$counts $(perf_count "$work/perf.s" page-faults)"
    fi
    echo done >&5 2>/dev/null || true
  fi
  exec 4<&- 5>&-
  wait "$client_pid" || true
  client_pid=
  if [ -z "$line" ]; then
    echo "client failed:" >&2
    tail -5 "$work/cerr" >&2
  fi
}

# field NAME LINE: the value of NAME=... in a RESULT line
field() {
  echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

results="$work/results"
: >"$results"
echo "# compare-cxx.sh $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit" \
    "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) CPUs," \
    "$("$java_bin" -version 2>&1 | head -1)"
echo "# uptime before: $(uptime)"
echo "# modes: $modes; transports: $transports; workloads: $workloads; repeat: $repeat;" \
    "warm-up $warmup (blob $blob_warmup), calls: ping $ping_calls, inflight $inflight_calls," \
    "blob $blob_calls, cold $cold_calls"
for mode in $modes; do
  if [ "$mode" = pinned ]; then pin="taskset -c 0"; else pin=; fi
  for transport in $transports; do
    i=0
    while [ "$i" -lt "$repeat" ]; do
      for pairing in $pairings; do
        client=${pairing%-*}
        server=${pairing#*-}
        start_server "$server" "$transport" "$pin"
        for workload in $workloads; do
          run_client "$client" "$workload" "$pin"
          key="$mode $transport $workload $client->$server"
          if [ -z "$line" ]; then
            echo "$key: FAILED"
            continue
          fi
          calls=$(field calls "$line")
          # per call: syscalls, context switches and page faults of client and server
          per_call=$(echo "$counts" | awk -v n="$calls" '{
            for (i = 1; i <= 6; i++) printf "%s%s", (i > 1 ? " " : ""),
                ($i == "-" ? "-" : sprintf("%.2f", $i / n)) }')
          # the client's CPU µs per call in the measured section
          cpu_us=-
          if [ "$used_ticks" != - ]; then
            cpu_us=$(awk -v t="$used_ticks" -v hz="$clk_tck" -v n="$calls" \
                'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
          fi
          jit_us="$(per_call_us "$jit_c" "$calls") $(per_call_us "$jit_s" "$calls")"
          echo "$key: $line perf(client sys cs pf, server sys cs pf)/call: $per_call" \
              "client CPU µs/call: $cpu_us JIT CPU µs/call (client server): $jit_us"
          echo "$mode $transport $workload $pairing $(field calls_per_s "$line")" \
              "$(field median_us "$line") $(field p99_us "$line") $(field mib_per_s "$line")" \
              "$(field first1000_ms "$line") $(field first20000_ms "$line") $per_call $cpu_us" \
              "$jit_us" >>"$results"
        done
        stop_server
      done
      i=$((i + 1))
    done
  done
done
echo "# uptime after: $(uptime)"
if [ -n "${RESULTS:-}" ]; then
  cp "$results" "$RESULTS"
fi

# ---------------------------------------------------------------- the table of medians
# results columns: 1 mode 2 transport 3 workload 4 pairing 5 calls/s 6 median_us 7 p99_us
# 8 mib/s 9 first1000_ms 10 first20000_ms 11-13 client sys cs pf /call 14-16 server
# 17 client CPU µs/call 18-19 client / server JIT CPU µs/call
echo
echo "Medians of $repeat; ratio = this pairing / cxx->cxx of the same mode, transport and" \
    "workload (latency and cold times: lower is better; calls/s and MiB/s: higher is better)."
echo "Per call (client / server): syscalls, context switches, page faults; the client's CPU" \
    "time (user + sys, all threads) per call, with its ratio; the CPU time of the JIT compiler" \
    "threads (client / server; not 0: that side was still compiling, not warm)."
echo
echo "| mode | transport | workload | client->server | measure | value | ratio | measure 2 | value 2 | ratio 2 | syscalls/call | ctx switches/call | page faults/call | client CPU µs/call | ratio | JIT CPU µs/call |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
awk -v modes="$modes" -v transports="$transports" -v workloads="$workloads" \
    -v pairings="$pairings" '
  function median(key, col,    n, v, i, j, t, parts) {
    n = 0
    for (i = 1; i <= rows; i++) {
      if (rk[i] == key && val[i, col] != "-" && val[i, col] != "") v[++n] = val[i, col] + 0
    }
    if (n == 0) return "-"
    for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function num(x, fmt) { return x == "-" ? "-" : sprintf(fmt, x) }
  function ratio(x, base) { return (x == "-" || base == "-" || base == 0) ? "-" : sprintf("%.2f", x / base) }
  {
    rows++
    rk[rows] = $1 " " $2 " " $3 " " $4
    for (c = 5; c <= 19; c++) val[rows, c] = $c
  }
  END {
    nm = split(modes, M, " "); nt = split(transports, T, " "); nw = split(workloads, W, " ")
    np = split(pairings, P, " ")
    for (a = 1; a <= nm; a++) for (b = 1; b <= nt; b++) for (w = 1; w <= nw; w++) {
      wl = W[w]
      if (wl ~ /^ping/) { c1 = 6; n1 = "median µs"; f1 = "%.1f"; c2 = 7; n2 = "p99 µs"; f2 = "%.1f" }
      else if (wl ~ /^inflight/) { c1 = 5; n1 = "calls/s"; f1 = "%.0f"; c2 = 6; n2 = "median µs"; f2 = "%.0f" }
      else if (wl == "blob") { c1 = 8; n1 = "MiB/s"; f1 = "%.1f"; c2 = 6; n2 = "median µs"; f2 = "%.0f" }
      else { c1 = 9; n1 = "first 1,000 ms"; f1 = "%.1f"; c2 = 10; n2 = "first 20,000 ms"; f2 = "%.1f" }
      base = M[a] " " T[b] " " wl " cxx-cxx"
      b1 = median(base, c1); b2 = median(base, c2); b17 = median(base, 17)
      for (p = 1; p <= np; p++) {
        key = M[a] " " T[b] " " wl " " P[p]
        v1 = median(key, c1)
        if (v1 == "-" && median(key, 11) == "-") continue
        v2 = median(key, c2)
        split(P[p], s, "-")
        v17 = median(key, 17)
        printf "| %s | %s | %s | %s->%s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s | %s | %s / %s |\n",
            M[a], T[b], wl, s[1], s[2], n1, num(v1, f1), ratio(v1, b1), n2, num(v2, f2), ratio(v2, b2),
            num(median(key, 11), "%.2f"), num(median(key, 14), "%.2f"),
            num(median(key, 12), "%.2f"), num(median(key, 15), "%.2f"),
            num(median(key, 13), "%.1f"), num(median(key, 16), "%.1f"),
            num(v17, "%.1f"), ratio(v17, b17), num(median(key, 18), "%.1f"),
            num(median(key, 19), "%.1f")
      }
    }
  }' "$results"
