/**
 * Knowing when the environment that lost its traffic is safe to take down. {@link
 * io.bluegreen.core.drain.DrainWindow} is the SPI a backend implements (an ALB target group's
 * deregistration delay and stickiness, a Deployment's termination grace period);
 * {@link io.bluegreen.core.drain.DrainEstimate} is one answer; {@link io.bluegreen.core.drain.DrainReport}
 * is what {@code SwitchResult.drain()} reports.
 *
 * <pre>{@code
 * SwitchResult r = SwitchPlan.builder()...drainWindow(window).drainGate(inFlightIsZero).drainUntil(Duration.ofMinutes(10))
 *     .build().execute();
 * r.sourceDrainedAt().ifPresent(t -> decommission(blue));
 * }</pre>
 */
package io.bluegreen.core.drain;
