package io.bluegreen.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinTest {

  private static Map<String, Integer> weights(int blue, int green) {
    Map<String, Integer> w = new LinkedHashMap<>();
    w.put("blue", blue);
    w.put("green", green);
    return w;
  }

  @Test
  void everyWindowOfPicksMatchesTheWeightsWithinOne() {
    for (int green : new int[] {1, 10, 25, 33, 50, 90}) {
      SmoothWeightedRoundRobin rr = new SmoothWeightedRoundRobin(weights(100 - green, green));
      List<String> picks = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        picks.add(rr.next());
      }
      assertThat(picks.stream().filter("green"::equals).count()).as("green=%d over 1000 picks", green).isEqualTo(10L * green);
      for (int window : new int[] {20, 50, 100, 137}) {
        for (int start = 0; start + window <= picks.size(); start += 7) {
          long g = picks.subList(start, start + window).stream().filter("green"::equals).count();
          assertThat((double) g).as("green=%d, picks %d..%d", green, start, start + window)
              .isBetween(window * green / 100.0 - 1, window * green / 100.0 + 1);
        }
      }
    }
  }

  @Test
  void aBackendAtZeroIsNeverPicked() {
    SmoothWeightedRoundRobin rr = new SmoothWeightedRoundRobin(weights(0, 100));
    for (int i = 0; i < 500; i++) {
      assertThat(rr.next()).isEqualTo("green");
    }
  }

  @Test
  void rejectsNegativeOrAllZeroWeights() {
    assertThatThrownBy(() -> new SmoothWeightedRoundRobin(weights(-1, 101))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SmoothWeightedRoundRobin(weights(0, 0))).isInstanceOf(IllegalArgumentException.class);
  }
}
