package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static io.bluegreen.k8s.support.Fixtures.INGRESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ingress backend app-blue -> app-green, end to end on the CRUD mock server. */
class IngressBackendEndToEndTest {

  private final MockCluster cluster = MockCluster.start();
  private final VirtualClock clock = VirtualClock.create();
  private final RecordingListener events = new RecordingListener();

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static List<String> backends(Ingress ingress) {
    return ingress.getSpec().getRules().get(0).getHttp().getPaths().stream()
        .map(p -> p.getPath() + "->" + p.getBackend().getService().getName() + ":"
            + (p.getBackend().getService().getPort().getNumber() != null ? p.getBackend().getService().getPort().getNumber()
                : p.getBackend().getService().getPort().getName()))
        .toList();
  }

  @Test
  void switchesTheBackendFromAppBlueToAppGreenOnEveryManagedPath() {
    IngressBackendRouter router = Fixtures.ingressScene(cluster);
    Ingress before = cluster.getIngress(INGRESS);
    int mark = cluster.requestCount();

    SwitchResult result = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(1)), clock, events)
        .gate(ScriptedGate.healthy()).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    Ingress after = cluster.getIngress(INGRESS);
    assertThat(backends(before)).containsExactly("/->app-blue:80", "/static->static-files:80", "/api->app-blue:http");
    assertThat(backends(after)).containsExactly("/->app-green:80", "/static->static-files:80", "/api->app-green:http");
    assertThat(after.getSpec().getTls()).isEqualTo(before.getSpec().getTls());
    assertThat(after.getSpec().getIngressClassName()).isEqualTo("nginx");
    assertThat(after.getMetadata().getAnnotations()).isEqualTo(before.getMetadata().getAnnotations());
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).extracting(Object::toString)
        .containsExactly("PUT /apis/networking.k8s.io/v1/namespaces/default/ingresses/app");
  }

  @Test
  void rollbackRestoresTheExactPriorIngress() {
    IngressBackendRouter router = Fixtures.ingressScene(cluster);
    Ingress before = cluster.getIngress(INGRESS);

    SwitchResult result = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(5)), clock, events)
        .gate(ScriptedGate.unhealthyDuringStage(1, "5xx from green")).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    Ingress after = cluster.getIngress(INGRESS);
    assertThat(after.getSpec()).isEqualTo(before.getSpec());
    assertThat(after.getMetadata().getAnnotations()).isEqualTo(before.getMetadata().getAnnotations());
  }

  @Test
  void missingIngressIsNamedClearly() {
    Fixtures.ingressScene(cluster);
    IngressBackendRouter router = IngressBackendRouter.builder(cluster.client()).ingress("shop")
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    int mark = cluster.requestCount();

    SwitchResult result = Plans.plan(router, StageSchedule.allAtOnce(), clock, events).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("Ingress default/shop not found: create it or fix the name");
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).isEmpty();
    assertThatThrownBy(() -> router.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("Ingress default/shop not found: create it or fix the name");
  }

  @Test
  void missingTargetServiceIsNamedAndNothingIsWritten() {
    cluster.environmentService("app-blue", "blue", 2);
    cluster.ingress(INGRESS, "app-blue");
    IngressBackendRouter router = IngressBackendRouter.builder(cluster.client()).ingress(INGRESS)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    int mark = cluster.requestCount();

    SwitchResult result = Plans.plan(router, StageSchedule.allAtOnce(), clock, events).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("Service default/app-green (environment green) not found: create it or fix the router's service mapping");
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).isEmpty();
  }

  @Test
  void targetServiceWithoutReadyEndpointsIsRefused() {
    cluster.environmentService("app-blue", "blue", 2);
    cluster.service("app-green", Map.of("app", "myapp", "version", "green"));
    cluster.endpointSlice("app-green", 0, 3);
    cluster.ingress(INGRESS, "app-blue");
    IngressBackendRouter router = IngressBackendRouter.builder(cluster.client()).ingress(INGRESS)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    int mark = cluster.requestCount();

    assertThatThrownBy(() -> router.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("Service default/app-green (environment green) has no ready endpoint (0 of 3 ready (EndpointSlices of Service default/app-green))");
    assertThatThrownBy(() -> router.apply(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(RouterException.class)
        .hasMessageContaining("refusing to write");
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).isEmpty();
  }

  @Test
  void aServiceWithoutEndpointSlicesFallsBackToReadyPods() {
    cluster.environmentService("app-blue", "blue", 2);
    cluster.service("app-green", Map.of("app", "myapp", "version", "green"));
    cluster.ingress(INGRESS, "app-blue");
    IngressBackendRouter router = IngressBackendRouter.builder(cluster.client()).ingress(INGRESS)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();

    assertThatThrownBy(() -> router.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("has no EndpointSlice; Pods matching app=myapp,version=green");
    cluster.pods("green", Map.of("app", "myapp", "version", "green"), 1, true);
    router.preflight(TrafficSplit.allTo(GREEN, BLUE));
    router.apply(TrafficSplit.allTo(GREEN, BLUE));
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(GREEN));
  }

  @Test
  void selectedPathsOnlyAreSwitched() {
    Fixtures.ingressScene(cluster);
    IngressBackendRouter router = IngressBackendRouter.builder(cluster.client()).ingress(INGRESS)
        .service(BLUE, "app-blue").service(GREEN, "app-green").path("shop.example.com", "/api").build();

    router.apply(TrafficSplit.allTo(GREEN, BLUE));

    assertThat(backends(cluster.getIngress(INGRESS))).containsExactly("/->app-blue:80", "/static->static-files:80", "/api->app-green:http");
    // a router managing every path now sees two environments at once and says so
    IngressBackendRouter everyPath = IngressBackendRouter.builder(cluster.client()).ingress(INGRESS)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    assertThat(everyPath.routeId()).isEqualTo(router.routeId()).isEqualTo("k8s/ingress/default/app");
    assertThatThrownBy(everyPath::current).isInstanceOf(RouterException.class)
        .hasMessageContaining("managed paths on different Services (app-blue: shop.example.com/; app-green: shop.example.com/api)");
  }

  @Test
  void aSelectedPathThatDoesNotExistIsNamed() {
    Fixtures.ingressScene(cluster);
    IngressBackendRouter router = IngressBackendRouter.builder(cluster.client()).ingress(INGRESS)
        .service(BLUE, "app-blue").service(GREEN, "app-green").path("shop.example.com", "/v2").build();
    assertThatThrownBy(router::current).isInstanceOf(RouterException.class)
        .hasMessageContaining("Ingress default/app has no path shop.example.com/v2");
  }

  @Test
  void anIngressWithoutAnyEnvironmentBackendIsExplained() {
    Fixtures.ingressScene(cluster);
    IngressBackendRouter router = IngressBackendRouter.builder(cluster.client()).ingress(INGRESS)
        .service(BLUE, "app-red").service(GREEN, "app-orange").build();
    assertThatThrownBy(router::current).isInstanceOf(RouterException.class)
        .hasMessageContaining("none points at app-red or app-orange");
  }
}
