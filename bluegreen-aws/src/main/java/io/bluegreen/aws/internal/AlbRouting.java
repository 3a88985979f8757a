package io.bluegreen.aws.internal;

import io.bluegreen.core.Checks;
import io.bluegreen.core.DriftDetectedException;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.UnmappedRouteStateException;
import io.bluegreen.core.PreflightReport;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.Verification;
import io.bluegreen.core.WriteDescription;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.core.WritePurpose;
import io.bluegreen.core.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthStateEnum;

/**
 * What the listener and rule routers share: the environment mapping, reading the split, rebuilding
 * and writing the action list once, verifying, and the read-only preflight. The two routers differ
 * only in how they read and write an action list ({@link ActionStore}). Not part of the public API.
 *
 * <pre>{@code
 * AlbRouting routing = new AlbRouting(elb, store, AlbArns.listener(arn), "listener " + arn, "aws/alb/" + arn, settings,
 *     LoggerFactory.getLogger(AlbListenerRouter.class));
 * routing.apply(TrafficSplit.of(blue, 90, green, 10));
 * }</pre>
 */
public final class AlbRouting {

  /** What was read from a listener or rule. */
  public record Read(List<Action> actions, String loadBalancerArn, boolean defaultRule) {
    /** Copies the list. */
    public Read {
      actions = List.copyOf(actions);
    }

    /** @return the action types only: an action can hold a secret (an OIDC client secret) */
    @Override
    public String toString() {
      return "Read[actions=" + actions.stream().map(Action::typeAsString).toList() + ", loadBalancerArn=" + loadBalancerArn
          + ", defaultRule=" + defaultRule + "]";
    }
  }

  /** Reads and writes the action list of one listener or rule: one backend call each. */
  public interface ActionStore {
    /**
     * @param timeout per-call API timeout
     * @return the actions as read
     * @throws RouterException translated failure
     */
    Read read(AwsRequestOverrideConfiguration timeout);

    /**
     * @param actions the full new action list
     * @param timeout per-call API timeout
     * @return the actions the write's response says are stored (ModifyListener and ModifyRule answer
     *     with the listener or rule), or empty if the response carries none
     * @throws RouterException translated failure
     */
    Optional<List<Action>> write(List<Action> actions, AwsRequestOverrideConfiguration timeout);

    /** @return the read operation's name, e.g. DescribeListeners */
    String readOperation();

    /** @return the write operation's name, e.g. ModifyListener */
    String writeOperation();
  }

  /** The validated configuration both router builders collect. */
  public static final class Settings {
    private final Map<Environment, String> targetGroups = new LinkedHashMap<>();
    private int minHealthyTargets = 1;
    private Duration callTimeout = Duration.ofSeconds(30);

    /**
     * @param environment the environment
     * @param targetGroupArn its target group
     */
    public void environment(Environment environment, String targetGroupArn) {
      Checks.notNull(environment, "environment");
      String what = "target group ARN of " + environment.name();
      AlbArns.targetGroup(targetGroupArn, what);
      if (targetGroups.containsKey(environment)) {
        throw new InvalidConfigurationException("environment " + environment.name() + " is mapped twice: map each environment to one target group");
      }
      for (var e : targetGroups.entrySet()) {
        if (e.getValue().equals(targetGroupArn)) {
          throw new InvalidConfigurationException("target group " + targetGroupArn + " is mapped to both " + e.getKey().name() + " and "
              + environment.name() + ": give each environment its own target group");
        }
      }
      targetGroups.put(environment, targetGroupArn);
    }

    /** @param n healthy targets the target environment needs in preflight, 0 or more */
    public void minHealthyTargets(int n) {
      if (n < 0) {
        throw new InvalidConfigurationException("minHealthyTargets " + n + " is negative: use 1 or more (0 turns the check off)");
      }
      this.minHealthyTargets = n;
    }

