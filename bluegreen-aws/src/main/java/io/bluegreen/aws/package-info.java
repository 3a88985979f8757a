/**
 * Routers that switch AWS Application Load Balancer traffic between target groups:
 * {@link io.bluegreen.aws.AlbListenerRouter} for a listener's default forward action and
 * {@link io.bluegreen.aws.AlbRuleRouter} for one listener rule's forward action; both are
 * {@link io.bluegreen.core.Router}s that a {@link io.bluegreen.core.SwitchPlan} drives. Health gates
 * ({@link io.bluegreen.core.HealthGate}s) are in {@link io.bluegreen.aws.gate}.
 *
 * <pre>{@code
 * AlbListenerRouter router = AlbListenerRouter.builder(elb)
 *     .listenerArn(listenerArn)
 *     .environment("blue", blueTargetGroupArn)
 *     .environment("green", greenTargetGroupArn)
 *     .build();
 * }</pre>
 */
package io.bluegreen.aws;
