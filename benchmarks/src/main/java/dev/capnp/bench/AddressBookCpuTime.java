package dev.capnp.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.LongSupplier;

/**
 * The rounds of {@link AddressBookBenchmark} timed like the C++ twin ({@code benchmarks/cpp}):
 * a warm-up, then rounds in batches of 100 for a fixed time, reporting microseconds per round
 * of wall time and of this thread's CPU time. On a machine shared with other work the CPU time
 * is the steadier figure (wall time also counts the time other processes hold the CPU); the
 * twin reports both the same way.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.capnp.bench.AddressBookCpuTime [PEOPLE [SECONDS]]
 * </pre>
 */
public final class AddressBookCpuTime {
  private AddressBookCpuTime() {}

  /** Runs the standard and the packed round, as the C++ twin does. */
  public static void main(String[] args) {
    int people = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
    AddressBookBenchmark bench = new AddressBookBenchmark();
    bench.people = people;
    bench.prepare();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    // A warm-up long enough for the JIT's last tier (the C++ twin warms up for a quarter).
    run(bench::buildSerializeRead, Math.max(seconds, 5), threads);
    run(bench::buildSerializeReadPacked, Math.max(seconds, 5), threads);
    report("buildSerializeRead", people, run(bench::buildSerializeRead, seconds, threads));
    report("buildSerializeReadPacked", people,
        run(bench::buildSerializeReadPacked, seconds, threads));
    report("buildSerializeReadReusing", people,
        run(bench::buildSerializeReadReusing, seconds, threads));
    report("packOnly", people, run(() -> bench.packOnly().length, seconds, threads));
    report("unpackRead", people, run(bench::unpackRead, seconds, threads));
    report("readWalk", people, run(bench::readWalk, seconds, threads));
    report("walkOnly", people, run(bench::walkOnly, seconds, threads));
    report("walkOnlyReusingReaders", people,
        run(bench::walkOnlyReusingReaders, seconds, threads));
  }

  /** Wall and CPU microseconds per round, and a checksum that keeps the work alive. */
  private record Result(double wallMicros, double cpuMicros, long checksum) {}

  private static Result run(LongSupplier round, double seconds, ThreadMXBean threads) {
    long sink = 0;
    long rounds = 0;
    long cpuStart = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long now;
    do {
      for (int i = 0; i < 100; i++) {
        sink += round.getAsLong();
      }
      rounds += 100;
      now = System.nanoTime();
    } while (now < end);
    long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
    return new Result((now - start) / 1e3 / rounds, cpu / 1e3 / rounds, sink);
  }

  private static void report(String name, int people, Result r) {
    System.out.printf("Java %-27s people=%d  %.3f us/op  cpu %.3f us/op  (checksum %d)%n",
        name, people, r.wallMicros(), r.cpuMicros(), r.checksum());
  }
}
