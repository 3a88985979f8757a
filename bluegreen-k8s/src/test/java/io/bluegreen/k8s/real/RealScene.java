package io.bluegreen.k8s.real;

import io.bluegreen.k8s.support.SceneObjects;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatchBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilterBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/**
 * Sets scenes in one namespace of the real server as the admin, and plays the controllers this
 * control plane lacks: Pods get their Ready condition through the status subresource (no kubelet),
 * Services get the EndpointSlices the EndpointSlice controller would write, Deployments get the
 * status the Deployment controller would write. The objects are the same as the mock-server scenes of
 * {@code support.MockCluster}, so the real and mock suites test the same thing.
 */
public final class RealScene {

  private final KubernetesClient admin;
  private final String ns;
  private int slices;

  public RealScene(RealCluster cluster, String namespace) {
    this.admin = cluster.admin();
    this.ns = namespace;
  }

  public String namespace() {
    return ns;
  }

  /** @return the admin client the scene is set with */
  public KubernetesClient admin() {
    return admin;
  }

  /** A ClusterIP Service with labels, an annotation and two named ports. */
  public Service service(String name, Map<String, String> selector) {
    return admin.services().inNamespace(ns).resource(new ServiceBuilder(SceneObjects.service(ns, name, selector))
        .editMetadata().addToLabels("team", "shop").addToAnnotations("example.com/owner", "team-shop").endMetadata()
        .editSpec().editFirstPort().withProtocol("TCP").endPort()
        .addNewPort().withName("metrics").withPort(9090).withTargetPort(new IntOrString("metrics")).withProtocol("TCP").endPort()
        .endSpec().build()).create();
  }

  public Service getService(String name) {
    return admin.services().inNamespace(ns).withName(name).get();
  }

  /** Creates {@code count} Pods with {@code labels}, and writes their Ready condition as a kubelet would. */
  public void pods(String prefix, Map<String, String> labels, int count, boolean ready) {
    for (int i = 0; i < count; i++) {
      Pod wanted = SceneObjects.pod(ns, prefix + "-" + i, labels, ready);
      Pod pod = admin.pods().inNamespace(ns).resource(wanted).create(); // the server drops the status on create
      pod.setStatus(wanted.getStatus());
      admin.pods().inNamespace(ns).resource(pod).updateStatus();
    }
  }

  /** An EndpointSlice of {@code service} as the EndpointSlice controller would write it. */
  public void endpointSlice(String service, int ready, int notReady) {
    EndpointSlice slice = SceneObjects.endpointSlice(ns, service + "-slice-" + slices++, service, ready, notReady);
    slice.getMetadata().getLabels().put("endpointslice.kubernetes.io/managed-by", "bluegreen-tests");
    admin.discovery().v1().endpointSlices().inNamespace(ns).resource(slice).create();
  }

  /** A Service for an environment, with {@code ready} ready endpoints in one EndpointSlice. */
  public void environmentService(String name, String version, int ready) {
    service(name, Map.of("app", "myapp", "version", version));
    endpointSlice(name, ready, 0);
  }

  /** The Ingress of the mock scenes: TLS, an annotation, /, /static (elsewhere) and /api, plus a second rule. */
  public Ingress ingress(String name, String backendService) {
    return admin.network().v1().ingresses().inNamespace(ns).resource(new IngressBuilder(SceneObjects.ingress(ns, name, backendService))
        .editSpec().addNewRule().withHost("docs.example.com").withNewHttp()
        .addNewPath().withPath("/").withPathType("Exact").withNewBackend().withNewService().withName("docs")
        .withNewPort().withNumber(80).endPort().endService().endBackend().endPath()
        .endHttp().endRule().endSpec().build()).create();
  }

  public Ingress getIngress(String name) {
    return admin.network().v1().ingresses().inNamespace(ns).withName(name).get();
  }

  /**
   * An HTTPRoute with a managed rule "app" (a path match, a header match, a request-header filter,
   * blue and green backendRefs and a third, non-environment backendRef to "canary-shadow" with weight
   * 0) and an unrelated rule "docs".
   */
  public HTTPRoute httpRoute(String name, String blueService, int blueWeight, String greenService, int greenWeight) {
    HTTPRoute route = SceneObjects.httpRoute(ns, name, blueService, blueWeight, greenService, greenWeight);
    route.getMetadata().setAnnotations(Map.of("example.com/owner", "team-shop"));
    HTTPRouteRule app = route.getSpec().getRules().get(0);
    app.getMatches().get(0).setHeaders(List.of(new HTTPHeaderMatchBuilder().withName("x-tenant").withValue("shop").build()));
    app.setFilters(List.of(new HTTPRouteFilterBuilder().withType("RequestHeaderModifier").withNewRequestHeaderModifier()
        .addNewSet().withName("x-routed-by").withValue("bluegreen").endSet().endRequestHeaderModifier().build()));
    app.getBackendRefs().add(new HTTPBackendRefBuilder().withName("canary-shadow").withPort(8080).withWeight(0).build());
    return admin.resources(HTTPRoute.class).inNamespace(ns).resource(route).create();
  }

  public HTTPRoute getHttpRoute(String name) {
    return admin.resources(HTTPRoute.class).inNamespace(ns).withName(name).get();
  }

  /** A Deployment, rolled out as the Deployment controller would report it ({@code ready} of {@code replicas} ready). */
  public Deployment deployment(String name, int replicas, int ready) {
    Deployment d = admin.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector().withNewTemplate()
        .withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec().addNewContainer().withName("app").withImage("example/app:2")
        .endContainer().endSpec().endTemplate().endSpec().build()).create();
    d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration()).withReplicas(replicas)
        .withUpdatedReplicas(replicas).withReadyReplicas(ready).withAvailableReplicas(ready).build());
    return admin.apps().deployments().inNamespace(ns).resource(d).updateStatus();
  }
}
