package io.bluegreen.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.TrafficSplit;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthGatesTest {

  private static final HealthGate UP = HealthGate.of("up", c -> GateResult.healthy());
  private static final HealthGate DOWN = HealthGate.of("down", c -> GateResult.unhealthy("503"));
  private static final HealthGate UNSURE = HealthGate.of("unsure", c -> GateResult.inconclusive("warming"));
  private static final HealthGate BROKEN = HealthGate.of("broken", c -> {
    throw new IllegalStateException("bug");
  });

  private static GateContext ctx(Instant phaseStart) {
    Environment blue = Environment.of("blue");
    Environment green = Environment.of("green");
    return GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 2).from(blue).to(green)
        .split(TrafficSplit.of(blue, 50, green, 50)).now(phaseStart).phaseStartedAt(phaseStart).build();
  }

  private static HealthGate script(GateResult... results) {
    Deque<GateResult> q = new ArrayDeque<>(List.of(results));
    return HealthGate.of("script", c -> q.size() > 1 ? q.poll() : q.peek());
  }

  @Test
  void allOf() {
    GateContext c = ctx(Instant.EPOCH);
    assertThat(HealthGates.allOf(UP, UP).check(c).status()).isEqualTo(GateResult.Status.HEALTHY);
    assertThat(HealthGates.allOf(UP, UNSURE).check(c).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    GateResult r = HealthGates.allOf(UP, UNSURE, DOWN).check(c);
    assertThat(r.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(r.reason()).startsWith("down: 503");
    assertThat(HealthGates.allOf(UP, BROKEN).check(c).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(HealthGates.allOf(UP, DOWN).name()).isEqualTo("all(up, down)");
  }

  @Test
  void anyOf() {
    GateContext c = ctx(Instant.EPOCH);
    assertThat(HealthGates.anyOf(DOWN, UP).check(c).status()).isEqualTo(GateResult.Status.HEALTHY);
    assertThat(HealthGates.anyOf(DOWN, UNSURE).check(c).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(HealthGates.anyOf(DOWN, DOWN).check(c).status()).isEqualTo(GateResult.Status.UNHEALTHY);
  }

  @Test
  void consecutiveSuccessesWithinAPhase() {
    HealthGate gate = HealthGates.consecutiveSuccesses(script(GateResult.healthy(), GateResult.healthy(), GateResult.unhealthy("x"),
        GateResult.healthy(), GateResult.healthy(), GateResult.healthy()), 3);
    GateContext c = ctx(Instant.EPOCH);
    assertThat(gate.check(c).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(gate.check(c).reason()).startsWith("2/3");
    assertThat(gate.check(c).status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(gate.check(c).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(gate.check(c).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(gate.check(c).status()).isEqualTo(GateResult.Status.HEALTHY);
  }

  @Test
  void failureThresholdToleratesBlipsAndRestartsPerPhase() {
    HealthGate gate = HealthGates.failureThreshold(script(GateResult.unhealthy("a"), GateResult.healthy(), GateResult.unhealthy("b"),
        GateResult.unhealthy("c"), GateResult.unhealthy("d")), 2);
    GateContext c = ctx(Instant.EPOCH);
    assertThat(gate.check(c).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(gate.check(c).status()).isEqualTo(GateResult.Status.HEALTHY);
    assertThat(gate.check(c).reason()).startsWith("1/2 failures");
    GateResult second = gate.check(c);
    assertThat(second.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(second.reason()).contains("2 consecutive failures").contains("c");
    // a new stage starts counting again
    assertThat(gate.check(ctx(Instant.EPOCH.plusSeconds(60))).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(HealthGates::allOf).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> HealthGates.anyOf(UP, null)).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> HealthGates.failureThreshold(UP, 0)).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> HealthGates.consecutiveSuccesses(null, 2)).isInstanceOf(InvalidConfigurationException.class);
  }
}
