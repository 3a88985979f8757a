package io.bluegreen.aws;

import io.bluegreen.aws.internal.AlbArns;
import io.bluegreen.aws.internal.AlbRouting;
import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightReport;
import io.bluegreen.core.Router;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.Verification;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Rule;

/**
 * Switches the forward action of one Application Load Balancer listener rule (for example the rule
 * for {@code /api/*}) between target groups, at once or in weighted stages. It behaves exactly like
 * {@link AlbListenerRouter}, reading with {@code DescribeRules} and writing with one
 * {@code ModifyRule} per change; the rule's conditions and priority are never sent and so never
 * change, and every action other than the forward weights is written back as read.
 *
 * <pre>{@code
 * AlbRuleRouter router = AlbRuleRouter.builder(elb)
 *     .ruleArn("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee")
 *     .environment("blue", blueTargetGroupArn)
 *     .environment("green", greenTargetGroupArn)
 *     .build();
 * }</pre>
 *
 * <p>The listener's default rule cannot be changed with ModifyRule: use {@link AlbListenerRouter}
 * for it (preflight says so). Immutable and thread-safe.
 */
public final class AlbRuleRouter implements Router {

  private final String ruleArn;
  private final AlbRouting routing;

  private AlbRuleRouter(Builder b) {
    this.ruleArn = Checks.notNull(b.ruleArn, "ruleArn");
    AlbArns.Parsed parsed = AlbArns.rule(ruleArn);
    ElasticLoadBalancingV2Client elb = b.elb;
    String where = "listener rule " + ruleArn;
    AlbRouting.ActionStore store = new AlbRouting.ActionStore() {
      @Override
      public AlbRouting.Read read(AwsRequestOverrideConfiguration timeout) {
        List<Rule> rules = elb.describeRules(r -> r.ruleArns(ruleArn).overrideConfiguration(timeout)).rules();
        Rule rule = rules.stream().filter(x -> ruleArn.equals(x.ruleArn())).findFirst().orElseThrow(() -> RouterException.permanentFailure(
            "DescribeRules returned no rule " + ruleArn + ": check the ARN and the client's account and region", null));
        return new AlbRouting.Read(rule.actions(), null, Boolean.TRUE.equals(rule.isDefault()));
      }

      @Override
      public void write(List<Action> actions, AwsRequestOverrideConfiguration timeout) {
        elb.modifyRule(r -> r.ruleArn(ruleArn).actions(actions).overrideConfiguration(timeout));
      }

      @Override
      public String readOperation() {
        return "DescribeRules";
      }

      @Override
      public String writeOperation() {
        return "ModifyRule";
      }
    };
    this.routing = new AlbRouting(elb, store, parsed, where, "aws/alb/" + ruleArn, b.settings);
  }

  /**
   * @param elb the client to call; configure it with SDK retries disabled
   *     ({@code AwsRetryStrategy.doNotRetry()}) so that the plan's retries are the only ones
   * @return a builder
   */
  public static Builder builder(ElasticLoadBalancingV2Client elb) {
    return new Builder(Checks.notNull(elb, "ElasticLoadBalancingV2Client"));
  }

  /**
   * @param elb the client to call
   * @param configure sets the rule ARN and the environments
   * @return the router
   */
  public static AlbRuleRouter create(ElasticLoadBalancingV2Client elb, Consumer<Builder> configure) {
    Builder b = builder(elb);
    Checks.notNull(configure, "configure").accept(b);
    return b.build();
  }

  /** @return the listener rule's ARN */
  public String ruleArn() {
    return ruleArn;
  }

  /** @return environment to target group ARN, in the order given */
  public Map<Environment, String> targetGroups() {
    return routing.targetGroups();
  }

  /** @return healthy targets the target environment needs in preflight */
  public int minHealthyTargets() {
    return routing.minHealthyTargets();
  }

  /**
   * Reads the rule and returns how long target group stickiness binds a client to a group, if
   * it is on: after a weight change, clients already bound keep their group for up to that long.
   *
   * @return the stickiness duration, empty when group stickiness is off
   * @throws RouterException if the rule cannot be read
   */
  public Optional<Duration> groupStickinessDuration() {
    return routing.stickiness();
  }

  /** @return {@code "aws/alb/" + ruleArn} */
  @Override
  public String routeId() {
    return routing.routeId();
  }

  @Override
  public List<Environment> environments() {
    return routing.environments();
  }

  /** @return weighted at 1%, at most 5 environments (ALB's limit per forward action) */
  @Override
  public RouterCapabilities capabilities() {
    return routing.capabilities();
  }

  @Override
  public TrafficSplit current() {
    return routing.current();
  }

  @Override
  public void apply(TrafficSplit target) {
    validate(target);
    routing.apply(target);
  }

  @Override
  public Verification verify(TrafficSplit expected) {
    return routing.verify(expected);
  }

  @Override
  public PreflightReport preflight(TrafficSplit target) {
    validate(target);
    return routing.preflight(target);
  }

  @Override
  public String toString() {
    return "AlbRuleRouter{" + ruleArn + ", " + routing.targetGroups().keySet() + "}";
  }

  /**
   * Builds an {@link AlbRuleRouter}; {@link #build()} checks every ARN and setting without
   * calling AWS.
   *
   * <pre>{@code
   * AlbRuleRouter router = AlbRuleRouter.builder(elb)
   *     .ruleArn(ruleArn)
   *     .environment(Environment.of("blue"), blueTargetGroupArn)
   *     .environment(Environment.of("green"), greenTargetGroupArn)
   *     .minHealthyTargets(2)
   *     .callTimeout(Duration.ofSeconds(20))
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final ElasticLoadBalancingV2Client elb;
    private final AlbRouting.Settings settings = new AlbRouting.Settings();
    private String ruleArn;

    private Builder(ElasticLoadBalancingV2Client elb) {
      this.elb = elb;
    }

    /**
     * @param arn the rule, {@code arn:aws:elasticloadbalancing:<region>:<account>:listener-rule/app/<lb>/<id>/<id>/<id>}
     * @return this builder
     */
    public Builder ruleArn(String arn) {
      AlbArns.rule(arn);
      this.ruleArn = arn;
      return this;
    }

    /**
     * @param environment an environment
     * @param targetGroupArn its target group, in the listener's account and region
     * @return this builder
     */
    public Builder environment(Environment environment, String targetGroupArn) {
      settings.environment(environment, targetGroupArn);
      return this;
    }

    /**
     * @param name an environment name, e.g. "blue"
     * @param targetGroupArn its target group
     * @return this builder
     */
    public Builder environment(String name, String targetGroupArn) {
      return environment(Environment.of(name), targetGroupArn);
    }

    /**
     * @param n healthy targets the target environment's group needs before the first write (default 1; 0 turns the check off)
     * @return this builder
     */
    public Builder minHealthyTargets(int n) {
      settings.minHealthyTargets(n);
      return this;
    }

    /**
     * @param timeout bound on each AWS call (default 30 s); a timeout is a transient failure the plan retries
     * @return this builder
     */
    public Builder callTimeout(Duration timeout) {
      settings.callTimeout(timeout);
      return this;
    }

    /**
     * @return the router
     * @throws InvalidConfigurationException naming the bad setting and what to pass instead
     */
    public AlbRuleRouter build() {
      if (ruleArn == null) {
        throw new InvalidConfigurationException("ruleArn is not set: call .ruleArn(\"arn:aws:elasticloadbalancing:...:listener-rule/app/...\")");
      }
      return new AlbRuleRouter(this);
    }
  }
}
