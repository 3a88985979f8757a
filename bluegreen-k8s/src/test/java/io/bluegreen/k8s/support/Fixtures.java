package io.bluegreen.k8s.support;

import io.bluegreen.core.Environment;
import io.bluegreen.k8s.HttpRouteRouter;
import io.bluegreen.k8s.IngressBackendRouter;
import io.bluegreen.k8s.ServiceSelectorRouter;
import java.util.Map;

/** The standard scene every test starts from: app-service selecting app=myapp,version=blue, and friends. */
public final class Fixtures {

  public static final Environment BLUE = Environment.of("blue");
  public static final Environment GREEN = Environment.of("green");
  public static final String SERVICE = "app-service";
  public static final String INGRESS = "app";
  public static final String ROUTE = "app";

  private Fixtures() {
  }

  /** Service app-service (app=myapp, version=blue) and {@code greenReady} ready green Pods, 2 ready blue Pods. */
  public static ServiceSelectorRouter serviceScene(MockCluster cluster, int greenReady, int greenNotReady) {
    cluster.service(SERVICE, Map.of("app", "myapp", "version", "blue"));
    cluster.pods("app-blue", Map.of("app", "myapp", "version", "blue"), 2, true);
    cluster.pods("app-green", Map.of("app", "myapp", "version", "green"), greenReady, true);
    cluster.pods("app-green-unready", Map.of("app", "myapp", "version", "green"), greenNotReady, false);
    // a Pod of another app with version=green: must not count for app-service
    cluster.pods("other-green", Map.of("app", "other", "version", "green"), 1, true);
    return ServiceSelectorRouter.builder(cluster.client()).namespace(MockCluster.NS).service(SERVICE).environments(BLUE, GREEN).build();
  }

  /** Ingress app sending / and /api to app-blue (and /static elsewhere); app-blue and app-green with ready endpoints. */
  public static IngressBackendRouter ingressScene(MockCluster cluster) {
    cluster.environmentService("app-blue", "blue", 2);
    cluster.environmentService("app-green", "green", 2);
    cluster.ingress(INGRESS, "app-blue");
    return IngressBackendRouter.builder(cluster.client()).namespace(MockCluster.NS).ingress(INGRESS)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
  }

  /** HTTPRoute app with rule "app" (app-blue 100, app-green 0) and rule "docs"; both Services ready. */
  public static HttpRouteRouter routeScene(MockCluster cluster) {
    cluster.environmentService("app-blue", "blue", 2);
    cluster.environmentService("app-green", "green", 2);
    cluster.httpRoute(ROUTE, "app-blue", 100, "app-green", 0);
    return HttpRouteRouter.builder(cluster.client()).namespace(MockCluster.NS).httpRoute(ROUTE)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
  }
}
