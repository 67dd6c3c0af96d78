#!/usr/bin/env bash
# C++ client -> C++ server: builds the peers, starts interop-server on a free loopback port, runs
# every interop-client scenario against it. Exit status 0 when all pass.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
make -s -C "$here"
build="$here/build"

fifo="$(mktemp -u)"
mkfifo "$fifo"
# The server exits when its stdin (the fifo, held open by fd 3) reaches end-of-file.
"$build/interop-server" 127.0.0.1:0 <"$fifo" >"$build/server.out" 2>"$build/server.err" &
server=$!
exec 3>"$fifo"
rm -f "$fifo"
trap 'exec 3>&-; wait $server 2>/dev/null || true' EXIT

for _ in $(seq 100); do
  port="$(sed -n 's/^PORT //p' "$build/server.out")"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "interop-server did not report its port" >&2; cat "$build/server.err" >&2; exit 1; }

"$build/interop-client" "127.0.0.1:$port" "$@"
