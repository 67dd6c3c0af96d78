package dev.capnp.bench.rpc;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells when a warm-up has brought the JIT to a steady state: a warm-up round during which the
 * compiler threads used at most {@link #MAX_SHARE} of the round's time. Between warm-up and
 * measured calls, compilation still under way (HotSpot delays tier-4 compiles while its queue is
 * long, and recompiles after deoptimizations at a round's end) would otherwise be charged to the
 * measured calls' CPU time: a cost per second rather than per call, so the slower the pairing the
 * more it weighs per call (issue 12, benchmarks/README.md). Compilers idle between rounds do not
 * mean steady: methods still short of tier 4 are only promoted while they run.
 *
 * <p>On Linux it reads the CPU time of the JVM's compiler threads ({@code /proc/self/task},
 * threads named {@code C1/C2 CompilerThre...}); elsewhere the total compilation time that
 * {@link CompilationMXBean} reports.
 */
final class JitSettle {
  /** The compilers' largest share of a round's wall time for the JIT to count as steady. */
  static final double MAX_SHARE = 0.02;
  /** Milliseconds per clock tick in {@code /proc} ({@code USER_HZ}, 100 on Linux). */
  private static final long MILLIS_PER_TICK = 10;

  private JitSettle() {}

  /**
   * Runs {@code round} until one run is steady (the compilers used at most {@link #MAX_SHARE} of
   * its wall time), at most {@code maxRounds} times or, once {@code maxMillis} have passed, no
   * more; always at least once.
   *
   * @param round one warm-up round
   * @param maxRounds the most rounds
   * @param maxMillis the time after which no round starts
   * @return the rounds run
   * @throws Exception what a round throws
   */
  static int warmUp(Round round, int maxRounds, long maxMillis) throws Exception {
    long start = System.nanoTime();
    int rounds = 0;
    while (true) {
      long before = compilerMillis();
      long t0 = System.nanoTime();
      round.run();
      rounds++;
      long wall = (System.nanoTime() - t0) / 1_000_000L;
      long jit = compilerMillis() - before;
      if (before < 0 || jit <= MAX_SHARE * wall || rounds >= maxRounds
          || (System.nanoTime() - start) / 1_000_000L >= maxMillis) {
        return rounds;
      }
    }
  }

  /** One warm-up round. */
  interface Round {
    /**
     * Runs the round.
     *
     * @throws Exception if the round fails
     */
    void run() throws Exception;
  }

  /**
   * The compiler threads' CPU time so far in milliseconds (Linux), else the total compilation
   * time in milliseconds, or -1 if neither can be read.
   */
  static long compilerMillis() {
    long ticks = compilerTicks(Path.of("/proc/self/task"));
    if (ticks >= 0) {
      return ticks * MILLIS_PER_TICK;
    }
    CompilationMXBean c = ManagementFactory.getCompilationMXBean();
    if (c != null && c.isCompilationTimeMonitoringSupported()) {
      return c.getTotalCompilationTime();
    }
    return -1;
  }

  /**
   * The compiler threads' CPU clock ticks so far (Linux), else the total compilation time in
   * milliseconds, or -1 if neither can be read.
   */
  static long compilerWork() {
    long ticks = compilerTicks(Path.of("/proc/self/task"));
    if (ticks >= 0) {
      return ticks;
    }
    CompilationMXBean c = ManagementFactory.getCompilationMXBean();
    if (c != null && c.isCompilationTimeMonitoringSupported()) {
      return c.getTotalCompilationTime();
    }
    return -1;
  }

  /** User + system ticks of the compiler threads listed under {@code tasks}, or -1. */
  static long compilerTicks(Path tasks) {
    if (!Files.isDirectory(tasks)) {
      return -1;
    }
    long sum = 0;
    boolean found = false;
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
      for (Path t : dir) {
        long ticks = ticksIfCompiler(t.resolve("stat"));
        if (ticks >= 0) {
          sum += ticks;
          found = true;
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return found ? sum : -1;
  }

  /**
   * A thread's user + system ticks from its {@code stat} file if it is a compiler thread, else
   * -1: the name is between the first '(' and the last ')', the times are the 12th and 13th
   * fields after it (utime, stime).
   */
  static long ticksIfCompiler(Path stat) {
    String s;
    try {
      s = Files.readString(stat);
    } catch (IOException e) {
      return -1; // the thread ended meanwhile
    }
    int open = s.indexOf('(');
    int close = s.lastIndexOf(')');
    if (open < 0 || close < open) {
      return -1;
    }
    String name = s.substring(open + 1, close);
    if (!name.startsWith("C1 Compiler") && !name.startsWith("C2 Compiler")) {
      return -1;
    }
    String[] f = s.substring(close + 2).trim().split(" ");
    if (f.length < 13) {
      return -1;
    }
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
