#!/usr/bin/env bash
# Runs the address-book round trip in C++ (libcapnp, -O2) and in Java (JMH), both pinned to the
# same CPU, so the two can be compared as a ratio (also by CPU time, steadier on a shared
# machine). Usage: benchmarks/cpp/run.sh [PEOPLE]
set -euo pipefail
cd "$(dirname "$0")/../.."
people=${1:-10}
out=benchmarks/target/cpp
mkdir -p "$out"
cp benchmarks/src/main/capnp/addressbook.capnp "$out/"
capnp compile -Icapnp-runtime/src/main/resources --src-prefix="$out" -oc++:"$out" "$out/addressbook.capnp"
g++ -std=c++17 -O2 -I"$out" benchmarks/cpp/addressbook_bench.c++ "$out/addressbook.capnp.c++" \
  $(pkg-config --cflags --libs capnp) -o "$out/addressbook_bench"
[ -f benchmarks/target/benchmarks.jar ] || mvn -B -q -ntp package -DskipTests -pl benchmarks -am
taskset -c 0 "$out/addressbook_bench" "$people" 5
taskset -c 0 java -jar benchmarks/target/benchmarks.jar AddressBookBenchmark -p people="$people" \
  -f 1 -wi 3 -w 2 -i 5 -r 2 2>/dev/null | grep -E '^(Benchmark|AddressBook|ProtobufAddressBook)'
# The same rounds timed the C++ twin's way (wall and thread CPU time, batches of 100), with
# the protobuf-java twin's rounds.
taskset -c 0 java -cp benchmarks/target/benchmarks.jar dev.capnp.bench.AddressBookCpuTime "$people" 5
# The other message shapes, Cap'n Proto against protobuf-java (CPU time, interleaved, medians).
taskset -c 0 java -cp benchmarks/target/benchmarks.jar dev.capnp.bench.ShapesCpuTime 2 3
