package io.bluegreen.aws;

import io.bluegreen.aws.internal.AlbArns;
import io.bluegreen.aws.internal.AlbRouting;
import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Listener;

/**
 * Switches an Application Load Balancer listener's default forward action between target groups,
 * at once or in weighted stages. Each environment maps to one target group; the split is the
 * forward action's {@code ForwardConfig} weights (ALB weight = percent, so {@code blue=90 green=10}
 * is written as weights 90 and 10 and reads back exactly).
 *
 * <pre>{@code
 * ElasticLoadBalancingV2Client elb = ElasticLoadBalancingV2Client.builder()
 *     .region(Region.US_EAST_1)
 *     .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())) // the plan retries
 *     .build();
 * AlbListenerRouter router = AlbListenerRouter.builder(elb)
 *     .listenerArn("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2")
 *     .environment("blue", "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-blue/73e2d6bc24d8a067")
 *     .environment("green", "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-green/2453ed029918f21f")
 *     .build();
 * SwitchPlan.builder().router(router).from(Environment.of("blue")).to(Environment.of("green"))
 *     .schedule(StageSchedule.sourceWeights(Duration.ofMinutes(5), 90, 70, 50, 25, 0)).build().execute();
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>{@link #current()} is one {@code DescribeListeners}; {@link #apply(TrafficSplit)} is that read
 *       plus at most one {@code ModifyListener}, none when the split is already in place.</li>
 *   <li>ModifyListener replaces the whole action list, so the list is rebuilt from what was just
 *       read: only the forward action's managed target group weights change. Authenticate actions,
 *       their {@code Order}, the {@code TargetGroupStickinessConfig} and target groups this router
 *       does not manage (which must have weight 0) are written back as read. A legacy forward with a
 *       single {@code TargetGroupArn} is read as 100% to that group and rewritten as a
 *       {@code ForwardConfig}.</li>
 *   <li>Failures are {@link RouterException}s: transient for throttling, 5xx, timeouts and I/O
 *       errors (the plan retries them with backoff; the router never loops), permanent with the AWS
 *       error code and what to fix otherwise.</li>
 *   <li>{@link #preflight(TrafficSplit)} is read-only: the listener exists and forwards, every target
 *       group exists and is not attached to another load balancer, the target has at least
 *       {@link Builder#minHealthyTargets(int)} healthy targets; group stickiness is reported as a
 *       notice and as the plan's client convergence time.</li>
 * </ul>
 * Immutable and thread-safe. There is no conditional write in the ELB API: a concurrent change to
 * the listener between the read and the write of one {@code apply} is overwritten (the plan detects
 * drift in weights between stages; keep one writer per listener).
 */
public final class AlbListenerRouter extends AlbForwardRouter {

  private final String listenerArn;

  private AlbListenerRouter(Builder b) {
    super(routing(b));
    this.listenerArn = b.listenerArn;
  }

  private static AlbRouting routing(Builder b) {
    String listenerArn = Checks.notNull(b.listenerArn, "listenerArn");
    AlbArns.Parsed parsed = AlbArns.listener(listenerArn);
    ElasticLoadBalancingV2Client elb = b.elb;
    String where = "listener " + listenerArn;
    AlbRouting.ActionStore store = new AlbRouting.ActionStore() {
      @Override
      public AlbRouting.Read read(AwsRequestOverrideConfiguration timeout) {
        List<Listener> listeners = elb.describeListeners(r -> r.listenerArns(listenerArn).overrideConfiguration(timeout)).listeners();
        if (listeners.isEmpty()) {
          throw RouterException.permanentFailure("DescribeListeners returned no listener " + listenerArn
              + ": check the ARN and the client's account and region", null);
        }
        Listener l = listeners.get(0);
        return new AlbRouting.Read(l.defaultActions(), l.loadBalancerArn(), false);
      }

      @Override
      public Optional<List<Action>> write(List<Action> actions, AwsRequestOverrideConfiguration timeout) {
        List<Listener> stored = elb.modifyListener(r -> r.listenerArn(listenerArn).defaultActions(actions).overrideConfiguration(timeout))
            .listeners();
        return stored.stream().filter(l -> listenerArn.equals(l.listenerArn()) && l.hasDefaultActions()).findFirst()
            .map(Listener::defaultActions);
      }

      @Override
      public String readOperation() {
        return "DescribeListeners";
      }

      @Override
      public String writeOperation() {
        return "ModifyListener";
      }
    };
    return new AlbRouting(elb, store, parsed, where, "aws/alb/" + listenerArn, b.settings, LoggerFactory.getLogger(AlbListenerRouter.class));
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
   * @param configure sets the listener ARN and the environments
   * @return the router
   */
  public static AlbListenerRouter create(ElasticLoadBalancingV2Client elb, Consumer<Builder> configure) {
    Builder b = builder(elb);
    Checks.notNull(configure, "configure").accept(b);
    return b.build();
  }

  /** @return the listener's ARN */
  public String listenerArn() {
    return listenerArn;
  }

  @Override
  public String toString() {
    return "AlbListenerRouter{" + listenerArn + ", " + targetGroups().keySet() + "}";
  }

  /**
   * Builds an {@link AlbListenerRouter}; {@link #build()} checks every ARN and setting without
   * calling AWS.
   *
   * <pre>{@code
   * AlbListenerRouter router = AlbListenerRouter.builder(elb)
   *     .listenerArn(listenerArn)
   *     .environment(Environment.of("blue"), blueTargetGroupArn)
   *     .environment(Environment.of("green"), greenTargetGroupArn)
   *     .minHealthyTargets(2)
   *     .callTimeout(Duration.ofSeconds(20))
   *     .build();
   * }</pre>
   */
  public static final class Builder extends AlbForwardRouter.Builder<Builder> {
    private String listenerArn;

    private Builder(ElasticLoadBalancingV2Client elb) {
      super(elb);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * @param arn the listener, {@code arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<lb>/<id>/<id>}
     * @return this builder
     */
    public Builder listenerArn(String arn) {
      AlbArns.listener(arn);
      this.listenerArn = arn;
      return this;
    }

    /**
     * @return the router
     * @throws InvalidConfigurationException naming the bad setting and what to pass instead
     */
    public AlbListenerRouter build() {
      if (listenerArn == null) {
        throw new InvalidConfigurationException("listenerArn is not set: call .listenerArn(\"arn:aws:elasticloadbalancing:...:listener/app/...\")");
      }
      return new AlbListenerRouter(this);
    }
  }
}
