/**
 * {@link io.bluegreen.k8s.lock.LeaseLock}: the {@link io.bluegreen.core.lock.RouteLock} held in a Kubernetes Lease, so that only one
 * plan switches a route at a time across machines.
 *
 * <pre>{@code
 * SwitchPlan.builder()...lock(LeaseLock.builder(client).namespace("deploy-locks").build());
 * }</pre>
 */
package io.bluegreen.k8s.lock;
