package io.bluegreen.route53.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.TrafficSplit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightMathTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final Environment TEAL = Environment.of("teal");

  private static Map<Environment, Long> w(long blue, long green) {
    Map<Environment, Long> m = new LinkedHashMap<>();
    m.put(BLUE, blue);
    m.put(GREEN, green);
    return m;
  }

  @Test
  void everyPercentIsWrittenAsTheSameWeightAndReadsBackExactly() {
    for (int g = 0; g <= 100; g++) {
      TrafficSplit split = TrafficSplit.between(BLUE, GREEN, g);
      Map<Environment, Long> weights = WeightMath.toRecordWeights(split, List.of(BLUE, GREEN));
      assertThat(weights).containsEntry(BLUE, (long) 100 - g).containsEntry(GREEN, (long) g);
      assertThat(WeightMath.toSplit(weights)).isEqualTo(split);
      assertThat(WeightMath.isCanonical(weights)).isTrue();
    }
  }

  @Test
  void allZeroWeightsAreNeverWritten() {
    assertThatThrownBy(() -> WeightMath.checkWritable(w(0, 0))).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("equal spread").hasMessageContaining("at least one environment");
    // an environment the split does not name gets 0; the split always has one above 0
    assertThat(WeightMath.toRecordWeights(TrafficSplit.allTo(GREEN), List.of(BLUE, GREEN, TEAL)))
        .containsEntry(BLUE, 0L).containsEntry(GREEN, 100L).containsEntry(TEAL, 0L);
  }

  @Test
  void weightsOutsideRoute53sRangeAreRejected() {
    assertThatThrownBy(() -> WeightMath.checkWritable(w(256, 0))).hasMessageContaining("0 to 255");
  }

  @Test
  void allZeroWeightsReadAsAnEqualSpreadLikeRoute53ServesThem() {
    assertThat(WeightMath.toSplit(w(0, 0))).isEqualTo(TrafficSplit.of(BLUE, 50, GREEN, 50));
    Map<Environment, Long> three = new LinkedHashMap<>(w(0, 0));
    three.put(TEAL, 0L);
    TrafficSplit s = WeightMath.toSplit(three);
    assertThat(s.asMap().values()).containsExactlyInAnyOrder(34, 33, 33);
  }

  @Test
  void rawWeightsReadAsTheirShareInWholePercents() {
    assertThat(WeightMath.toSplit(w(200, 55))).isEqualTo(TrafficSplit.of(BLUE, 78, GREEN, 22));
    assertThat(WeightMath.toSplit(w(3, 1))).isEqualTo(TrafficSplit.of(BLUE, 75, GREEN, 25));
    assertThat(WeightMath.toSplit(w(255, 0))).isEqualTo(TrafficSplit.allTo(BLUE));
    assertThat(WeightMath.isCanonical(w(200, 55))).isFalse();
    assertThat(WeightMath.isCanonical(w(1, 1))).isFalse();
  }

  @Test
  void aRecordThatGetsQueriesNeverReadsAsZero() {
    // 1/256 is 0.39%: shown as 1%, not 0%, so that "where traffic is" stays true
    assertThat(WeightMath.toSplit(w(255, 1))).isEqualTo(TrafficSplit.of(BLUE, 99, GREEN, 1));
  }
}
