package io.bluegreen.aws.internal;

import io.bluegreen.core.Environment;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.UnmappedRouteStateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.AuthenticateOidcActionConfig;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ForwardActionConfig;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupStickinessConfig;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;

/**
 * Reads the split out of an ALB action list and rebuilds the list with new weights, changing
 * nothing but the forward action's target group weights. Pure functions on SDK model objects; no
 * backend calls. Not part of the public API.
 *
 * <pre>{@code
 * ForwardActions.Forward f = ForwardActions.find(listener.defaultActions(), "listener " + arn);
 * List<Action> next = ForwardActions.rebuild(listener.defaultActions(), f, target, arnsByEnvironment, "listener " + arn);
 * }</pre>
 */
public final class ForwardActions {

  /** The most target groups one ALB forward action may name. */
  public static final int MAX_TARGET_GROUPS = 5;
  /** The largest ALB target group weight. */
  public static final int MAX_WEIGHT = 999;

  private ForwardActions() {
  }

  /**
   * The forward action of an action list and its target groups, legacy single-target-group form
   * included.
   *
   * @param index position of the forward action in the list
   * @param action the forward action
   * @param targetGroups its target groups with their weights (legacy form: one group, weight 1)
   */
  public record Forward(int index, Action action, List<TargetGroupTuple> targetGroups) {

    /** @return the group stickiness duration, if group stickiness is on */
    public Optional<Duration> stickiness() {
      ForwardActionConfig fc = action.forwardConfig();
      TargetGroupStickinessConfig s = fc == null ? null : fc.targetGroupStickinessConfig();
      if (s == null || !Boolean.TRUE.equals(s.enabled())) {
        return Optional.empty();
      }
      return Optional.of(Duration.ofSeconds(s.durationSeconds() == null ? 0 : s.durationSeconds()));
    }
  }

  /**
   * @param actions a listener's default actions or a rule's actions
   * @param where the listener or rule, for messages
   * @return its forward action
   * @throws UnmappedRouteStateException if there is no forward action (someone replaced it, e.g. by a fixed response)
   * @throws RouterException (permanent) if there is more than one, or it names no target group
   */
  public static Forward find(List<Action> actions, String where) {
    List<Integer> forwards = new ArrayList<>();
    for (int i = 0; i < actions.size(); i++) {
      if (actions.get(i).type() == ActionTypeEnum.FORWARD || "forward".equals(actions.get(i).typeAsString())) {
        forwards.add(i);
      }
    }
    if (forwards.isEmpty()) {
      throw new UnmappedRouteStateException(where, "actions " + actions.stream().map(Action::typeAsString).collect(Collectors.joining(", "))
          + " (no forward action)", "bluegreen switches forward actions only; put the forward action back, or point the router at a listener"
          + " or rule that forwards to target groups");
    }
    if (forwards.size() > 1) {
      throw RouterException.permanentFailure(where + " has " + forwards.size() + " forward actions; ALB allows one: fix the listener first", null);
    }
    int index = forwards.get(0);
    Action forward = actions.get(index);
    ForwardActionConfig fc = forward.forwardConfig();
    if (fc != null && fc.hasTargetGroups() && !fc.targetGroups().isEmpty()) {
      return new Forward(index, forward, List.copyOf(fc.targetGroups()));
    }
    if (forward.targetGroupArn() != null && !forward.targetGroupArn().isBlank()) {
      return new Forward(index, forward, List.of(TargetGroupTuple.builder().targetGroupArn(forward.targetGroupArn()).build()));
    }
    throw RouterException.permanentFailure(where + "'s forward action names no target group: fix the listener first", null);
  }

  private static int weightOf(TargetGroupTuple t) {
    return t.weight() == null ? 1 : t.weight();
  }

  /**
   * The split a forward action sends, over the router's environments. ALB weights are relative: they
   * are turned into percents (exactly when they sum to 100, as bluegreen writes them; otherwise
   * proportionally, largest remainders first).
   *
   * @param forward the forward action
   * @param environmentsByArn target group ARN to environment, for the managed groups
   * @param order the router's environments, for display order
   * @param where the listener or rule, for messages
   * @return the split
   * @throws UnmappedRouteStateException if an unmanaged target group receives traffic or all weights are 0
   */
  public static TrafficSplit split(Forward forward, Map<String, Environment> environmentsByArn, List<Environment> order, String where) {
    Map<Environment, Integer> weights = new LinkedHashMap<>();
    for (Environment e : order) {
      weights.put(e, 0);
    }
    for (TargetGroupTuple t : forward.targetGroups()) {
      Environment env = environmentsByArn.get(t.targetGroupArn());
      int w = weightOf(t);
      if (env == null) {
        if (w > 0) {
          throw new UnmappedRouteStateException(where, "forward weights " + describe(forward), "target group " + t.targetGroupArn()
              + " gets weight " + w + " but is not mapped to any environment of this router: map it as an environment, or set its"
              + " weight to 0, so that the split this router reports is the whole truth");
        }
        continue;
      }
      weights.merge(env, w, Integer::sum);
    }
    int sum = weights.values().stream().mapToInt(Integer::intValue).sum();
    if (sum <= 0) {
      throw new UnmappedRouteStateException(where, "forward weights " + describe(forward), "every target group has weight 0, so ALB"
          + " sends no traffic anywhere that bluegreen can describe: give the current environment a weight first");
    }
    if (sum == 100) {
      return TrafficSplit.of(weights);
    }
    return TrafficSplit.of(toPercents(weights, sum));
  }

