package io.bluegreen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficSplitTest {

  private final Environment blue = Environment.of("blue");
  private final Environment green = Environment.of("green");

  @Test
  void readableToStringInGivenOrder() {
    assertThat(TrafficSplit.of(blue, 90, green, 10)).hasToString("blue=90 green=10");
    assertThat(TrafficSplit.of(green, 10, blue, 90)).hasToString("green=10 blue=90");
  }

  @Test
  void equalityIgnoresOrderAndZeroEntries() {
    assertThat(TrafficSplit.of(blue, 0, green, 100)).isEqualTo(TrafficSplit.allTo(green));
    assertThat(TrafficSplit.of(blue, 70, green, 30)).isEqualTo(TrafficSplit.of(green, 30, blue, 70))
        .hasSameHashCodeAs(TrafficSplit.of(green, 30, blue, 70));
    assertThat(TrafficSplit.of(blue, 70, green, 30)).isNotEqualTo(TrafficSplit.of(blue, 30, green, 70));
  }

  @Test
  void parsesItsOwnFormat() {
    TrafficSplit s = TrafficSplit.parse("blue=75 green=25");
    assertThat(s.weightOf(blue)).isEqualTo(75);
    assertThat(s.weightOf(green)).isEqualTo(25);
    assertThat(TrafficSplit.parse(s.toString())).isEqualTo(s);
    assertThat(TrafficSplit.parse("blue=50,green=50")).isEqualTo(TrafficSplit.of(blue, 50, green, 50));
  }

  @Test
  void betweenPutsTheRestOnTheSource() {
    assertThat(TrafficSplit.between(blue, green, 25)).hasToString("blue=75 green=25");
    assertThat(TrafficSplit.between(blue, green, 100).soleTarget()).contains(green);
  }

  @Test
  void describesItsShape() {
    TrafficSplit s = TrafficSplit.of(blue, 90, green, 10);
    assertThat(s.isAtomic()).isFalse();
    assertThat(s.receiving()).containsExactly(blue, green);
    assertThat(TrafficSplit.allTo(blue, green).receiving()).containsExactly(blue);
    assertThat(TrafficSplit.allTo(blue, green).isAtomic()).isTrue();
    assertThat(s.weightOf(Environment.of("grey"))).isZero();
    assertThat(s.orderedAs(java.util.List.of(green, blue))).hasToString("green=10 blue=90");
  }

  @Test
  void isImmutable() {
    Map<Environment, Integer> source = new LinkedHashMap<>();
    source.put(blue, 60);
    source.put(green, 40);
    TrafficSplit s = TrafficSplit.of(source);
    source.put(blue, 0);
    assertThat(s.weightOf(blue)).isEqualTo(60);
    assertThatThrownBy(() -> s.asMap().put(blue, 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsBadWeightsWithMessagesThatSayWhatToFix() {
    assertThatThrownBy(() -> TrafficSplit.of(blue, -1, green, 101))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("weight of blue is -1").hasMessageContaining("0 to 100");
    assertThatThrownBy(() -> TrafficSplit.of(blue, 90, green, 20))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("sum to 100").hasMessageContaining("sums to 110");
    assertThatThrownBy(() -> TrafficSplit.of(blue, 50, blue, 50))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("appears twice");
    assertThatThrownBy(() -> TrafficSplit.builder().build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("at least one environment");
    assertThatThrownBy(() -> TrafficSplit.parse("blue=ninety"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("not a whole number");
    assertThatThrownBy(() -> TrafficSplit.parse("blue"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("write pairs like");
  }

  @Test
  void environmentNamesAreValidatedAndCompareByName() {
    assertThat(Environment.builder("green").version("2.0.0").build()).isEqualTo(green).hasToString("green(2.0.0)");
    assertThatThrownBy(() -> Environment.of("bad name")).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("\"bad name\" is invalid");
    assertThatThrownBy(() -> Environment.of("-blue")).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> Environment.of("x".repeat(64))).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> Environment.of("blue\nINFO forged")).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("\\u000a").hasMessageNotContaining("\n");
    assertThatThrownBy(() -> Environment.of(null)).isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("null");
  }
}
