package io.bluegreen.aws;

import io.bluegreen.aws.internal.AlbArns;
import io.bluegreen.aws.internal.AwsFailures;
import io.bluegreen.aws.internal.AwsRedaction;
import io.bluegreen.aws.internal.ForwardActions;
import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.core.preview.PreviewRequest;
import io.bluegreen.core.preview.PreviewRoute;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DescribeRulesResponse;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ForwardActionConfig;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Listener;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Rule;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.RuleCondition;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Tag;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TagDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;

/**
 * A preview route on an Application Load Balancer: a listener rule that forwards only requests
 * carrying a header ({@code http-header} condition) or a host name ({@code host-header}) to the
 * target environment's target group, on the same listener users hit, through the same actions
 * (authentication included) as production. Every other request goes where it went; the production
 * forward action, and every other rule, are never touched.
 *
 * <pre>{@code
 * AlbListenerRouter router = AlbListenerRouter.builder(elb).listenerArn(listenerArn)
 *     .environment(blue, blueTg).environment(green, greenTg).build();
 * SwitchPlan.builder().router(router).from(blue).to(green)
 *     .preview(AlbPreviewRule.builder(elb, router)
 *         .header("X-Preview", System.getenv("PREVIEW_TOKEN"))   // never printed
 *         .frontDoor(URI.create("https://shop.example.com/"))     // where users go (default: the load balancer's DNS name)
 *         .build())
 *     .previewGate(PreviewHttpGate.path("/health"))
 *     .build().execute();
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Priority: the one given with {@link Builder#priority(int)}, or the first free one from 1 (for an
 *       {@link AlbRuleRouter}: the first free one before the production rule, which the preview rule must
 *       precede). For a rule router the preview rule also carries the production rule's conditions, so it
 *       catches the same requests, plus the header.</li>
 *   <li>Preflight (read-only: DescribeListeners, DescribeRules, DescribeTags, DescribeLoadBalancers)
 *       refuses a priority taken by another rule, a header or host another rule already matches, a
 *       preview host equal to the production host, a load balancer at its rules quota ({@link
 *       Builder#maxRules(int)}, default ALB's 100 rules per load balancer, default rules excluded), more
 *       than 5 condition values, and an {@code authenticate-oidc} action whose client secret ALB does
 *       not return ({@link Builder#oidcClientSecret(String)}).</li>
 *   <li>The rule is tagged {@code bluegreen:preview-route} (the route id) and {@code bluegreen:preview-owner}
 *       (the plan's owner): {@link #close} deletes every rule of the listener tagged with the route, so a
 *       rule left by a run that crashed is found and removed by the next one. {@link #open} finds its own
 *       rule before creating one, so a retried CreateRule never makes two.</li>
 * </ul>
 *
 * <p>IAM: elasticloadbalancing:DescribeListeners, DescribeRules, DescribeTags, DescribeLoadBalancers,
 * CreateRule, AddTags (the tags are given on CreateRule), DeleteRule.
 */
public final class AlbPreviewRule implements PreviewRoute {

