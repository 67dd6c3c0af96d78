#!/bin/sh
# Cap'n Proto RPC (our Vat over Netty, RpcBench) against gRPC-java (1.85, Netty transport,
# GrpcBench) on the same echo workloads, Java client -> Java server of each, interleaved (issue
# 12: "versus gRPC-java (12 calls in flight) we are 3.4-6x faster: keep that"). See
# benchmarks/README.md, "Against gRPC-java: compare-grpc.sh".
#
# For each mode (pinned: both processes under `taskset -c 0`; unpinned), REPEAT times, capnp
# then grpc: a fresh server, then a fresh client per workload:
#   ping        one call at a time, each sent from the previous one's completion; median, p99
#   inflight12  12 lanes, each sending its next call from its previous one's completion; calls/s
#   inflight100 the same with 100 lanes
#   threads12   12 application threads, each making blocking calls one after another (ours:
#               send().get(); gRPC: its blocking stub, ClientCalls.blockingUnaryCall); calls/s
#   vthreads12  the same with 12 virtual threads (JAVA of JDK 21 or later)
#   blob        an echo of 1 MiB of bytes (ours: Echo.echoData, Data; gRPC: BytesValue), one at a
#               time from a thread that waits for each; MiB/s of payload
# Both sides: TCP loopback, plain text (TRANSPORT=tls: TLS, each with its defaults: our vat's
# TLS on the JDK's provider, gRPC's on its shaded BoringSSL; both servers with a self-signed
# certificate); but for (v)threads12 the calls made and completed on the
# transport's own threads (our vat's loop; gRPC's directExecutor()). Then the medians, and
# capnp / grpc.
# Environment: REPEAT (3), MODES ("pinned unpinned"), WORKLOADS ("ping inflight12
# inflight100"; threads12, vthreads12 and blob on request), WARMUP (20000), PING_CALLS (10000),
# INFLIGHT_WARMUP (100000), INFLIGHT_CALLS (200000), THREADS_WARMUP (50000), THREADS_CALLS
# (100000), BLOB_WARMUP (2000), BLOB_CALLS (1000), BENCH_JAR,
# BENCH_JAVA_OPTS, JAVA, RESULTS (keep the raw lines in this file), TRANSPORT (tcp; tls).
# Builds the jar when absent (`mvn -B -q -pl benchmarks -am package -DskipTests`).
set -eu
if [ $# -gt 0 ]; then
  sed -n '2,/^set -eu$/{/^set -eu$/d;p}' "$0" | sed 's/^# \{0,1\}//' >&2
  echo "compare-grpc.sh takes no arguments (got: $*); set REPEAT, MODES, ... instead" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
jar="${BENCH_JAR:-$here/target/benchmarks.jar}"
java_bin=${JAVA:-java}
repeat=${REPEAT:-3}
modes=${MODES:-pinned unpinned}
workloads=${WORKLOADS:-ping inflight12 inflight100}
warmup=${WARMUP:-20000}
ping_calls=${PING_CALLS:-10000}
inflight_warmup=${INFLIGHT_WARMUP:-100000}
inflight_calls=${INFLIGHT_CALLS:-200000}
threads_warmup=${THREADS_WARMUP:-50000}
threads_calls=${THREADS_CALLS:-100000}
blob_warmup=${BLOB_WARMUP:-2000}
blob_calls=${BLOB_CALLS:-1000}
transport=${TRANSPORT:-tcp}
case $transport in tcp|tls) ;; *) echo "TRANSPORT must be tcp or tls: $transport" >&2; exit 2 ;; esac
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -pl benchmarks -am package -DskipTests)
fi
work=$(mktemp -d)
results=${RESULTS:-$work/results}
: >"$results"
trap 'rm -rf "$work"' EXIT

main_of() {
  case $1 in
    capnp) echo dev.capnp.bench.rpc.RpcBench ;;
    grpc) echo dev.capnp.bench.rpc.GrpcBench ;;
  esac
}

args_of() {
  case $1 in
    ping) echo "--workload ping --caller loop --warmup $warmup --calls $ping_calls" ;;
    inflight12) echo "--workload inflight --caller loop --in-flight 12 --warmup $inflight_warmup" \
        "--calls $inflight_calls" ;;
    inflight100) echo "--workload inflight --caller loop --in-flight 100" \
        "--warmup $inflight_warmup --calls $inflight_calls" ;;
    threads12) echo "--workload inflight --caller threads --in-flight 12" \
        "--warmup $threads_warmup --calls $threads_calls" ;;
    vthreads12) echo "--workload inflight --caller vthreads --in-flight 12" \
        "--warmup $threads_warmup --calls $threads_calls" ;;
    blob) echo "--workload blob --caller blocking --warmup $blob_warmup --calls $blob_calls" ;;
    *) echo "unknown workload $1 (ping inflight12 inflight100 threads12 vthreads12 blob)" >&2
      exit 2 ;;
  esac
}

