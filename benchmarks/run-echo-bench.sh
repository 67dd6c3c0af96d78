#!/bin/sh
# Runs the RPC echo benchmark in every configuration, REPEAT times each (default 3).
# Build first: mvn -B -q -pl benchmarks -am package -DskipTests
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jar="${BENCH_JAR:-$here/target/benchmarks.jar}"
repeat=${REPEAT:-3}
uptime
for stack in vat raw; do
  for transport in tcp tls unix; do
    if [ "$stack" = raw ] && [ "$transport" = tls ]; then continue; fi
    for processes in 1 2; do
      i=0
      while [ "$i" -lt "$repeat" ]; do
        java ${BENCH_JAVA_OPTS:-} -cp "$jar" dev.capnp.bench.rpc.EchoBench --stack "$stack" \
            --transport "$transport" --processes "$processes" 2>&1 | grep '^echo '
        i=$((i + 1))
      done
    done
  done
done
uptime
