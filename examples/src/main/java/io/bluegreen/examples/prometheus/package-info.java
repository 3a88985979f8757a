/**
 * The staged switch of the embedded demo judged by a {@link io.bluegreen.prometheus.PrometheusGate}
 * against a real Prometheus that scrapes the blue and green servers' {@code /metrics} (Micrometer's
 * Prometheus registry), with the switch's own metrics published through {@link
 * io.bluegreen.micrometer.MicrometerSwitchListener}.
 *
 * <pre>{@code
 * mvn -B -q -Pdemo verify -Ddemo.main=io.bluegreen.examples.prometheus.PrometheusGateExample
 * }</pre>
 */
package io.bluegreen.examples.prometheus;
