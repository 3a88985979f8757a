/**
 * Metric analysis gates on Prometheus: {@link io.bluegreen.prometheus.PrometheusGate} runs a PromQL
 * instant query over the HTTP API at every gate poll and judges the value with the semantics of
 * {@link io.bluegreen.core.analysis.MetricGate} (Argo Rollouts' limits). {@link
 * io.bluegreen.prometheus.PromQl} builds the common error-ratio query.
 *
 * <pre>{@code
 * HealthGate errors = PrometheusGate.builder(URI.create("http://prometheus:9090"))
 *     .ratio(PromQl.ratio("http_requests_total{env=\"{{env}}\",status=~\"5..\"}",
 *                         "http_requests_total{env=\"{{env}}\"}", Duration.ofMinutes(2)))
 *     .successCondition(Condition.below(0.01))
 *     .build();
 * }</pre>
 */
package io.bluegreen.prometheus;
