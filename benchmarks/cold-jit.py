#!/usr/bin/env python3
"""cold-jit.py: what a fresh Java client JVM still compiles after its first call (issue 12, cold).

Runs the cold workload of compare-cxx.sh (RpcBench --workload inflight --caller loop --warmup 0
--calls 20000 --sync: 100 calls in flight from the client vat's loop, no warm-up) from a fresh
client JVM per run against a fresh server (by default the C++ echo server, interop/build/
echo-bench), once per VARIANT (a name and JVM options) per run, the variants interleaved (their
order rotates from run to run). The client runs with -XX:+PrintCompilation, whose lines go to
the same stdout as RpcBench's READY and RESULT lines, so the compilations are split at READY
(the client is connected and has bootstrapped; the script answers "go" at once, or after --pause
seconds, and the first call is sent): compiled before the first send, and after it until the last
reply (by PrintCompilation's time stamps: not the result's formatting after it). Of the latter,
"queued after" counts those with a compile id above every id printed before the send: queued
while the calls ran, i.e. not a cache's eager compilation still draining its queue. Per run it
prints those counts, the time from the first send to the
1,000th and 20,000th reply and the client process's CPU per call in that section (RESULT's
cpu_us_per_call: user + sys of all threads, JIT compilers included); then per variant the medians
and, after the first variant, the ratios to it.

Methods compiled after the first send are a machine-independent measure of how much of the call
path a start-up cache (AotTraining, bin/capnp-aot-train) left to be compiled while the calls run;
the times and CPU per call need a quiet machine or many interleaved runs.

Usage (from the repository root; the jar: mvn -pl benchmarks -am package -DskipTests):

  benchmarks/cold-jit.py --runs 9 --pin \\
      --variant "plain=" \\
      --variant "c1=-XX:TieredStopAtLevel=1" \\
      --variant "shipped=$(bin/capnp-aot-train /tmp/a.aot benchmarks/target/benchmarks.jar)"

A variant NAME@JAR=OPTIONS runs another build of the jar (a copy made before a change; a start-up
cache must have been trained on that same file, named by the same absolute path). A variant with
-XX:AOTCache= also gets -XX:AOTMode=on, so that a cache the JVM cannot use fails the run.

Options: --java (default: java on PATH, or $JAVA), --jar (benchmarks/target/benchmarks.jar),
--server cxx|java (the Java server runs with no extra options), --transport tcp|unix, --calls
(20000), --pin (client and server under taskset -c 0), --list DIR (write the methods each
variant compiled after the first send, one file per variant and run, "new" before those queued
after the send, "old" before the others; for comparing what a training leaves out), --extra OPTS (JVM options for every Java client, e.g. -XX:+UseSerialGC).
"""

