package dev.capnp.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;

/**
 * The rounds of {@link ShapesBenchmark} timed by this thread's CPU time: for each shape, a
 * warm-up of both libraries, then {@code RUNS} runs of each, interleaved (Cap'n Proto,
 * protobuf-java, Cap'n Proto, ...), each run rounds in batches for {@code SECONDS}; prints the
 * median CPU microseconds per round of each and their ratio (Cap'n Proto / protobuf-java).
 *
 * <pre>
 * taskset -c 0 java -cp benchmarks/target/benchmarks.jar dev.capnp.bench.ShapesCpuTime \
 *     [SECONDS [RUNS [SHAPE...]]]
 * </pre>
 */
public final class ShapesCpuTime {
  private ShapesCpuTime() {}

  /** Runs every shape (or those named). */
  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    List<String> names = args.length > 2 ? Arrays.asList(args).subList(2, args.length)
        : List.of("wide", "tree", "doubles", "blob", "text");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    System.out.printf("%-8s %14s %14s %8s%n", "shape", "capnp cpu us", "protobuf cpu us",
        "ratio");
    for (String name : names) {
      Shapes.Shape shape = Shapes.ALL.get(name);
      if (shape == null) {
        throw new IllegalArgumentException("unknown shape " + name + ", known: "
            + Shapes.ALL.keySet());
      }
      if (shape.capnp() != shape.protobuf()) {
        throw new IllegalStateException(name + ": the two rounds walk different data");
      }
      cpuMicrosPerRound(shape::capnp, Math.max(seconds, 3), threads);
      cpuMicrosPerRound(shape::protobuf, Math.max(seconds, 3), threads);
      double[] capnp = new double[runs];
      double[] protobuf = new double[runs];
      for (int r = 0; r < runs; r++) {
        capnp[r] = cpuMicrosPerRound(shape::capnp, seconds, threads);
        protobuf[r] = cpuMicrosPerRound(shape::protobuf, seconds, threads);
      }
      double c = median(capnp);
      double p = median(protobuf);
      System.out.printf("%-8s %14.3f %14.3f %8.2f   (runs: capnp %s, protobuf %s)%n", name, c, p,
          c / p, Arrays.toString(capnp), Arrays.toString(protobuf));
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** CPU microseconds per round over rounds run in batches for {@code seconds} of wall time. */
  static double cpuMicrosPerRound(AddressBookCpuTime.Round round, double seconds,
      ThreadMXBean threads) throws Exception {
    long sink = 0;
    long rounds = 0;
    long cpuStart = threads.getCurrentThreadCpuTime();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    do {
      for (int i = 0; i < 10; i++) {
        sink += round.run();
      }
      rounds += 10;
    } while (System.nanoTime() < end);
    long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
    if (sink == 42) {
      System.out.print(""); // keeps the checksum alive
    }
    return Math.round(cpu / 1e3 / rounds * 1000) / 1000.0;
  }
}
