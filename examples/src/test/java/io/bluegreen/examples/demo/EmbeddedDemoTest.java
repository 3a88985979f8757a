package io.bluegreen.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.drain.DrainReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the embedded demo end to end in its fast mode, in this JVM, on the real clock: real servers, a
 * real proxy and real load on 127.0.0.1. Takes about 15 s. No bound depends on how fast the machine is:
 * shares per stage within what the requests in flight can move ({@link StageShares}), detection and
 * rollback checked for order, not speed (speed: {@code ./scripts/bench.sh engine}).
 */
class EmbeddedDemoTest {

  /** The demo's default load. */
  private static final int CLIENTS = 8;

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS) // a backstop against a hang, not a speed goal
  void bothScenariosEndAsExpectedUnderLoad(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("demo-report.html");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    DemoResult result;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      result = EmbeddedDemo.run(DemoOptions.parse("--scale", "fast", "--scenario", "all", "--report", report.toString()), out);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    System.out.println(output);

    assertThat(result.scenarios()).allSatisfy(s -> assertThat(s.problems(100)).as("verdict of " + s.scenario()).isEmpty());

    ScenarioResult staged = result.of(Scenario.STAGED_SWITCH).orElseThrow();
    assertThat(staged.outcome()).as(staged.switchResult().summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(staged.failed()).as("failed requests in scenario 1").isZero();
    assertThat(staged.trafficAfter()).isEqualTo(TrafficSplit.allTo(Environment.of("green")));
    assertThat(staged.stages()).extracting(ScenarioResult.StageStats::plannedGreenPercent).containsExactly(10, 25, 50, 100);
    StageShares.assertSharesFollowThePlan(staged, CLIENTS);

    // the preview: requests with its header reached green while the load generator's stayed on blue (counted)
    assertThat(staged.extras().previewSamples()).as("requests through the preview").isNotEmpty()
        .allSatisfy(x -> assertThat(x.servedBy()).isEqualTo("green"));
    assertThat(staged.loadDuringPreview()).as("load requests while the preview was open").isNotEmpty()
        .allSatisfy(x -> assertThat(x.servedBy()).isEqualTo("blue"));
    assertThat(staged.previewOpenedAt().orElseThrow()).isBefore(staged.stages().get(0).from());
    assertThat(staged.extras().previewChanges()).extracting(WeightedProxy.PreviewChange::open).containsExactly(true, false);
    // the drain: blue's requests in flight reached zero, and only then did the plan report blue drained
    DrainReport drain = staged.drain().orElseThrow();
    assertThat(drain.environment()).isEqualTo(Environment.of("blue"));
    Instant drainedAt = drain.drainedAt().orElseThrow();
    assertThat(drainedAt).isAfterOrEqualTo(drain.since());
    assertThat(staged.extras().inFlight()).filteredOn(p -> !p.at().isBefore(drainedAt)).isNotEmpty()
        .allSatisfy(p -> assertThat(p.blue()).as("blue in flight after it was reported drained").isZero());
    assertThat(staged.extras().longSamples()).as("long requests").isNotEmpty().noneMatch(LoadGenerator.Sample::failed);

    ScenarioResult broken = result.of(Scenario.GREEN_BREAKS).orElseThrow();
    assertThat(broken.drain().orElseThrow().environment()).as("after a rollback, green drains").isEqualTo(Environment.of("green"));
    assertThat(broken.drain().orElseThrow().drainedAt()).isPresent();
    assertThat(broken.outcome()).as(broken.switchResult().summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(broken.switchResult().failedStage()).contains(ScenarioRunner.BREAK_DURING_STAGE);
    assertThat(broken.switchResult().isTrafficNowVerified()).isTrue();
    assertThat(broken.trafficBefore()).isEqualTo(TrafficSplit.allTo(Environment.of("blue")));
    assertThat(broken.trafficAfter()).as("split read from the proxy after the rollback").isEqualTo(broken.trafficBefore());
    Map<String, Integer> proxyWeights = broken.weightHistory().get(broken.weightHistory().size() - 1).weights();
    assertThat(proxyWeights).as("the proxy's own last weights").isEqualTo(Map.of("blue", 100, "green", 0));
    assertThat(broken.failedDueToSwitching()).as("failures caused by switching").isZero();
    assertThat(broken.greenBrokeAt()).isPresent();
    assertThat(broken.detectionLatency()).as("a gate said UNHEALTHY after green broke").hasValueSatisfying(d -> assertThat(d).isPositive());
    assertThat(broken.rollbackLatency()).as("the rollback was verified after that").hasValueSatisfying(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ZERO));
    assertThat(broken.stages()).hasSize(ScenarioRunner.BREAK_DURING_STAGE);
    for (ScenarioResult.StageStats s : broken.stages()) {
      assertThat(s.requests()).as("requests in stage %d", s.number()).isPositive();
    }

    assertThat(result.report()).isEqualTo(report);
    String html = Files.readString(report);
    assertThat(html).contains("<svg", "Scenario 1", "Scenario 2", "rollback verified", "COMPLETED", "ROLLED_BACK", "preview open",
        "in flight", "blue drained", "green drained");
    assertThat(html.split("<svg", -1)).hasSize(3);

    assertThat(output).contains("[1]", "PREVIEW open", "stage 1/4", "applied blue=90 green=10", "blue drained at", "[2]",
        "ROLLING BACK to blue=100 green=0",
        "==== Summary", "report: " + report.toAbsolutePath());
  }
}
