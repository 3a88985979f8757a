/**
 * Not API: the PromQL template and the HTTP API client behind {@link io.bluegreen.prometheus.PrometheusGate}.
 */
package io.bluegreen.prometheus.internal;
