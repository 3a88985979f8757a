/**
 * {@link io.bluegreen.core.HealthGate}s that read Kubernetes readiness: {@link io.bluegreen.k8s.gate.DeploymentReadyGate} (a
 * Deployment's rollout is complete) and {@link io.bluegreen.k8s.gate.EndpointsReadyGate} (a Service or
 * selector has enough ready endpoints).
 *
 * <pre>{@code
 * SwitchPlan.builder()...
 *     .preSwitchGate(DeploymentReadyGate.builder(client).namespace("shop").deployment("app-green").build())
 *     .gate(EndpointsReadyGate.forService(client, "shop", "app-green").minReady(2).build());
 * }</pre>
 */
package io.bluegreen.k8s.gate;
