package io.bluegreen.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The observed green share per stage, checked with a bound no loaded machine can trip: within 5 points
 * of the plan, or, in a stage that saw few requests, within what the requests in flight at its two
 * boundaries can move it (each client has at most one request in flight, which may be counted in the
 * stage before or after).
 */
final class StageShares {

  private StageShares() {
  }

  /** @return the tolerance in percentage points for a stage that saw {@code requests} requests from {@code clients} clients */
  static double tolerancePoints(long requests, int clients) {
    return Math.max(5.0, 100.0 * 2 * clients / Math.max(1, requests));
  }

  static void assertSharesFollowThePlan(ScenarioResult scenario, int clients) {
    for (ScenarioResult.StageStats s : scenario.stages()) {
      assertThat(s.requests()).as("requests in stage %d", s.number()).isPositive();
      double tolerance = tolerancePoints(s.requests(), clients);
      assertThat(Math.abs(s.deviationPoints())).as("observed green share %.1f%% in stage %d (planned %d%%, %d requests, tolerance %.1f points)",
          s.observedGreenPercent(), s.number(), s.plannedGreenPercent(), s.requests(), tolerance).isLessThanOrEqualTo(tolerance);
    }
  }
}
