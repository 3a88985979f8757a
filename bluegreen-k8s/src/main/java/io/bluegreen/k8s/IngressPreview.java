package io.bluegreen.k8s;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.core.preview.PreviewRequest;
import io.bluegreen.k8s.internal.KubeNames;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackendBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A preview route in a {@code networking.k8s.io/v1} Ingress: one more rule, for a preview host name,
 * with the paths the {@link IngressBackendRouter} manages (same path, path type and port) pointing at
 * the target environment's Service. It is in the production Ingress itself, so preview requests go
 * through the same controller, load balancer, annotations (auth, rate limits, ...) as production;
 * requests to the production hosts are not affected, and the router ignores the preview rule.
 *
 * <pre>{@code
 * IngressBackendRouter router = IngressBackendRouter.builder(client).namespace("shop").ingress("app")
 *     .service(blue, "app-blue").service(green, "app-green").build();
 * SwitchPlan.builder().router(router).from(blue).to(green)
 *     .preview(IngressPreview.builder(router).host("preview.shop.example.com").tlsSecret("preview-tls").build())
 *     .previewGate(PreviewHttpGate.path("/health"))
 *     .build().execute();
 * }</pre>
 *
 * <p>Preflight (read-only) refuses a preview host that is a host of the Ingress already (its rules or
 * TLS hosts), a host that is not a valid Ingress host, and a target Service without ready endpoints.
 * The annotations {@code preview.bluegreen.io/host} and {@code preview.bluegreen.io/owner} mark the
 * preview, so that a run after a crash finds and removes it. RBAC: what the router has ({@code get,
 * update} on ingresses).
 */
public final class IngressPreview extends KubernetesObjectPreview<Ingress> {

  static final String HOST_ANNOTATION = "preview.bluegreen.io/host";

  private final IngressBackendRouter ingresses;
  private final String host;
  private final String tlsSecret;
  private final String scheme;

  private IngressPreview(Builder b) {
    super(b.router);
    this.ingresses = b.router;
    this.host = b.host;
    this.tlsSecret = b.tlsSecret;
    this.scheme = b.scheme != null ? b.scheme : b.tlsSecret != null ? "https" : "http";
  }

  /**
   * @param router the production router of the Ingress
   * @return a builder
   */
  public static Builder builder(IngressBackendRouter router) {
    return new Builder(Checks.notNull(router, "router"));
  }

  /** @return the preview host an Ingress carries in its annotation, or null: the production router ignores that host's rule */
  static String previewHostOf(Ingress ingress) {
    return annotation(ingress, HOST_ANNOTATION);
  }

  @Override
  String selector() {
    return "host " + host;
  }

  @Override
  String markerAnnotation() {
    return HOST_ANNOTATION;
  }

  @Override
  String markerValue() {
    return host;
  }

  @Override
  void checkConflicts(Ingress ingress, PreviewRequest request) {
    if (ingress.getSpec() == null) {
      return;
    }
    for (IngressRule rule : ingress.getSpec().getRules()) {
      if (host.equalsIgnoreCase(rule.getHost())) {
        throw new InvalidConfigurationException("preview host " + host + " is a production host of " + router.object()
            + ": every user request to it would reach " + request.environment().name() + "; choose another host, e.g. preview." + host);
      }
    }
    for (IngressTLS tls : ingress.getSpec().getTls()) {
      if (tls.getHosts().stream().anyMatch(host::equalsIgnoreCase)) {
        throw new InvalidConfigurationException("preview host " + host + " is a TLS host of " + router.object()
            + " already: choose another host, e.g. preview." + host);
      }
    }
  }

