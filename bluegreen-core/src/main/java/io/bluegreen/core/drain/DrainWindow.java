package io.bluegreen.core.drain;

import io.bluegreen.core.Environment;
import io.bluegreen.core.RouterException;

/**
 * What a backend knows about how long an environment keeps serving after traffic was moved away
 * from it: an ALB target group's deregistration delay and stickiness duration, a Deployment's
 * {@code terminationGracePeriodSeconds}, a DNS TTL. The plan asks every configured window once the
 * environment has lost its traffic (the source after the last stage, the target after a rollback),
 * adds the longest answer (and the router's client convergence time) to the instant that split was
 * verified, and reports when the environment is safe to take down.
 *
 * <pre>{@code
 * SwitchPlan.builder()...
 *     .drainWindow(TargetGroupDrain.of(elb, router))                 // bluegreen-aws
 *     .drainWindow(env -> DrainEstimate.of(Duration.ofSeconds(30), "our websocket idle timeout"))
 *     .drainUntil(Duration.ofMinutes(10))                             // wait for it, at most 10 minutes
 *     .build();
 * }</pre>
 *
 * <p>Read-only; failures are {@link RouterException}s (a transient one is retried; any other failure
 * is reported as a notice and the drain is judged on the other windows).
 */
@FunctionalInterface
public interface DrainWindow {

  /**
   * @param environment the environment that lost its traffic
   * @return how long it may keep serving, and why
   * @throws RouterException if the backend cannot be read
   */
  DrainEstimate estimate(Environment environment);

  /** @return a short name for events and logs */
  default String name() {
    String simple = getClass().getSimpleName();
    return simple.isEmpty() || simple.contains("Lambda") ? "drain window" : simple;
  }
}
