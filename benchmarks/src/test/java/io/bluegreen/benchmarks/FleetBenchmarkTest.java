package io.bluegreen.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The fleet harness runs every plan to completion and counts what it should; no speed assertion. */
class FleetBenchmarkTest {

  @Test
  void runsEveryPlanToCompletion() throws Exception {
    FleetBenchmark.Figures f = FleetBenchmark.run(40, 8, Duration.ofMillis(1), 4);
    assertThat(f.completed()).isEqualTo(40);
    // per plan: snapshot read + preflight + 4 stages x (read, write, verify) + the final read (zero bake: no bake reads)
    assertThat(f.routerCalls()).isEqualTo(40L * (2 + 4 * 3 + 1));
    assertThat(f.peakThreads()).isGreaterThanOrEqualTo(8);
    assertThat(f.peakHeapBytes()).isPositive();
  }
}
