package io.bluegreen.core.analysis;

import static io.bluegreen.core.analysis.MetricGateLimitsTest.ctx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.gate.HealthGates;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MetricGateTest {

  private static final Instant T0 = Instant.parse("2025-01-06T00:00:00Z");

  private static MetricGate.Builder gate(AtomicReference<Measurement> next) {
    return MetricGate.builder(MetricProvider.of("green 5xx ratio", c -> next.get()))
        .successCondition(Condition.below(0.01)).failureCondition(Condition.atLeast(0.05));
  }

  @Test
  void reasonNamesTheMeasurementTheConditionAndTheCounts() {
    AtomicReference<Measurement> next = new AtomicReference<>(Measurement.of(0.0042, 1532));
    MetricGate g = gate(next).failureLimit(1).build();
    GateResult ok = g.check(ctx(T0));
    assertThat(ok.status()).isEqualTo(GateResult.Status.HEALTHY);
    assertThat(ok.reason()).isEqualTo("measurement 1: 0.0042 (1532 samples), value < 0.01; failed 0 (limit 1), inconclusive 0 (limit 0),"
        + " consecutive errors 0 (limit 4)");
    assertThat(ok.measurements()).containsEntry("value", 0.0042).containsEntry("samples", 1532.0);

    next.set(Measurement.of(0.083, 1200));
    assertThat(g.check(ctx(T0)).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    GateResult bad = g.check(ctx(T0));
    assertThat(bad.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(bad.reason()).isEqualTo("failed (2) > failureLimit (1) at measurement 3: 0.083 (1200 samples), value >= 0.05");
    assertThat(bad.measurements()).containsEntry("value", 0.083);
  }

  @Test
  void successOnlyAndFailureOnly() {
    AtomicReference<Measurement> next = new AtomicReference<>(Measurement.of(0.02));
    MetricGate successOnly = MetricGate.builder(MetricProvider.of("m", c -> next.get())).successCondition(Condition.below(0.01)).build();
    assertThat(successOnly.assess(Measurement.of(0.02))).isEqualTo(MetricGate.Assessment.FAILED);
    assertThat(successOnly.check(ctx(T0)).reason()).contains("0.02, not value < 0.01");
    MetricGate failureOnly = MetricGate.builder(MetricProvider.of("m", c -> next.get())).failureCondition(Condition.atLeast(0.05)).build();
    assertThat(failureOnly.assess(Measurement.of(0.02))).isEqualTo(MetricGate.Assessment.SUCCESSFUL);
    assertThat(failureOnly.check(ctx(T0)).reason()).contains("0.02, not value >= 0.05");
    assertThat(failureOnly.assess(Measurement.of(Double.NaN))).isEqualTo(MetricGate.Assessment.INCONCLUSIVE);
  }

  @Test
  void anErrorIsNeverAPassAndSaysWhatFailed() {
    MetricGate g = MetricGate.builder(MetricProvider.of("m", c -> {
      throw new MetricQueryException("Prometheus at http://127.0.0.1:9 could not be reached (connection refused)", false);
    })).successCondition(Condition.below(0.01)).consecutiveErrorLimit(1).build();
    GateResult first = g.check(ctx(T0));
    assertThat(first.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(first.reason()).startsWith("measurement 1: error: Prometheus at http://127.0.0.1:9 could not be reached");
    assertThat(first.measurements()).isEmpty();
    GateResult second = g.check(ctx(T0));
    assertThat(second.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(second.reason()).startsWith("consecutiveErrors (2) > consecutiveErrorLimit (1) at measurement 2: error: Prometheus");
  }

  @Test
  void aNullMeasurementIsAnError() {
    MetricGate g = MetricGate.builder(MetricProvider.of("broken", c -> null)).successCondition(Condition.below(1)).build();
    assertThat(g.check(ctx(T0)).reason()).contains("error: broken returned no measurement (null)");
  }

  @Test
  void noDataAndTooFewSamplesAreInconclusiveWithTheReason() {
    AtomicReference<Measurement> next = new AtomicReference<>(Measurement.noData("the query returned an empty vector"));
    MetricGate g = gate(next).minSamples(100).inconclusiveLimit(5).build();
    assertThat(g.check(ctx(T0)).reason()).startsWith("measurement 1: no data (the query returned an empty vector)");
    next.set(Measurement.of(0.001, 12));
    assertThat(g.check(ctx(T0)).reason()).startsWith("measurement 2: 0.001 (12 samples): only 12, minSamples is 100");
    next.set(Measurement.of(Double.NaN, 0));
    assertThat(g.check(ctx(T0)).reason()).startsWith("measurement 3: NaN (0 samples): NaN is no data");
    next.set(Measurement.of(0.001));
    assertThat(g.check(ctx(T0)).reason()).contains("no sample count from green 5xx ratio, minSamples is 100");
  }

  @Test
  void countsStartOverInEachPhase() {
    AtomicReference<Measurement> next = new AtomicReference<>(Measurement.of(0.2));
    MetricGate g = gate(next).failureLimit(1).build();
    assertThat(g.check(ctx(T0)).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    // a new stage's bake: the failure of the previous one is not carried over
    GateContext nextPhase = ctx(T0.plusSeconds(300));
    assertThat(g.check(nextPhase).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(g.check(nextPhase).status()).isEqualTo(GateResult.Status.UNHEALTHY);
  }

  @Test
  void initialDelayWaitsBeforeTheFirstMeasurement() {
    List<Instant> asked = new ArrayList<>();
    MetricGate g = MetricGate.builder(MetricProvider.of("m", c -> {
      asked.add(c.now());
      return Measurement.of(0.001);
    })).successCondition(Condition.below(0.01)).initialDelay(Duration.ofSeconds(30)).build();
    GateContext early = GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 2)
        .from(ctx(T0).from()).to(ctx(T0).to()).split(ctx(T0).split()).now(T0.plusSeconds(10)).phaseStartedAt(T0).build();
    GateResult waiting = g.check(early);
    assertThat(waiting.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(waiting.reason()).isEqualTo("initialDelay: first measurement in PT20S");
    assertThat(asked).isEmpty();
    GateContext later = GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 2)
        .from(ctx(T0).from()).to(ctx(T0).to()).split(ctx(T0).split()).now(T0.plusSeconds(30)).phaseStartedAt(T0).build();
    assertThat(g.check(later).status()).isEqualTo(GateResult.Status.HEALTHY);
    assertThat(asked).containsExactly(T0.plusSeconds(30));
  }

  @Test
  void thresholdsThatCannotBothHoldAreRejectedAtBuild() {
    AtomicReference<Measurement> next = new AtomicReference<>();
    assertThatThrownBy(() -> MetricGate.builder(MetricProvider.of("green 5xx ratio", c -> next.get()))
        .successCondition(Condition.below(0.05)).failureCondition(Condition.atLeast(0.01)).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("metric gate green 5xx ratio: success condition value < 0.05 and failure condition value >= 0.01 both hold for"
            + " 0.01 <= value < 0.05, so such a value would be a success and a failure at once: make them disjoint (values between"
            + " them count as inconclusive), e.g. success value < 0.01 and failure value >= 0.05");
    assertThatThrownBy(() -> MetricGate.builder(MetricProvider.of("m", c -> next.get())).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("has no condition");
    assertThatThrownBy(() -> gate(next).count(3).failureLimit(3).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("failureLimit 3 with count 3 can never fail");
    assertThatThrownBy(() -> gate(next).failureLimit(-1)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("failureLimit must be 0 or more, got -1");
    assertThatThrownBy(() -> gate(next).count(0)).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> gate(next).minSamples(-5)).isInstanceOf(InvalidConfigurationException.class);
  }

  @Test
  void preflightReachesTheProviderThroughCombinators() {
    List<String> preflighted = new ArrayList<>();
    MetricProvider provider = new MetricProvider() {
      @Override
      public Measurement measure(GateContext context) {
        return Measurement.of(0);
      }

      @Override
      public void preflight(GateContext context) {
        preflighted.add(context.to().name());
        throw new PreflightException("the query does not parse");
      }
    };
    MetricGate g = MetricGate.builder(provider).successCondition(Condition.below(1)).build();
    HealthGate combined = HealthGates.allOf(HealthGate.of("up", c -> GateResult.healthy()),
        HealthGates.anyOf(HealthGates.failureThreshold(g, 2)), HealthGates.consecutiveSuccesses(g, 2));
    assertThatThrownBy(() -> combined.preflight(ctx(T0))).isInstanceOf(PreflightException.class)
        .hasMessage("the query does not parse");
    assertThat(preflighted).containsExactly("green");
  }

  @Test
  void combinatorsKeepMeasurements() {
    MetricGate g = MetricGate.builder(MetricProvider.of("m", c -> Measurement.of(0.003, 40))).name("errors")
        .successCondition(Condition.below(0.01)).build();
    GateResult r = HealthGates.allOf(g, HealthGate.of("up", c -> GateResult.healthy())).check(ctx(T0));
    assertThat(r.measurements()).containsEntry("errors.value", 0.003).containsEntry("errors.samples", 40.0);
    assertThat(HealthGates.consecutiveSuccesses(g, 2).check(ctx(T0)).measurements()).containsEntry("value", 0.003);
  }
}
