package dev.capnp.schemac;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Benchmark (not a test): compiling {@code schema.capnp} and {@code rpc.capnp} in-process with
 * {@link CapnpCompiler} against spawning {@code capnp compile -o-} for them, in interleaved
 * rounds; prints medians. Run with scripts/schemac-bench.sh [ROUNDS].
 */
public final class CompileBench {
  private CompileBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    Path include = Path.of("/usr/include");
    List<Path> files = List.of(include.resolve("capnp/schema.capnp"),
        include.resolve("capnp/rpc.capnp"));
    CapnpCompiler compiler = CapnpCompiler.builder().importPath(List.of(include))
        .sourcePrefixes(List.of(include)).build();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    long coldStart = System.nanoTime();
    int coldSize = compiler.compileToBytes(files).length;
    double coldMs = (System.nanoTime() - coldStart) / 1e6;
    for (int i = 0; i < 20; i++) {
      compiler.compileToBytes(files);
    }

    List<String> command = new ArrayList<>(List.of("capnp", "compile", "-o-", "-I" + include,
        "--src-prefix=" + include));
    files.forEach(f -> command.add(f.toString()));
    double[] javaWall = new double[rounds];
    double[] javaCpu = new double[rounds];
    double[] nativeWall = new double[rounds];
    int nativeSize = 0;
    for (int r = 0; r < rounds; r++) {
      long cpu0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      compiler.compileToBytes(files);
      javaWall[r] = (System.nanoTime() - t0) / 1e6;
      javaCpu[r] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;

      long t1 = System.nanoTime();
      Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
      nativeSize = p.getInputStream().readAllBytes().length;
      if (p.waitFor() != 0) {
        throw new IllegalStateException("capnp compile failed");
      }
      nativeWall[r] = (System.nanoTime() - t1) / 1e6;
    }
    System.out.printf("request bytes: java %d, capnp %d%n", coldSize, nativeSize);
    System.out.printf("first in-process compile (cold JVM): %.1f ms%n", coldMs);
    System.out.printf("in-process, warm: median wall %.2f ms, median thread CPU %.2f ms%n",
        median(javaWall), median(javaCpu));
    System.out.printf("spawning capnp compile: median wall %.2f ms%n", median(nativeWall));
    System.out.printf("(%d interleaved rounds)%n", rounds);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
