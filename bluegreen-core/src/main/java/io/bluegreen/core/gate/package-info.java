/**
 * Ready-made {@link io.bluegreen.core.HealthGate}s: {@link io.bluegreen.core.gate.HttpHealthGate} for
 * {@code /health}-style endpoints, and the {@link io.bluegreen.core.gate.HealthGates} combinators
 * (all, any, consecutive successes, failure threshold).
 */
package io.bluegreen.core.gate;
