package dev.capnp.bench.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.bench.rpc.AllocBench.Figure;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Smoke test (not a measurement) of {@link AllocBench}: both modes run a few hundred calls and
 * report a bytes-per-call figure for every side. No bound is asserted: allocation per call
 * depends on the JIT (escape analysis) and is reported by the benchmark, not checked here.
 */
class AllocBenchSmokeTest {
  @Test
  void bothModesReportBytesPerCall() throws Exception {
    List<Figure> figures = AllocBench.run("both", 200, 300, 1);
    assertThat(figures).extracting(f -> f.mode() + "/" + f.side()).containsExactly(
        "memory/both", "vat/client-loop", "vat/server-loop", "vat/all-threads");
    for (Figure f : figures) {
      assertThat(f.bytesPerCall()).as(f.line()).isPositive().isFinite();
      assertThat(f.line()).startsWith("ALLOC mode=" + f.mode() + " side=" + f.side()
          + " bytes_per_call=");
    }
  }
}
