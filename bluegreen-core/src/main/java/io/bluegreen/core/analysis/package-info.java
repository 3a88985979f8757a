/**
 * Metric analysis gates: judge an environment by a number from a metrics backend, the way Argo
 * Rollouts' AnalysisTemplates do.
 *
 * <p>A {@link io.bluegreen.core.analysis.MetricProvider} (the SPI: Prometheus and CloudWatch ship in
 * their modules) takes one {@link io.bluegreen.core.analysis.Measurement}; a {@link
 * io.bluegreen.core.analysis.MetricGate} classifies it against a success and a failure {@link
 * io.bluegreen.core.analysis.Condition} and applies the limits users know from Argo ({@code
 * failureLimit}, {@code inconclusiveLimit}, {@code consecutiveErrorLimit}, {@code count}). A metric
 * gate is an ordinary {@link io.bluegreen.core.HealthGate}: combine it with the others through
 * {@link io.bluegreen.core.gate.HealthGates}.
 *
 * <pre>{@code
 * HealthGate errors = MetricGate.builder(provider)
 *     .successCondition(Condition.below(0.01))
 *     .failureCondition(Condition.atLeast(0.05))
 *     .failureLimit(1)
 *     .build();
 * }</pre>
 */
package io.bluegreen.core.analysis;
