package io.bluegreen.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

class ConditionTest {

  @Test
  void bounds() {
    assertThat(Condition.below(0.01).test(0.0099)).isTrue();
    assertThat(Condition.below(0.01).test(0.01)).isFalse();
    assertThat(Condition.atMost(0.01).test(0.01)).isTrue();
    assertThat(Condition.above(5).test(5)).isFalse();
    assertThat(Condition.atLeast(5).test(5)).isTrue();
    assertThat(Condition.between(1, 2).test(1)).isTrue();
    assertThat(Condition.between(1, 2).test(2)).isTrue();
    assertThat(Condition.between(1, 2).test(2.0001)).isFalse();
  }

  @Test
  void nanMeetsNothingAndInfinitiesAreValues() {
    assertThat(Condition.below(1).test(Double.NaN)).isFalse();
    assertThat(Condition.atLeast(1).test(Double.NaN)).isFalse();
    assertThat(Condition.atLeast(0.05).test(Double.POSITIVE_INFINITY)).isTrue();
    assertThat(Condition.below(0.01).test(Double.POSITIVE_INFINITY)).isFalse();
    assertThat(Condition.below(0.01).test(Double.NEGATIVE_INFINITY)).isTrue();
  }

  @Test
  void overlapIsDescribed() {
    assertThat(Condition.below(0.05).overlap(Condition.atLeast(0.01))).hasValue("0.01 <= value < 0.05");
    assertThat(Condition.below(0.01).overlap(Condition.atLeast(0.01))).isEmpty();
    assertThat(Condition.atMost(0.01).overlap(Condition.atLeast(0.01))).hasValue("value = 0.01");
    assertThat(Condition.atMost(0.01).overlap(Condition.above(0.01))).isEmpty();
    assertThat(Condition.between(0, 1).overlap(Condition.between(2, 3))).isEmpty();
    assertThat(Condition.below(1).overlap(Condition.below(2))).hasValue("value < 1");
  }

  @Test
  void aConditionNoValueMeetsIsRejected() {
    assertThatThrownBy(() -> Condition.between(0.5, 0.1)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("0.5 <= value <= 0.1 holds for no value").hasMessageContaining("swap them");
    assertThatThrownBy(() -> Condition.below(Double.NEGATIVE_INFINITY)).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> Condition.above(Double.POSITIVE_INFINITY)).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> Condition.below(Double.NaN)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("NaN");
  }

  @Test
  void printsAsPeopleWriteIt() {
    assertThat(Condition.below(0.01)).hasToString("value < 0.01");
    assertThat(Condition.atLeast(300)).hasToString("value >= 300");
    assertThat(Condition.between(0, 0.3)).hasToString("0 <= value <= 0.3");
    assertThat(Measurement.format(0.0042100)).isEqualTo("0.00421");
    assertThat(Measurement.format(1e-9)).isEqualTo("1.000e-09");
    assertThat(Measurement.format(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
  }
}