  private static final Logger LOG = LoggerFactory.getLogger(AlbPreviewRule.class);
  /** Tag naming the route whose preview a rule is. */
  public static final String ROUTE_TAG = "bluegreen:preview-route";
  /** Tag naming the plan owner that opened it. */
  public static final String OWNER_TAG = "bluegreen:preview-owner";
  /** ALB's highest rule priority. */
  static final int MAX_PRIORITY = 50_000;
  /** ALB's limit of condition values per rule. */
  static final int MAX_CONDITION_VALUES = 5;
  /** ALB: http-header names up to 40 characters, RFC 7230 tokens. */
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}");
  /** ALB condition values: up to 128 characters; '*' and '?' are wildcards and so refused here. */
  private static final Pattern HEADER_VALUE = Pattern.compile("[A-Za-z0-9_\\-.$/~\"'@:+&()!,;=]{1,128}");
  private static final Pattern HOST = Pattern.compile("(?=.{1,128}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Pattern TAG_VALUE_CHARS = Pattern.compile("[^\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]");

  private final ElasticLoadBalancingV2Client elb;
  private final String listenerArn;
  private final String productionRuleArn;
  private final String routeId;
  private final Map<Environment, String> targetGroups;
  private final String headerName;
  private final String headerValue;
  private final String host;
  private final Integer priority;
  private final URI frontDoor;
  private final int maxRules;
  private final String oidcClientSecret;
  private final AwsRequestOverrideConfiguration timeout;

  private AlbPreviewRule(Builder b) {
    this.elb = b.elb;
    this.listenerArn = b.listenerArn;
    this.productionRuleArn = b.productionRuleArn;
    this.routeId = b.routeId;
    this.targetGroups = b.targetGroups;
    this.headerName = b.headerName;
    this.headerValue = b.headerValue;
    this.host = b.host;
    this.priority = b.priority;
    this.frontDoor = b.frontDoor;
    this.maxRules = b.maxRules;
    this.oidcClientSecret = b.oidcClientSecret;
    this.timeout = AwsRequestOverrideConfiguration.builder().apiCallTimeout(b.callTimeout).build();
  }

  /**
   * @param elb the client (SDK retries off: the plan retries)
   * @param router the production router of the listener's default action
   * @return a builder
   */
  public static Builder builder(ElasticLoadBalancingV2Client elb, AlbListenerRouter router) {
    Checks.notNull(router, "router");
    return new Builder(elb, router.listenerArn(), null, router.routeId(), router.targetGroups());
  }

  /**
   * @param elb the client (SDK retries off: the plan retries)
   * @param router the production router of a listener rule; the preview rule precedes it and carries its conditions
   * @return a builder
   */
  public static Builder builder(ElasticLoadBalancingV2Client elb, AlbRuleRouter router) {
    Checks.notNull(router, "router");
    return new Builder(elb, listenerOf(router.ruleArn()), router.ruleArn(), router.routeId(), router.targetGroups());
  }

  private static String listenerOf(String ruleArn) {
    AlbArns.rule(ruleArn);
    String listener = ruleArn.replace(":listener-rule/", ":listener/");
    return listener.substring(0, listener.lastIndexOf('/'));
  }

  @Override
  public String describe() {
    return "ALB listener rule (" + selector() + ") on listener " + listenerArn;
  }

  private String selector() {
    return headerName != null ? "header " + headerName : "host " + host;
  }

  @Override
  public void validate(Environment environment) {
    if (!targetGroups.containsKey(environment)) {
      throw new InvalidConfigurationException(describe() + " has no target group for " + environment.name() + ": map it in the router");
    }
  }

  // ------------------------------------------------------------------------------------- the plan

  /** What the listener holds, read for one preflight or open. */
  private record Scene(Listener listener, List<Rule> rules, Map<String, Map<String, String>> tags, Rule production,
      List<Action> productionActions, int rulesOnLoadBalancer, String dnsName) {

    List<Rule> ours(String routeId) {
      return rules.stream().filter(r -> routeId.equals(tags.getOrDefault(r.ruleArn(), Map.of()).get(ROUTE_TAG))).toList();
    }
  }

  /** The rule {@link #open} would create. */
  private record Planned(int priority, List<RuleCondition> conditions, List<Action> actions, PreviewEndpoint endpoint) {
  }

  @Override
  public PreviewEndpoint preflight(PreviewRequest request) {
    Scene scene;
    try {
      scene = read();
    } catch (RouterException e) {
      if (AwsFailures.isNotFound(e)) {
        throw new PreflightException(describe() + ": " + e.getMessage() + "; nothing was written", e);
      }
      throw e;
    }
    try {
      return plan(scene, request).endpoint();
    } catch (InvalidConfigurationException e) {
      throw new PreflightException(e.getMessage() + "; nothing was written", e);
    }
  }

  @Override
  public PreviewEndpoint open(PreviewRequest request) {
    Scene scene = read();
    Planned planned = plan(scene, request);
    List<Rule> ours = scene.ours(routeId);
    for (Rule r : ours) {
      if (conditionKeys(conditionsOf(r)).equals(conditionKeys(planned.conditions())) && forwardsTo(r, targetGroups.get(request.environment()))) {
        LOG.info("{}: the preview rule at priority {} is already open", describe(), r.priority());
        return endpoint(request, Integer.parseInt(r.priority()), scene);
      }
    }
    List<Tag> tags = List.of(Tag.builder().key(ROUTE_TAG).value(tagValue(routeId)).build(),
        Tag.builder().key(OWNER_TAG).value(tagValue(request.owner())).build());
    call("CreateRule", () -> elb.createRule(r -> r.listenerArn(listenerArn).priority(planned.priority()).conditions(planned.conditions())
        .actions(planned.actions()).tags(tags).overrideConfiguration(timeout)));
    LOG.info("{}: created the preview rule at priority {} forwarding to {}", describe(), planned.priority(), request.environment().name());
    return planned.endpoint();
  }

  @Override
  public Optional<String> close(PreviewRequest request) {
    Scene scene = read();
    List<String> removed = new ArrayList<>();
    for (Rule r : scene.ours(routeId)) {
      String owner = scene.tags().getOrDefault(r.ruleArn(), Map.of()).getOrDefault(OWNER_TAG, "unknown");
      try {
        call("DeleteRule", () -> elb.deleteRule(d -> d.ruleArn(r.ruleArn()).overrideConfiguration(timeout)));
      } catch (RouterException e) {
        if (!AwsFailures.isNotFound(e)) {
          throw e;
        }
      }
      removed.add("listener rule at priority " + r.priority() + " (" + describeConditions(r) + "), opened by " + owner);
    }
    if (!removed.isEmpty()) {
      LOG.info("{}: removed {}", describe(), removed);
    }
    return removed.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", removed));
  }

  // ------------------------------------------------------------------------------------- planning

  private Planned plan(Scene scene, PreviewRequest request) {
    String targetGroup = targetGroups.get(request.environment());
    if (targetGroup == null) {
      throw new InvalidConfigurationException(describe() + " has no target group for " + request.environment().name());
    }
    List<Rule> ours = scene.ours(routeId);
    // the quota: every non-default rule of the load balancer, but a leftover of ours is removed first
    int others = scene.rulesOnLoadBalancer() - ours.size();
    if (others >= maxRules) {
      throw new InvalidConfigurationException("the load balancer of listener " + listenerArn + " already has " + others
          + " rules (default rules not counted) and its quota is " + maxRules + " (ALB's default is 100 per load balancer): a preview"
          + " rule would be refused with TooManyRules. Remove a rule, raise the quota in Service Quotas and set maxRules(n), or"
          + " preview through a test listener");
    }
    List<RuleCondition> conditions = new ArrayList<>();
    if (scene.production() != null) {
      conditions.addAll(conditionsOf(scene.production()));
    }
    if (host != null) {
      checkHost(scene);
      conditions.removeIf(c -> "host-header".equals(c.field()));
      conditions.add(RuleCondition.builder().field("host-header").hostHeaderConfig(h -> h.values(host)).build());
    } else {
      conditions.add(RuleCondition.builder().field("http-header")
          .httpHeaderConfig(h -> h.httpHeaderName(headerName).values(headerValue)).build());
    }
    int values = conditions.stream().mapToInt(AlbPreviewRule::valueCount).sum();
    if (values > MAX_CONDITION_VALUES) {
      throw new InvalidConfigurationException("the preview rule would need " + values + " condition values (the production rule's "
          + (values - 1) + " and the " + selector() + ") but ALB allows " + MAX_CONDITION_VALUES + " per rule: simplify the production"
          + " rule's conditions, or preview its listener's default action with AlbListenerRouter");
    }
    checkNoOtherRuleMatches(scene, ours);
    int chosen = choosePriority(scene, ours);
    List<Action> actions = previewActions(scene.productionActions(), targetGroup);
    return new Planned(chosen, List.copyOf(conditions), actions, endpoint(request, chosen, scene));
  }

  private void checkHost(Scene scene) {
    String prod = frontDoor != null ? frontDoor.getHost() : null;
    if (prod != null && prod.equalsIgnoreCase(host)) {
      throw new InvalidConfigurationException("preview host " + host + " is the production host of " + frontDoor
          + ": every user request would match the preview rule; choose another host, e.g. preview." + host);
    }
    if (scene.production() != null) {
      for (RuleCondition c : conditionsOf(scene.production())) {
        if ("host-header".equals(c.field()) && hostValues(c).stream().anyMatch(v -> v.equalsIgnoreCase(host))) {
          throw new InvalidConfigurationException("preview host " + host + " is a production host of rule " + productionRuleArn
              + ": every user request would match the preview rule; choose another host, e.g. preview." + host);
        }
      }
    }
  }

  private void checkNoOtherRuleMatches(Scene scene, List<Rule> ours) {
    for (Rule r : scene.rules()) {
      if (Boolean.TRUE.equals(r.isDefault()) || ours.contains(r)) {
        continue;
      }
      for (RuleCondition c : conditionsOf(r)) {
        boolean sameHeader = headerName != null && "http-header".equals(c.field()) && c.httpHeaderConfig() != null
            && headerName.equalsIgnoreCase(c.httpHeaderConfig().httpHeaderName());
        boolean sameHost = host != null && "host-header".equals(c.field()) && hostValues(c).stream().anyMatch(v -> v.equalsIgnoreCase(host));
        if (sameHeader || sameHost) {
          throw new InvalidConfigurationException("rule " + r.ruleArn() + " at priority " + r.priority() + " already matches " + selector()
              + " on listener " + listenerArn + " and was not created by bluegreen for this route: choose another "
              + (sameHeader ? "header" : "host") + ", or remove that rule");
        }
      }
    }
  }

  private int choosePriority(Scene scene, List<Rule> ours) {
    TreeSet<Integer> taken = new TreeSet<>();
    Map<Integer, Rule> byPriority = new LinkedHashMap<>();
    for (Rule r : scene.rules()) {
      if (!Boolean.TRUE.equals(r.isDefault()) && !ours.contains(r)) {
        int p = Integer.parseInt(r.priority());
        taken.add(p);
        byPriority.put(p, r);
      }
    }
    int limit = scene.production() == null ? MAX_PRIORITY : Integer.parseInt(scene.production().priority()) - 1;
    if (priority != null) {
      if (taken.contains(priority)) {
        Rule r = byPriority.get(priority);
        throw new InvalidConfigurationException("preview priority " + priority + " is taken on listener " + listenerArn + " by rule "
            + r.ruleArn() + " (" + describeConditions(r) + "): choose a free one with priority(n), or leave it out for the first free one");
      }
      if (priority > limit) {
        throw new InvalidConfigurationException("preview priority " + priority + " comes after the production rule " + productionRuleArn
            + " (priority " + (limit + 1) + "), which would catch the preview's requests first: choose a priority below " + (limit + 1));
      }
      return priority;
    }
    for (int p = 1; p <= limit; p++) {
      if (!taken.contains(p)) {
        return p;
      }
    }
    throw new InvalidConfigurationException("no free priority before " + (limit + 1) + " on listener " + listenerArn + " (production rule "
        + productionRuleArn + "): move the production rule to a higher priority number to make room for the preview rule");
  }

  /** Production's actions, with its forward replaced by one to the target's group only; OIDC secrets as configured. */
  private List<Action> previewActions(List<Action> production, String targetGroup) {
    ForwardActions.Forward forward = ForwardActions.find(production, "the production actions of " + describe());
    List<Action> actions = new ArrayList<>();
    for (int i = 0; i < production.size(); i++) {
      Action a = production.get(i);
      if (i == forward.index()) {
        actions.add(Action.builder().type(ActionTypeEnum.FORWARD).order(a.order())
            .forwardConfig(ForwardActionConfig.builder().targetGroups(TargetGroupTuple.builder().targetGroupArn(targetGroup).weight(1).build())
                .build()).build());
      } else if (a.authenticateOidcConfig() != null) {
        if (oidcClientSecret == null) {
          throw new InvalidConfigurationException("production's actions authenticate with OIDC (issuer " + a.authenticateOidcConfig().issuer()
              + ") and ALB never returns that client secret, so a new rule cannot copy it: give it with oidcClientSecret(...)"
              + " (never printed)");
        }
        actions.add(a.toBuilder().authenticateOidcConfig(a.authenticateOidcConfig().toBuilder().clientSecret(oidcClientSecret)
            .useExistingClientSecret(null).build()).build());
      } else {
        actions.add(a);
      }
    }
    return List.copyOf(actions);
  }

  private PreviewEndpoint endpoint(PreviewRequest request, int rulePriority, Scene scene) {
    String where = "listener rule at priority " + rulePriority + " (" + selector() + ") -> " + shortName(targetGroups.get(request.environment()));
    PreviewEndpoint.Builder b = PreviewEndpoint.builder(request.environment(), where);
    URI base = frontDoor != null ? frontDoor : defaultFrontDoor(scene);
    if (host != null) {
      b.host(host);
      if (base != null) {
        b.url(withHost(base, host));
      }
    } else {
      b.header(headerName, headerValue);
      if (base != null) {
        b.url(base);
      }
    }
    return b.build();
  }

  private static URI defaultFrontDoor(Scene scene) {
    if (scene.dnsName() == null) {
      return null;
    }
    String protocol = scene.listener().protocolAsString();
    boolean tls = "HTTPS".equalsIgnoreCase(protocol);
    Integer port = scene.listener().port();
    boolean defaultPort = port == null || port == (tls ? 443 : 80);
    return URI.create((tls ? "https" : "http") + "://" + scene.dnsName() + (defaultPort ? "" : ":" + port) + "/");
  }

  private static URI withHost(URI base, String host) {
    try {
      return new URI(base.getScheme(), null, host, base.getPort(), base.getPath() == null || base.getPath().isEmpty() ? "/" : base.getPath(),
          null, null);
    } catch (URISyntaxException e) {
      throw new InvalidConfigurationException("cannot build a preview URL for host " + host + ": " + e.getMessage());
    }
  }

  private static String shortName(String targetGroupArn) {
    int i = targetGroupArn.indexOf(":targetgroup/");
    return i < 0 ? targetGroupArn : targetGroupArn.substring(i + 1);
  }

  // ------------------------------------------------------------------------------------- reading

  private Scene read() {
    List<Listener> listeners = call("DescribeListeners", () -> elb.describeListeners(r -> r.listenerArns(listenerArn)
        .overrideConfiguration(timeout)).listeners());
    if (listeners.isEmpty()) {
      throw RouterException.permanentFailure("listener " + listenerArn + " does not exist: check the router's ARN", null);
    }
    Listener listener = listeners.get(0);
    List<Rule> rules = rulesOf(listenerArn);
    Rule production = null;
    List<Action> productionActions = listener.defaultActions();
    if (productionRuleArn != null) {
      production = rules.stream().filter(r -> productionRuleArn.equals(r.ruleArn())).findFirst().orElseThrow(() ->
          RouterException.permanentFailure("listener rule " + productionRuleArn + " does not exist on listener " + listenerArn
              + ": check the router's ARN", null));
      productionActions = production.actions();
    }
    Map<String, Map<String, String>> tags = tagsOf(rules.stream().filter(r -> !Boolean.TRUE.equals(r.isDefault())).map(Rule::ruleArn).toList());
    int onLoadBalancer = 0;
    List<String> listenerArns = new ArrayList<>();
    String marker = null;
    do {
      String m = marker;
      var page = call("DescribeListeners", () -> elb.describeListeners(r -> r.loadBalancerArn(listener.loadBalancerArn()).marker(m)
          .overrideConfiguration(timeout)));
      page.listeners().forEach(l -> listenerArns.add(l.listenerArn()));
      marker = page.nextMarker();
    } while (marker != null);
    for (String arn : listenerArns) {
      List<Rule> ofListener = arn.equals(listenerArn) ? rules : rulesOf(arn);
      onLoadBalancer += (int) ofListener.stream().filter(r -> !Boolean.TRUE.equals(r.isDefault())).count();
    }
    List<LoadBalancer> lbs = call("DescribeLoadBalancers", () -> elb.describeLoadBalancers(r -> r.loadBalancerArns(listener.loadBalancerArn())
        .overrideConfiguration(timeout)).loadBalancers());
    String dns = lbs.isEmpty() ? null : lbs.get(0).dnsName();
    return new Scene(listener, rules, tags, production, productionActions, onLoadBalancer, dns);
  }

  private List<Rule> rulesOf(String listener) {
    List<Rule> rules = new ArrayList<>();
    String marker = null;
    do {
      String m = marker;
      DescribeRulesResponse page = call("DescribeRules", () -> elb.describeRules(r -> r.listenerArn(listener).marker(m).pageSize(400)
          .overrideConfiguration(timeout)));
      rules.addAll(page.rules());
      marker = page.nextMarker();
    } while (marker != null);
    return rules;
  }

  private Map<String, Map<String, String>> tagsOf(List<String> ruleArns) {
    Map<String, Map<String, String>> tags = new LinkedHashMap<>();
    for (int i = 0; i < ruleArns.size(); i += 20) {
      List<String> chunk = ruleArns.subList(i, Math.min(ruleArns.size(), i + 20));
      List<TagDescription> found = call("DescribeTags", () -> elb.describeTags(r -> r.resourceArns(chunk).overrideConfiguration(timeout))
          .tagDescriptions());
      for (TagDescription d : found) {
        Map<String, String> m = new LinkedHashMap<>();
        d.tags().forEach(t -> m.put(t.key(), t.value()));
        tags.put(d.resourceArn(), m);
      }
    }
    return tags;
  }

  private static List<RuleCondition> conditionsOf(Rule r) {
    // AWS returns both the legacy Values and the typed config of a condition: keep only the typed one to write it back
    List<RuleCondition> out = new ArrayList<>();
    for (RuleCondition c : r.conditions()) {
      boolean typed = c.hostHeaderConfig() != null || c.pathPatternConfig() != null || c.httpHeaderConfig() != null
          || c.queryStringConfig() != null || c.httpRequestMethodConfig() != null || c.sourceIpConfig() != null;
      out.add(typed && c.hasValues() ? c.toBuilder().values((List<String>) null).build() : c);
    }
    return out;
  }

  /** A comparable form of conditions: field and values (header names lower-cased), order ignored. */
  private static Set<String> conditionKeys(List<RuleCondition> conditions) {
    Set<String> keys = new TreeSet<>();
    for (RuleCondition c : conditions) {
      String name = c.httpHeaderConfig() != null ? c.httpHeaderConfig().httpHeaderName().toLowerCase(Locale.ROOT) + "=" : "";
      keys.add(c.field() + ":" + name + new TreeSet<>(valuesOf(c)));
    }
    return keys;
  }

  private static List<String> valuesOf(RuleCondition c) {
    if (c.hostHeaderConfig() != null) {
      return c.hostHeaderConfig().values();
    }
    if (c.pathPatternConfig() != null) {
      return c.pathPatternConfig().values();
    }
    if (c.httpHeaderConfig() != null) {
      return c.httpHeaderConfig().values();
    }
    if (c.httpRequestMethodConfig() != null) {
      return c.httpRequestMethodConfig().values();
    }
    if (c.sourceIpConfig() != null) {
      return c.sourceIpConfig().values();
    }
    if (c.queryStringConfig() != null) {
      return c.queryStringConfig().values().stream().map(kv -> kv.key() + "=" + kv.value()).toList();
    }
    return c.hasValues() ? c.values() : List.of();
  }

  private static int valueCount(RuleCondition c) {
    return Math.max(1, valuesOf(c).size());
  }

  private static List<String> hostValues(RuleCondition c) {
    return "host-header".equals(c.field()) ? valuesOf(c) : List.of();
  }

  private static boolean forwardsTo(Rule r, String targetGroup) {
    for (Action a : r.actions()) {
      if (a.type() == ActionTypeEnum.FORWARD) {
        if (targetGroup.equals(a.targetGroupArn())) {
          return true;
        }
        return a.forwardConfig() != null && a.forwardConfig().targetGroups().stream()
            .anyMatch(t -> targetGroup.equals(t.targetGroupArn()) && (t.weight() == null || t.weight() > 0));
      }
    }
    return false;
  }

  /** Conditions for messages: field names and, for headers, the header name only (a header value may be a secret). */
  private static String describeConditions(Rule r) {
    return r.conditions().stream().map(c -> c.httpHeaderConfig() != null ? "http-header " + c.httpHeaderConfig().httpHeaderName()
        : "host-header".equals(c.field()) || "path-pattern".equals(c.field()) ? c.field() + " " + String.join(",", valuesOf(c))
        : c.field()).collect(Collectors.joining(", "));
  }

  static String tagValue(String s) {
    String clean = TAG_VALUE_CHARS.matcher(s).replaceAll("_");
    return clean.length() > 256 ? clean.substring(0, 256) : clean;
  }

  private <T> T call(String operation, Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      List<String> secrets = secrets();
      String code = AwsFailures.errorCodeIn(e).orElse("").toLowerCase(Locale.ROOT);
      if (code.equals("priorityinuse")) {
        throw RouterException.permanentFailure("ALB refused the preview rule's priority (PriorityInUse): another rule took it meanwhile;"
            + " run the plan again (it picks the first free priority unless one is given) or choose another priority",
            AwsRedaction.redacted(e, secrets));
      }
      if (code.equals("toomanyrules")) {
        throw RouterException.permanentFailure("ALB refused the preview rule (TooManyRules): the load balancer is at its rules quota;"
            + " remove a rule or raise the quota (then set maxRules(n))", AwsRedaction.redacted(e, secrets));
      }
      throw AwsFailures.translate(operation, describe(), e, secrets);
    }
  }

  /** What no message may carry: the client's credentials, the preview header's value, the OIDC client secret. */
  private List<String> secrets() {
    List<String> secrets = new ArrayList<>(AwsRedaction.secretsOf(elb));
    if (headerValue != null) {
      secrets.add(headerValue);
    }
    if (oidcClientSecret != null) {
      secrets.add(oidcClientSecret);
    }
    return secrets;
  }

  @Override
  public String toString() {
    return "AlbPreviewRule{" + describe() + (priority == null ? "" : ", priority " + priority) + "}";
  }

  /**
   * Builds an {@link AlbPreviewRule}; {@link #build()} rejects, without calling AWS, a header ALB
   * would refuse, a wildcard, a host equal to the front door's, a priority out of range.
   *
   * <pre>{@code
   * AlbPreviewRule.builder(elb, router).host("preview.shop.example.com").priority(7).build();
   * }</pre>
   */
  public static final class Builder {
    private final ElasticLoadBalancingV2Client elb;
    private final String listenerArn;
    private final String productionRuleArn;
    private final String routeId;
    private final Map<Environment, String> targetGroups;
    private String headerName;
    private String headerValue;
    private String host;
    private Integer priority;
    private URI frontDoor;
    private int maxRules = 100;
    private String oidcClientSecret;
    private Duration callTimeout = Duration.ofSeconds(30);

    private Builder(ElasticLoadBalancingV2Client elb, String listenerArn, String productionRuleArn, String routeId,
        Map<Environment, String> targetGroups) {
      this.elb = Checks.notNull(elb, "ElasticLoadBalancingV2Client");
      this.listenerArn = listenerArn;
      this.productionRuleArn = productionRuleArn;
      this.routeId = routeId;
      this.targetGroups = Map.copyOf(targetGroups);
    }

    /**
     * Selects the preview by a request header ({@code http-header} condition).
     *
     * @param name up to 40 characters of an HTTP token, not {@code Host} (use {@link #host(String)})
     * @param value up to 128 of {@code A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & ( ) ! , ; =}; no wildcard; ALB compares it
     *     case-insensitively (never printed)
     * @return this builder
     */
    public Builder header(String name, String value) {
      Checks.notNull(name, "preview header name");
      if (!HEADER_NAME.matcher(name).matches()) {
        throw new InvalidConfigurationException("preview header name \"" + Checks.printable(name) + "\" would be refused by ALB: an"
            + " http-header condition takes 1-40 letters, digits and !#$%&'*+.^_`|~- (e.g. X-Preview)");
      }
      if (name.equalsIgnoreCase("host")) {
        throw new InvalidConfigurationException("preview header name Host cannot be an ALB http-header condition: use host(\"preview.example.com\")");
      }
      Checks.notNull(value, "preview header value");
      if (!HEADER_VALUE.matcher(value).matches()) {
        throw new InvalidConfigurationException("preview header value (" + value.length() + " characters, not shown) would be refused or"
            + " widened by ALB: use 1-128 of A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & ( ) ! , ; = (no space; '*' and '?' are wildcards)");
      }
      PreviewEndpoint.checkHeaderValue(value, "preview header value");
      if (host != null) {
        throw new InvalidConfigurationException("the preview is selected by host " + host + " already: use header(...) or host(...), not both");
      }
      this.headerName = name;
      this.headerValue = value;
      return this;
    }

    /**
     * Selects the preview by host name ({@code host-header} condition).
     *
     * @param host a DNS name of up to 128 characters, no wildcard, not the production host
     * @return this builder
     */
    public Builder host(String host) {
      Checks.notNull(host, "preview host");
      if (!HOST.matcher(host).matches()) {
        throw new InvalidConfigurationException("preview host \"" + Checks.printable(host) + "\" would be refused or widened by ALB: use a DNS"
            + " name of up to 128 letters, digits, '-' and '.', without wildcards (e.g. preview.shop.example.com)");
      }
      if (headerName != null) {
        throw new InvalidConfigurationException("the preview is selected by header " + headerName + " already: use header(...) or host(...), not both");
      }
      this.host = host.toLowerCase(Locale.ROOT);
      return this;
    }

    /** @param priority the preview rule's priority, 1..50000 (default: the first free one) @return this builder */
    public Builder priority(int priority) {
      if (priority < 1 || priority > MAX_PRIORITY) {
        throw new InvalidConfigurationException("preview priority " + priority + " is outside ALB's range 1.." + MAX_PRIORITY);
      }
      this.priority = priority;
      return this;
    }

    /**
     * @param url the URL users reach production at (default: the load balancer's DNS name with the
     *     listener's protocol and port); preview requests go there (with the preview host for a host preview)
     * @return this builder
     */
    public Builder frontDoor(URI url) {
      this.frontDoor = PreviewEndpoint.builder(Environment.of("check"), "check").url(Checks.notNull(url, "frontDoor")).build().url().orElseThrow();
      return this;
    }

    /** @param max the load balancer's rules quota, default rules excluded (default 100, ALB's default quota) @return this builder */
    public Builder maxRules(int max) {
      if (max < 1) {
        throw new InvalidConfigurationException("maxRules " + max + " must be at least 1");
      }
      this.maxRules = max;
      return this;
    }

    /** @param secret the client secret of production's authenticate-oidc action, which ALB never returns (never printed) @return this builder */
    public Builder oidcClientSecret(String secret) {
      this.oidcClientSecret = Checks.notBlank(secret, "oidcClientSecret");
      return this;
    }

    /** @param timeout bound on each AWS call (default 30 s) @return this builder */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = Checks.positive(timeout, "callTimeout");
      return this;
    }

    /** @return the preview route */
    public AlbPreviewRule build() {
      if (headerName == null && host == null) {
        throw new InvalidConfigurationException("the preview rule needs a selector: header(\"X-Preview\", value) or host(\"preview.example.com\")");
      }
      if (host != null && frontDoor != null && host.equalsIgnoreCase(frontDoor.getHost())) {
        throw new InvalidConfigurationException("preview host " + host + " is the production host of " + frontDoor
            + ": every user request would match the preview rule; choose another host, e.g. preview." + host);
      }
      return new AlbPreviewRule(this);
    }
  }
}
