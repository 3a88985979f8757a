/**
 * The embedded end-to-end demo: two real HTTP servers (blue v1, green v2), a weighted reverse proxy
 * in front of them, a {@link io.bluegreen.examples.demo.ProxyRouter} that lets a {@link
 * io.bluegreen.core.SwitchPlan} steer the proxy, and a load generator sending requests through it
 * the whole time, all in one JVM on 127.0.0.1. {@link io.bluegreen.examples.demo.EmbeddedDemo} runs a
 * staged switch that completes and one where green breaks and the plan rolls back, prints progress
 * and a summary, and writes an HTML report with a chart.
 *
 * <pre>{@code
 * mvn -B -q -Pdemo verify                           # from the repository root
 * DemoResult r = EmbeddedDemo.run(DemoOptions.defaults(), System.out);
 * }</pre>
 *
 * <p>Pieces to copy: {@link io.bluegreen.examples.demo.ProxyRouter} (a weighted router over an admin
 * API), {@link io.bluegreen.examples.demo.ProxyErrorRateGate} (a gate on a load balancer's error
 * rate), {@link io.bluegreen.examples.demo.SmoothWeightedRoundRobin} (deterministic weighted choice).
 */
package io.bluegreen.examples.demo;
