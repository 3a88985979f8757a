/**
 * Switch metrics out: {@link io.bluegreen.micrometer.MicrometerSwitchListener}, a
 * {@link io.bluegreen.core.event.SwitchListener}, turns a {@link io.bluegreen.core.SwitchPlan}'s
 * {@link io.bluegreen.core.event.SwitchEvent}s into Micrometer meters (plan outcomes, stage and rollback timers, route weights, gate checks).
 *
 * <pre>{@code
 * SwitchPlan.builder()...listener(MicrometerSwitchListener.of(meterRegistry)).build().execute();
 * }</pre>
 */
package io.bluegreen.micrometer;