echo "# compare-grpc.sh $(date -u '+%Y-%m-%d %H:%M:%S') UTC, commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo -), $(nproc) CPUs, $("$java_bin" -version 2>&1 | head -1)"
echo "# uptime before: $(uptime)"
echo "# transport: $transport"
for r in $(seq 1 "$repeat"); do
  for mode in $modes; do
    if [ "$mode" = pinned ]; then pin="taskset -c 0"; else pin=""; fi
    for impl in capnp grpc; do
      rm -f "$work/sin" "$work/sout"
      mkfifo "$work/sin"
      # shellcheck disable=SC2086
      $pin "$java_bin" ${BENCH_JAVA_OPTS:-} -cp "$jar" $(main_of $impl) --serve --transport "$transport" \
          <"$work/sin" >"$work/sout" 2>"$work/serr" &
      server=$!
      exec 3>"$work/sin"
      address=
      for _ in $(seq 1 100); do
        address=$(awk '/^ADDRESS /{print $2; exit}' "$work/sout" 2>/dev/null || true)
        [ -n "$address" ] && break
        sleep 0.1
      done
      if [ -z "$address" ]; then
        echo "the $impl server did not start:" >&2; cat "$work/serr" >&2; exit 1
      fi
      for w in $workloads; do
        # shellcheck disable=SC2086,SC2046
        line=$($pin "$java_bin" ${BENCH_JAVA_OPTS:-} -cp "$jar" $(main_of $impl) \
            --connect "$address" $(args_of $w) 2>"$work/cerr" | grep '^RESULT' || true)
        if [ -z "$line" ]; then
          echo "$mode $w $impl: FAILED" && cat "$work/cerr" >&2
          continue
        fi
        echo "$mode $w $impl: $line"
        echo "$mode $w $impl $line" >>"$results"
      done
      exec 3>&-
      wait "$server" || true
    done
  done
done
echo "# uptime after: $(uptime)"
echo
echo "Medians of $repeat; ping: median and p99 round trip (lower is better); blob: MiB/s; the"
echo "others: calls/s (higher is better); ratio: how many times better capnp is than grpc."
echo
echo "| mode | workload | capnp | grpc | capnp better by | capnp p99 | grpc p99 | client CPU µs/call, capnp / grpc |"
echo "|---|---|---|---|---|---|---|---|"
awk -v modes="$modes" -v workloads="$workloads" '
  function val(line, key,   i, n, f, kv) {
    n = split(line, f, " ")
    for (i = 1; i <= n; i++) { split(f[i], kv, "="); if (kv[1] == key) return kv[2] }
    return "-"
  }
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n == 0 ? "-" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
  }
  {
    key = $1 " " $2 " " $3
    v[key] = v[key] " " ($2 == "ping" ? val($0, "median_us") \
        : $2 == "blob" ? val($0, "mib_per_s") : val($0, "calls_per_s"))
    p[key] = p[key] " " val($0, "p99_us")
    u[key] = u[key] " " val($0, "cpu_us_per_call")
  }
  END {
    nm = split(modes, M, " "); nw = split(workloads, W, " ")
    for (a = 1; a <= nm; a++) for (b = 1; b <= nw; b++) {
      c = median(v[M[a] " " W[b] " capnp"]); g = median(v[M[a] " " W[b] " grpc"])
      if (c == "-" || g == "-") continue
      ratio = W[b] == "ping" ? g / c : c / g
      printf "| %s | %s | %s | %s | %.2fx | %s | %s | %s / %s |\n", M[a], W[b],
          (W[b] == "ping" ? c " µs" : W[b] == "blob" ? c " MiB/s" : int(c) "/s"),
          (W[b] == "ping" ? g " µs" : W[b] == "blob" ? g " MiB/s" : int(g) "/s"),
          ratio, median(p[M[a] " " W[b] " capnp"]), median(p[M[a] " " W[b] " grpc"]),
          median(u[M[a] " " W[b] " capnp"]), median(u[M[a] " " W[b] " grpc"])
    }
  }' "$results"
