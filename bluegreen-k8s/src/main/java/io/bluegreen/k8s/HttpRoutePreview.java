package io.bluegreen.k8s;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.core.preview.PreviewRequest;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatchBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatchBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A preview route in a Gateway API {@code HTTPRoute}: for each rule the {@link HttpRouteRouter}
 * manages, one more rule with the same matches plus an exact match on a request header, the same
 * filters, and one backendRef: the target environment's Service. The Gateway API gives a match with
 * more header matches precedence over the same match without, so requests carrying the header go to
 * the target and every other request goes where production goes. The preview rules are named
 * {@code bluegreen-preview}, {@code bluegreen-preview-2}, ... and the router ignores them: its
 * {@code current()} is the same with the preview open.
 *
 * <pre>{@code
 * HttpRouteRouter router = HttpRouteRouter.builder(client).namespace("shop").httpRoute("app")
 *     .service(blue, "app-blue").service(green, "app-green").build();
 * SwitchPlan.builder().router(router).from(blue).to(green)
 *     .preview(HttpRoutePreview.builder(router).header("X-Preview", "green")
 *         .frontDoor(URI.create("https://shop.example.com/")).build())
 *     .previewGate(PreviewHttpGate.path("/health"))
 *     .build().execute();
 * }</pre>
 *
 * <p>Preflight (read-only) refuses what the API server or the Gateway API CRD would reject — more than
 * 16 rules, more than 128 matches in the route, more than 64 in a rule, a header name outside the
 * CRD's pattern — a rule named {@code bluegreen-preview} that bluegreen did not create, another rule
 * already matching the same header and value, and a target Service without ready endpoints. The
 * preview is added and removed with one update of the HTTPRoute guarded by its resourceVersion;
 * annotations {@code preview.bluegreen.io/httproute-rules} and {@code preview.bluegreen.io/owner}
 * mark it, so that a run after a crash finds and removes it. RBAC: what the router has ({@code get,
 * update} on httproutes).
 */
public final class HttpRoutePreview extends KubernetesObjectPreview<HTTPRoute> {

  /** The name of the first preview rule; more are {@code bluegreen-preview-2}, ... */
  public static final String RULE_NAME = "bluegreen-preview";
  static final String RULES_ANNOTATION = "preview.bluegreen.io/httproute-rules";
  private static final int MAX_RULES = 16;
  private static final int MAX_MATCHES_PER_RULE = 64;
  private static final int MAX_MATCHES = 128;
  private static final int MAX_HEADER_MATCHES = 16;

  private final HttpRouteRouter httpRoutes;
  private final String headerName;
  private final String headerValue;
  private final URI frontDoor;

  private HttpRoutePreview(Builder b) {
    super(b.router);
    this.httpRoutes = b.router;
    this.headerName = b.headerName;
    this.headerValue = b.headerValue;
    this.frontDoor = b.frontDoor;
  }

  /**
   * @param router the production router of the HTTPRoute
   * @return a builder
   */
  public static Builder builder(HttpRouteRouter router) {
    return new Builder(Checks.notNull(router, "router"));
  }

  /**
   * @param rule a rule of an HTTPRoute
   * @return whether it is a preview rule ({@code bluegreen-preview} or {@code bluegreen-preview-<n>})
   */
  public static boolean isPreviewRule(HTTPRouteRule rule) {
    String name = rule.getName();
    return name != null && (name.equals(RULE_NAME) || name.matches(RULE_NAME + "-[0-9]+"));
  }

  @Override
  String selector() {
    return "header " + headerName;
  }

  @Override
  String markerAnnotation() {
    return RULES_ANNOTATION;
  }

  @Override
  String markerValue() {
    return RULE_NAME;
  }

  @Override
  void checkConflicts(HTTPRoute route, PreviewRequest request) {
    for (HTTPRouteRule rule : rulesOf(route)) {
      if (isPreviewRule(rule)) {
        throw new InvalidConfigurationException(router.object() + " has a rule named " + rule.getName() + " that bluegreen did not create"
            + " (no " + RULES_ANNOTATION + " annotation): rename or remove it; that name is the preview's");
      }
      for (HTTPRouteMatch m : rule.getMatches()) {
        for (HTTPHeaderMatch h : m.getHeaders()) {
          if (headerName.equalsIgnoreCase(h.getName()) && headerValue.equals(h.getValue())) {
            throw new InvalidConfigurationException(router.object() + " rule " + (rule.getName() == null ? "(unnamed)" : rule.getName())
                + " already matches header " + headerName + " with the preview's value: choose another header or value");
          }
        }
      }
    }
  }

