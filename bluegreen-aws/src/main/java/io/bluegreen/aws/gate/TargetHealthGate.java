package io.bluegreen.aws.gate;

import io.bluegreen.aws.internal.AlbArns;
import io.bluegreen.aws.internal.AwsFailures;
import io.bluegreen.aws.internal.AwsRedaction;
import io.bluegreen.core.Checks;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealth;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;

/**
 * A gate on the health ALB reports for the targets of one target group ({@code DescribeTargetHealth}).
 *
 * <pre>{@code
 * HealthGate greenTargets = TargetHealthGate.builder(elb, greenTargetGroupArn)
 *     .minHealthy(2)              // at least 2 healthy targets (default 1)
 *     .minHealthyPercent(90)      // and at least 90% of the targets that are not draining
 *     .maxUnhealthy(0)            // and none unhealthy (default)
 *     .build();
 * }</pre>
 *
 * <h2>Verdicts</h2>
 * <ul>
 *   <li>UNHEALTHY when more than {@code maxUnhealthy} targets are {@code unhealthy}, when the target
 *       group does not exist, or when too few targets are {@code healthy} and none can still become so.</li>
 *   <li>HEALTHY when at least {@code minHealthy} targets, and at least {@code minHealthyPercent} of the
 *       targets not leaving, are {@code healthy}.</li>
 *   <li>INCONCLUSIVE when the thresholds are not met yet but targets are still in {@code initial}
 *       (first health checks), {@code unavailable} (health checks disabled or ALB cannot tell) or
 *       {@code unused} because the group is not in use by any listener (reason
 *       {@code Target.NotInUse}); and when the AWS call fails (throttled, timed out, denied: the
 *       reason carries the AWS error code).</li>
 *   <li>{@code draining} and {@code unhealthy.draining} targets are leaving: they count neither for nor
 *       against the group. Other {@code unused} targets (stopped instances, not registered) count as
 *       not healthy.</li>
 * </ul>
 *
 * <p>Before the plan's first write ({@link #preflight(GateContext)}) the gate reads the target group
 * once: a target group that does not exist, or a caller denied {@code DescribeTargetHealth}, ends the
 * plan ABORTED with nothing written, whether the gate is a pre-switch, stage or post-switch gate. A
 * throttled or failed read there is left to the gate's checks.
 *
 * Needs {@code elasticloadbalancing:DescribeTargetHealth}. Immutable and thread-safe.
 */
public final class TargetHealthGate implements HealthGate {

  private static final Logger LOG = LoggerFactory.getLogger(TargetHealthGate.class);

  private final ElasticLoadBalancingV2Client elb;
  private final String targetGroupArn;
  private final String name;
  private final int minHealthy;
  private final int minHealthyPercent;
  private final int maxUnhealthy;
  private final Duration callTimeout;

  private TargetHealthGate(Builder b) {
    this.elb = b.elb;
    this.targetGroupArn = b.targetGroupArn;
    this.name = b.name != null ? b.name : "target-health(" + targetGroupArn.substring(targetGroupArn.indexOf(":targetgroup/") + 13) + ")";
    this.minHealthy = b.minHealthy;
    this.minHealthyPercent = b.minHealthyPercent;
    this.maxUnhealthy = b.maxUnhealthy;
    this.callTimeout = b.callTimeout;
  }

  /**
   * @param elb the client
   * @param targetGroupArn the target group to watch
   * @return a builder
   */
  public static Builder builder(ElasticLoadBalancingV2Client elb, String targetGroupArn) {
    return new Builder(elb, targetGroupArn);
  }

  /**
   * @param elb the client
   * @param targetGroupArn the target group to watch
   * @return a gate with the defaults: at least 1 healthy target, none unhealthy
   */
  public static TargetHealthGate of(ElasticLoadBalancingV2Client elb, String targetGroupArn) {
    return builder(elb, targetGroupArn).build();
  }

  @Override
  public String name() {
    return name;
  }

  /** @return the watched target group */
  public String targetGroupArn() {
    return targetGroupArn;
  }

  @Override
  public GateResult check(GateContext context) {
    List<TargetHealthDescription> targets;
    try {
      targets = elb.describeTargetHealth(r -> r.targetGroupArn(targetGroupArn).overrideConfiguration(o -> o.apiCallTimeout(callTimeout)))
          .targetHealthDescriptions();
    } catch (RuntimeException e) {
      if (AwsFailures.isNotFound(e)) {
        return GateResult.unhealthy("target group " + targetGroupArn + " does not exist (" + AwsFailures.errorCodeIn(e).orElse("not found") + ")");
      }
      String why = AwsFailures.translate("DescribeTargetHealth", "target group " + targetGroupArn, e, AwsRedaction.secretsOf(elb)).getMessage();
      LOG.debug("{}: {}", name, why);
      return GateResult.inconclusive(why);
    }
    return evaluate(targets);
  }

  /**
   * Reads the target group once, before the plan's first write: it must exist and the caller must be
   * allowed to read its health.
   *
   * @param context the plan before its first write
   * @throws PreflightException if the target group does not exist or the read is denied
   */
  @Override
  public void preflight(GateContext context) {
    try {
      elb.describeTargetHealth(r -> r.targetGroupArn(targetGroupArn).overrideConfiguration(o -> o.apiCallTimeout(callTimeout)));
    } catch (RuntimeException e) {
      if (AwsFailures.isNotFound(e)) {
        throw new PreflightException("target group " + targetGroupArn + " does not exist ("
            + AwsFailures.errorCodeIn(e).orElse("not found") + "): give TargetHealthGate the ARN of the target group the plan"
            + " sends traffic to (the client's region must be the target group's region)");
      }
      RouterException failure = AwsFailures.translate("DescribeTargetHealth", "target group " + targetGroupArn, e, AwsRedaction.secretsOf(elb));
      if (!failure.isTransient()) {
        throw new PreflightException(failure.getMessage(), failure);
      }
      LOG.debug("{}: preflight read failed, left to the gate's checks: {}", name, failure.getMessage());
    }
  }

