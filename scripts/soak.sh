#!/usr/bin/env bash
# The long versions of the reliability suite's attacks (capnp-net/src/test/java/dev/capnp/net/
# reliability), against real server processes on loopback; see docs/RELIABILITY.md.
#
#   scripts/soak.sh [churn] [flood] [tls]      (default: all three)
#
# Phases (each stops by itself; the script exits non-zero if any phase FAILs):
#   churn  SOAK_CALLS (1000000) pings over many short plain-TCP connections (10-500 calls each,
#          4 threads); 3 in 10 connections leave rudely (reset with calls unanswered,
#          half-closed without reading, reset in the middle of a frame). PASS: every call made,
#          no errors on the proper connections, heap flat, fds back to their baseline.
#   flood  SOAK_FLOOD_CALLS (600000) pings, each with its Finish, from one client that never
#          reads. PASS: the flood stalls (the server stops reading from it) before all are
#          written, a fresh client is served while the flood is held, heap under half of -Xmx.
#   tls    SOAK_TLS_CLIENTS (2000) TLS clients with distinct EC P-256 keys and certificates,
#          all connects started together; each: handshake, Bootstrap, one call, against a TLS
#          server with the default timeouts. PASS: >= 99% succeed.
# Before and after each phase it prints the server's heap used (after a GC), direct memory,
# open fds (its own count and /proc/PID/fd), threads and RSS.
#
# Environment: SOAK_MAVEN_ARGS (extra Maven arguments, e.g. -Dmaven.repo.local=...),
# SOAK_SERVER_HEAP (the servers' -Xmx and direct memory, default 128m), SOAK_CALLS,
# SOAK_FLOOD_CALLS, SOAK_TLS_CLIENTS, SOAK_TLS_THREADS (client I/O threads, default 4),
# SOAK_TLS_WARMUP (TLS clients run before the burst, not counted, default 200; 0 = cold),
# SOAK_SKIP_BUILD=1 (reuse the last build).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PHASES=("$@")
if [ ${#PHASES[@]} -eq 0 ]; then
  PHASES=(churn flood tls)
fi
MVN_ARGS=${SOAK_MAVEN_ARGS:-}
HEAP=${SOAK_SERVER_HEAP:-128m}
CALLS=${SOAK_CALLS:-1000000}
FLOOD_CALLS=${SOAK_FLOOD_CALLS:-600000}
TLS_CLIENTS=${SOAK_TLS_CLIENTS:-2000}
TLS_THREADS=${SOAK_TLS_THREADS:-4}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/capnp-soak.XXXXXX")
CPFILE="$WORK/classpath"

say() { echo "$(date -u +%H:%M:%S) $*"; }

# ---------------------------------------------------------------- build
if [ "${SOAK_SKIP_BUILD:-}" != 1 ] || [ ! -s "$ROOT/capnp-net/target/soak.classpath" ]; then
  say "building (mvn -pl capnp-net -am test-compile dependency:build-classpath) ..."
  # shellcheck disable=SC2086
  mvn -B -ntp -q $MVN_ARGS -pl capnp-net -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$CPFILE" >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log"; say "FAIL build"; exit 1; }
  # (each module of the reactor writes the file; capnp-net, built last, wins)
  echo "$ROOT/capnp-net/target/test-classes:$ROOT/capnp-net/target/classes:$(cat "$CPFILE")" \
    >"$ROOT/capnp-net/target/soak.classpath"
fi
CP=$(cat "$ROOT/capnp-net/target/soak.classpath")
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

say "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, load average $(cut -d' ' -f1-3 /proc/loadavg); $("$JAVA" -version 2>&1 | head -1)"

# ---------------------------------------------------------------- server processes
SERVER_PID=
SERVER_NAME=
start_server() { # NAME OPTIONS...
  SERVER_NAME=$1
  shift
  local fifo="$WORK/$SERVER_NAME.stdin"
  mkfifo "$fifo"
  "$JAVA" -Xmx"$HEAP" -XX:MaxDirectMemorySize="$HEAP" -cp "$CP" \
    dev.capnp.net.reliability.TargetServer --capnp-secret-key-file "" \
    --capnp-listen-address tcp:127.0.0.1:0 "$@" \
    <"$fifo" >"$WORK/$SERVER_NAME.out" 2>"$WORK/$SERVER_NAME.log" &
  SERVER_PID=$!
  exec 7>"$fifo" # the server runs until this closes
  local i
  for i in $(seq 1 600); do
    if grep -q '^URI ' "$WORK/$SERVER_NAME.out" 2>/dev/null; then
      break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  URI=$(sed -n 's/^URI //p' "$WORK/$SERVER_NAME.out")
  if [ -z "$URI" ]; then
    cat "$WORK/$SERVER_NAME.log"
    say "FAIL: the $SERVER_NAME server did not start"
    exit 1
  fi
  say "$SERVER_NAME server: pid $SERVER_PID, -Xmx$HEAP, $URI"
}

# stops the server (end of its stdin); FAILs if it does not exit 0 within 30 s or logged an OOM
stop_server() {
  exec 7>&-
  local i rc=
  for i in $(seq 1 300); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -9 "$SERVER_PID" 2>/dev/null || true
    say "FAIL $SERVER_NAME server: did not stop within 30 s"
    FAILED=1
  fi
  wait "$SERVER_PID" && rc=0 || rc=$?
  local lines bytes
  lines=$(wc -l <"$WORK/$SERVER_NAME.log")
  bytes=$(wc -c <"$WORK/$SERVER_NAME.log")
  say "$SERVER_NAME server log: $lines lines, $bytes bytes, $(grep -c ' WARN ' "$WORK/$SERVER_NAME.log" || true) WARN lines ($WORK/$SERVER_NAME.log)"
  if grep -q OutOfMemoryError "$WORK/$SERVER_NAME.log"; then
    say "FAIL $SERVER_NAME server: logged an OutOfMemoryError"
    FAILED=1
  fi
  if [ "$rc" != 0 ]; then
    say "FAIL $SERVER_NAME server: exit status $rc"
    FAILED=1
  fi
}

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

FAILED=0
# PHASE LIMIT_SECONDS ARGS...: runs one phase of the soak client, bounded in time
phase() {
  local name=$1 limit=$2
  shift 2
  say "---- $name"
  if timeout --kill-after=10 $((limit + 120)) "$JAVA" -Xmx2g \
      -Dsoak.tls.warmup="${SOAK_TLS_WARMUP:-200}" -cp "$CP" \
      dev.capnp.net.reliability.SoakClient "$name" "$URI" "$SERVER_PID" "$@" "$limit" \
      2> >(grep -v ' INFO ' >&2); then
    :
  else
    say "FAIL $name (exit status $?)"
    FAILED=1
  fi
}

want() {
  local p
  for p in "${PHASES[@]}"; do
    [ "$p" = "$1" ] && return 0
  done
  return 1
}

if want churn || want flood; then
  start_server plain --capnp-disable-tls
  want churn && phase churn 600 "$CALLS" 4
  want flood && phase flood 300 "$FLOOD_CALLS"
  stop_server
fi
if want tls; then
  start_server tls
  phase tls 300 "$TLS_CLIENTS" "$TLS_THREADS"
  stop_server
fi

if [ "$FAILED" = 0 ]; then
  say "ALL PASS"
else
  say "SOME FAILED"
fi
exit "$FAILED"