import argparse
import collections
import os
import re
import shlex
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# A -XX:+PrintCompilation line: "  timestamp  compile-id  flags  [level]  name (size)" and the
# same prefix for "made not entrant" / "made zombie" lines, which are not compilations.
COMPILE_LINE = re.compile(r"^\s*(\d+)\s+(\d+)\s+([%sbn!A ]*?)\s*(\d)?\s+(\S+::\S+)")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--java", default=os.environ.get("JAVA", "java"))
    p.add_argument("--jar", default=os.path.join(HERE, "target", "benchmarks.jar"))
    p.add_argument("--server", choices=["cxx", "java"], default="cxx")
    p.add_argument("--transport", choices=["tcp", "unix"], default="tcp")
    p.add_argument("--calls", type=int, default=20000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--pin", action="store_true", help="taskset -c 0 for client and server")
    p.add_argument("--variant", action="append", default=[],
                   help="NAME=JVM OPTIONS or NAME@JAR=JVM OPTIONS (another build of the jar, "
                   "e.g. before a change); repeat; the first is the base of the ratios")
    p.add_argument("--extra", default="", help="JVM options of every Java client")
    p.add_argument("--list", help="directory for the methods compiled after the first send")
    p.add_argument("--pause", type=float, default=0.0,
                   help="seconds between READY and the first send (compare-cxx.sh: 0.3)")
    a = p.parse_args()
    if not a.variant:
        p.error("give at least one --variant NAME=OPTIONS")
    variants = []
    for v in a.variant:
        if "=" not in v:
            p.error("--variant wants NAME=OPTIONS, got " + v)
        name, opts = v.split("=", 1)
        jar = a.jar
        if "@" in name:
            name, jar = name.split("@", 1)
        variants.append((name, shlex.split(opts), jar))
    a.variants = variants
    return a


def pin_prefix(a):
    return ["taskset", "-c", "0"] if a.pin else []


def start_server(a):
    if a.server == "cxx":
        cmd = [os.path.join(ROOT, "interop", "build", "echo-bench")]
        if not os.path.exists(cmd[0]):
            sys.exit("no %s: run make -C interop" % cmd[0])
    else:
        cmd = [a.java, "-cp", a.jar, "dev.capnp.bench.rpc.RpcBench"]
    proc = subprocess.Popen(pin_prefix(a) + cmd + ["--serve", "--transport", a.transport],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if not line.startswith("ADDRESS "):
        proc.kill()
        sys.exit("the server printed %r, not its address" % line)
    return proc, line.split(" ", 1)[1].strip()


def stop_server(proc):
    proc.stdin.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def field(line, name):
    m = re.search(r"\b%s=(\S+)" % re.escape(name), line)
    if not m or m.group(1) == "-":
        return float("nan")
    return float(m.group(1))


def run_client(a, opts, jar, address):
    """One fresh client: (compiled before the first send, methods compiled after it within the
    calls' window, how many of those were queued after the first send, RESULT line)."""
    # a cache that cannot be used (another jar, another JDK, a relative class path in the
    # training) must fail the run, not silently measure a run without it
    must = (["-XX:AOTMode=on"] if any(o.startswith("-XX:AOTCache=") for o in opts)
            and not any(o.startswith("-XX:AOTMode=") for o in opts) else [])
    cmd = (pin_prefix(a) + [a.java] + shlex.split(a.extra) + opts + must
           + ["-XX:+PrintCompilation", "-cp", jar, "dev.capnp.bench.rpc.RpcBench",
              "--connect", address, "--workload", "inflight", "--caller", "loop",
              "--warmup", "0", "--calls", str(a.calls), "--sync"])
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, bufsize=1)
    watchdog = threading.Timer(120, proc.kill)  # a client that hangs fails the run
    watchdog.start()
    before = 0
    last_id_before = 0  # the highest compile id printed before the first send
    t_ready = 0  # the latest timestamp (ms since the JVM started) printed before it
    after = []  # (timestamp, compile id, method) after the first send
    result = None
    phase = 0  # 0: before READY, 1: calls running, 2: after RESULT
    for line in proc.stdout:
        # (the compiler threads and the main thread write to the same stdout: a line of one can
        # end in the middle of a line of the other)
        if phase == 0 and "READY" in line:
            if a.pause:
                time.sleep(a.pause)
            proc.stdin.write("go\n")
            proc.stdin.flush()
            phase = 1
            continue
        if "RESULT impl=" in line:
            result = line[line.index("RESULT impl="):].strip()
            phase = 2
            proc.stdin.write("done\n")
            proc.stdin.flush()
            continue
        m = COMPILE_LINE.match(line)
        if not m or "made not entrant" in line or "made zombie" in line:
            continue
        ts, cid, flags, method = int(m.group(1)), int(m.group(2)), m.group(3), m.group(5)
        if "n" in flags:
            continue  # a native method handle wrapper, not a compilation
        if phase == 0 or (phase == 1 and ts < t_ready + a.pause * 1000):
            # (before READY, or during the pause after it: before the first send)
            before += 1
            last_id_before = max(last_id_before, cid)
            t_ready = max(t_ready, ts) if phase == 0 else t_ready
        elif phase == 1:
            after.append((ts, cid, method))
    proc.stdin.close()
    err = proc.stderr.read()
    proc.wait()
    watchdog.cancel()
    if result is None:
        sys.exit("client failed (%s):\n%s" % (" ".join(cmd), err[-2000:]))
    # only the calls' window: the first send to the last reply (not the result's formatting)
    # (RESULT's seconds: from the first send to the last reply)
    end = t_ready + a.pause * 1000 + field(result, "seconds") * 1000
    window = [x for x in after if x[0] <= end + 1]
    queued_after = sum(1 for x in window if x[1] > last_id_before)
    return before, [("new " if x[1] > last_id_before else "old ") + x[2] for x in window], \
        queued_after, result


def package_of(method):
    cls = method.split("::", 1)[0]
    for prefix in ("io.netty.", "dev.capnp.", "java.", "jdk.", "sun."):
        if cls.startswith(prefix):
            return prefix.rstrip(".")
    return "other"


def main():
    a = parse_args()
    if a.list:
        os.makedirs(a.list, exist_ok=True)
    rows = collections.defaultdict(list)  # name -> [(before, after, f1k, f20k, cpu, pkgs)]
    print("# cold-jit.py %s, %s, %d CPUs, pinned: %s, server: %s %s, calls: %d" % (
        time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        subprocess.run([a.java, "-version"], capture_output=True, text=True).stderr
        .splitlines()[0], os.cpu_count(), a.pin, a.server, a.transport, a.calls))
    print("# uptime before: " + subprocess.run(["uptime"], capture_output=True,
                                                 text=True).stdout.strip())
    for name, opts, jar in a.variants:
        print("# variant %s: %s, %s" % (name, " ".join(opts) or "(no options)", jar))
    n = len(a.variants)
    for run in range(a.runs):
        order = [a.variants[(run + k) % n] for k in range(n)]
        for name, opts, jar in order:
            server, address = start_server(a)
            try:
                before, after, queued, result = run_client(a, opts, jar, address)
            finally:
                stop_server(server)
            pkgs = collections.Counter(package_of(m[4:]) for m in after)
            f1k = field(result, "first1000_ms")
            f20k = field(result, "first20000_ms")
            cpu = field(result, "cpu_us_per_call")
            rows[name].append((before, len(after), queued, f1k, f20k, cpu, pkgs))
            print("run %d %-12s compiled before first send %5d, after %4d (queued after %4d; "
                  "%s); first 1,000 %7.1f ms, first 20,000 %7.1f ms, client CPU %6.1f us/call" % (
                      run + 1, name, before, len(after), queued,
                      " ".join("%s %d" % kv for kv in sorted(pkgs.items())), f1k, f20k, cpu),
                  flush=True)
            if a.list:
                with open(os.path.join(a.list, "%s.%d.txt" % (name, run + 1)), "w") as f:
                    f.write("\n".join(after) + "\n")
    print("# uptime after: " + subprocess.run(["uptime"], capture_output=True,
                                                text=True).stdout.strip())
    print()
    print("Medians of %d runs (ratio: to the first variant)" % a.runs)
    print()
    print("| variant | compiled before first send | compiled after first send | of them queued "
          "after it | of them io.netty / dev.capnp / JDK | first 1,000 ms | first 20,000 ms | "
          "client CPU us/call |")
    print("|---|---|---|---|---|---|---|---|")
    base = None
    for name, _, _ in a.variants:
        r = rows[name]
        med = [statistics.median(x[i] for x in r) for i in range(6)]
        netty = statistics.median(x[6]["io.netty"] for x in r)
        capnp = statistics.median(x[6]["dev.capnp"] for x in r)
        jdk = statistics.median(x[6]["java"] + x[6]["jdk"] + x[6]["sun"] for x in r)
        if base is None:
            base = med
        def rat(i):
            if name == a.variants[0][0] or not base[i]:
                return ""
            return " (%.2f)" % (med[i] / base[i])
        print("| %s | %.0f | %.0f%s | %.0f%s | %.0f / %.0f / %.0f | %.1f%s | %.1f%s | %.1f%s |" % (
            name, med[0], med[1], rat(1), med[2], rat(2), netty, capnp, jdk, med[3], rat(3),
            med[4], rat(4), med[5], rat(5)))


if __name__ == "__main__":
    main()
