/**
 * Switch metrics out: {@link io.bluegreen.micrometer.MicrometerSwitchListener} turns a plan's events
 * into Micrometer meters (plan outcomes, stage and rollback timers, route weights, gate checks).
 *
 * <pre>{@code
 * SwitchPlan.builder()...listener(MicrometerSwitchListener.of(meterRegistry)).build().execute();
 * }</pre>
 */
package io.bluegreen.micrometer;