    /** @param timeout bound on each AWS API call, retries by the SDK included */
    public void callTimeout(Duration timeout) {
      this.callTimeout = Checks.positive(timeout, "callTimeout");
    }
  }

  private final ElasticLoadBalancingV2Client elb;
  private final ActionStore store;
  private final String where;
  private final String routeId;
  private final AlbArns.Parsed owner;
  private final Map<Environment, String> targetGroups;
  private final Map<String, Environment> environmentsByArn;
  private final List<Environment> environments;
  private final int minHealthyTargets;
  private final AwsRequestOverrideConfiguration timeout;
  private final RouterCapabilities capabilities;
  private final Logger log;
  /** OIDC client secrets seen in the actions read: kept out of every message. */
  private final Set<String> clientSecrets = ConcurrentHashMap.newKeySet();

  /**
   * @param elb the client
   * @param store reads and writes the action list
   * @param owner the parsed listener or rule ARN
   * @param where "listener arn:..." or "listener rule arn:...", for messages
   * @param routeId the route id
   * @param settings the builder's settings
   * @param log where writes are logged: the public router's category, e.g. {@code io.bluegreen.aws.AlbListenerRouter}
   */
  public AlbRouting(ElasticLoadBalancingV2Client elb, ActionStore store, AlbArns.Parsed owner, String where, String routeId, Settings settings,
      Logger log) {
    this.log = log;
    this.elb = Checks.notNull(elb, "ElasticLoadBalancingV2Client");
    this.store = store;
    this.owner = owner;
    this.where = where;
    this.routeId = routeId;
    if (settings.targetGroups.size() < 2) {
      throw new InvalidConfigurationException(where + " needs at least two environments mapped to target groups, but "
          + (settings.targetGroups.isEmpty() ? "none is" : "only " + settings.targetGroups.keySet().iterator().next().name() + " is")
          + ": call .environment(\"blue\", blueTargetGroupArn).environment(\"green\", greenTargetGroupArn)");
    }
    if (settings.targetGroups.size() > ForwardActions.MAX_TARGET_GROUPS) {
      throw new InvalidConfigurationException(where + " maps " + settings.targetGroups.size() + " environments but an ALB forward action takes"
          + " at most " + ForwardActions.MAX_TARGET_GROUPS + " target groups: map at most " + ForwardActions.MAX_TARGET_GROUPS);
    }
    for (var e : settings.targetGroups.entrySet()) {
      AlbArns.requireSameAccountAndRegion(owner, AlbArns.targetGroup(e.getValue(), "target group"), "target group of " + e.getKey().name());
    }
    AlbArns.requireClientRegion(elb, owner);
    this.targetGroups = Collections.unmodifiableMap(new LinkedHashMap<>(settings.targetGroups));
    Map<String, Environment> byArn = new LinkedHashMap<>();
    targetGroups.forEach((env, arn) -> byArn.put(arn, env));
    this.environmentsByArn = Collections.unmodifiableMap(byArn);
    this.environments = List.copyOf(targetGroups.keySet());
    this.minHealthyTargets = settings.minHealthyTargets;
    this.timeout = AwsRequestOverrideConfiguration.builder().apiCallTimeout(settings.callTimeout).build();
    this.capabilities = RouterCapabilities.builder().weighted(true).granularityPercent(1)
        .maxEnvironments(Math.min(ForwardActions.MAX_TARGET_GROUPS, environments.size())).writeGuard(WriteGuard.READ_THEN_WRITE).build();
  }

  /** @return the route id */
  public String routeId() {
    return routeId;
  }

  /** @return the environments in mapping order */
  public List<Environment> environments() {
    return environments;
  }

  /** @return weighted, 1%, at most 5 target groups, writes guarded by a read of their own (ELBv2 has no conditional write) */
  public RouterCapabilities capabilities() {
    return capabilities;
  }

