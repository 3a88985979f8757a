package io.bluegreen.examples.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.examples.Captured;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The example end to end against a real Prometheus that scrapes live targets (the blue and green
 * servers' Micrometer /metrics). Needs the prometheus binary: CI=true fails without it, elsewhere the
 * test skips loudly.
 */
class PrometheusGateExampleTest {

  @Test
  void aHealthyGreenCompletesAndABreakingGreenRollsBackOnScrapedMetrics() throws Exception {
    if (LocalPrometheus.binary().isEmpty()) {
      String message = "Prometheus is not installed (apt-get install -y prometheus, or BLUEGREEN_PROMETHEUS_BIN): ./scripts/test.sh installs it";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("CI=true and " + message);
      }
      LoggerFactory.getLogger(getClass()).warn("*** SKIPPING: {} ***", message);
      Assumptions.abort(message);
    }
    Captured out = new Captured();
    List<PrometheusGateExample.Run> runs = PrometheusGateExample.run(out.out());
    String text = out.text();

    SwitchResult healthy = runs.get(0).result();
    assertThat(healthy.outcome()).as(healthy.summary()).isEqualTo(Outcome.COMPLETED);
    List<SwitchEvent.GateChecked> checks = healthy.events(SwitchEvent.GateChecked.class);
    assertThat(checks).anySatisfy(c -> {
      assertThat(c.result().isHealthy()).isTrue();
      assertThat(c.result().measurements().get("samples")).as("requests to green scraped from its /metrics").isGreaterThanOrEqualTo(10.0);
    });

    SwitchResult broken = runs.get(1).result();
    assertThat(broken.outcome()).as(broken.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(broken.failedStage()).hasValue(2);
    assertThat(broken.reason()).contains("gate green 5xx ratio (Prometheus) UNHEALTHY during stage 2/4: failed (1) > failureLimit (0)");
    assertThat(text).contains("bluegreen_plans_total{outcome=\"completed\",route=").contains("bluegreen_plans_total{outcome=\"rolled_back\"");
  }
}
