package io.bluegreen.k8s;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.UnmappedRouteStateException;
import io.bluegreen.k8s.internal.KubeCalls;
import io.bluegreen.k8s.internal.KubeNames;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Switches a {@code networking.k8s.io/v1} Ingress between environments by pointing its backends at
 * another Service: {@code app-blue} becomes {@code app-green} on every managed path, keeping the
 * port, path, path type and everything else. Atomic-only.
 *
 * <pre>{@code
 * IngressBackendRouter router = IngressBackendRouter.builder(client)
 *     .namespace("shop")
 *     .ingress("app")
 *     .service(blue, "app-blue")
 *     .service(green, "app-green")
 *     .path("shop.example.com", "/")          // optional: only this path (default: every path on app-blue or app-green)
 *     .build();
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Managed backends: by default every path whose backend is one of the environments' Services, and
 *       the Ingress's {@code defaultBackend} if it is one of them; with {@link Builder#path(String, String)}
 *       (and {@link Builder#defaultBackend()}) only those. All managed backends must point at the same
 *       environment, else {@link #current()} throws an {@link UnmappedRouteStateException} naming them
 *       (as it does when no backend points at an environment's Service: e.g. {@code backends
 *       shop.example.com/ -> app-red, ...}); a plan reports it as drift.</li>
 *   <li>{@link #apply(TrafficSplit)} checks that the target Service exists and has a ready endpoint
 *       (EndpointSlices, falling back to ready Pods for a Service without slices), then writes one
 *       update carrying the resourceVersion it read; conflicts are handled as in every router of this
 *       module (drift if the rules changed, one retry otherwise). All environments' Services must serve
 *       the port the managed paths use.</li>
 *   <li>{@link #verify(TrafficSplit)} reads the Ingress back. The Ingress controller applies the change
 *       asynchronously; pair the plan with a health gate that goes through the Ingress.</li>
 * </ul>
 *
 * <p>RBAC: {@code get, update} on {@code networking.k8s.io/ingresses}; {@code get} on {@code services};
 * {@code list} on {@code discovery.k8s.io/endpointslices} and {@code pods}.
 */
public final class IngressBackendRouter extends KubernetesObjectRouter<Ingress> {

  private static final Pattern PATH = Pattern.compile("/[\\p{Graph}]{0,1023}");
  private static final String DEFAULT_BACKEND = "(defaultBackend)";

  private final Map<Environment, String> services;
  private final Set<String> selectedPaths;

  private IngressBackendRouter(Builder b, List<Environment> environments) {
    super(b.client, b.namespace, b.ingress, environments, RouterCapabilities.atomicOnly(), "ingress");
    this.services = Map.copyOf(b.services);
    this.selectedPaths = Set.copyOf(b.paths);
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
    return "Ingress";
  }

  @Override
  Ingress read() {
    return KubeCalls.call(client, KubeCalls.GET_INGRESS, object(),
        () -> client.network().v1().ingresses().inNamespace(namespace).withName(name).get());
  }

  @Override
  Ingress update(Ingress desired) {
    return client.network().v1().ingresses().inNamespace(namespace).resource(desired).update();
  }

  @Override
  KubeCalls.Op updateOp() {
    return KubeCalls.UPDATE_INGRESS;
  }

  /** A backend the router manages, and where it is. */
  private record Managed(String where, IngressBackend backend) {
  }

  private List<Managed> managed(Ingress ingress) {
    List<Managed> found = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    if (ingress.getSpec() == null) {
      return found;
    }
    IngressBackend def = ingress.getSpec().getDefaultBackend();
    if (def != null && isSelected(DEFAULT_BACKEND, def)) {
      found.add(new Managed(DEFAULT_BACKEND, def));
      seen.add(DEFAULT_BACKEND);
    }
    String previewHost = IngressPreview.previewHostOf(ingress);
    for (IngressRule rule : ingress.getSpec().getRules()) {
      if (rule.getHttp() == null || (previewHost != null && previewHost.equals(rule.getHost()))) {
        continue; // the preview's rule (IngressPreview) is not production
      }
      for (HTTPIngressPath path : rule.getHttp().getPaths()) {
        String where = location(rule.getHost(), path.getPath());
        if (path.getBackend() != null && isSelected(where, path.getBackend())) {
          found.add(new Managed(where, path.getBackend()));
          seen.add(where);
        }
      }
    }
    for (String wanted : selectedPaths) {
      if (!seen.contains(wanted)) {
        throw RouterException.permanentFailure(object() + " has no " + (wanted.equals(DEFAULT_BACKEND) ? "defaultBackend"
            : "path " + wanted) + ": fix path(...) in the router's configuration or add it to the Ingress", null);
      }
    }
    return found;
  }

  /** @return the managed backends (paths and the defaultBackend), for {@link IngressPreview} to copy */
  List<IngressBackend> productionBackends(Ingress ingress, List<String> where) {
    List<IngressBackend> backends = new ArrayList<>();
    for (Managed m : managed(ingress)) {
      where.add(m.where());
      backends.add(m.backend());
    }
    return backends;
  }

  private boolean isSelected(String where, IngressBackend backend) {
    if (!selectedPaths.isEmpty()) {
      return selectedPaths.contains(where);
    }
    return backend.getService() != null && services.containsValue(backend.getService().getName());
  }

  private static String location(String host, String path) {
    return (host == null || host.isEmpty() ? "*" : host) + (path == null ? "" : path);
  }

  @Override
  TrafficSplit splitOf(Ingress ingress) {
    List<Managed> managed = managed(ingress);
    if (managed.isEmpty()) {
      throw new UnmappedRouteStateException(object(), "backends " + backends(ingress), "none points at "
          + String.join(" or ", serviceNames()) + ": point a path at the live environment's Service, or fix the router's service mapping");
    }
    Map<Environment, List<String>> byEnvironment = new LinkedHashMap<>();
    for (Managed m : managed) {
      String service = m.backend().getService() == null ? null : m.backend().getService().getName();
      Environment env = environmentOfService(service);
      if (env == null) {
        throw new UnmappedRouteStateException(object(), "backend " + m.where() + " -> " + (service == null ? "a non-Service backend" : service),
            "that is none of the environments' Services (" + String.join(", ", serviceNames())
            + "): point it at one of them or remove it from path(...)");
      }
      byEnvironment.computeIfAbsent(env, e -> new ArrayList<>()).add(m.where());
    }
    if (byEnvironment.size() > 1) {
      throw new UnmappedRouteStateException(object(), "managed paths on different Services ("
          + byEnvironment.entrySet().stream().map(e -> services.get(e.getKey()) + ": " + String.join(" ", e.getValue()))
              .collect(Collectors.joining("; "))
          + ")", "an atomic switch needs them all on one environment; fix the Ingress by hand or select paths with path(...)");
    }
    Environment live = byEnvironment.keySet().iterator().next();
    List<Environment> others = new ArrayList<>(environments());
    others.remove(live);
    return TrafficSplit.allTo(live, others.toArray(new Environment[0])).orderedAs(environments());
  }

  /** @return every backend of the Ingress, e.g. "shop.example.com/ -> app-red, shop.example.com/static -> static-files" */
  private static String backends(Ingress ingress) {
    List<String> all = new ArrayList<>();
    if (ingress.getSpec() == null) {
      return "(none)";
    }
    IngressBackend def = ingress.getSpec().getDefaultBackend();
    if (def != null) {
      all.add(DEFAULT_BACKEND + " -> " + serviceName(def));
    }
    for (IngressRule rule : ingress.getSpec().getRules()) {
      if (rule.getHttp() != null) {
        for (HTTPIngressPath path : rule.getHttp().getPaths()) {
          all.add(location(rule.getHost(), path.getPath()) + " -> " + (path.getBackend() == null ? "none" : serviceName(path.getBackend())));
        }
      }
    }
    return all.isEmpty() ? "(none)" : String.join(", ", all);
  }

  private static String serviceName(IngressBackend backend) {
    return backend.getService() == null ? "a non-Service backend" : backend.getService().getName();
  }

  private Environment environmentOfService(String service) {
    for (Environment e : environments()) {
      if (services.get(e).equals(service)) {
        return e;
      }
    }
    return null;
  }

  private List<String> serviceNames() {
    return environments().stream().map(services::get).toList();
  }

  @Override
  Ingress withSplit(Ingress ingress, TrafficSplit target) {
    String to = services.get(target.soleTarget().orElseThrow());
    Ingress copy = copy(ingress);
    for (Managed m : managed(copy)) {
      m.backend().getService().setName(to);
    }
    return copy;
  }

  @Override
  String describeChange(Ingress ingress, TrafficSplit target) {
    List<Managed> managed = managed(ingress);
    return "the backend Service of " + managed.size() + " backend" + (managed.size() == 1 ? "" : "s") + " ("
        + managed.stream().limit(4).map(Managed::where).collect(Collectors.joining(", ")) + (managed.size() > 4 ? ", ..." : "")
        + ") set to " + services.get(target.soleTarget().orElseThrow());
  }

  @Override
  String describeKept(Ingress ingress) {
    return "every other rule, host and path, the TLS section, the ingress class, annotations and every other field of the Ingress";
  }

  @Override
  Object routingContent(Ingress ingress) {
    return ingress.getSpec() == null ? null : Arrays.asList(ingress.getSpec().getDefaultBackend(), ingress.getSpec().getRules());
  }

  @Override
  String routingChange(Ingress before, Ingress after) {
    return "its defaultBackend or rules changed";
  }

  @Override
  Optional<NotReady> notReady(Ingress ingress, Environment environment) {
    return ServiceReadiness.problem(client, namespace, services.get(environment), environment);
  }

  @Override
  public String toString() {
    return "IngressBackendRouter[" + object() + ", " + environments().stream().map(e -> e.name() + "->" + services.get(e))
        .collect(Collectors.joining(", ")) + (selectedPaths.isEmpty() ? "" : ", paths " + selectedPaths) + "]";
  }

  /**
   * Builds an {@link IngressBackendRouter}; {@link #build()} validates every name against Kubernetes
   * syntax before any request is made.
   *
   * <pre>{@code
   * IngressBackendRouter router = IngressBackendRouter.builder(client)
   *     .namespace("default").ingress("app").service(blue, "app-blue").service(green, "app-green").build();
   * }</pre>
   */
  public static final class Builder extends ServiceBackendsBuilder<Builder> {
    private String ingress;
    private final Set<String> paths = new LinkedHashSet<>();

    private Builder(KubernetesClient client) {
      super(client);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * @param name the Ingress's name
     * @return this builder
     */
    public Builder ingress(String name) {
      this.ingress = KubeNames.objectName(name, "ingress");
      return this;
    }

    /**
     * Manages only this path (call again for more). Without any {@code path(...)} call, every path
     * whose backend is one of the environments' Services is managed.
     *
     * @param host the rule's host, or null (or "") for a rule without host
     * @param path the path exactly as written in the Ingress, e.g. "/" or "/api"
     * @return this builder
     */
    public Builder path(String host, String path) {
      if (host != null && !host.isEmpty()) {
        KubeNames.ingressHost(host, "host");
      }
      Checks.notNull(path, "path");
      if (!PATH.matcher(path).matches()) {
        throw new InvalidConfigurationException("path \"" + Checks.printable(path) + "\" is not a valid Ingress path:"
            + " it starts with '/' and has no spaces or control characters (e.g. \"/\" or \"/api\")");
      }
      paths.add(location(host, path));
      return this;
    }

    /**
     * Manages the Ingress's {@code spec.defaultBackend} too when paths are selected with
     * {@link #path(String, String)} (it is managed by default when no path is selected and it points
     * at an environment's Service).
     *
     * @return this builder
     */
    public Builder defaultBackend() {
      paths.add(DEFAULT_BACKEND);
      return this;
    }

    /** @return the router */
    public IngressBackendRouter build() {
      return new IngressBackendRouter(this, checkBackends("IngressBackendRouter", "Ingress", ingress, "ingress"));
    }
  }
}
