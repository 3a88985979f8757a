package io.bluegreen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Calling a gate by hand needs from and to only; a missing field is named with what to call. */
class GateContextTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  @Test
  void fromAndToAreEnoughAndTheRestHasDocumentedDefaults() {
    Instant before = Instant.now();
    GateContext ctx = GateContext.builder().from(BLUE).to(GREEN).build();

    assertThat(ctx.planName()).isEqualTo("manual");
    assertThat(ctx.routeId()).isEqualTo("manual");
    assertThat(ctx.phase()).isEqualTo(GateContext.Phase.PRE_SWITCH);
    assertThat(ctx.stageNumber()).isEmpty();
    assertThat(ctx.split()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    assertThat(ctx.now()).isBetween(before, Instant.now());
    assertThat(ctx.phaseStartedAt()).isEqualTo(ctx.now());
  }

  @Test
  void aMissingFieldIsNamedWithWhatToCall() {
    assertThatThrownBy(() -> GateContext.builder().planName("p").routeId("r").build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("from is not set: call from(environment)");
    assertThatThrownBy(() -> GateContext.builder().from(BLUE).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("to is not set: call to(environment)");
    assertThatThrownBy(() -> GateContext.builder().from(BLUE).to(GREEN).phase(GateContext.Phase.STAGE).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("phase STAGE needs a stage: call stage(number, count)");
    assertThatThrownBy(() -> GateContext.builder().from(BLUE).to(BLUE).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("from and to are both blue");
  }

  @Test
  void everyFieldCanStillBeSet() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    GateContext ctx = GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(2, 4).from(BLUE).to(GREEN)
        .split(TrafficSplit.of(BLUE, 50, GREEN, 50)).now(t).phaseStartedAt(t.minusSeconds(60)).build();
    assertThat(ctx.stageNumber()).contains(2);
    assertThat(ctx.stageCount()).isEqualTo(4);
    assertThat(ctx.phaseStartedAt()).isEqualTo(t.minusSeconds(60));
    assertThat(ctx).hasToString("p STAGE 2/4 at blue=50 green=50");
  }
}
