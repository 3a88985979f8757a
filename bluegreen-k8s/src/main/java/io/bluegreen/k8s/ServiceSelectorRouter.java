package io.bluegreen.k8s;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.UnmappedRouteStateException;
import io.bluegreen.k8s.internal.KubeCalls;
import io.bluegreen.k8s.internal.KubeNames;
import io.bluegreen.k8s.internal.ReadyEndpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Switches a Kubernetes Service between environments by changing one key of its selector: the
 * Service {@code app-service} selecting {@code app=myapp, version=blue} is switched to green by
 * setting {@code version=green}; every other selector key stays as it is. Atomic-only: all traffic
 * goes to one environment.
 *
 * <pre>{@code
 * ServiceSelectorRouter router = ServiceSelectorRouter.builder(client)   // your fabric8 KubernetesClient
 *     .namespace("shop")
 *     .service("app-service")
 *     .selectorKey("version")                 // the default
 *     .environment(blue)                      // label value "blue" (the environment's name)
 *     .environment(green, "v2")               // or an explicit label value
 *     .build();
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>{@link #current()} reads the Service; a selector value that no environment maps to (or a
 *       selector without the key) is an {@link UnmappedRouteStateException} naming it, e.g. {@code
 *       selector version=red} (the router never guesses a split; a plan reports it as drift).</li>
 *   <li>{@link #apply(TrafficSplit)} reads the Service, and, if the selector must change, checks that
 *       the new selector matches at least one ready Pod, then writes one update carrying the
 *       resourceVersion it read. A conflict (HTTP 409) is re-read: if the selector changed, a
 *       {@link io.bluegreen.core.DriftDetectedException} stops the plan; if only other fields
 *       changed, the write is repeated once on the fresh version.</li>
 *   <li>{@link #preflight(TrafficSplit)} (read-only) fails if the Service is missing or the target
 *       selector matches no ready Pod (then as {@linkplain io.bluegreen.core.PreflightException#isNotReady()
 *       not ready yet}: a plan checks again within its gate grace). Readiness is counted on Pods (Ready condition, not being
 *       deleted): the EndpointSlices of the Service only show what it selects now, not what the new
 *       selector would select.</li>
 * </ul>
 *
 * <p>RBAC: {@code get, update} on {@code services}; {@code list} on {@code pods}.
 */
public final class ServiceSelectorRouter extends KubernetesObjectRouter<Service> {

  /** The selector key used unless {@link Builder#selectorKey(String)} says otherwise. */
  public static final String DEFAULT_SELECTOR_KEY = "version";

  private final String selectorKey;
  private final Map<Environment, String> labelValues;

  private ServiceSelectorRouter(Builder b, List<Environment> environments) {
    super(b.client, b.namespace, b.service, environments, RouterCapabilities.atomicOnly(), "service");
    this.selectorKey = b.selectorKey;
    this.labelValues = Map.copyOf(b.labelValues);
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

  /** @return the selector key this router switches */
  public String selectorKey() {
    return selectorKey;
  }

  /**
   * @param environment one of {@link #environments()}
   * @return the selector value that sends traffic to it
   */
  public String labelValueOf(Environment environment) {
    String value = labelValues.get(environment);
    if (value == null) {
      throw new InvalidConfigurationException("environment " + environment.name() + " is not routed by " + routeId());
    }
    return value;
  }

  @Override
  String kind() {
    return "Service";
  }

  @Override
  Service read() {
    return KubeCalls.call(client, KubeCalls.GET_SERVICE, object(), () -> client.services().inNamespace(namespace).withName(name).get());
  }

  @Override
  Service update(Service desired) {
    return client.services().inNamespace(namespace).resource(desired).update();
  }

  @Override
  KubeCalls.Op updateOp() {
    return KubeCalls.UPDATE_SERVICE;
  }

  @Override
  TrafficSplit splitOf(Service service) {
    Map<String, String> selector = selectorOf(service);
    if (selector.isEmpty()) {
      throw new UnmappedRouteStateException(object(), "no selector", "add one (e.g. app=myapp," + selectorKey + "="
          + labelValues.get(environments().get(0)) + ") or use a router for Services without selectors");
    }
    String value = selector.get(selectorKey);
    if (value == null) {
      throw new UnmappedRouteStateException(object(), "selector " + ReadyEndpoints.describe(selector) + " without " + selectorKey,
          "add " + selectorKey + "=<label value of the live environment> to its selector, or configure selectorKey(...) to the key"
          + " that names the environment");
    }
    for (Environment e : environments()) {
      if (labelValues.get(e).equals(value)) {
        List<Environment> others = new ArrayList<>(environments());
        others.remove(e);
        return TrafficSplit.allTo(e, others.toArray(new Environment[0])).orderedAs(environments());
      }
    }
    throw new UnmappedRouteStateException(object(), "selector " + selectorKey + "=" + value, "it is none of the mapped environments ("
        + mapping() + "): map that value to an environment with environment(env, \"" + value + "\") or put the selector back to"
        + " one of them by hand");
  }

  @Override
  Service withSplit(Service service, TrafficSplit target) {
    Environment to = target.soleTarget().orElseThrow();
    Service copy = copy(service);
    Map<String, String> selector = new LinkedHashMap<>(copy.getSpec().getSelector());
    selector.put(selectorKey, labelValues.get(to));
    copy.getSpec().setSelector(selector);
    return copy;
  }

  @Override
  String describeChange(Service service, TrafficSplit target) {
    return "spec.selector " + selectorKey + "=" + labelValues.get(target.soleTarget().orElseThrow());
  }

  @Override
  String describeKept(Service service) {
    Map<String, String> others = selectorOf(service);
    others.remove(selectorKey);
    return (others.isEmpty() ? "" : "the other selector keys (" + ReadyEndpoints.describe(others) + ") and ")
        + "every other field of the Service (ports, type, labels, annotations)";
  }

  @Override
  Object routingContent(Service service) {
    return selectorOf(service);
  }

  @Override
  String routingChange(Service before, Service after) {
    return "selector " + ReadyEndpoints.describe(selectorOf(before)) + " became " + ReadyEndpoints.describe(selectorOf(after));
  }

  @Override
  Optional<NotReady> notReady(Service service, Environment environment) {
    Map<String, String> selector = new LinkedHashMap<>(selectorOf(service));
    selector.put(selectorKey, labelValues.get(environment));
    ReadyEndpoints.Count count = ReadyEndpoints.forSelector(client, namespace, selector);
    if (count.ready() > 0) {
      return Optional.empty();
    }
    String shown = ReadyEndpoints.describe(selector);
    if (count.total() == 0) {
      return Optional.of(new NotReady(object() + " would select " + shown + " for environment " + environment.name()
          + ", but no Pod in namespace " + namespace + " has those labels: deploy " + environment.name()
          + " (with labels " + shown + ") and wait for it to become ready before switching", true));
    }
    return Optional.of(new NotReady(object() + " would select " + shown + " for environment " + environment.name() + ", but none of the "
        + count.total() + " Pods with those labels is ready: wait for " + environment.name() + " to become ready before switching", true));
  }

  private static Map<String, String> selectorOf(Service service) {
    if (service.getSpec() == null || service.getSpec().getSelector() == null) {
      return Map.of();
    }
    return new LinkedHashMap<>(service.getSpec().getSelector());
  }

  private String mapping() {
    return environments().stream().map(e -> e.name() + "->" + selectorKey + "=" + labelValues.get(e)).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return "ServiceSelectorRouter[" + object() + ", " + mapping() + "]";
  }

  /**
   * Builds a {@link ServiceSelectorRouter}; {@link #build()} validates every name and label against
   * Kubernetes syntax before any request is made.
   *
   * <pre>{@code
   * ServiceSelectorRouter router = ServiceSelectorRouter.builder(client)
   *     .namespace("default").service("app-service").environments(blue, green).build();
   * }</pre>
   */
  public static final class Builder {
    private final KubernetesClient client;
    private String namespace;
    private String service;
    private String selectorKey = DEFAULT_SELECTOR_KEY;
    private final Map<Environment, String> labelValues = new LinkedHashMap<>();

    private Builder(KubernetesClient client) {
      this.client = Checks.notNull(client, "client");
    }

    /**
     * @param namespace the Service's namespace (default: the client's namespace, else "default")
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = KubeNames.namespace(namespace, "namespace");
      return this;
    }

    /**
     * @param name the Service's name
     * @return this builder
     */
    public Builder service(String name) {
      this.service = KubeNames.serviceName(name, "service");
      return this;
    }

    /**
     * @param key the selector key whose value names the environment (default {@code version}); may
     *     have a prefix, e.g. {@code app.kubernetes.io/version}
     * @return this builder
     */
    public Builder selectorKey(String key) {
      this.selectorKey = KubeNames.labelKey(key, "selectorKey");
      return this;
    }

    /**
     * Routes {@code environment} by the selector value equal to its name.
     *
     * @param environment the environment
     * @return this builder
     */
    public Builder environment(Environment environment) {
      Checks.notNull(environment, "environment");
      return environment(environment, environment.name());
    }

    /**
     * @param environment the environment
     * @param labelValue the selector value that sends traffic to it
     * @return this builder
     */
    public Builder environment(Environment environment, String labelValue) {
      Checks.notNull(environment, "environment");
      KubeNames.labelValue(labelValue, "label value of environment " + environment.name());
      if (labelValues.containsKey(environment)) {
        throw new InvalidConfigurationException("environment " + environment.name() + " is mapped twice: map each environment once");
      }
      labelValues.put(environment, labelValue);
      return this;
    }

    /**
     * Routes each environment by the selector value equal to its name.
     *
     * @param environments the environments, in display order
     * @return this builder
     */
    public Builder environments(Environment... environments) {
      for (Environment e : Checks.notNull(environments, "environments")) {
        environment(e);
      }
      return this;
    }

    /** @return the router */
    public ServiceSelectorRouter build() {
      if (service == null) {
        throw new InvalidConfigurationException("service is not set: call service(\"<name of the Service to switch>\")");
      }
      if (labelValues.size() < 2) {
        throw new InvalidConfigurationException("ServiceSelectorRouter for " + service + " maps " + labelValues.size()
            + " environment(s): map at least two, e.g. environments(blue, green)");
      }
      Map<String, Environment> byValue = new LinkedHashMap<>();
      labelValues.forEach((env, value) -> {
        Environment clash = byValue.putIfAbsent(value, env);
        if (clash != null) {
          throw new InvalidConfigurationException("environments " + clash.name() + " and " + env.name() + " both map to "
              + selectorKey + "=" + value + ": give each environment its own label value");
        }
      });
      if (namespace == null) {
        namespace = defaultNamespace(client);
      }
      return new ServiceSelectorRouter(this, List.copyOf(labelValues.keySet()));
    }
  }

  static String defaultNamespace(KubernetesClient client) {
    String ns = client.getNamespace();
    return ns == null ? "default" : KubeNames.namespace(ns, "the client's namespace");
  }
}
