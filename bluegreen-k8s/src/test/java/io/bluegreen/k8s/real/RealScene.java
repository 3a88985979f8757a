package io.bluegreen.k8s.real;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
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

  /** A ClusterIP Service with labels, an annotation and two named ports. */
  public Service service(String name, Map<String, String> selector) {
    return admin.services().inNamespace(ns).resource(new ServiceBuilder()
        .withNewMetadata().withName(name).addToLabels("app", "myapp").addToLabels("team", "shop")
        .addToAnnotations("example.com/owner", "team-shop").endMetadata()
        .withNewSpec().withSelector(new LinkedHashMap<>(selector)).withType("ClusterIP")
        .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).withProtocol("TCP").endPort()
        .addNewPort().withName("metrics").withPort(9090).withTargetPort(new IntOrString("metrics")).withProtocol("TCP").endPort()
        .endSpec().build()).create();
  }

  public Service getService(String name) {
    return admin.services().inNamespace(ns).withName(name).get();
  }

  /** Creates {@code count} Pods with {@code labels}, and writes their Ready condition as a kubelet would. */
  public void pods(String prefix, Map<String, String> labels, int count, boolean ready) {
    for (int i = 0; i < count; i++) {
      Pod pod = admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(prefix + "-" + i)
          .withLabels(new LinkedHashMap<>(labels)).endMetadata()
          .withNewSpec().addNewContainer().withName("app").withImage("example/app:1").endContainer().endSpec().build()).create();
      pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
          .addToConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build()).build());
      admin.pods().inNamespace(ns).resource(pod).updateStatus();
    }
  }

  /** An EndpointSlice of {@code service} as the EndpointSlice controller would write it. */
  public void endpointSlice(String service, int ready, int notReady) {
    EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withName(service + "-slice-" + slices++)
        .addToLabels("kubernetes.io/service-name", service).addToLabels("endpointslice.kubernetes.io/managed-by", "bluegreen-tests")
        .endMetadata().withAddressType("IPv4");
    for (int i = 0; i < ready + notReady; i++) {
      boolean r = i < ready;
      b.addNewEndpoint().withAddresses("10.1." + (service.hashCode() & 0x7f) + "." + (i + 1))
          .withNewTargetRef().withKind("Pod").withName(service + "-pod-" + i).withNamespace(ns).endTargetRef()
          .withNewConditions().withReady(r).withServing(r).withTerminating(false).endConditions().endEndpoint();
    }
    b.addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
    admin.discovery().v1().endpointSlices().inNamespace(ns).resource(b.build()).create();
  }

  /** A Service for an environment, with {@code ready} ready endpoints in one EndpointSlice. */
  public void environmentService(String name, String version, int ready) {
    service(name, Map.of("app", "myapp", "version", version));
    endpointSlice(name, ready, 0);
  }

  /** The Ingress of the mock scenes: TLS, an annotation, /, /static (elsewhere) and /api, plus a second rule. */
  public Ingress ingress(String name, String backendService) {
    return admin.network().v1().ingresses().inNamespace(ns).resource(new IngressBuilder()
        .withNewMetadata().withName(name).addToAnnotations("example.com/owner", "team-shop").endMetadata()
        .withNewSpec().withIngressClassName("nginx")
        .addNewTl().withHosts("shop.example.com").withSecretName("shop-tls").endTl()
        .addNewRule().withHost("shop.example.com").withNewHttp()
        .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName(backendService)
        .withNewPort().withNumber(80).endPort().endService().endBackend().endPath()
        .addNewPath().withPath("/static").withPathType("Prefix").withNewBackend().withNewService().withName("static-files")
        .withNewPort().withNumber(80).endPort().endService().endBackend().endPath()
        .addNewPath().withPath("/api").withPathType("Prefix").withNewBackend().withNewService().withName(backendService)
        .withNewPort().withName("http").endPort().endService().endBackend().endPath()
        .endHttp().endRule()
        .addNewRule().withHost("docs.example.com").withNewHttp()
        .addNewPath().withPath("/").withPathType("Exact").withNewBackend().withNewService().withName("docs")
        .withNewPort().withNumber(80).endPort().endService().endBackend().endPath()
        .endHttp().endRule()
        .endSpec().build()).create();
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
    return admin.resources(HTTPRoute.class).inNamespace(ns).resource(new HTTPRouteBuilder()
        .withNewMetadata().withName(name).addToAnnotations("example.com/owner", "team-shop").endMetadata()
        .withNewSpec()
        .addNewParentRef().withName("shop-gateway").endParentRef()
        .withHostnames("shop.example.com")
        .addNewRule().withName("app")
        .addNewMatch().withNewPath().withType("PathPrefix").withValue("/").endPath()
        .addNewHeader().withName("x-tenant").withValue("shop").endHeader().endMatch()
        .addNewFilter().withType("RequestHeaderModifier").withNewRequestHeaderModifier()
        .addNewSet().withName("x-routed-by").withValue("bluegreen").endSet().endRequestHeaderModifier().endFilter()
        .addNewBackendRef().withName(blueService).withPort(80).withWeight(blueWeight).endBackendRef()
        .addNewBackendRef().withName(greenService).withPort(80).withWeight(greenWeight).endBackendRef()
        .addNewBackendRef().withName("canary-shadow").withPort(8080).withWeight(0).endBackendRef()
        .endRule()
        .addNewRule().withName("docs")
        .addNewMatch().withNewPath().withType("PathPrefix").withValue("/docs").endPath().endMatch()
        .addNewBackendRef().withName("docs").withPort(80).withWeight(1).endBackendRef()
        .endRule()
        .endSpec().build()).create();
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
