package dev.capnp.bench.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JitSettleTest {
  /** A {@code /proc/PID/task/TID/stat} line: utime and stime are the 14th and 15th fields. */
  private static String stat(int tid, String name, long utime, long stime) {
    return tid + " (" + name + ") S 1 1 1 0 -1 4194368 10 0 0 0 " + utime + " " + stime
        + " 0 0 20 0 30 0 100 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 -1 1 0 0 0 0 0\n";
  }

  private static void thread(Path tasks, int tid, String name, long utime, long stime)
      throws Exception {
    Path dir = Files.createDirectories(tasks.resolve(Integer.toString(tid)));
    Files.writeString(dir.resolve("stat"), stat(tid, name, utime, stime));
  }

  @Test
  void sumsOnlyTheCompilerThreads(@TempDir Path tasks) throws Exception {
    thread(tasks, 10, "java", 500, 40);
    thread(tasks, 11, "C2 CompilerThre", 120, 3);
    thread(tasks, 12, "C1 CompilerThre", 30, 1);
    thread(tasks, 13, "capnp-vat-1-2-1", 900, 300);
    thread(tasks, 14, "odd) (name", 7, 7); // a name with parentheses and spaces
    assertEquals(154, JitSettle.compilerTicks(tasks));
  }

  @Test
  void noCompilerThreadsIsUnknown(@TempDir Path tasks) throws Exception {
    thread(tasks, 10, "java", 500, 40);
    assertEquals(-1, JitSettle.compilerTicks(tasks));
    assertEquals(-1, JitSettle.compilerTicks(tasks.resolve("missing")));
  }

  @Test
  void aNameWithParenthesesIsReadUpToTheLastOne(@TempDir Path tasks) throws Exception {
    thread(tasks, 11, "C2 CompilerThre", 2, 5);
    assertEquals(7, JitSettle.ticksIfCompiler(tasks.resolve("11").resolve("stat")));
    Path other = Files.createDirectories(tasks.resolve("12")).resolve("stat");
    Files.writeString(other, stat(12, "x) (C2 CompilerThre", 2, 5));
    assertEquals(-1, JitSettle.ticksIfCompiler(other));
  }

  @Test
  void warmUpRunsAtLeastOnceAndAtMostMaxRounds() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    int rounds = JitSettle.warmUp(runs::incrementAndGet, 1, 60_000);
    assertEquals(1, rounds);
    assertEquals(1, runs.get());
    runs.set(0);
    // a round that is all JIT time cannot be made here; a round past the time limit stops
    rounds = JitSettle.warmUp(runs::incrementAndGet, 5, 0);
    assertEquals(1, rounds);
    assertEquals(1, runs.get());
  }
}
