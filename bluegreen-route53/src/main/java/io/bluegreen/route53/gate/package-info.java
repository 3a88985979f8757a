/**
 * {@link io.bluegreen.core.HealthGate}s backed by Route 53: {@link io.bluegreen.route53.gate.HealthCheckGate} reads a
 * Route 53 health check's status from its checkers.
 *
 * <pre>{@code
 * plan.gate(HealthCheckGate.of(route53, "2b1d6f3e-0c7a-4c55-9f0e-4d2a8b6c1e90"));
 * }</pre>
 */
package io.bluegreen.route53.gate;