  @Override
  void addPreview(HTTPRoute route, PreviewRequest request) {
    Environment target = request.environment();
    String service = httpRoutes.serviceOf(target);
    List<HTTPRouteRule> production = httpRoutes.productionRules(route);
    List<HTTPRouteRule> previews = new ArrayList<>();
    for (HTTPRouteRule rule : production) {
      List<HTTPRouteMatch> matches = new ArrayList<>();
      List<HTTPRouteMatch> source = rule.getMatches().isEmpty() ? List.of(new HTTPRouteMatch()) : rule.getMatches();
      for (HTTPRouteMatch m : source) {
        List<HTTPHeaderMatch> headers = new ArrayList<>();
        for (HTTPHeaderMatch h : m.getHeaders()) {
          if (!headerName.equalsIgnoreCase(h.getName())) {
            headers.add(h);
          }
        }
        headers.add(new HTTPHeaderMatchBuilder().withType("Exact").withName(headerName).withValue(headerValue).build());
        if (headers.size() > MAX_HEADER_MATCHES) {
          throw new InvalidConfigurationException(router.object() + " has a match with " + (headers.size() - 1) + " header matches: the"
              + " preview's would exceed the Gateway API's " + MAX_HEADER_MATCHES);
        }
        matches.add(new HTTPRouteMatchBuilder(m).withHeaders(headers).build());
      }
      if (matches.size() > MAX_MATCHES_PER_RULE) {
        throw new InvalidConfigurationException(router.object() + " has a rule with " + matches.size() + " matches: more than the "
            + MAX_MATCHES_PER_RULE + " a preview rule may have");
      }
      HTTPBackendRef ref = new HTTPBackendRefBuilder().withName(service).withPort(portFor(target, rule)).withWeight(1).build();
      String name = previews.isEmpty() ? RULE_NAME : RULE_NAME + "-" + (previews.size() + 1);
      previews.add(new HTTPRouteRuleBuilder().withName(name).withMatches(matches).withFilters(rule.getFilters())
          .withTimeouts(rule.getTimeouts()).withBackendRefs(ref).build());
    }
    List<HTTPRouteRule> rules = new ArrayList<>(rulesOf(route));
    if (rules.size() + previews.size() > MAX_RULES) {
      throw new InvalidConfigurationException(router.object() + " has " + rules.size() + " rules; the preview needs " + previews.size()
          + " more, past the Gateway API's limit of " + MAX_RULES + " (the API server would refuse the update): remove a rule, or manage"
          + " fewer with HttpRouteRouter.Builder.rule(...)");
    }
    rules.addAll(previews);
    int total = rules.stream().mapToInt(r -> r.getMatches().size()).sum();
    if (total > MAX_MATCHES) {
      throw new InvalidConfigurationException(router.object() + " would have " + total + " matches with the preview, past the Gateway"
          + " API's limit of " + MAX_MATCHES + " per route (the API server would refuse the update): simplify the route's matches");
    }
    route.getSpec().setRules(rules);
  }

  private Integer portFor(Environment target, HTTPRouteRule rule) {
    String service = httpRoutes.serviceOf(target);
    Integer any = null;
    for (HTTPBackendRef ref : rule.getBackendRefs()) {
      if (service.equals(ref.getName()) && ref.getPort() != null) {
        return ref.getPort();
      }
      if (any == null) {
        any = ref.getPort();
      }
    }
    Integer configured = httpRoutes.configuredPort(target);
    if (configured != null) {
      return configured;
    }
    if (any == null) {
      throw new InvalidConfigurationException("no port is known for Service " + service + " in " + router.object()
          + ": configure the router with service(" + target.name() + ", \"" + service + "\", <port>)");
    }
    return any;
  }

  @Override
  boolean removePreview(HTTPRoute route, String marker) {
    List<HTTPRouteRule> rules = new ArrayList<>(rulesOf(route));
    boolean removed = rules.removeIf(HttpRoutePreview::isPreviewRule);
    if (route.getSpec() != null) {
      route.getSpec().setRules(rules);
    }
    return removed;
  }

  @Override
  String describeRemoved(String marker) {
    return "rules " + marker + "*";
  }

  private static List<HTTPRouteRule> rulesOf(HTTPRoute route) {
    return route.getSpec() == null ? List.of() : route.getSpec().getRules();
  }

  @Override
  PreviewEndpoint endpoint(PreviewRequest request) {
    PreviewEndpoint.Builder b = PreviewEndpoint.builder(request.environment(), "HTTPRoute " + router.namespace + "/" + router.name
        + " rule " + RULE_NAME + ": header " + headerName + " -> Service " + httpRoutes.serviceOf(request.environment()))
        .header(headerName, headerValue);
    if (frontDoor != null) {
      b.url(frontDoor);
    }
    return b.build();
  }

  /**
   * Builds an {@link HttpRoutePreview}; {@link #build()} checks the header against the Gateway API
   * CRD's rules without calling the API server.
   *
   * <pre>{@code
   * HttpRoutePreview.builder(router).header("X-Preview", "green").frontDoor(URI.create("https://shop.example.com/")).build();
   * }</pre>
   */
  public static final class Builder {
    private final HttpRouteRouter router;
    private String headerName;
    private String headerValue;
    private URI frontDoor;

    private Builder(HttpRouteRouter router) {
      this.router = router;
    }

    /**
     * @param name the header to match exactly (an HTTP token of up to 256 characters, as the CRD requires; not Host)
     * @param value its value (1-4096 characters; never printed)
     * @return this builder
     */
    public Builder header(String name, String value) {
      PreviewEndpoint.checkHeaderName(name, "preview header name");
      if (name.toLowerCase(Locale.ROOT).equals("host")) {
        throw new InvalidConfigurationException("preview header name Host cannot select a rule of an HTTPRoute (hostnames are the"
            + " route's): use another header, e.g. X-Preview");
      }
      this.headerValue = PreviewEndpoint.checkHeaderValue(value, "preview header value");
      this.headerName = name;
      return this;
    }

    /** @param url where users reach production through the Gateway; preview requests go there with the header @return this builder */
    public Builder frontDoor(URI url) {
      this.frontDoor = PreviewEndpoint.builder(Environment.of("check"), "check").url(Checks.notNull(url, "frontDoor")).build().url()
          .orElseThrow();
      return this;
    }

    /** @return the preview route */
    public HttpRoutePreview build() {
      if (headerName == null) {
        throw new InvalidConfigurationException("the HTTPRoute preview needs a header: call header(\"X-Preview\", value)");
      }
      return new HttpRoutePreview(this);
    }
  }
}
