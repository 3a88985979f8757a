/**
 * Kubernetes examples, each runnable against an in-process API server ({@link
 * io.bluegreen.examples.k8s.InProcessCluster}, fabric8's mock server in CRUD mode) or, with
 * {@code --real} / {@code --kubeconfig PATH}, against a real cluster:
 *
 * <ul>
 *   <li>{@link io.bluegreen.examples.k8s.ServiceSelectorExample}: Service {@code app-service} switched from
 *       {@code version: blue} to {@code version: green}, gated on Deployment readiness, under a Lease;</li>
 *   <li>{@link io.bluegreen.examples.k8s.HttpRouteExample}: a Gateway API HTTPRoute moved 10/50/100.</li>
 * </ul>
 *
 * <pre>{@code
 * try (InProcessCluster cluster = InProcessCluster.start()) {
 *   SwitchResult r = ServiceSelectorExample.run(cluster.client(), "shop", VirtualClock.create(), System.out);
 * }
 * }</pre>
 */
package io.bluegreen.examples.k8s;