  private GateResult evaluate(List<TargetHealthDescription> targets) {
    Map<String, Integer> byState = new TreeMap<>();
    int healthy = 0;
    int initial = 0;
    int unavailable = 0;
    int leaving = 0;
    int notInUse = 0;
    List<String> unhealthy = new ArrayList<>();
    for (TargetHealthDescription t : targets) {
      TargetHealth h = t.targetHealth();
      String state = h == null || h.stateAsString() == null ? "unknown" : h.stateAsString();
      byState.merge(state, 1, Integer::sum);
      switch (state) {
        case "healthy" -> healthy++;
        case "initial" -> initial++;
        case "unavailable" -> unavailable++;
        case "draining", "unhealthy.draining" -> leaving++;
        case "unhealthy" -> unhealthy.add((t.target() == null ? "?" : t.target().id()) + (h.reasonAsString() == null ? "" : " (" + h.reasonAsString() + ")"));
        case "unused" -> {
          if ("Target.NotInUse".equals(h.reasonAsString())) {
            notInUse++;
          }
        }
        default -> {
          // unknown future states count as not healthy
        }
      }
    }
    int counted = targets.size() - leaving;
    String seen = healthy + "/" + counted + " targets healthy " + byState;
    if (unhealthy.size() > maxUnhealthy) {
      return GateResult.unhealthy(unhealthy.size() + " target" + (unhealthy.size() == 1 ? " is" : "s are") + " unhealthy in " + targetGroupArn
          + " (allowed " + maxUnhealthy + "): " + String.join(", ", unhealthy.subList(0, Math.min(5, unhealthy.size()))) + "; " + seen);
    }
    boolean enough = counted > 0 && healthy >= minHealthy && (long) healthy * 100 >= (long) minHealthyPercent * counted;
    if (enough) {
      return GateResult.healthy(seen);
    }
    String need = "need at least " + minHealthy + (minHealthyPercent > 0 ? " and " + minHealthyPercent + "%" : "");
    if (initial > 0) {
      return GateResult.inconclusive(initial + " target" + (initial == 1 ? " is" : "s are") + " still in initial health checks: " + seen + ", " + need);
    }
    if (unavailable > 0) {
      return GateResult.inconclusive(unavailable + " target" + (unavailable == 1 ? "'s" : "s'") + " health is unavailable (health checks"
          + " disabled, or ALB cannot tell): " + seen + ", " + need);
    }
    if (notInUse > 0 && notInUse == counted) {
      return GateResult.inconclusive("the targets of " + targetGroupArn + " are unused (Target.NotInUse): the group is not in use by any"
          + " listener rule, so ALB does not health-check it yet; " + need);
    }
    if (targets.isEmpty()) {
      return GateResult.unhealthy("target group " + targetGroupArn + " has no registered targets; " + need);
    }
    return GateResult.unhealthy("too few healthy targets in " + targetGroupArn + ": " + seen + ", " + need);
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * Builds a {@link TargetHealthGate}.
   *
   * <pre>{@code
   * TargetHealthGate gate = TargetHealthGate.builder(elb, tgArn).minHealthyPercent(100).name("green-targets").build();
   * }</pre>
   */
  public static final class Builder {
    private final ElasticLoadBalancingV2Client elb;
    private final String targetGroupArn;
    private String name;
    private int minHealthy = 1;
    private int minHealthyPercent;
    private int maxUnhealthy;
    private Duration callTimeout = Duration.ofSeconds(10);

    private Builder(ElasticLoadBalancingV2Client elb, String targetGroupArn) {
      this.elb = Checks.notNull(elb, "ElasticLoadBalancingV2Client");
      AlbArns.targetGroup(targetGroupArn, "target group ARN");
      this.targetGroupArn = targetGroupArn;
    }

    /** @param name the gate's name in events (default "target-health(name/id)") @return this builder */
    public Builder name(String name) {
      this.name = Checks.notBlank(name, "gate name");
      return this;
    }

    /** @param n healthy targets needed, 1 or more (default 1) @return this builder */
    public Builder minHealthy(int n) {
      if (n < 1) {
        throw new InvalidConfigurationException("minHealthy " + n + " is below 1: a gate that passes with no healthy target protects nothing; use 1 or more");
      }
      this.minHealthy = n;
      return this;
    }

    /** @param percent share of non-draining targets that must be healthy, 0..100 (default 0: only minHealthy counts) @return this builder */
    public Builder minHealthyPercent(int percent) {
      if (percent < 0 || percent > 100) {
        throw new InvalidConfigurationException("minHealthyPercent " + percent + " is out of range: use 0 to 100");
      }
      this.minHealthyPercent = percent;
      return this;
    }

    /** @param n unhealthy targets tolerated, 0 or more (default 0) @return this builder */
    public Builder maxUnhealthy(int n) {
      if (n < 0) {
        throw new InvalidConfigurationException("maxUnhealthy " + n + " is negative: use 0 (none tolerated) or more");
      }
      this.maxUnhealthy = n;
      return this;
    }

    /** @param timeout bound on each DescribeTargetHealth call (default 10 s) @return this builder */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = Checks.positive(timeout, "callTimeout");
      return this;
    }

    /**
     * @return the gate
     * @throws InvalidConfigurationException if the client is configured for another region than the target group
     */
    public TargetHealthGate build() {
      AlbArns.requireClientRegion(elb, AlbArns.targetGroup(targetGroupArn, "target group ARN"));
      return new TargetHealthGate(this);
    }
  }
}
