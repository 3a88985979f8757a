package io.bluegreen.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.benchmarks.WholeSwitchProcess.PlanTimes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class WholeSwitchProcessTest {

  private static PlanTimes plan(double first, double rest, Map<String, Integer> requests) {
    return new PlanTimes(new double[] {first, rest, rest, rest, rest}, new double[] {first / 2, rest / 2, rest / 2, rest / 2, rest / 2},
        new TreeMap<>(requests));
  }

  @Test
  void theParentReadsBackTheLineTheChildPrints() {
    PlanTimes p = plan(25.125, 15.5, Map.of("DescribeListeners", 8, "ModifyListener", 5));
    String output = "some log line\n" + p.line("first") + "\n" + plan(3, 2, Map.of("ModifyListener", 5)).line("warm") + "\n";
    PlanTimes first = PlanTimes.parse(output, "first");
    assertThat(first.stageMs()).containsExactly(25.13, 15.5, 15.5, 15.5, 15.5);
    assertThat(first.inSdkMs()).containsExactly(12.56, 7.75, 7.75, 7.75, 7.75);
    assertThat(first.requests()).isEqualTo(Map.of("DescribeListeners", 8, "ModifyListener", 5));
    assertThat(PlanTimes.parse(output, "warm").stageMs()).containsExactly(3, 2, 2, 2, 2);
  }

  @Test
  void aMissingPlanLineIsNull() {
    assertThat(PlanTimes.parse("nothing here\n", "first")).isNull();
  }

  @Test
  void aMalformedLineIsAnErrorNamingTheField() {
    assertThatThrownBy(() -> PlanTimes.parse("plan=first stage=1 in-sdk-ms=1 requests=", "first"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected stage-ms=");
  }

  @Test
  void theMedianIsTakenPerStage() {
    PlanTimes median = PlanTimes.medianPerStage(List.of(plan(30, 10, Map.of()), plan(10, 30, Map.of()), plan(20, 20, Map.of())));
    assertThat(median.stageMs()).containsExactly(20, 20, 20, 20, 20);
    assertThat(median.inSdkMs()).containsExactly(10, 10, 10, 10, 10);
  }
}
