package dev.capnp.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Build + serialize + read + walk of several message shapes ({@link Shapes}), Cap'n Proto
 * against protobuf-java: a wide struct of primitives, a deep tree, a large {@code List(Float64)},
 * a {@code Data} blob and text-heavy records. {@link ShapesCpuTime} runs the same rounds timed by
 * CPU time and prints the ratios.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ShapesBenchmark {
  /** The message shape (see {@link Shapes#ALL}). */
  @Param({"wide", "tree", "doubles", "blob", "text"})
  public String shape;

  private Shapes.Shape impl;

  /** Picks the shape. */
  @Setup
  public void pick() {
    impl = Shapes.ALL.get(shape);
  }

  /** One Cap'n Proto round. */
  @Benchmark
  public long capnp() {
    return impl.capnp();
  }

  /** One protobuf-java round. */
  @Benchmark
  public long protobuf() throws Exception {
    return impl.protobuf();
  }
}