  /** @return environment to target group ARN, in mapping order */
  public Map<Environment, String> targetGroups() {
    return targetGroups;
  }

  /** @return the preflight's healthy-target threshold */
  public int minHealthyTargets() {
    return minHealthyTargets;
  }

  /** @return the split the forward action sends now */
  public TrafficSplit current() {
    Read read = read();
    return ForwardActions.split(ForwardActions.find(read.actions(), where), environmentsByArn, environments, where);
  }

  /**
   * @param target the split to write; already validated
   */
  public void apply(TrafficSplit target) {
    Read read = read();
    ForwardActions.Forward forward = ForwardActions.find(read.actions(), where);
    TrafficSplit before = ForwardActions.split(forward, environmentsByArn, environments, where);
    if (before.equals(target)) {
      log.debug("{} already sends {}: nothing to write", where, target);
      return;
    }
    write(read, forward, before, target, null);
  }

  /**
   * The read-then-write guard (ELBv2 has no conditional write): one read, the drift check against
   * {@code expected}, one write, and the verification from the write's response (ModifyListener and
   * ModifyRule answer with the stored actions), with no read back: two requests for a stage or a
   * rollback, where the engine's read, apply (read, write) and verify made four.
   *
   * @param expected the split the plan last wrote or found
   * @param target the split to write; already validated
   * @param purpose a forward stage or a rollback, for the log
   * @return whether it wrote, and what the response says the forward action sends now
   * @throws DriftDetectedException if the forward action sends neither {@code expected} nor {@code target}
   */
  public WriteResult applyIfUnchanged(TrafficSplit expected, TrafficSplit target, WritePurpose purpose) {
    Read read = read();
    ForwardActions.Forward forward = ForwardActions.find(read.actions(), where);
    TrafficSplit before = ForwardActions.split(forward, environmentsByArn, environments, where);
    if (before.equals(target)) {
      log.debug("{} already sends {}: nothing to write", where, target);
      return WriteResult.alreadyInPlace(Verification.verified(before));
    }
    if (!before.equals(expected)) {
      log.warn("{} sends {}, not {}: another writer changed it; not writing {}", where, before, expected, target);
      throw new DriftDetectedException(expected, before, where);
    }
    Optional<List<Action>> stored = write(read, forward, before, target, purpose);
    if (stored.isEmpty()) {
      return WriteResult.written(verify(target)); // a response without the actions: read back
    }
    TrafficSplit observed = ForwardActions.split(ForwardActions.find(stored.get(), where), environmentsByArn, environments, where);
    return WriteResult.written(Verification.compare(target, observed));
  }

  private Optional<List<Action>> write(Read read, ForwardActions.Forward forward, TrafficSplit before, TrafficSplit target, WritePurpose purpose) {
    if (read.defaultRule()) {
      throw RouterException.permanentFailure(where + " is the listener's default rule, which ModifyRule cannot change: use"
          + " AlbListenerRouter with the listener ARN instead", null);
    }
    List<Action> actions = ForwardActions.rebuild(read.actions(), forward, target.orderedAs(environments), targetGroups, where);
    log.info("{} {}: {} -> {}{}", store.writeOperation(), where, before.orderedAs(environments), target.orderedAs(environments),
        purpose == WritePurpose.ROLLBACK ? " (rollback)" : "");
    return call(store.writeOperation(), () -> store.write(actions, timeout));
  }

