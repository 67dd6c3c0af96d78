package dev.capnp.bench.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.bench.rpc.AllocBench.Figure;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Smoke test (not a measurement) of {@link AllocBench}: every mode runs a few hundred calls and
 * report a bytes-per-call figure for every side. No bound is asserted: allocation per call
 * depends on the JIT (escape analysis) and is reported by the benchmark, not checked here.
 */
class AllocBenchSmokeTest {
  @Test
  void bothModesReportBytesPerCall() throws Exception {
    List<Figure> figures = AllocBench.run("both", 200, 300, 1);
    assertThat(figures).extracting(f -> f.mode() + "/" + f.side()).containsExactly(
        "memory/both", "memory/both-listener", "vat/client-loop", "vat/server-loop",
        "vat/all-threads", "vat/client-loop-listener", "vat/server-loop-listener",
        "vat/all-threads-listener");
    for (Figure f : figures) {
      assertThat(f.bytesPerCall()).as(f.line()).isPositive().isFinite();
      assertThat(f.line()).startsWith("ALLOC mode=" + f.mode() + " side=" + f.side()
          + " bytes_per_call=");
    }
  }

  /**
   * The core mode runs its Call / Return / Finish cycle (every warm-up Return is checked by the
   * benchmark itself) and reports the core's bytes and the hook's own separately, then the caller side (every
   * warm-up Call and Finish checked) and the caller's own params apart, for calls made with a
   * promise and for calls asked for their results alone.
   */
  @Test
  void coreModeReportsTheCoreAndTheHookApart() throws Exception {
    List<Figure> figures = AllocBench.run("core", 200, 300, 1);
    assertThat(figures).extracting(f -> f.mode() + "/" + f.side()).containsExactly(
        "core/callee", "core/callee-hook-own", "core/caller", "core/caller-params-own",
        "core/caller-for-results", "core/caller-for-results-params-own");
    for (Figure f : figures) {
      // (a figure from which the caller's own bytes, measured apart, are subtracted may come
      // out a few bytes per call below zero when it is zero)
      assertThat(f.bytesPerCall()).as(f.line()).isGreaterThan(-16.0).isFinite();
    }
  }
}
