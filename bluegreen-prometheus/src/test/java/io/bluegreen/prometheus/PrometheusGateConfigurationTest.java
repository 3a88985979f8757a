package io.bluegreen.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.analysis.Condition;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;

/** Bad inputs are rejected by build(), before any request, with a message that says what to fix. */
@Evidence(backend = "none: the builder alone, its URL a closed port (127.0.0.1:9); requests not counted")
class PrometheusGateConfigurationTest {

  private static final URI PROM = URI.create("http://127.0.0.1:9");

  private static void rejected(String input, ThrowingSupplier<?> build, String message) {
    assertThatThrownBy(build::get).isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(message);
    try {
      build.get();
    } catch (Throwable e) {
      EvidenceLog.badInput("bluegreen-prometheus", input, e.getMessage(), 0);
    }
  }

  @Test
  void anUnknownPlaceholderIsRejected() {
    rejected("query with {{service}}", () -> PrometheusGate.builder(PROM).query("sum(rate(x{svc=\"{{service}}\",env=\"{{env}}\"}[2m]))")
        .successCondition(Condition.below(0.01)).build(),
        "the query uses {{service}}, which is not a known placeholder: use {{env}}, {{from}}, {{to}}, or declare a value with"
            + " .arg(\"name\", \"value\")");
    rejected("samplesQuery with {{envv}}", () -> PrometheusGate.builder(PROM).query("x").samplesQuery("y{env=\"{{envv}}\"}")
        .successCondition(Condition.below(0.01)).build(), "the samplesQuery uses {{envv}}");
    rejected("query with an unclosed {{env", () -> PrometheusGate.builder(PROM).query("x{env=\"{{env\"}").successCondition(Condition.below(1))
        .build(), "unclosed or malformed placeholder");
    assertThat(PrometheusGate.builder(PROM).query("x{svc=\"{{ service }}\"}").arg("service", "a").successCondition(Condition.below(1))
        .build().query()).isEqualTo("x{svc=\"{{ service }}\"}");
  }

  @Test
  void thresholdsThatCannotBothHoldAreRejected() {
    rejected("success < 0.05 with failure >= 0.01", () -> PrometheusGate.builder(PROM).name("ratio").query("x")
        .successCondition(Condition.below(0.05)).failureCondition(Condition.atLeast(0.01)).build(),
        "success condition value < 0.05 and failure condition value >= 0.01 both hold for 0.01 <= value < 0.05");
    rejected("Condition.between(0.5, 0.1)", () -> Condition.between(0.5, 0.1), "holds for no value");
    rejected("no condition", () -> PrometheusGate.builder(PROM).query("x").build(), "has no condition");
  }

  @Test
  void addressesThatWouldPrintCredentialsAreRefused() {
    rejected("Prometheus URI with user:password@", () -> PrometheusGate.builder(URI.create("http://admin:hunter2@prom:9090")),
        "carries credentials (user:password@)");
    rejected("Prometheus URI with ?token=", () -> PrometheusGate.builder(URI.create("http://prom:9090/?token=abc")), "query string");
    rejected("Prometheus URI without scheme", () -> PrometheusGate.builder(URI.create("prom:9090")), "absolute http:// or https://");
    assertThatThrownBy(() -> PrometheusGate.builder(URI.create("http://admin:hunter2@prom:9090"))).message().doesNotContain("hunter2");
  }

  @Test
  void otherBadInputs() {
    rejected("no query", () -> PrometheusGate.builder(PROM).successCondition(Condition.below(1)).build(), "has no query");
    rejected("arg named env", () -> PrometheusGate.builder(PROM).arg("env", "x"), "other than the built-in env, from and to");
    rejected("blank bearer token", () -> PrometheusGate.builder(PROM).bearerToken(""), "bearer token");
    rejected("zero timeout", () -> PrometheusGate.builder(PROM).timeout(Duration.ZERO), "timeout");
    rejected("PromQl.ratio window of 1.5 s", () -> PromQl.ratio("a", "b", Duration.ofMillis(1500)), "whole number of seconds");
    rejected("PromQl.ratio selector with a range", () -> PromQl.ratio("a[2m]", "b", Duration.ofMinutes(2)), "already has a range");
  }

  @Test
  void ratioHelper() {
    PromQl.Ratio r = PromQl.ratio("errors_total", "requests_total", Duration.ofMinutes(2));
    assertThat(r.query()).isEqualTo("sum(rate(errors_total[2m])) / sum(rate(requests_total[2m]))");
    assertThat(r.samplesQuery()).isEqualTo("sum(increase(requests_total[2m]))");
    assertThat(PromQl.duration(Duration.ofSeconds(5430))).isEqualTo("1h30m30s");
    assertThat(PromQl.duration(Duration.ofDays(1))).isEqualTo("1d");
  }

  @Test
  void nameAndToString() {
    PrometheusGate g = PrometheusGate.builder(PROM).query("sum(rate(http_requests_total{env=\"{{env}}\",status=~\"5..\"}[2m])) / 2")
        .successCondition(Condition.below(1)).bearerToken("tok-canary").build();
    assertThat(g.name()).startsWith("prometheus sum(rate(http_requests_total{env=").endsWith("...").hasSize(71);
    assertThat(g.toString()).startsWith("PrometheusGate[prometheus sum(").contains("at http://127.0.0.1:9").doesNotContain("tok-canary");
  }
}