  /**
   * One read: what a write of {@code target} would change (the forward action's weights of the
   * managed target groups) and keep.
   *
   * @param target the split; already validated
   * @return the description
   */
  public WriteDescription describeWrite(TrafficSplit target) {
    Read read = read();
    ForwardActions.Forward forward = ForwardActions.find(read.actions(), where);
    String weights = environments.stream().map(e -> targetGroups.get(e) + "=" + target.weightOf(e)).collect(Collectors.joining(", "));
    List<String> keeps = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (int i = 0; i < read.actions().size(); i++) {
      if (i != forward.index()) {
        Action a = read.actions().get(i);
        others.add(a.typeAsString() + (a.order() == null ? "" : " (order " + a.order() + ")"));
      }
    }
    if (!others.isEmpty()) {
      keeps.add("the other action" + (others.size() == 1 ? "" : "s") + " as read: " + String.join(", ", others));
    }
    keeps.add("the order of the actions");
    forward.stickiness().ifPresent(d -> keeps.add("group stickiness (" + d.toSeconds() + " s)"));
    long unmanaged = forward.targetGroups().stream().filter(t -> !environmentsByArn.containsKey(t.targetGroupArn())).count();
    if (unmanaged > 0) {
      keeps.add(unmanaged + " target group" + (unmanaged == 1 ? "" : "s") + " this router does not manage, with their weights");
    }
    return new WriteDescription(store.writeOperation() + " " + where + ": forward action weights " + weights, keeps);
  }

  /**
   * @param expected the split last applied
   * @return VERIFIED when the forward action sends it, PENDING otherwise
   */
  public Verification verify(TrafficSplit expected) {
    return Verification.compare(expected, current());
  }

  /** @return the forward action's group stickiness duration, if group stickiness is on (one read) */
  public Optional<Duration> stickiness() {
    return ForwardActions.find(read().actions(), where).stickiness();
  }

  /**
   * Read-only checks: the listener or rule exists and forwards; every environment's target group
   * exists and is not attached to another load balancer; every environment {@code target} sends
   * traffic to has at least {@code minHealthyTargets} healthy targets; the new forward action fits
   * ALB's limits. Reports group stickiness as a notice and as the client convergence time.
   *
   * @param target the split the plan ends at; already validated
   * @return notices and client convergence
   */
  public PreflightReport preflight(TrafficSplit target) {
    Read read;
    try {
      read = read();
    } catch (RouterException e) {
      if (AwsFailures.isNotFound(e)) {
        throw new PreflightException(where + " does not exist (" + AwsFailures.errorCodeIn(e).orElse("not found")
            + "): check the ARN, and that the client uses account " + owner.account() + " and region " + owner.region(), e);
      }
      throw e;
    }
    if (read.defaultRule()) {
      throw new PreflightException(where + " is the listener's default rule, which ModifyRule cannot change: use AlbListenerRouter"
          + " with the listener ARN instead");
    }
    ForwardActions.Forward forward;
    try {
      forward = ForwardActions.find(read.actions(), where);
      ForwardActions.split(forward, environmentsByArn, environments, where);
      ForwardActions.rebuild(read.actions(), forward, target.orderedAs(environments), targetGroups, where);
    } catch (UnmappedRouteStateException e) {
      throw e; // drift (a state no environment maps to), not a configuration problem
    } catch (RouterException e) {
      throw new PreflightException(e.getMessage(), e);
    }
    String loadBalancerArn = read.loadBalancerArn() != null ? read.loadBalancerArn() : owner.loadBalancerArn();
    PreflightReport.Builder report = PreflightReport.builder();
    for (var e : targetGroups.entrySet()) {
      TargetGroup group = describeTargetGroup(e.getKey(), e.getValue());
      List<String> attached = group.hasLoadBalancerArns() ? group.loadBalancerArns() : List.of();
      if (!attached.isEmpty() && !attached.contains(loadBalancerArn)) {
        throw new PreflightException("target group " + e.getValue() + " of " + e.getKey().name() + " is attached to " + attached
            + ", not to " + loadBalancerArn + " that " + where + " belongs to: use a target group of that load balancer");
      }
      if (attached.isEmpty()) {
        report.notice("target group " + group.targetGroupName() + " of " + e.getKey().name() + " is not attached to any load balancer yet:"
            + " the first write attaches it to " + loadBalancerArn + "; until then ALB does not health-check its targets");
      }
    }
    for (Environment env : target.receiving()) {
      checkHealthy(env, targetGroups.get(env));
    }
    Optional<Duration> sticky = forward.stickiness();
    if (sticky.isPresent()) {
      report.notice("target group stickiness is on for " + where + " (" + sticky.get().toSeconds() + " s): a weight change applies only"
          + " to new clients; clients already bound to a target group keep it for up to " + sticky.get()
          + ", so the final stage bakes at least that long");
      report.clientConvergence(sticky.get());
    }
    return report.build();
  }

