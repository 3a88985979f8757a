package io.bluegreen.prometheus;

import io.bluegreen.testkit.ExternalPeer;
import java.net.URI;
import java.time.Instant;

/**
 * The series {@code scripts/lib/prometheus-series.py} backfills into the Prometheus that {@code
 * scripts/test.sh} starts (keep the two in step). Samples every 15 s from T0 - 30 min to T0 + 2 h.
 */
final class BackfilledSeries {

  /** The time base, on a 2 h block boundary. */
  static final Instant T0 = Instant.parse("2025-01-06T00:00:00Z");
  /** scenario="spike": green's first sample counting 500s. */
  static final Instant SPIKE_AT = T0.plusSeconds(405);
  /** scenario="late": green's series start here (an empty vector before). */
  static final Instant LATE_FROM = T0.plusSeconds(60);
  /** scenario="dup": the second series of bluegreen_test_dup appears here. */
  static final Instant DUP_FROM = T0.plusSeconds(360);

  /** The 5xx ratio of {{env}} in {{scenario}} over 1 m, and its request count. */
  static final PromQl.Ratio RATIO = PromQl.ratio(
      "bluegreen_test_requests_total{scenario=\"{{scenario}}\",env=\"{{env}}\",status=~\"5..\"}",
      "bluegreen_test_requests_total{scenario=\"{{scenario}}\",env=\"{{env}}\"}", java.time.Duration.ofMinutes(1));

  /** A query that errors (duplicate series, HTTP 422 execution) from DUP_FROM on. */
  static final String DUP_QUERY = "vector(1) * on() bluegreen_test_dup{scenario=\"dup\"}";

  private BackfilledSeries() {
  }

  static URI endpoint() {
    return ExternalPeer.require("BLUEGREEN_PROMETHEUS_ENDPOINT", "Prometheus (loaded with the test series)",
        "Run ./scripts/test.sh -pl bluegreen-prometheus -am, which installs Debian's prometheus package if missing and starts it.");
  }
}