  @Override
  void addPreview(Ingress ingress, PreviewRequest request) {
    String service = ingresses.serviceOf(request.environment());
    List<String> where = new ArrayList<>();
    List<IngressBackend> backends = ingresses.productionBackends(ingress, where);
    if (backends.isEmpty()) {
      throw new InvalidConfigurationException(router.object() + " has no managed backend to copy for the preview");
    }
    Map<String, HTTPIngressPath> paths = new LinkedHashMap<>();
    for (int i = 0; i < backends.size(); i++) {
      IngressBackend production = backends.get(i);
      String location = where.get(i);
      HTTPIngressPath path = pathAt(ingress, location);
      IngressBackend toTarget = new IngressBackendBuilder(production).editOrNewService().withName(service).endService().build();
      HTTPIngressPath copy = path == null
          ? new HTTPIngressPathBuilder().withPath("/").withPathType("Prefix").withBackend(toTarget).build()   // the defaultBackend
          : new HTTPIngressPathBuilder(path).withBackend(toTarget).build();
      paths.putIfAbsent(copy.getPath() + " " + copy.getPathType(), copy);
    }
    IngressRule rule = new IngressRuleBuilder().withHost(host).withNewHttp().withPaths(new ArrayList<>(paths.values())).endHttp().build();
    ingress.getSpec().getRules().add(rule);
    if (tlsSecret != null) {
      ingress.getSpec().getTls().add(new IngressTLSBuilder().withHosts(host).withSecretName(tlsSecret).build());
    }
  }

  /** @return the path at "host/path" as IngressBackendRouter names it, or null for the defaultBackend */
  private static HTTPIngressPath pathAt(Ingress ingress, String location) {
    for (IngressRule rule : ingress.getSpec().getRules()) {
      if (rule.getHttp() == null) {
        continue;
      }
      String h = rule.getHost() == null || rule.getHost().isEmpty() ? "*" : rule.getHost();
      for (HTTPIngressPath p : rule.getHttp().getPaths()) {
        if ((h + (p.getPath() == null ? "" : p.getPath())).equals(location)) {
          return p;
        }
      }
    }
    return null;
  }

  @Override
  boolean removePreview(Ingress ingress, String marker) {
    if (ingress.getSpec() == null) {
      return false;
    }
    boolean removed = ingress.getSpec().getRules().removeIf(r -> marker.equals(r.getHost()));
    ingress.getSpec().getTls().removeIf(t -> t.getHosts().size() == 1 && marker.equals(t.getHosts().get(0)));
    return removed;
  }

  @Override
  String describeRemoved(String marker) {
    return "the rule for host " + marker;
  }

  @Override
  PreviewEndpoint endpoint(PreviewRequest request) {
    return PreviewEndpoint.builder(request.environment(), "Ingress " + router.namespace + "/" + router.name + " host " + host
        + " -> Service " + ingresses.serviceOf(request.environment()))
        .host(host).url(URI.create(scheme + "://" + host + "/")).build();
  }

  /**
   * Builds an {@link IngressPreview}.
   *
   * <pre>{@code
   * IngressPreview.builder(router).host("preview.shop.example.com").build();
   * }</pre>
   */
  public static final class Builder {
    private final IngressBackendRouter router;
    private String host;
    private String tlsSecret;
    private String scheme;

    private Builder(IngressBackendRouter router) {
      this.router = router;
    }

    /** @param host the preview host, a DNS name (no wildcard), not one of the Ingress's hosts @return this builder */
    public Builder host(String host) {
      Checks.notNull(host, "preview host");
      if (host.startsWith("*")) {
        throw new InvalidConfigurationException("preview host " + Checks.printable(host) + " is a wildcard: use one DNS name, e.g."
            + " preview.shop.example.com");
      }
      this.host = KubeNames.ingressHost(host.toLowerCase(Locale.ROOT), "preview host");
      return this;
    }

    /** @param secretName a TLS Secret (in the Ingress's namespace) holding a certificate for the preview host @return this builder */
    public Builder tlsSecret(String secretName) {
      this.tlsSecret = KubeNames.dnsSubdomain(secretName, "tlsSecret", "Secret", "preview-tls");
      return this;
    }

    /** @param scheme http or https, for the preview URL (default: https with a TLS secret, else http) @return this builder */
    public Builder scheme(String scheme) {
      Checks.notNull(scheme, "scheme");
      String s = scheme.toLowerCase(Locale.ROOT);
      if (!s.equals("http") && !s.equals("https")) {
        throw new InvalidConfigurationException("scheme " + Checks.printable(scheme) + " must be http or https");
      }
      this.scheme = s;
      return this;
    }

    /** @return the preview route */
    public IngressPreview build() {
      if (host == null) {
        throw new InvalidConfigurationException("the Ingress preview needs a host: call host(\"preview.shop.example.com\")");
      }
      return new IngressPreview(this);
    }
  }
}
