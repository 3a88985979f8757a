package io.bluegreen.aws;

import io.bluegreen.aws.internal.AlbArns;
import io.bluegreen.aws.internal.AwsFailures;
import io.bluegreen.aws.internal.AwsRedaction;
import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.drain.DrainEstimate;
import io.bluegreen.core.drain.DrainWindow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupAttribute;

/**
 * The drain window of an ALB environment, from its target group's attributes: the time a client
 * already bound to it may keep coming back (target group stickiness: {@code stickiness.lb_cookie} or
 * {@code app_cookie} duration, when {@code stickiness.enabled}), plus the time ALB gives its targets
 * to finish in-flight requests when they are taken out ({@code deregistration_delay.timeout_seconds}).
 * Forward-action group stickiness is the router's client convergence time, which the plan adds itself.
 *
 * <pre>{@code
 * SwitchPlan.builder().router(router)...
 *     .drainWindow(TargetGroupDrain.of(elb, router))
 *     .drainGate(CloudWatchMetricGate.albTargetGroupRequests(cloudWatch, "app/shop/50dc6c495c0c9188",
 *         "targetgroup/shop-blue/73e2d6bc24d8a067").successCondition(Condition.atMost(0)).build())   // no request to blue in the last minute
 *     .drainUntil(Duration.ofMinutes(15))
 *     .build();
 * }</pre>
 *
 * <p>One DescribeTargetGroupAttributes per estimate. IAM: elasticloadbalancing:DescribeTargetGroupAttributes.
 */
public final class TargetGroupDrain implements DrainWindow {

  private final ElasticLoadBalancingV2Client elb;
  private final Map<Environment, String> targetGroups;
  private final AwsRequestOverrideConfiguration timeout;

  private TargetGroupDrain(ElasticLoadBalancingV2Client elb, Map<Environment, String> targetGroups, Duration callTimeout) {
    this.elb = Checks.notNull(elb, "ElasticLoadBalancingV2Client");
    for (var e : targetGroups.entrySet()) {
      AlbArns.targetGroup(e.getValue(), "target group of " + e.getKey().name());
    }
    if (targetGroups.isEmpty()) {
      throw new InvalidConfigurationException("no target group mapped: pass a router, or map environments to target groups");
    }
    this.targetGroups = Map.copyOf(targetGroups);
    this.timeout = AwsRequestOverrideConfiguration.builder().apiCallTimeout(Checks.positive(callTimeout, "callTimeout")).build();
  }

  /**
   * @param elb the client
   * @param router the router whose target groups drain
   * @return the drain window
   */
  public static TargetGroupDrain of(ElasticLoadBalancingV2Client elb, AlbListenerRouter router) {
    return new TargetGroupDrain(elb, Checks.notNull(router, "router").targetGroups(), Duration.ofSeconds(30));
  }

  /**
   * @param elb the client
   * @param router the router whose target groups drain
   * @return the drain window
   */
  public static TargetGroupDrain of(ElasticLoadBalancingV2Client elb, AlbRuleRouter router) {
    return new TargetGroupDrain(elb, Checks.notNull(router, "router").targetGroups(), Duration.ofSeconds(30));
  }

  /**
   * @param elb the client
   * @param targetGroups environment to target group ARN
   * @return the drain window
   */
  public static TargetGroupDrain of(ElasticLoadBalancingV2Client elb, Map<Environment, String> targetGroups) {
    return new TargetGroupDrain(elb, new LinkedHashMap<>(Checks.notNull(targetGroups, "targetGroups")), Duration.ofSeconds(30));
  }

  @Override
  public DrainEstimate estimate(Environment environment) {
    String arn = targetGroups.get(environment);
    if (arn == null) {
      return DrainEstimate.none();
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    try {
      for (TargetGroupAttribute a : elb.describeTargetGroupAttributes(r -> r.targetGroupArn(arn).overrideConfiguration(timeout)).attributes()) {
        attributes.put(a.key(), a.value());
      }
    } catch (RuntimeException e) {
      throw AwsFailures.translate("DescribeTargetGroupAttributes", "target group " + arn, e, AwsRedaction.secretsOf(elb));
    }
    String name = arn.substring(arn.indexOf(":targetgroup/") + 1);
    long delay = seconds(attributes.get("deregistration_delay.timeout_seconds"), 300);
    DrainEstimate estimate = DrainEstimate.of(Duration.ofSeconds(delay), name + " deregistration_delay.timeout_seconds " + delay);
    if ("true".equalsIgnoreCase(attributes.get("stickiness.enabled"))) {
      String type = attributes.getOrDefault("stickiness.type", "lb_cookie");
      String key = "app_cookie".equals(type) ? "stickiness.app_cookie.duration_seconds" : "stickiness.lb_cookie.duration_seconds";
      long sticky = seconds(attributes.get(key), 86_400);
      estimate = DrainEstimate.of(Duration.ofSeconds(sticky + delay), name + " stickiness (" + type + ") " + sticky + " s, then the"
          + " deregistration delay " + delay + " s for the requests of the last bound clients");
    }
    return estimate;
  }

  private static long seconds(String value, long fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Math.max(0, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  @Override
  public String name() {
    return "target group attributes";
  }

  @Override
  public String toString() {
    return "TargetGroupDrain{" + targetGroups + "}";
  }
}
