package io.bluegreen.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.TrafficSplit;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Argo-style limit semantics as a table: a sequence of measurements in one phase → the verdict
 * at every check, and the check at which the analysis decided.
 *
 * <p>Measurements: {@code S} successful (0.001, success is value < 0.01), {@code F} failed (0.2,
 * failure is value >= 0.05), {@code M} between the conditions (0.02: inconclusive), {@code I} no data,
 * {@code N} NaN, {@code L} too few samples (minSamples 100), {@code +} +Inf (failed), {@code E}
 * provider error. Verdicts: {@code H} HEALTHY, {@code I} INCONCLUSIVE, {@code U} UNHEALTHY. After a
 * decision the provider is not asked again in that phase.
 */
class MetricGateLimitsTest {

  @ParameterizedTest(name = "{0} | failureLimit {1}, inconclusiveLimit {2}, consecutiveErrorLimit {3}, count {4} -> {5}, decided at {6}")
  @CsvSource(delimiter = '|', textBlock = """
      # sequence   | fail | inc | err | count | verdicts    | decided at check
      S S S        | 0    | 0   | 4   | 0     | H H H       | -
      F            | 0    | 0   | 4   | 0     | U           | 1
      S F          | 0    | 0   | 4   | 0     | H U         | 2
      S F S F      | 1    | 0   | 4   | 0     | H I H U     | 4
      F S F S F    | 2    | 0   | 4   | 0     | I H I H U   | 5
      +            | 0    | 0   | 4   | 0     | U           | 1
      I            | 0    | 0   | 4   | 0     | U           | 1
      I S          | 1    | 1   | 4   | 0     | I H         | -
      I N L        | 0    | 2   | 4   | 0     | I I U       | 3
      M M S        | 0    | 2   | 4   | 0     | I I H       | -
      M M M        | 0    | 2   | 4   | 0     | I I U       | 3
      E E E E      | 0    | 0   | 4   | 0     | I I I I     | -
      E E E E E    | 0    | 0   | 4   | 0     | I I I I U   | 5
      E E S E E E  | 0    | 0   | 2   | 0     | I I H I I U | 6
      E I E E      | 0    | 1   | 1   | 0     | I I I U     | 4
      E            | 0    | 0   | 0   | 0     | U           | 1
      S S S        | 0    | 0   | 4   | 3     | I I H       | 3
      S E S S      | 0    | 0   | 4   | 3     | I I I H     | 4
      S F S        | 1    | 0   | 4   | 3     | I I H       | 3
      S F F        | 1    | 0   | 4   | 3     | I I U       | 3
      S S S F F F  | 0    | 0   | 4   | 3     | I I H H H H | 3
      F S S S      | 0    | 0   | 4   | 3     | U U U U     | 1
      """)
  void limits(String sequence, int failureLimit, int inconclusiveLimit, int consecutiveErrorLimit, int count, String verdicts,
      String decidedAt) {
    Deque<Character> script = new ArrayDeque<>();
    for (String t : sequence.trim().split("\\s+")) {
      script.add(t.charAt(0));
    }
    int[] asked = {0};
    MetricProvider provider = MetricProvider.of("scripted", ctx -> {
      asked[0]++;
      char c = script.isEmpty() ? 'S' : script.poll();
      return switch (c) {
        case 'S' -> Measurement.of(0.001, 500);
        case 'F' -> Measurement.of(0.2, 500);
        case 'M' -> Measurement.of(0.02, 500);
        case '+' -> Measurement.of(Double.POSITIVE_INFINITY, 500);
        case 'I' -> Measurement.noData("empty vector");
        case 'N' -> Measurement.of(Double.NaN, 0);
        case 'L' -> Measurement.of(0.001, 12);
        case 'E' -> throw new MetricQueryException("HTTP 503", false);
        default -> throw new IllegalArgumentException("unknown token " + c);
      };
    });
    MetricGate.Builder b = MetricGate.builder(provider).successCondition(Condition.below(0.01)).failureCondition(Condition.atLeast(0.05))
        .minSamples(100).failureLimit(failureLimit).inconclusiveLimit(inconclusiveLimit).consecutiveErrorLimit(consecutiveErrorLimit);
    if (count > 0) {
      b.count(count);
    }
    MetricGate gate = b.build();
    int n = verdicts.trim().split("\\s+").length;
    GateContext ctx = ctx(Instant.parse("2025-01-06T00:00:00Z"));
    List<String> got = new ArrayList<>();
    String firstDecision = "-";
    GateResult.Status previous = null;
    for (int i = 1; i <= n; i++) {
      GateResult r = gate.check(ctx);
      got.add(r.status().name().substring(0, 1));
      boolean decisive = r.isUnhealthy() || (count > 0 && r.isHealthy());
      if (decisive && firstDecision.equals("-")) {
        firstDecision = Integer.toString(i);
      }
      previous = r.status();
    }
    assertThat(String.join(" ", got)).as("verdicts").isEqualTo(verdicts.trim());
    assertThat(firstDecision).as("decided at check").isEqualTo(decidedAt.trim());
    assertThat(previous).isNotNull();
    if (!decidedAt.trim().equals("-")) {
      assertThat(asked[0]).as("no query after the decision").isEqualTo(Integer.parseInt(decidedAt.trim()));
    }
  }

  static GateContext ctx(Instant phaseStart) {
    Environment blue = Environment.of("blue");
    Environment green = Environment.of("green");
    return GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(2, 4).from(blue).to(green)
        .split(TrafficSplit.of(blue, 75, green, 25)).now(phaseStart).phaseStartedAt(phaseStart).build();
  }
}
