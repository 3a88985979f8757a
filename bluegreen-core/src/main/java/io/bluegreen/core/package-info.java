/**
 * The public API: {@link io.bluegreen.core.Environment}, {@link io.bluegreen.core.TrafficSplit}, the
 * {@link io.bluegreen.core.Router} and {@link io.bluegreen.core.HealthGate} extension points, and
 * {@link io.bluegreen.core.SwitchPlan}, the engine that moves traffic in stages, gates each stage and
 * rolls back by itself.
 *
 * <pre>{@code
 * SwitchResult result = SwitchPlan.builder()
 *     .router(router).from(Environment.of("blue")).to(Environment.of("green"))
 *     .schedule(StageSchedule.linear(25, Duration.ofMinutes(5)))
 *     .gate(HttpHealthGate.builder(URI.create("http://green/health")).build())
 *     .build()
 *     .execute();
 * }</pre>
 */
package io.bluegreen.core;
