package io.bluegreen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageScheduleTest {

  private static final Duration FIVE = Duration.ofMinutes(5);

  @Test
  void allAtOnceIsOneStage() {
    assertThat(StageSchedule.allAtOnce().targetWeights()).containsExactly(100);
    assertThat(StageSchedule.allAtOnce().isWeighted()).isFalse();
    assertThat(StageSchedule.allAtOnce(FIVE).stages().get(0).hold()).isEqualTo(FIVE);
  }

  @Test
  void linearStepsEvenlyAndAlwaysEndsAt100() {
    assertThat(StageSchedule.linear(25, FIVE).targetWeights()).containsExactly(25, 50, 75, 100);
    assertThat(StageSchedule.linear(30, FIVE).targetWeights()).containsExactly(30, 60, 90, 100);
    assertThat(StageSchedule.linear(100, FIVE).targetWeights()).containsExactly(100);
    assertThat(StageSchedule.linear(25, FIVE).stages()).allMatch(s -> s.hold().equals(FIVE));
  }

  @Test
  void canaryWaitsAtTheCanaryThenGoesAll() {
    StageSchedule s = StageSchedule.canary(10, Duration.ofMinutes(15));
    assertThat(s.targetWeights()).containsExactly(10, 100);
    assertThat(s.stages().get(0).hold()).isEqualTo(Duration.ofMinutes(15));
    assertThat(s.stages().get(1).hold()).isZero();
  }

  @Test
  void explicitTargetWeights() {
    assertThat(StageSchedule.targetWeights(FIVE, 10, 25, 50, 100).targetWeights()).containsExactly(10, 25, 50, 100);
  }

  @Test
  void sourceWeightsAreTheOldSidesSchedule() {
    assertThat(StageSchedule.sourceWeights(FIVE, 90, 70, 50, 25, 0).targetWeights()).containsExactly(10, 30, 50, 75, 100);
  }

  @Test
  void builderAndModifiers() {
    StageSchedule s = StageSchedule.builder().stage(10, FIVE).stage(Stage.of(50, FIVE).withApproval()).stage(100, Duration.ZERO).build();
    assertThat(s.stages().get(1).requiresApproval()).isTrue();
    assertThat(s.withFinalHold(FIVE).stages().get(2).hold()).isEqualTo(FIVE);
    StageSchedule approved = StageSchedule.linear(50, FIVE).withApprovalBefore(2, Duration.ofHours(1));
    assertThat(approved.stages().get(1).approvalTimeout()).contains(Duration.ofHours(1));
    assertThat(StageSchedule.of(List.of(Stage.of(100, FIVE)))).isEqualTo(StageSchedule.allAtOnce(FIVE));
  }

  @Test
  void rejectsBadSchedules() {
    assertThatThrownBy(() -> StageSchedule.targetWeights(FIVE)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("at least one stage");
    assertThatThrownBy(() -> StageSchedule.targetWeights(FIVE, 10, 50)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("must send 100%").hasMessageContaining("ends at 50");
    assertThatThrownBy(() -> StageSchedule.targetWeights(FIVE, 50, 25, 100)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("increase strictly").hasMessageContaining("25 after 50");
    assertThatThrownBy(() -> StageSchedule.targetWeights(FIVE, 50, 50, 100)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("increase strictly");
    assertThatThrownBy(() -> StageSchedule.targetWeights(FIVE, 0, 100)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("1 to 100");
    assertThatThrownBy(() -> StageSchedule.targetWeights(FIVE, 10, 101)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> StageSchedule.targetWeights(Duration.ofSeconds(-1), 100)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> StageSchedule.sourceWeights(FIVE, 90, 100)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("source weight 100");
    assertThatThrownBy(() -> StageSchedule.linear(0, FIVE)).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> StageSchedule.canary(100, FIVE)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("allAtOnce");
    assertThatThrownBy(() -> StageSchedule.linear(50, null)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("null");
    assertThatThrownBy(() -> Stage.of(10, FIVE).withApproval(Duration.ZERO)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> StageSchedule.linear(50, FIVE).withApprovalBefore(3, null)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("stages 1 to 2");
  }
}
