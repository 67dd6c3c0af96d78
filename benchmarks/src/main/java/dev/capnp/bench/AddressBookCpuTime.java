package dev.capnp.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The rounds of {@link AddressBookBenchmark} and of its protobuf-java twin
 * ({@link ProtobufAddressBookBenchmark}) timed like the C++ twin ({@code benchmarks/cpp}):
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

  /** Runs the standard and the packed round, as the C++ twin does, and the other rounds. */
  public static void main(String[] args) throws Exception {
    int people = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
    AddressBookBenchmark bench = new AddressBookBenchmark();
    bench.people = people;
    bench.prepare();
    ProtobufAddressBookBenchmark protobuf = new ProtobufAddressBookBenchmark();
    protobuf.people = people;
    protobuf.prepare();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    // A warm-up long enough for the JIT's last tier (the C++ twin warms up for a quarter).
    run(bench::buildSerializeRead, Math.max(seconds, 5), threads);
    run(bench::buildSerializeReadPacked, Math.max(seconds, 5), threads);
    run(protobuf::buildSerializeRead, Math.max(seconds, 5), threads);
    report("Java buildSerializeRead", people, run(bench::buildSerializeRead, seconds, threads));
    report("protobuf-java buildSerializeRead", people,
        run(protobuf::buildSerializeRead, seconds, threads));
    report("Java buildSerializeReadSized", people,
        run(bench::buildSerializeReadSized, seconds, threads));
    report("Java buildSerializeReadPacked", people,
        run(bench::buildSerializeReadPacked, seconds, threads));
    report("Java buildSerializeReadReusing", people,
        run(bench::buildSerializeReadReusing, seconds, threads));
    report("Java packOnly", people, run(() -> bench.packOnly().length, seconds, threads));
    report("Java unpackRead", people, run(bench::unpackRead, seconds, threads));
    report("Java readWalk", people, run(bench::readWalk, seconds, threads));
    report("protobuf-java readWalk", people, run(protobuf::readWalk, seconds, threads));
    report("Java walkOnly", people, run(bench::walkOnly, seconds, threads));
    report("protobuf-java walkOnly", people, run(protobuf::walkOnly, seconds, threads));
    report("Java walkOnlyReusingReaders", people,
        run(bench::walkOnlyReusingReaders, seconds, threads));
    report("Java walkOnlyCursors", people, run(bench::walkOnlyCursors, seconds, threads));
    report("Java readWalkCursors", people, run(bench::readWalkCursors, seconds, threads));
  }

  /** Wall and CPU microseconds per round, and a checksum that keeps the work alive. */
  private record Result(double wallMicros, double cpuMicros, long checksum) {}

  /** One round of work returning a checksum (may throw, as protobuf's parser declares). */
  @FunctionalInterface
  interface Round {
    long run() throws Exception;
  }

  private static Result run(Round round, double seconds, ThreadMXBean threads) throws Exception {
    long sink = 0;
    long rounds = 0;
    long cpuStart = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long now;
    do {
      for (int i = 0; i < 100; i++) {
        sink += round.run();
      }
      rounds += 100;
      now = System.nanoTime();
    } while (now < end);
    long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
    return new Result((now - start) / 1e3 / rounds, cpu / 1e3 / rounds, sink);
  }

  private static void report(String name, int people, Result r) {
    System.out.printf("%-32s people=%d  %.3f us/op  cpu %.3f us/op  (checksum %d)%n",
        name, people, r.wallMicros(), r.cpuMicros(), r.checksum());
  }
}
