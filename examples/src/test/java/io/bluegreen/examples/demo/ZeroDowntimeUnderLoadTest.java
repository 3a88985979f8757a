package io.bluegreen.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero downtime under load, measured: the embedded demo's real proxy in front of real blue and green
 * servers on 127.0.0.1, {@value #CLIENTS} concurrent clients sending requests through it for a full
 * staged switch (10, 25, 50, 100: COMPLETED) and then a switch in which green breaks during stage 2
 * (ROLLED_BACK to the exact prior split), with bakes {@value #SCALE} times the demo's fast mode. Not one
 * request failed because of the switching itself: the only failures allowed are the 500s green serves by
 * design after it breaks, before the rollback. Every failure is counted at the proxy, where clients see it.
 *
 * <p>No bound here depends on how fast the machine is: at least {@value #MIN_REQUESTS} requests (a few
 * per client per second; an idle 2-core machine sends about 40 times that), and per-stage shares within
 * what the requests in flight can move ({@link StageShares}). Throughput is measured, not asserted: it
 * goes to the run's report. Figures go to docs/RELIABILITY.md ({@link EvidenceLog}). Real time, about 25 s.
 */
@Evidence(backend = "the embedded demo: two real HTTP servers on 127.0.0.1 behind the demo's weighted proxy, 40 client threads")
class ZeroDowntimeUnderLoadTest {

  static final int CLIENTS = 40;
  static final String SCALE = "1.5";
  static final long MIN_REQUESTS = 1_000;
  private static final String HOW = "examples ZeroDowntimeUnderLoadTest (mvn -B verify)";

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS) // a backstop against a hang, not a speed goal
  void noRequestFailsBecauseOfAStagedSwitchOrARollback(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    DemoResult result;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      result = EmbeddedDemo.run(DemoOptions.parse("--clients", Integer.toString(CLIENTS), "--scale", SCALE, "--scenario", "all",
          "--report", dir.resolve("report.html").toString()), out);
    }
    System.out.println(captured.toString(StandardCharsets.UTF_8));

    ScenarioResult staged = result.of(Scenario.STAGED_SWITCH).orElseThrow();
    ScenarioResult broken = result.of(Scenario.GREEN_BREAKS).orElseThrow();
    long requests = staged.requests() + broken.requests();
    long dueToSwitch = staged.failedDueToSwitching() + broken.failedDueToSwitching();
    double seconds = (Duration.between(staged.start(), staged.end()).toMillis() + Duration.between(broken.start(), broken.end()).toMillis()) / 1000.0;
    assertThat(staged.outcome()).as(staged.switchResult().summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(staged.trafficAfter()).isEqualTo(TrafficSplit.allTo(Environment.of("green")));
    assertThat(broken.outcome()).as(broken.switchResult().summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(broken.trafficAfter()).as("the exact prior split, read from the proxy").isEqualTo(broken.trafficBefore());
    assertThat(broken.greenBrokeAt()).as("green really broke").isPresent();

    assertThat(requests).as("requests through the proxy").isGreaterThanOrEqualTo(MIN_REQUESTS);
    assertThat(staged.failed()).as("failed requests during the staged switch").isZero();
    assertThat(dueToSwitch).as("failed requests attributable to the switch").isZero();
    assertThat(staged.problems(100)).as("scenario 1 verdict (outcome, failures, traffic; shares below)").isEmpty();
    assertThat(broken.problems(100)).as("scenario 2 verdict").isEmpty();
    StageShares.assertSharesFollowThePlan(staged, CLIENTS);

    EvidenceLog.figure("requests through the demo proxy during a staged switch and a rollback (" + CLIENTS + " clients)",
        String.format(Locale.ROOT, "at least %,d (asserted)", MIN_REQUESTS), String.format(Locale.ROOT, "%,d", requests), HOW);
    EvidenceLog.figure("failed requests attributable to the switch, counted at the demo proxy", Long.toString(dueToSwitch), HOW);
    EvidenceLog.figure("requests per second through the demo proxy while switching (one JVM: clients, proxy and both servers)",
        "measured, not asserted (depends on the machine)", String.format(Locale.ROOT, "%,.0f", requests / seconds), HOW);
    EvidenceLog.figure("requests green failed by design after it broke, before the rollback (not the switch)",
        "counted apart from the switch's, not asserted", Long.toString(broken.failedDueToGreen()), HOW);
  }
}