  /** @return each target group of a forward action by name with its weight, e.g. "app-blue=0 app-red=100" */
  private static String describe(Forward forward) {
    return forward.targetGroups().stream().map(t -> nameOf(t.targetGroupArn()) + "=" + weightOf(t)).collect(Collectors.joining(" "));
  }

  private static String nameOf(String targetGroupArn) {
    int start = targetGroupArn == null ? -1 : targetGroupArn.indexOf(":targetgroup/");
    if (start < 0) {
      return String.valueOf(targetGroupArn);
    }
    String rest = targetGroupArn.substring(start + ":targetgroup/".length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  private static Map<Environment, Integer> toPercents(Map<Environment, Integer> weights, int sum) {
    Map<Environment, Integer> percents = new LinkedHashMap<>();
    Map<Environment, Long> remainders = new LinkedHashMap<>();
    int assigned = 0;
    for (var e : weights.entrySet()) {
      long scaled = e.getValue() * 100L;
      percents.put(e.getKey(), (int) (scaled / sum));
      remainders.put(e.getKey(), scaled % sum);
      assigned += (int) (scaled / sum);
    }
    List<Environment> byRemainder = remainders.entrySet().stream()
        .sorted(Map.Entry.<Environment, Long>comparingByValue(Comparator.reverseOrder())).map(Map.Entry::getKey).toList();
    for (int i = 0; assigned < 100; i++, assigned++) {
      percents.merge(byRemainder.get(i % byRemainder.size()), 1, Integer::sum);
    }
    return percents;
  }

  /**
   * Rebuilds an action list so that its forward action sends {@code target}: managed target groups
   * get their percent as ALB weight, unmanaged ones keep theirs, a managed group that is absent is
   * added only if it gets traffic. Every other action, the order, the stickiness config and every
   * other field stay as read. A legacy single {@code TargetGroupArn} forward is rewritten as a
   * {@code ForwardConfig}. OIDC actions read without their client secret (AWS never returns it) are
   * marked {@code UseExistingClientSecret} so that AWS keeps the secret it has.
   *
   * @param actions the action list as read
   * @param forward its forward action
   * @param target the split to send
   * @param arnsByEnvironment environment to target group ARN
   * @param where the listener or rule, for messages
   * @return the new action list
   * @throws RouterException (permanent) if the result would exceed ALB's limits
   */
  public static List<Action> rebuild(List<Action> actions, Forward forward, TrafficSplit target, Map<Environment, String> arnsByEnvironment,
      String where) {
    Map<String, Environment> byArn = new LinkedHashMap<>();
    arnsByEnvironment.forEach((env, arn) -> byArn.put(arn, env));
    List<TargetGroupTuple> tuples = new ArrayList<>();
    List<String> present = new ArrayList<>();
    for (TargetGroupTuple t : forward.targetGroups()) {
      Environment env = byArn.get(t.targetGroupArn());
      present.add(t.targetGroupArn());
      tuples.add(env == null ? t : t.toBuilder().weight(target.weightOf(env)).build());
    }
    for (var e : arnsByEnvironment.entrySet()) {
      if (!present.contains(e.getValue()) && target.weightOf(e.getKey()) > 0) {
        tuples.add(TargetGroupTuple.builder().targetGroupArn(e.getValue()).weight(target.weightOf(e.getKey())).build());
      }
    }
    checkLimits(tuples, where);
    ForwardActionConfig.Builder fc = forward.action().forwardConfig() == null ? ForwardActionConfig.builder()
        : forward.action().forwardConfig().toBuilder();
    Action newForward = forward.action().toBuilder().targetGroupArn(null).forwardConfig(fc.targetGroups(tuples).build()).build();
    List<Action> result = new ArrayList<>(actions.size());
    for (int i = 0; i < actions.size(); i++) {
      result.add(i == forward.index() ? newForward : keepingSecrets(actions.get(i)));
    }
    return result;
  }

  private static void checkLimits(List<TargetGroupTuple> tuples, String where) {
    if (tuples.size() > MAX_TARGET_GROUPS) {
      throw RouterException.permanentFailure("the new forward action of " + where + " would name " + tuples.size()
          + " target groups but ALB allows at most " + MAX_TARGET_GROUPS + ": remove unused target groups from the forward action", null);
    }
    for (TargetGroupTuple t : tuples) {
      if (weightOf(t) < 0 || weightOf(t) > MAX_WEIGHT) {
        throw RouterException.permanentFailure("weight " + t.weight() + " of target group " + t.targetGroupArn() + " in " + where
            + " is outside ALB's range 0 to " + MAX_WEIGHT, null);
      }
    }
  }

  private static Action keepingSecrets(Action action) {
    AuthenticateOidcActionConfig oidc = action.authenticateOidcConfig();
    if (oidc != null && oidc.clientSecret() == null && oidc.useExistingClientSecret() == null) {
      return action.toBuilder().authenticateOidcConfig(oidc.toBuilder().useExistingClientSecret(true).build()).build();
    }
    return action;
  }
}
