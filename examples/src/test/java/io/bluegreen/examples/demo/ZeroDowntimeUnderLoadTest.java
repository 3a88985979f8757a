package io.bluegreen.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.TrafficSplit;
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
 * (ROLLED_BACK to the exact prior split), with bakes {@value #SCALE} times the demo's fast mode. At least
 * {@value #MIN_REQUESTS} requests in all, and not one failed because of the switching itself: the only
 * failures allowed are the 500s green serves by design after it breaks, before the rollback.
 *
 * <p>The figures go to {@code target/reliability/figures.tsv} ({@link EvidenceLog}) for
 * docs/RELIABILITY.md. Real time, about 25 s on 2 cores.
 */
class ZeroDowntimeUnderLoadTest {

  static final int CLIENTS = 40;
  static final String SCALE = "1.5";
  static final long MIN_REQUESTS = 20_000;
  private static final String HOW = "examples ZeroDowntimeUnderLoadTest (mvn -B verify)";

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
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
    EvidenceLog.figure("requests through the proxy during a staged switch and a rollback (" + CLIENTS + " clients)",
        String.format(Locale.ROOT, "%,d", requests), HOW);
    EvidenceLog.figure("failed requests attributable to the switch", Long.toString(dueToSwitch), HOW);
    EvidenceLog.figure("requests per second through the proxy while switching (one JVM: clients, proxy and both servers)",
        String.format(Locale.ROOT, "%,.0f", requests / seconds), HOW);
    EvidenceLog.figure("requests green failed by design after it broke, before the rollback (not the switch)",
        Long.toString(broken.failedDueToGreen()), HOW);

    assertThat(staged.outcome()).as(staged.switchResult().summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(staged.trafficAfter()).isEqualTo(TrafficSplit.allTo(Environment.of("green")));
    assertThat(broken.outcome()).as(broken.switchResult().summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(broken.trafficAfter()).as("the exact prior split, read from the proxy").isEqualTo(broken.trafficBefore());
    assertThat(broken.greenBrokeAt()).as("green really broke").isPresent();

    assertThat(requests).as("requests through the proxy").isGreaterThanOrEqualTo(MIN_REQUESTS);
    assertThat(staged.failed()).as("failed requests during the staged switch").isZero();
    assertThat(dueToSwitch).as("failed requests attributable to the switch").isZero();
    assertThat(staged.problems(5)).as("scenario 1 verdict (outcome, failures, observed share per stage)").isEmpty();
    assertThat(broken.problems(5)).as("scenario 2 verdict").isEmpty();
    assertThat(result.wallTime()).isLessThan(Duration.ofSeconds(60));
  }
}
