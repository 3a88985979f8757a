package io.bluegreen.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The harness runs and its figures are consistent; speed goals are printed by the benchmark, not asserted here. */
class EngineBenchmarkTest {

  @Test
  void producesConsistentFigures() {
    EngineBenchmark.Figures f = EngineBenchmark.run(Duration.ofMillis(2), 3, 4, 1);
    assertThat(f.runs()).isEqualTo(3);
    assertThat(f.overheadMedianMicros()).isPositive();
    assertThat(f.overheadP90Micros()).isGreaterThanOrEqualTo(f.overheadMedianMicros());
    // the rollback write follows a read of the route, so it cannot start before one router round trip
    assertThat(f.unhealthyToWriteMedianMillis()).isGreaterThanOrEqualTo(2.0);
    assertThat(f.unhealthyToVerifiedMedianMillis()).isGreaterThan(f.unhealthyToWriteMedianMillis());
    assertThat(f.routerCallsPerStage()).isEqualTo(3.0);
  }

  @Test
  void percentiles() {
    assertThat(EngineBenchmark.percentile(java.util.List.of(5.0, 1.0, 3.0, 2.0, 4.0), 50)).isEqualTo(3.0);
    assertThat(EngineBenchmark.percentile(java.util.List.of(5.0, 1.0, 3.0, 2.0, 4.0), 100)).isEqualTo(5.0);
  }
}
