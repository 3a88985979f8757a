package io.bluegreen.k8s.real;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Router;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.k8s.HttpRouteRouter;
import io.bluegreen.k8s.IngressBackendRouter;
import io.bluegreen.k8s.ServiceSelectorRouter;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.ReadmeRoles;
import io.bluegreen.testkit.RouterContractTest.OutOfBandWriter;
import io.bluegreen.testkit.RouterContractTest.RouterFixture;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/**
 * {@link RouterFixture}s on the real kube-apiserver: a fresh namespace with the standard scene, the
 * router running as {@code user-1} bound only to the Role the README documents for it, requests and
 * writes counted from the server's audit log (user-1's events), and an out-of-band writer that changes
 * the object with the admin client, as {@code kubectl edit} would.
 */
public final class RealRouterFixture {

  static final String ROUTER_USER = "user-1";

  private RealRouterFixture() {
  }

  /** Service app-service selecting app=myapp,version=blue; ready blue and green Pods. */
  public static RouterFixture serviceSelector() {
    return create("svc", ReadmeRoles.SERVICE_SELECTOR_ROUTER, (scene, client) -> {
      serviceScene(scene);
      return ServiceSelectorRouter.builder(client).namespace(scene.namespace()).service(Fixtures.SERVICE).environments(BLUE, GREEN).build();
    }, scene -> new OutOfBandWriter() {
      @Override
      public void write(TrafficSplit split) {
        setSelector(scene, split.soleTarget().orElseThrow().name());
      }

      @Override
      public String writeUnmapped() {
        setSelector(scene, "red");
        return "version=red";
      }
    });
  }

  /** The Service scene of {@link #serviceSelector()}. */
  static void serviceScene(RealScene scene) {
    scene.service(Fixtures.SERVICE, Map.of("app", "myapp", "version", "blue"));
    scene.pods("app-blue", Map.of("app", "myapp", "version", "blue"), 2, true);
    scene.pods("app-green", Map.of("app", "myapp", "version", "green"), 2, true);
    scene.pods("other-green", Map.of("app", "other", "version", "green"), 1, true);
  }

  /** Ingress app sending / and /api to app-blue; app-blue and app-green with ready endpoints. */
  public static RouterFixture ingressBackend() {
    return create("ing", ReadmeRoles.INGRESS_BACKEND_ROUTER, (scene, client) -> {
      scene.environmentService("app-blue", "blue", 2);
      scene.environmentService("app-green", "green", 2);
      scene.ingress(Fixtures.INGRESS, "app-blue");
      return IngressBackendRouter.builder(client).namespace(scene.namespace()).ingress(Fixtures.INGRESS)
          .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    }, scene -> new OutOfBandWriter() {
      @Override
      public void write(TrafficSplit split) {
        setIngressBackend(scene, "app-" + split.soleTarget().orElseThrow().name());
      }

      @Override
      public String writeUnmapped() {
        setIngressBackend(scene, "app-red");
        return "app-red";
      }
    });
  }

  /**
   * HTTPRoute app (rule "app": app-blue 100, app-green 0, canary-shadow 0; rule "docs"); both Services ready.
   * Its unmapped state: app-blue and app-green at 0, all weight on a backendRef to app-red.
   */
  public static RouterFixture httpRoute() {
    return create("route", ReadmeRoles.HTTPROUTE_ROUTER, (scene, client) -> {
      scene.environmentService("app-blue", "blue", 2);
      scene.environmentService("app-green", "green", 2);
      scene.httpRoute(Fixtures.ROUTE, "app-blue", 100, "app-green", 0);
      return HttpRouteRouter.builder(client).namespace(scene.namespace()).httpRoute(Fixtures.ROUTE)
          .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    }, scene -> new OutOfBandWriter() {
      @Override
      public void write(TrafficSplit split) {
        editRoute(scene, rule -> {
          for (HTTPBackendRef ref : rule.getBackendRefs()) {
            if (ref.getName().startsWith("app-")) {
              ref.setWeight(split.weightOf(Environment.of(ref.getName().substring(4))));
            }
          }
        });
      }

      @Override
      public String writeUnmapped() {
        editRoute(scene, rule -> {
          rule.getBackendRefs().stream().filter(ref -> ref.getName().startsWith("app-")).forEach(ref -> ref.setWeight(0));
          rule.getBackendRefs().add(new HTTPBackendRefBuilder().withName("app-red").withPort(80).withWeight(100).build());
        });
        return "app-red=100";
      }
    });
  }

  interface Scene {
    Router create(RealScene scene, KubernetesClient routerClient);
  }

  interface Writer {
    OutOfBandWriter create(RealScene scene);
  }

  private static RouterFixture create(String hint, String role, Scene sceneAndRouter, Writer writer) {
    RealCluster cluster = RealCluster.get();
    RealCluster.TestNamespace ns = cluster.namespace("contract-" + hint);
    try {
      RealScene scene = new RealScene(cluster, ns.name());
      cluster.bind(ns.name(), ReadmeRoles.role(role), ROUTER_USER);
      Router router = sceneAndRouter.create(scene, cluster.client(ROUTER_USER));
      AuditLog audit = cluster.audit();
      int mark = audit.mark();
      return RouterFixture.of(router, BLUE, GREEN,
          () -> audit.since(mark, e -> e.user().equals(ROUTER_USER)).size(),
          () -> audit.since(mark, e -> e.user().equals(ROUTER_USER) && e.isWrite()).size(),
          ns).withOutOfBand(writer.create(scene));
    } catch (RuntimeException e) {
      ns.close();
      throw e;
    }
  }

  static void setSelector(RealScene scene, String version) {
    Service s = scene.getService(Fixtures.SERVICE);
    s.getSpec().getSelector().put("version", version);
    scene.admin().services().inNamespace(scene.namespace()).resource(s).update();
  }

  static void setIngressBackend(RealScene scene, String service) {
    Ingress ing = scene.getIngress(Fixtures.INGRESS);
    for (HTTPIngressPath path : ing.getSpec().getRules().get(0).getHttp().getPaths()) {
      if (path.getBackend().getService().getName().startsWith("app-")) {
        path.getBackend().getService().setName(service);
      }
    }
    scene.admin().network().v1().ingresses().inNamespace(scene.namespace()).resource(ing).update();
  }

  static void editRoute(RealScene scene, java.util.function.Consumer<HTTPRouteRule> edit) {
    HTTPRoute route = scene.getHttpRoute(Fixtures.ROUTE);
    edit.accept(route.getSpec().getRules().get(0));
    scene.admin().resources(HTTPRoute.class).inNamespace(scene.namespace()).resource(route).update();
  }
}
