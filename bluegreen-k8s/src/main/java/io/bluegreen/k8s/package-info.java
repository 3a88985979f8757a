/**
 * Routers that move Kubernetes traffic between blue and green, on the fabric8 kubernetes-client you
 * inject: {@link io.bluegreen.k8s.ServiceSelectorRouter} (a Service's selector),
 * {@link io.bluegreen.k8s.IngressBackendRouter} (an Ingress's backends) and
 * {@link io.bluegreen.k8s.HttpRouteRouter} (weighted Gateway API HTTPRoute backendRefs). Each is a
 * {@link io.bluegreen.core.Router} that a {@link io.bluegreen.core.SwitchPlan} drives, passing
 * {@code RouterContractTest}. Readiness gates ({@link io.bluegreen.core.HealthGate}s) are in
 * {@link io.bluegreen.k8s.gate}, the Lease-based {@link io.bluegreen.core.lock.RouteLock} in
 * {@link io.bluegreen.k8s.lock}.
 *
 * <pre>{@code
 * try (KubernetesClient client = new KubernetesClientBuilder().build()) {
 *   Router router = ServiceSelectorRouter.builder(client)
 *       .namespace("default").service("app-service").environments(blue, green).build();
 *   SwitchResult result = SwitchPlan.builder().router(router).from(blue).to(green)
 *       .lock(LeaseLock.builder(client).namespace("default").build())
 *       .build().execute();
 * }
 * }</pre>
 */
package io.bluegreen.k8s;
