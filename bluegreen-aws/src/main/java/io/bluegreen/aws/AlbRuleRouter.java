package io.bluegreen.aws;

import io.bluegreen.aws.internal.AlbArns;
import io.bluegreen.aws.internal.AlbRouting;
import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.RouterException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
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
public final class AlbRuleRouter extends AlbForwardRouter {

  private final String ruleArn;

  private AlbRuleRouter(Builder b) {
    super(routing(b));
    this.ruleArn = b.ruleArn;
  }

  private static AlbRouting routing(Builder b) {
    String ruleArn = Checks.notNull(b.ruleArn, "ruleArn");
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
      public Optional<List<Action>> write(List<Action> actions, AwsRequestOverrideConfiguration timeout) {
        List<Rule> stored = elb.modifyRule(r -> r.ruleArn(ruleArn).actions(actions).overrideConfiguration(timeout)).rules();
        return stored.stream().filter(x -> ruleArn.equals(x.ruleArn()) && x.hasActions()).findFirst().map(Rule::actions);
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
    return new AlbRouting(elb, store, parsed, where, "aws/alb/" + ruleArn, b.settings, LoggerFactory.getLogger(AlbRuleRouter.class));
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

  @Override
  public String toString() {
    return "AlbRuleRouter{" + ruleArn + ", " + targetGroups().keySet() + "}";
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
  public static final class Builder extends AlbForwardRouter.Builder<Builder> {
    private String ruleArn;

    private Builder(ElasticLoadBalancingV2Client elb) {
      super(elb);
    }

    @Override
    Builder self() {
      return this;
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
