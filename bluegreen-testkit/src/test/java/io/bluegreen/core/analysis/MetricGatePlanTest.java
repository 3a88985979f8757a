package io.bluegreen.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.testkit.InMemoryRouter;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Metric gates inside real plans, on virtual time: preflight, rollback on a spike, errors never passing. */
class MetricGatePlanTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final Instant T0 = Instant.parse("2025-01-06T00:00:00Z");
  private static final Duration BAKE = Duration.ofMinutes(5);
  private static final Duration INTERVAL = Duration.ofSeconds(30);

  private final VirtualClock clock = VirtualClock.startingAt(T0);
  private final InMemoryRouter router = InMemoryRouter.builder().routeId("memory/checkout").environments(BLUE, GREEN).build();

  private SwitchPlan.Builder plan(MetricGate gate) {
    return SwitchPlan.builder().name("checkout-2.0").router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(BAKE, 10, 25, 50, 100))
        .gate(gate).gateInterval(INTERVAL).gateGrace(Duration.ofMinutes(1)).time(clock);
  }

  private static MetricProvider byTime(Function<Instant, Measurement> f) {
    return MetricProvider.of("green 5xx ratio", ctx -> f.apply(ctx.now()));
  }

  @Test
  void healthyMetricsComplete() {
    MetricGate gate = MetricGate.builder(byTime(t -> Measurement.of(0.002, 900))).successCondition(Condition.below(0.01)).build();
    SwitchResult result = plan(gate).build().execute();
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(router.peek()).isEqualTo(TrafficSplit.of(BLUE, 0, GREEN, 100));
    SwitchEvent.GateChecked checked = result.events(SwitchEvent.GateChecked.class).get(0);
    assertThat(checked.result().measurements()).containsEntry("value", 0.002).containsEntry("samples", 900.0);
    assertThat(checked.result().reason()).startsWith("measurement 1: 0.002 (900 samples), value < 0.01");
  }

  @Test
  void aSpikeAtStageTwoRollsBackWithinOneGateInterval() {
    Instant spike = T0.plus(BAKE).plusSeconds(95);   // 95 s into stage 2's bake, between two polls
    MetricGate gate = MetricGate.builder(byTime(t -> Measurement.of(t.isBefore(spike) ? 0.002 : 0.31, 1000)))
        .successCondition(Condition.below(0.01)).failureCondition(Condition.atLeast(0.05)).build();
    SwitchResult result = plan(gate).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.failedStage()).hasValue(2);
    Instant rollbackAt = result.events(SwitchEvent.RollbackStarted.class).get(0).at();
    assertThat(Duration.between(spike, rollbackAt)).isPositive().isLessThanOrEqualTo(INTERVAL);
    assertThat(result.summary()).contains("ROLLED_BACK at stage 2/4: gate green 5xx ratio UNHEALTHY during stage 2/4:"
        + " failed (1) > failureLimit (0) at measurement 5: 0.31 (1000 samples), value >= 0.05");
    assertThat(router.peek()).isEqualTo(TrafficSplit.of(BLUE, 100, GREEN, 0));
  }

  @Test
  void providerErrorsAreNeverHealthyAndFailTheStageAfterTheLimit() {
    AtomicInteger asked = new AtomicInteger();
    MetricGate gate = MetricGate.builder(MetricProvider.of("prometheus", ctx -> {
      asked.incrementAndGet();
      throw new MetricQueryException("Prometheus answered HTTP 503", false);
    })).successCondition(Condition.below(0.01)).build();
    SwitchResult result = plan(gate).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.failedStage()).hasValue(1);
    assertThat(result.stagesCompleted()).isZero();
    assertThat(asked).hasValue(5);
    assertThat(result.reason()).contains("consecutiveErrors (5) > consecutiveErrorLimit (4) at measurement 5: error: Prometheus answered HTTP 503");
    assertThat(result.events(SwitchEvent.GateChecked.class)).extracting(e -> e.result().status().name())
        .containsExactly("INCONCLUSIVE", "INCONCLUSIVE", "INCONCLUSIVE", "INCONCLUSIVE", "UNHEALTHY");
  }

  @Test
  void errorsWithinTheLimitAtTheEndOfABakeDoNotComplete() {
    // healthy until the last poll of every bake, which errors: the stage may not complete on an error
    Duration shortBake = Duration.ofMinutes(1);
    MetricGate gate = MetricGate.builder(MetricProvider.of("prometheus", ctx -> {
      if (!ctx.now().isBefore(ctx.phaseStartedAt().plus(shortBake))) {
        throw new MetricQueryException("timed out after 5 s", false);
      }
      return Measurement.of(0.001);
    })).successCondition(Condition.below(0.01)).build();
    SwitchResult result = SwitchPlan.builder().name("p").router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(shortBake, 50, 100)).gate(gate).gateInterval(INTERVAL)
        .gateGrace(Duration.ofSeconds(90)).time(clock).build().execute();
    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.reason()).contains("still INCONCLUSIVE").contains("error: timed out after 5 s");
  }

  @Test
  void aQueryTheBackendRejectsAbortsAtPreflightWithNothingWritten() {
    MetricProvider rejecting = new MetricProvider() {
      @Override
      public Measurement measure(GateContext context) {
        throw new AssertionError("never measured");
      }

      @Override
      public void preflight(GateContext context) {
        throw new PreflightException("Prometheus rejected the query (bad_data): parse error: unexpected right parenthesis ')'");
      }

      @Override
      public String describe() {
        return "prometheus";
      }
    };
    MetricGate gate = MetricGate.builder(rejecting).name("green errors").successCondition(Condition.below(0.01)).build();
    SwitchResult result = plan(gate).build().execute();
    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(router.writeCount()).isZero();
    assertThat(result.summary()).startsWith("ABORTED before any write: gate green errors failed its preflight: Prometheus rejected the query"
        + " (bad_data): parse error: unexpected right parenthesis ')'; nothing was written");
    assertThat(result.events(SwitchEvent.PreflightPassed.class)).isEmpty();

    assertThatThrownBy(() -> plan(gate).build().dryRun()).isInstanceOf(PreflightException.class)
        .hasMessageContaining("bad_data");
    assertThat(router.writeCount()).isZero();
  }

  @Test
  void eachGateIsPreflightedOnceEvenWhenUsedInSeveralPhases() {
    AtomicInteger preflights = new AtomicInteger();
    MetricProvider p = new MetricProvider() {
      @Override
      public Measurement measure(GateContext context) {
        return Measurement.of(0.001);
      }

      @Override
      public void preflight(GateContext context) {
        preflights.incrementAndGet();
        assertThat(context.phase()).isEqualTo(GateContext.Phase.PRE_SWITCH);
      }
    };
    MetricGate gate = MetricGate.builder(p).successCondition(Condition.below(0.01)).build();
    SwitchResult result = plan(gate).preSwitchGate(gate).postSwitchGate(gate).build().execute();
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(preflights).hasValue(1);
  }
}
