package io.bluegreen.k8s;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.core.preview.PreviewRequest;
import io.bluegreen.core.preview.PreviewRoute;
import io.bluegreen.k8s.internal.AccessReview;
import io.bluegreen.k8s.internal.KubeCalls;
import io.bluegreen.k8s.internal.KubeNames;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A preview route for a {@link ServiceSelectorRouter}: a second Service (the name is yours, e.g.
 * {@code app-preview}) with the production Service's ports and selector, but selecting the target
 * environment — Argo Rollouts' preview Service. Created when the plan opens the preview, deleted when
 * it ends; the production Service is never touched.
 *
 * <pre>{@code
 * ServiceSelectorRouter router = ServiceSelectorRouter.builder(client).namespace("shop").service("app")
 *     .environments(blue, green).build();
 * SwitchPlan.builder().router(router).from(blue).to(green)
 *     .preview(ServicePreview.builder(router).name("app-preview").build())   // http://app-preview.shop.svc:80/
 *     .previewGate(PreviewHttpGate.path("/health"))
 *     .build().execute();
 * }</pre>
 *
 * <p>Preflight (read-only) refuses a preview name taken by a Service bluegreen did not create for this
 * route, and a target without ready Pods. The preview Service carries the label {@code
 * app.kubernetes.io/managed-by: bluegreen} and the annotations {@code preview.bluegreen.io/route} and
 * {@code preview.bluegreen.io/owner}: a run after a crash finds it by name and removes it. RBAC: {@code
 * get, create, delete} on services, {@code list} on pods (besides the router's).
 */
public final class ServicePreview implements PreviewRoute {

  private static final Logger LOG = LoggerFactory.getLogger(ServicePreview.class);
  static final String ROUTE_ANNOTATION = "preview.bluegreen.io/route";

  private final ServiceSelectorRouter router;
  private final String name;
  private final URI url;

  private ServicePreview(Builder b) {
    this.router = b.router;
    this.name = b.name;
    this.url = b.url;
  }

  /**
   * @param router the production router of the Service
   * @return a builder
   */
  public static Builder builder(ServiceSelectorRouter router) {
    return new Builder(Checks.notNull(router, "router"));
  }

  private String object() {
    return "Service " + router.namespace + "/" + name;
  }

  @Override
  public String describe() {
    return "preview " + object() + " beside " + router.object();
  }

  @Override
  public void validate(Environment environment) {
    KubernetesObjectPreview.checkRouted(describe(), router, environment);
  }

  @Override
  public PreviewEndpoint preflight(PreviewRequest request) {
    Service production = KubernetesObjectPreview.readWithTargetReady(describe(), router, request.environment());
    Service existing = readPreview();
    if (existing != null && !isOurs(existing)) {
      throw new PreflightException(object() + " exists and was not created by bluegreen for " + router.routeId() + ": choose another"
          + " preview name, or delete it; nothing was written");
    }
    for (KubeCalls.Op op : List.of(KubeCalls.CREATE_SERVICE, KubeCalls.DELETE_SERVICE)) {
      Optional<String> forbidden = AccessReview.denied(router.client, op, router.namespace, name, LOG);
      if (forbidden.isPresent()) {
        throw new PreflightException("cannot open the " + describe() + ": " + forbidden.get() + "; nothing was written");
      }
    }
    return endpoint(request, desired(production, request));
  }

  @Override
  public PreviewEndpoint open(PreviewRequest request) {
    Service production = router.readRequired();
    Service desired = desired(production, request);
    Service existing = readPreview();
    if (existing != null && isOurs(existing) && existing.getSpec() != null
        && desired.getSpec().getSelector().equals(existing.getSpec().getSelector())) {
      LOG.info("{}: already open", describe());
      return endpoint(request, existing);
    }
    if (existing != null) {
      if (!isOurs(existing)) {
        throw RouterException.permanentFailure(object() + " exists and was not created by bluegreen for " + router.routeId()
            + ": choose another preview name, or delete it", null);
      }
      delete(existing);
    }
    Service created = KubeCalls.call(router.client, KubeCalls.CREATE_SERVICE, object(),
        () -> router.client.services().inNamespace(router.namespace).resource(desired).create());
    LOG.info("{}: created, selecting {}", object(), desired.getSpec().getSelector());
    return endpoint(request, created == null ? desired : created);
  }

  @Override
  public Optional<String> close(PreviewRequest request) {
    Service existing = readPreview();
    if (existing == null || !isOurs(existing)) {
      return Optional.empty();
    }
    delete(existing);
    String owner = KubernetesObjectPreview.annotation(existing, KubernetesObjectPreview.OWNER_ANNOTATION);
    return Optional.of(object() + ", opened by " + (owner == null ? "an unknown owner" : owner));
  }

  private void delete(Service existing) {
    try {
      router.client.services().inNamespace(router.namespace).resource(existing).withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      if (!KubeCalls.isNotFound(e)) {
        throw KubeCalls.translate(router.client, e, KubeCalls.DELETE_SERVICE, object());
      }
    }
    LOG.info("{}: deleted", object());
  }

  private Service readPreview() {
    return KubeCalls.call(router.client, KubeCalls.GET_SERVICE, object(), () -> router.client.services().inNamespace(router.namespace).withName(name).get());
  }

  private boolean isOurs(Service s) {
    return router.routeId().equals(KubernetesObjectPreview.annotation(s, ROUTE_ANNOTATION));
  }

  private Service desired(Service production, PreviewRequest request) {
    List<Environment> others = new ArrayList<>(router.environments());
    others.remove(request.environment());
    Service selecting = router.withSplit(production, TrafficSplit.allTo(request.environment(), others.toArray(new Environment[0])));
    List<ServicePort> ports = new ArrayList<>();
    for (ServicePort p : production.getSpec().getPorts()) {
      ports.add(new ServicePortBuilder().withName(p.getName()).withPort(p.getPort()).withTargetPort(p.getTargetPort())
          .withProtocol(p.getProtocol()).withAppProtocol(p.getAppProtocol()).build());
    }
    if (ports.isEmpty()) {
      throw RouterException.permanentFailure(router.object() + " has no port for the preview Service to copy", null);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (production.getMetadata().getLabels() != null) {
      labels.putAll(production.getMetadata().getLabels());
    }
    labels.put("app.kubernetes.io/managed-by", "bluegreen");
    return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(router.namespace).withLabels(labels)
        .addToAnnotations(ROUTE_ANNOTATION, router.routeId()).addToAnnotations(KubernetesObjectPreview.OWNER_ANNOTATION, request.owner())
        .endMetadata()
        .withNewSpec().withType("ClusterIP").withSelector(selecting.getSpec().getSelector()).withPorts(ports)
        .withSessionAffinity(production.getSpec().getSessionAffinity()).endSpec().build();
  }

  private PreviewEndpoint endpoint(PreviewRequest request, Service service) {
    int port = service.getSpec().getPorts().get(0).getPort();
    URI where = url != null ? url : URI.create("http://" + name + "." + router.namespace + ".svc" + (port == 80 ? "" : ":" + port) + "/");
    return PreviewEndpoint.builder(request.environment(), object() + " selecting " + router.selectorKey() + "="
        + router.labelValueOf(request.environment())).url(where).build();
  }

  @Override
  public String toString() {
    return "ServicePreview{" + describe() + "}";
  }

  /**
   * Builds a {@link ServicePreview}.
   *
   * <pre>{@code
   * ServicePreview.builder(router).name("app-preview").build();
   * }</pre>
   */
  public static final class Builder {
    private final ServiceSelectorRouter router;
    private String name;
    private URI url;

    private Builder(ServiceSelectorRouter router) {
      this.router = router;
    }

    /** @param name the preview Service's name (a DNS-1123 label, not the production Service's) @return this builder */
    public Builder name(String name) {
      this.name = KubeNames.serviceName(name, "preview Service name");
      return this;
    }

    /** @param url where preview requests go (default http://name.namespace.svc[:port]/, reachable inside the cluster) @return this builder */
    public Builder url(URI url) {
      this.url = PreviewEndpoint.builder(Environment.of("check"), "check").url(Checks.notNull(url, "url")).build().url().orElseThrow();
      return this;
    }

    /** @return the preview route */
    public ServicePreview build() {
      if (name == null) {
        throw new InvalidConfigurationException("the preview Service needs a name: call name(\"app-preview\")");
      }
      if (name.equals(router.name)) {
        throw new InvalidConfigurationException("preview Service name " + name + " is the production Service's: choose another, e.g. "
            + name + "-preview");
      }
      return new ServicePreview(this);
    }
  }
}
