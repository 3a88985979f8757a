package io.bluegreen.k8s.support;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The objects of the standard scenes, built once for both backends: {@link MockCluster} stores them in
 * the fabric8 mock server, {@code real.RealScene} creates them on a real kube-apiserver (adding what a
 * real cluster shows, e.g. more rules, filters, a second port).
 */
public final class SceneObjects {

  private SceneObjects() {
  }

  /** A ClusterIP Service labelled app=myapp, port http 80 -> 8080. */
  public static Service service(String namespace, String name, Map<String, String> selector) {
    return new ServiceBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).addToLabels("app", "myapp").endMetadata()
        .withNewSpec().withSelector(new LinkedHashMap<>(selector)).withType("ClusterIP")
        .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).endPort().endSpec()
        .build();
  }

  /** A Pod with {@code labels} and a Ready condition (a kubelet's report: a real server takes it through the status subresource). */
  public static Pod pod(String namespace, String name, Map<String, String> labels, boolean ready) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(new LinkedHashMap<>(labels))
        .endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("example/app:1").endContainer().endSpec()
        .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus().build();
  }

  /** An EndpointSlice of {@code service}, as the EndpointSlice controller would write it. */
  public static EndpointSlice endpointSlice(String namespace, String name, String service, int ready, int notReady) {
    EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withName(name)
        .withNamespace(namespace).addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4");
    for (int i = 0; i < ready + notReady; i++) {
      boolean r = i < ready;
      b.addNewEndpoint().withAddresses("10.0." + (service.hashCode() & 0x7f) + "." + (i + 1))
          .withNewTargetRef().withKind("Pod").withName(service + "-pod-" + i).withNamespace(namespace).endTargetRef()
          .withNewConditions().withReady(r).withServing(r).withTerminating(false).endConditions().endEndpoint();
    }
    b.addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
    return b.build();
  }

  /** Ingress with TLS, an annotation, and /, /static (static-files) and /api paths on shop.example.com. */
  public static Ingress ingress(String namespace, String name, String backendService) {
    return new IngressBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).addToAnnotations("example.com/owner", "team-shop").endMetadata()
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
        .endSpec().build();
  }

  /** An HTTPRoute with a managed rule "app" (blue and green backendRefs) and an unrelated rule "docs". */
  public static HTTPRoute httpRoute(String namespace, String name, String blueService, int blueWeight, String greenService,
      int greenWeight) {
    return new HTTPRouteBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec()
        .addNewParentRef().withName("shop-gateway").endParentRef()
        .withHostnames("shop.example.com")
        .addNewRule().withName("app")
        .addNewMatch().withNewPath().withType("PathPrefix").withValue("/").endPath().endMatch()
        .addNewBackendRef().withName(blueService).withPort(80).withWeight(blueWeight).endBackendRef()
        .addNewBackendRef().withName(greenService).withPort(80).withWeight(greenWeight).endBackendRef()
        .endRule()
        .addNewRule().withName("docs")
        .addNewMatch().withNewPath().withType("PathPrefix").withValue("/docs").endPath().endMatch()
        .addNewBackendRef().withName("docs").withPort(80).withWeight(1).endBackendRef()
        .endRule()
        .endSpec().build();
  }
}
