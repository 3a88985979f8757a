package io.bluegreen.prometheus;

import static io.bluegreen.prometheus.BackfilledSeries.DUP_FROM;
import static io.bluegreen.prometheus.BackfilledSeries.DUP_QUERY;
import static io.bluegreen.prometheus.BackfilledSeries.RATIO;
import static io.bluegreen.prometheus.BackfilledSeries.SPIKE_AT;
import static io.bluegreen.prometheus.BackfilledSeries.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.analysis.Condition;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.testkit.InMemoryRouter;
import io.bluegreen.testkit.VirtualClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PrometheusGate against a real Prometheus (Debian's package, started by scripts/test.sh) holding the
 * backfilled series of {@link BackfilledSeries}: plans run on a virtual clock starting at T0, and
 * every query is evaluated at the plan's time, so the outcomes are deterministic.
 */
class PrometheusGateRealPrometheusTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final Duration BAKE = Duration.ofMinutes(5);
  private static final Duration INTERVAL = Duration.ofSeconds(30);

  private URI prometheus;
  private VirtualClock clock;
  private InMemoryRouter router;

  @BeforeEach
  void setUp() {
    prometheus = BackfilledSeries.endpoint();
    clock = VirtualClock.startingAt(T0);
    router = InMemoryRouter.builder().routeId("memory/shop").environments(BLUE, GREEN).build();
  }

  private PrometheusGate.Builder ratioGate(String scenario) {
    return PrometheusGate.builder(prometheus).name("green 5xx ratio").ratio(RATIO).arg("scenario", scenario)
        .successCondition(Condition.below(0.01)).failureCondition(Condition.atLeast(0.05)).minSamples(100)
        .timeout(Duration.ofSeconds(5));
  }

  private SwitchResult run(PrometheusGate gate) {
    return SwitchPlan.builder().name("shop-2.0").router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(BAKE, 10, 25, 50, 100))
        .gate(gate).gateInterval(INTERVAL).gateGrace(Duration.ofMinutes(1)).time(clock).build().execute();
  }

  @Test
  void healthySeriesComplete() {
    SwitchResult result = run(ratioGate("healthy").build());
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(router.peek()).isEqualTo(TrafficSplit.of(BLUE, 0, GREEN, 100));
    List<SwitchEvent.GateChecked> checks = result.events(SwitchEvent.GateChecked.class);
    assertThat(checks).hasSizeGreaterThan(30).allSatisfy(c -> assertThat(c.result().isHealthy()).isTrue());
    // 20 req/s over 1 m: 1200 requests behind each value, 0 of them failed
    assertThat(checks.get(0).result().measurements()).containsEntry("value", 0.0).containsEntry("samples", 1200.0);
    assertThat(checks.get(0).result().reason()).startsWith("measurement 1: 0 (1200 samples), value < 0.01");
  }

  @Test
  void aSpikeAtStageTwoRollsBackWithinOneGateInterval() {
    SwitchResult result = run(ratioGate("spike").build());
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.failedStage()).hasValue(2);
    Instant rollbackAt = result.events(SwitchEvent.RollbackStarted.class).get(0).at();
    assertThat(Duration.between(SPIKE_AT, rollbackAt)).as("from the first sample with 500s to the rollback")
        .isGreaterThanOrEqualTo(Duration.ZERO).isLessThanOrEqualTo(INTERVAL);
    assertThat(result.summary()).contains("ROLLED_BACK at stage 2/4: gate green 5xx ratio UNHEALTHY during stage 2/4:"
        + " failed (1) > failureLimit (0) at measurement").contains("value >= 0.05");
    assertThat(router.peek()).isEqualTo(TrafficSplit.of(BLUE, 100, GREEN, 0));
    SwitchEvent.GateChecked last = result.events(SwitchEvent.GateChecked.class).get(result.events(SwitchEvent.GateChecked.class).size() - 1);
    assertThat(last.result().measurements().get("value")).isGreaterThan(0.05);
  }

  @Test
  void noDataIsInconclusiveAndFailsOnlyPastTheInconclusiveLimit() {
    // scenario "late": green's series start 60 s in; measurements at 0, 30 and 60 s find an empty
    // vector (rate() needs two samples), the one at 90 s finds data
    SwitchResult tolerant = run(ratioGate("late").inconclusiveLimit(3).build());
    assertThat(tolerant.outcome()).as(tolerant.summary()).isEqualTo(Outcome.COMPLETED);
    List<GateResult> firstStage = tolerant.events(SwitchEvent.GateChecked.class).stream().limit(4).map(SwitchEvent.GateChecked::result).toList();
    assertThat(firstStage).extracting(GateResult::status).containsExactly(GateResult.Status.INCONCLUSIVE,
        GateResult.Status.INCONCLUSIVE, GateResult.Status.INCONCLUSIVE, GateResult.Status.HEALTHY);
    assertThat(firstStage.get(0).reason()).startsWith("measurement 1: no data (the query returned an empty vector");

    clock = VirtualClock.startingAt(T0);
    router = InMemoryRouter.builder().routeId("memory/shop").environments(BLUE, GREEN).build();
    SwitchResult strict = run(ratioGate("late").inconclusiveLimit(2).build());
    assertThat(strict.outcome()).as(strict.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(strict.reason()).contains("inconclusive (3) > inconclusiveLimit (2) at measurement 3: no data");

    clock = VirtualClock.startingAt(T0);
    router = InMemoryRouter.builder().routeId("memory/shop").environments(BLUE, GREEN).build();
    SwitchResult nothing = run(ratioGate("nodata").inconclusiveLimit(1).build());
    assertThat(nothing.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(nothing.reason()).contains("inconclusive (2) > inconclusiveLimit (1)");
  }

  @Test
  void zeroRequestsGiveNaNWhichIsNoData() {
    SwitchResult result = run(ratioGate("idle").inconclusiveLimit(1).build());
    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.events(SwitchEvent.GateChecked.class).get(0).result().reason())
        .startsWith("measurement 1: NaN (0 samples): NaN is no data");
  }

  @Test
  void aQueryErrorCountsAgainstConsecutiveErrorLimitAndIsNeverHealthy() {
    PrometheusGate gate = PrometheusGate.builder(prometheus).name("dup").query(DUP_QUERY)
        .successCondition(Condition.below(0.01)).consecutiveErrorLimit(4).build();
    SwitchResult result = run(gate);
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.failedStage()).hasValue(2);
    List<SwitchEvent.GateChecked> afterDup = result.events(SwitchEvent.GateChecked.class).stream()
        .filter(c -> !c.at().isBefore(DUP_FROM)).toList();
    assertThat(afterDup).extracting(c -> c.result().status()).containsExactly(GateResult.Status.INCONCLUSIVE,
        GateResult.Status.INCONCLUSIVE, GateResult.Status.INCONCLUSIVE, GateResult.Status.INCONCLUSIVE, GateResult.Status.UNHEALTHY);
    assertThat(afterDup.get(0).result().reason()).contains("error: Prometheus at " + prometheus + " could not run the query (HTTP 422,"
        + " execution): found duplicate series");
    assertThat(result.reason()).contains("consecutiveErrors (5) > consecutiveErrorLimit (4)");
  }

  @Test
  void anUnparseablePromQlIsCaughtAtPreflightWithNoRouteWrite() {
    PrometheusGate gate = PrometheusGate.builder(prometheus).name("green errors")
        .query("sum(rate(bluegreen_test_requests_total{env=\"{{env}}\",status=~\"5..\"}[1m])))")
        .successCondition(Condition.below(0.01)).build();
    SwitchResult result = run(gate);
    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(router.writeCount()).isZero();
    assertThat(result.summary()).startsWith("ABORTED before any write: gate green errors failed its preflight: Prometheus at "
        + prometheus + " rejected the query (HTTP 400, bad_data): invalid parameter \"query\": 1:")
        .contains("parse error: unexpected right parenthesis ')'. Fix the PromQL: sum(rate(bluegreen_test_requests_total{env=\"green\"")
        .contains("nothing was written");
    assertThat(result.events(SwitchEvent.GateChecked.class)).isEmpty();
  }
}
