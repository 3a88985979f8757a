package io.bluegreen.k8s;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightReport;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.UnmappedRouteStateException;
import io.bluegreen.k8s.internal.KubeCalls;
import io.bluegreen.k8s.internal.KubeNames;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Moves traffic between environments in weighted stages through a Gateway API {@code HTTPRoute}
 * ({@code gateway.networking.k8s.io/v1}): each environment is a Service, and each managed rule's
 * {@code backendRefs} to those Services carry the split as weights. Other rules, other backendRefs,
 * matches and filters are left untouched.
 *
 * <pre>{@code
 * HttpRouteRouter router = HttpRouteRouter.builder(client)
 *     .namespace("shop")
 *     .httpRoute("app")
 *     .service(blue, "app-blue")
 *     .service(green, "app-green", 8080)     // port used if a backendRef to app-green must be added
 *     .build();
 * SwitchPlan.builder().router(router).from(blue).to(green)
 *     .schedule(StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100)).build().execute();
 * }</pre>
 *
 * <h2>Weights</h2>
 * The router writes each environment's percent (0..100) as its backendRef weight, so an HTTPRoute it
 * wrote reads back exactly. When reading a route written by someone else, weights are normalised to
 * percents only if that is exact ({@code 1} and {@code 3} read as 25/75; a missing weight counts as
 * 1, as the Gateway API says); weights that are not whole percents ({@code 1} and {@code 2}) are
 * reported as an error naming them, never rounded. An environment without a backendRef reads as 0;
 * a backendRef is added (with the configured port, or the port of another environment's backendRef
 * in the rule) only when its environment must receive traffic; at 0 an existing backendRef keeps
 * weight 0 rather than being removed, so the split can go back exactly.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Managed rules: every rule with a backendRef to an environment's Service, or only the rules
 *       named with {@link Builder#rule(String)}. All managed rules must hold the same split.</li>
 *   <li>{@link #current()} throws an {@link UnmappedRouteStateException} describing the weights when
 *       the route holds a state no environment maps to (all weight on another Service, e.g. {@code
 *       weights app-red=100 docs=1}; no weight at all; managed rules that disagree); a plan reports it
 *       as drift.</li>
 *   <li>{@link #apply(TrafficSplit)} checks that every environment whose weight grows has an existing
 *       Service with a ready endpoint, then writes one update carrying the resourceVersion it read;
 *       conflicts are handled as in every router of this module.</li>
 *   <li>{@link #verify(TrafficSplit)} reads the route back, and says PENDING while a Gateway controller
 *       that reports status has not yet observed the written generation or reports
 *       {@code ResolvedRefs=False} for it.</li>
 * </ul>
 *
 * <p>RBAC: {@code get, update} on {@code gateway.networking.k8s.io/httproutes}; {@code get} on
 * {@code services}; {@code list} on {@code discovery.k8s.io/endpointslices} and {@code pods}.
 */
public final class HttpRouteRouter extends KubernetesObjectRouter<HTTPRoute> {

  private static final int MAX_WEIGHT = 1_000_000;
  /** The most backendRefs an HTTPRoute rule may have (Gateway API CRD, maxItems). */
  private static final int MAX_BACKEND_REFS = 16;

  private final Map<Environment, String> services;
  private final Map<Environment, Integer> ports;
  private final Set<String> ruleNames;

  private HttpRouteRouter(Builder b, List<Environment> environments) {
    super(b.client, b.namespace, b.route, environments, RouterCapabilities.weighted(), "httproute");
    this.services = Map.copyOf(b.services);
    this.ports = Map.copyOf(b.ports);
    this.ruleNames = Set.copyOf(b.ruleNames);
  }

  /**
   * Starts a builder.
   *
   * @param client the fabric8 client to use (not closed by the router)
   * @return a builder
   */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  /**
   * @param environment one of {@link #environments()}
   * @return the name of its Service
   */
  public String serviceOf(Environment environment) {
    String s = services.get(environment);
    if (s == null) {
      throw new InvalidConfigurationException("environment " + environment.name() + " is not routed by " + routeId());
    }
    return s;
  }

  @Override
  String kind() {
    return "HTTPRoute";
  }

  @Override
  HTTPRoute read() {
    return KubeCalls.call(client, KubeCalls.GET_HTTPROUTE, object(),
        () -> client.resources(HTTPRoute.class).inNamespace(namespace).withName(name).get());
  }

  @Override
  HTTPRoute update(HTTPRoute desired) {
    return client.resources(HTTPRoute.class).inNamespace(namespace).resource(desired).update();
  }

  @Override
  KubeCalls.Op updateOp() {
    return KubeCalls.UPDATE_HTTPROUTE;
  }

  /** A managed rule: its position and the rule itself. */
  private record ManagedRule(int index, HTTPRouteRule rule) {
    String label() {
      return "rule #" + index + (rule.getName() == null ? "" : " (" + rule.getName() + ")");
    }
  }

  private List<ManagedRule> managedRules(HTTPRoute route) {
    List<ManagedRule> found = new ArrayList<>();
    List<HTTPRouteRule> rules = route.getSpec() == null ? List.of() : route.getSpec().getRules();
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      HTTPRouteRule rule = rules.get(i);
      if (HttpRoutePreview.isPreviewRule(rule)) {
        continue; // the preview's rule (HttpRoutePreview) is not production
      }
      boolean selected = ruleNames.isEmpty()
          ? rule.getBackendRefs().stream().anyMatch(r -> environmentOf(r) != null)
          : rule.getName() != null && ruleNames.contains(rule.getName());
      if (selected) {
        found.add(new ManagedRule(i, rule));
        if (rule.getName() != null) {
          seen.add(rule.getName());
        }
      }
    }
    for (String wanted : ruleNames) {
      if (!seen.contains(wanted)) {
        throw RouterException.permanentFailure(object() + " has no rule named " + wanted
            + ": fix rule(...) in the router's configuration or name the rule in the HTTPRoute", null);
      }
    }
    if (found.isEmpty()) {
      throw new UnmappedRouteStateException(object(), "weights " + allWeights(rules), "no rule has a backendRef to "
          + String.join(" or ", serviceNames()) + ": add a backendRef to the live environment's Service, or fix the router's service mapping");
    }
    return found;
  }

  /** @return the managed rules, for {@link HttpRoutePreview} to copy */
  List<HTTPRouteRule> productionRules(HTTPRoute route) {
    return managedRules(route).stream().map(ManagedRule::rule).toList();
  }

  /** @return the port configured for the environment's Service, or null */
  Integer configuredPort(Environment environment) {
    return ports.get(environment);
  }

  private Environment environmentOf(HTTPBackendRef ref) {
    boolean isService = (ref.getKind() == null || "Service".equals(ref.getKind())) && (ref.getGroup() == null || ref.getGroup().isEmpty());
    boolean sameNamespace = ref.getNamespace() == null || namespace.equals(ref.getNamespace());
    if (!isService || !sameNamespace) {
      return null;
    }
    for (Environment e : environments()) {
      if (services.get(e).equals(ref.getName())) {
        return e;
      }
    }
    return null;
  }

  private Map<Environment, HTTPBackendRef> refsOf(ManagedRule managed) {
    Map<Environment, HTTPBackendRef> refs = new LinkedHashMap<>();
    for (HTTPBackendRef ref : managed.rule().getBackendRefs()) {
      Environment env = environmentOf(ref);
      if (env != null && refs.put(env, ref) != null) {
        throw RouterException.permanentFailure(object() + " " + managed.label() + " lists Service " + ref.getName()
            + " twice: merge those backendRefs into one", null);
      }
    }
    return refs;
  }

  private static int weightOf(HTTPBackendRef ref) {
    // Gateway API: weight defaults to 1 when omitted
    return ref.getWeight() == null ? 1 : ref.getWeight();
  }

  private TrafficSplit splitOf(ManagedRule managed) {
    Map<Environment, HTTPBackendRef> refs = refsOf(managed);
    long total = 0;
    for (HTTPBackendRef ref : refs.values()) {
      int w = weightOf(ref);
      if (w < 0 || w > MAX_WEIGHT) {
        throw RouterException.permanentFailure(object() + " " + managed.label() + " gives Service " + ref.getName() + " weight " + w
            + ", outside 0.." + MAX_WEIGHT + ": fix the weight", null);
      }
      total += w;
    }
    if (total == 0) {
      throw new UnmappedRouteStateException(object(), "weights " + allWeights(List.of(managed.rule())) + " in " + managed.label(),
          "no environment has any weight: give the live environment's backendRef a weight");
    }
    TrafficSplit.Builder split = TrafficSplit.builder();
    for (Environment e : environments()) {
      HTTPBackendRef ref = refs.get(e);
      long w = ref == null ? 0 : weightOf(ref);
      if (w * 100 % total != 0) {
        throw new UnmappedRouteStateException(object(), "weights " + describeWeights(refs) + " in " + managed.label(),
            "they are not whole percents of their sum " + total + ": set weights that are percents summing to 100"
            + " (this router writes them that way) before switching");
      }
      split.put(e, (int) (w * 100 / total));
    }
    return split.build();
  }

  /** @return every backendRef's weight in {@code rules}, e.g. "app-red=100 docs=1" */
  private static String allWeights(List<HTTPRouteRule> rules) {
    String all = rules.stream().flatMap(r -> r.getBackendRefs().stream()).map(r -> r.getName() + "=" + weightOf(r))
        .collect(Collectors.joining(" "));
    return all.isEmpty() ? "(no backendRefs)" : all;
  }

  private String describeWeights(Map<Environment, HTTPBackendRef> refs) {
    return environments().stream().map(e -> services.get(e) + "=" + (refs.containsKey(e) ? String.valueOf(weightOf(refs.get(e))) : "absent"))
        .collect(Collectors.joining(" "));
  }

  @Override
  TrafficSplit splitOf(HTTPRoute route) {
    TrafficSplit first = null;
    ManagedRule firstRule = null;
    for (ManagedRule managed : managedRules(route)) {
      TrafficSplit s = splitOf(managed);
      if (first == null) {
        first = s;
        firstRule = managed;
      } else if (!first.equals(s)) {
        throw new UnmappedRouteStateException(object(), "different splits in its managed rules (" + firstRule.label() + ": "
            + first + ", " + managed.label() + ": " + s + ")", "make them equal by hand, or manage one rule with rule(...)");
      }
    }
    return first;
  }

  @Override
  HTTPRoute withSplit(HTTPRoute route, TrafficSplit target) {
    HTTPRoute copy = copy(route);
    for (ManagedRule managed : managedRules(copy)) {
      Map<Environment, HTTPBackendRef> refs = refsOf(managed);
      for (Environment e : environments()) {
        int w = target.weightOf(e);
        HTTPBackendRef ref = refs.get(e);
        if (ref != null) {
          ref.setWeight(w);
        } else if (w > 0) {
          if (managed.rule().getBackendRefs().size() >= MAX_BACKEND_REFS) {
            throw RouterException.permanentFailure("cannot add a backendRef to Service " + services.get(e) + " in " + object() + " "
                + managed.label() + ": it has " + managed.rule().getBackendRefs().size() + " backendRefs, the most the Gateway API allows"
                + " in a rule (the API server would refuse the write): remove one, or add " + services.get(e) + " with weight 0 by hand", null);
          }
          managed.rule().getBackendRefs().add(new HTTPBackendRefBuilder()
              .withName(services.get(e)).withPort(portFor(e, managed, refs)).withWeight(w).build());
        }
      }
    }
    return copy;
  }

  private Integer portFor(Environment e, ManagedRule managed, Map<Environment, HTTPBackendRef> refs) {
    Integer port = ports.get(e);
    if (port != null) {
      return port;
    }
    for (HTTPBackendRef other : refs.values()) {
      if (other.getPort() != null) {
        return other.getPort();
      }
    }
    throw RouterException.permanentFailure("cannot add a backendRef to Service " + services.get(e) + " in " + object() + " "
        + managed.label() + ": no port is known; configure service(" + e.name() + ", \"" + services.get(e) + "\", <port>)", null);
  }

  @Override
  String describeChange(HTTPRoute route, TrafficSplit target) {
    List<ManagedRule> managed = managedRules(route);
    return "the backendRef weights of " + managed.stream().map(ManagedRule::label).collect(Collectors.joining(", ")) + " set to "
        + environments().stream().map(e -> services.get(e) + "=" + target.weightOf(e)).collect(Collectors.joining(", "));
  }

  @Override
  String describeKept(HTTPRoute route) {
    int rules = route.getSpec() == null ? 0 : route.getSpec().getRules().size();
    int managed = managedRules(route).size();
    return (rules > managed ? "the other " + (rules - managed) + " rule" + (rules - managed == 1 ? "" : "s") + ", " : "")
        + "matches, filters, backendRefs to other Services, parentRefs, hostnames and every other field of the HTTPRoute";
  }

  @Override
  Object routingContent(HTTPRoute route) {
    return route.getSpec() == null ? null : route.getSpec().getRules();
  }

  @Override
  String routingChange(HTTPRoute before, HTTPRoute after) {
    return "its rules changed";
  }

  @Override
  Optional<NotReady> notReady(HTTPRoute route, Environment environment) {
    return ServiceReadiness.problem(client, namespace, services.get(environment), environment);
  }

  @Override
  void addNotices(HTTPRoute route, TrafficSplit target, PreflightReport.Builder report) {
    for (ManagedRule managed : managedRules(route)) {
      for (HTTPBackendRef ref : managed.rule().getBackendRefs()) {
        if (environmentOf(ref) == null && weightOf(ref) > 0) {
          report.notice(object() + " " + managed.label() + " also sends traffic to " + (ref.getKind() == null ? "Service" : ref.getKind())
              + " " + ref.getName() + " (weight " + weightOf(ref) + "); the split applies to the environments' share only");
        }
      }
    }
  }

  @Override
  Optional<String> pendingReason(HTTPRoute route, TrafficSplit expected) {
    Long generation = route.getMetadata().getGeneration();
    if (generation == null || route.getStatus() == null) {
      return Optional.empty();
    }
    for (RouteParentStatus parent : route.getStatus().getParents()) {
      for (Condition c : parent.getConditions()) {
        if (c.getObservedGeneration() != null && c.getObservedGeneration() < generation) {
          return Optional.of(object() + " generation " + generation + " not yet observed by " + parent.getControllerName()
              + " (its " + c.getType() + " condition is for generation " + c.getObservedGeneration() + ")");
        }
        if ("ResolvedRefs".equals(c.getType()) && "False".equals(c.getStatus())) {
          return Optional.of(object() + " backendRefs not resolved by " + parent.getControllerName() + ": " + c.getReason()
              + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")"));
        }
      }
    }
    return Optional.empty();
  }

  private List<String> serviceNames() {
    return environments().stream().map(services::get).toList();
  }

  @Override
  public String toString() {
    return "HttpRouteRouter[" + object() + ", " + environments().stream().map(e -> e.name() + "->" + services.get(e))
        .collect(Collectors.joining(", ")) + (ruleNames.isEmpty() ? "" : ", rules " + ruleNames) + "]";
  }

  /**
   * Builds an {@link HttpRouteRouter}; {@link #build()} validates every name against Kubernetes
   * syntax before any request is made.
   *
   * <pre>{@code
   * HttpRouteRouter router = HttpRouteRouter.builder(client)
   *     .namespace("default").httpRoute("app").service(blue, "app-blue").service(green, "app-green").build();
   * }</pre>
   */
  public static final class Builder extends ServiceBackendsBuilder<Builder> {
    private String route;
    private final Map<Environment, Integer> ports = new LinkedHashMap<>();
    private final Set<String> ruleNames = new LinkedHashSet<>();

    private Builder(KubernetesClient client) {
      super(client);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * @param name the HTTPRoute's name
     * @return this builder
     */
    public Builder httpRoute(String name) {
      this.route = KubeNames.objectName(name, "httpRoute");
      return this;
    }

    /**
     * @param environment an environment
     * @param serviceName the Service that serves it
     * @param port the Service port to use when the router has to add a backendRef for it (1..65535)
     * @return this builder
     */
    public Builder service(Environment environment, String serviceName, int port) {
      if (port < 1 || port > 65535) {
        throw new InvalidConfigurationException("port " + port + " of Service " + Checks.printable(serviceName)
            + " is invalid: use 1..65535");
      }
      service(environment, serviceName);
      ports.put(environment, port);
      return this;
    }

    /**
     * Manages only the rule with this {@code name} (call again for more). Without any call, every rule
     * with a backendRef to an environment's Service is managed.
     *
     * @param ruleName the rule's {@code name} field (a DNS subdomain, as the Gateway API CRD requires: "app", "app.v2")
     * @return this builder
     */
    public Builder rule(String ruleName) {
      ruleNames.add(KubeNames.dnsSubdomain(ruleName, "rule", "HTTPRoute rule", "app"));
      return this;
    }

    /** @return the router */
    public HttpRouteRouter build() {
      return new HttpRouteRouter(this, checkBackends("HttpRouteRouter", "HTTPRoute", route, "httpRoute"));
    }
  }
}
