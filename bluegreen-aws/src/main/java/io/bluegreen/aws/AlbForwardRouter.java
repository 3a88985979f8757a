package io.bluegreen.aws;

import io.bluegreen.aws.internal.AlbRouting;
import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.PreflightReport;
import io.bluegreen.core.Router;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.Verification;
import io.bluegreen.core.WriteDescription;
import io.bluegreen.core.WritePurpose;
import io.bluegreen.core.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * What {@link AlbListenerRouter} and {@link AlbRuleRouter} share: both are the {@link Router} view
 * of one forward action, read and written through {@link AlbRouting}; they differ only in where the
 * action lives (a listener's default actions, or a rule's actions).
 */
abstract class AlbForwardRouter implements Router {

  private final AlbRouting routing;

  AlbForwardRouter(AlbRouting routing) {
    this.routing = routing;
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
   * Reads the forward action and returns how long target group stickiness binds a client to a
   * group, if it is on: after a weight change, clients already bound keep their group for up to that long.
   *
   * @return the stickiness duration, empty when group stickiness is off
   * @throws RouterException if the listener or rule cannot be read
   */
  public Optional<Duration> groupStickinessDuration() {
    return routing.stickiness();
  }

  /** @return {@code "aws/alb/" + the listener or rule ARN} */
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

  /**
   * One DescribeListeners (or DescribeRules) as the drift check, then one ModifyListener (or
   * ModifyRule) whose response is the verification: no read back.
   */
  @Override
  public WriteResult applyIfUnchanged(TrafficSplit expected, TrafficSplit target, WritePurpose purpose) {
    validate(target);
    Checks.notNull(expected, "expected");
    return routing.applyIfUnchanged(expected, target, purpose);
  }

  /** One DescribeListeners (or DescribeRules): the weights the write would set, and what it keeps. */
  @Override
  public Optional<WriteDescription> describeWrite(TrafficSplit target) {
    validate(target);
    return Optional.of(routing.describeWrite(target));
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

  /**
   * The settings both builders share.
   *
   * @param <B> the concrete builder
   */
  abstract static class Builder<B extends Builder<B>> {
    final ElasticLoadBalancingV2Client elb;
    final AlbRouting.Settings settings = new AlbRouting.Settings();

    Builder(ElasticLoadBalancingV2Client elb) {
      this.elb = elb;
    }

    abstract B self();

    /**
     * @param environment an environment
     * @param targetGroupArn its target group, in the listener's account and region
     * @return this builder
     */
    public B environment(Environment environment, String targetGroupArn) {
      settings.environment(environment, targetGroupArn);
      return self();
    }

    /**
     * @param name an environment name, e.g. "blue"
     * @param targetGroupArn its target group
     * @return this builder
     */
    public B environment(String name, String targetGroupArn) {
      return environment(Environment.of(name), targetGroupArn);
    }

    /**
     * @param n healthy targets the target environment's group needs before the first write (default 1; 0 turns the check off)
     * @return this builder
     */
    public B minHealthyTargets(int n) {
      settings.minHealthyTargets(n);
      return self();
    }

    /**
     * @param timeout bound on each AWS call (default 30 s); a timeout is a transient failure the plan retries
     * @return this builder
     */
    public B callTimeout(Duration timeout) {
      settings.callTimeout(timeout);
      return self();
    }
  }
}
