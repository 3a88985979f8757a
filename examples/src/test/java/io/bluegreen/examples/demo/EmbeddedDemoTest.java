package io.bluegreen.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.TrafficSplit;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the embedded demo end to end in its fast mode, in this JVM, on the real clock: real servers, a
 * real proxy and real load on 127.0.0.1. Takes about 15 s.
 */
class EmbeddedDemoTest {

  /** Fewer requests than this in a stage would make a ±5 point share check meaningless. */
  private static final long MIN_REQUESTS_PER_STAGE = 200;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void bothScenariosEndAsExpectedUnderLoad(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("demo-report.html");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    DemoResult result;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      result = EmbeddedDemo.run(DemoOptions.parse("--scale", "fast", "--scenario", "all", "--report", report.toString()), out);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    System.out.println(output);

    assertThat(result.wallTime()).isLessThan(Duration.ofSeconds(60));
    assertThat(result.asExpected()).as("demo verdict").isTrue();

    ScenarioResult staged = result.of(Scenario.STAGED_SWITCH).orElseThrow();
    assertThat(staged.outcome()).as(staged.switchResult().summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(staged.failed()).as("failed requests in scenario 1").isZero();
    assertThat(staged.trafficAfter()).isEqualTo(TrafficSplit.allTo(Environment.of("green")));
    assertThat(staged.stages()).extracting(ScenarioResult.StageStats::plannedGreenPercent).containsExactly(10, 25, 50, 100);
    for (ScenarioResult.StageStats s : staged.stages()) {
      assertThat(s.requests()).as("requests in stage %d", s.number()).isGreaterThanOrEqualTo(MIN_REQUESTS_PER_STAGE);
      assertThat(s.observedGreenPercent()).as("observed green share in stage %d (planned %d%%)", s.number(), s.plannedGreenPercent())
          .isBetween(s.plannedGreenPercent() - 5.0, s.plannedGreenPercent() + 5.0);
    }

    ScenarioResult broken = result.of(Scenario.GREEN_BREAKS).orElseThrow();
    assertThat(broken.outcome()).as(broken.switchResult().summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(broken.switchResult().failedStage()).contains(ScenarioRunner.BREAK_DURING_STAGE);
    assertThat(broken.switchResult().isTrafficNowVerified()).isTrue();
    assertThat(broken.trafficBefore()).isEqualTo(TrafficSplit.allTo(Environment.of("blue")));
    assertThat(broken.trafficAfter()).as("split read from the proxy after the rollback").isEqualTo(broken.trafficBefore());
    Map<String, Integer> proxyWeights = broken.weightHistory().get(broken.weightHistory().size() - 1).weights();
    assertThat(proxyWeights).as("the proxy's own last weights").isEqualTo(Map.of("blue", 100, "green", 0));
    assertThat(broken.failedDueToSwitching()).as("failures caused by switching").isZero();
    assertThat(broken.greenBrokeAt()).isPresent();
    assertThat(broken.detectionLatency()).hasValueSatisfying(d -> assertThat(d).isPositive().isLessThan(Duration.ofSeconds(2)));
    assertThat(broken.rollbackLatency()).hasValueSatisfying(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofSeconds(2)));
    assertThat(broken.stages()).hasSize(ScenarioRunner.BREAK_DURING_STAGE);
    for (ScenarioResult.StageStats s : broken.stages()) {
      assertThat(s.requests()).as("requests in stage %d", s.number()).isPositive();
    }

    assertThat(result.report()).isEqualTo(report);
    String html = Files.readString(report);
    assertThat(html).contains("<svg", "Scenario 1", "Scenario 2", "rollback verified", "COMPLETED", "ROLLED_BACK");
    assertThat(html.split("<svg", -1)).hasSize(3);

    assertThat(output).contains("[1]", "stage 1/4", "applied blue=90 green=10", "[2]", "ROLLING BACK to blue=100 green=0",
        "==== Summary", "report: " + report.toAbsolutePath(), "demo OK");
  }
}