  private TargetGroup describeTargetGroup(Environment env, String arn) {
    try {
      List<TargetGroup> groups = call("DescribeTargetGroups", () -> elb.describeTargetGroups(r -> r.targetGroupArns(arn)
          .overrideConfiguration(timeout)).targetGroups());
      if (groups.isEmpty()) {
        throw new PreflightException("target group " + arn + " of " + env.name() + " does not exist: create it or fix the mapping");
      }
      return groups.get(0);
    } catch (RouterException e) {
      if (AwsFailures.isNotFound(e)) {
        throw new PreflightException("target group " + arn + " of " + env.name() + " does not exist ("
            + AwsFailures.errorCodeIn(e).orElse("not found") + "): create it or fix the router's mapping", e);
      }
      throw e;
    }
  }

  private void checkHealthy(Environment env, String arn) {
    if (minHealthyTargets == 0) {
      return;
    }
    List<TargetHealthDescription> targets;
    try {
      targets = call("DescribeTargetHealth", () -> elb.describeTargetHealth(r -> r.targetGroupArn(arn).overrideConfiguration(timeout))
          .targetHealthDescriptions());
    } catch (RouterException e) {
      if (AwsFailures.isNotFound(e)) {
        throw new PreflightException("target group " + arn + " of " + env.name() + " does not exist: create it or fix the mapping", e);
      }
      throw e;
    }
    Map<String, Integer> byState = new LinkedHashMap<>();
    int healthy = 0;
    List<String> notInUse = new ArrayList<>();
    for (TargetHealthDescription t : targets) {
      String state = t.targetHealth() == null ? "unknown" : t.targetHealth().stateAsString();
      byState.merge(state, 1, Integer::sum);
      if (t.targetHealth() != null && t.targetHealth().state() == TargetHealthStateEnum.HEALTHY) {
        healthy++;
      }
      if (t.targetHealth() != null && "Target.NotInUse".equals(t.targetHealth().reasonAsString())) {
        notInUse.add(describe(t.target()));
      }
    }
    if (healthy < minHealthyTargets) {
      String advice = targets.isEmpty() ? "register targets in it and wait until they pass health checks"
          : !notInUse.isEmpty() ? "its targets are not in use (Target.NotInUse), so ALB does not health-check them: add the target group"
              + " to the forward action with weight 0 first, then wait until its targets are healthy"
          : "wait until its targets pass health checks";
      throw PreflightException.notReady(env.name() + "'s target group " + arn + " has " + healthy + " healthy target" + (healthy == 1 ? "" : "s")
          + " " + byState + " but switching needs at least " + minHealthyTargets + ": " + advice);
    }
  }

  private static String describe(TargetDescription t) {
    return t == null ? "?" : t.id() + (t.port() == null ? "" : ":" + t.port());
  }

  private Read read() {
    Read read = call(store.readOperation(), () -> store.read(timeout));
    for (Action a : read.actions()) {
      if (a.authenticateOidcConfig() != null && a.authenticateOidcConfig().clientSecret() != null) {
        clientSecrets.add(a.authenticateOidcConfig().clientSecret());
      }
    }
    return read;
  }

  private <T> T call(String operation, Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      List<String> secrets = new ArrayList<>(AwsRedaction.secretsOf(elb));
      secrets.addAll(clientSecrets);
      throw AwsFailures.translate(operation, where, e, secrets);
    }
  }
}
