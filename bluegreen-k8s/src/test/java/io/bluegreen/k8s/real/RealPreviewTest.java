package io.bluegreen.k8s.real;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.k8s.HttpRoutePreview;
import io.bluegreen.k8s.HttpRouteRouter;
import io.bluegreen.k8s.IngressBackendRouter;
import io.bluegreen.k8s.IngressPreview;
import io.bluegreen.k8s.ServicePreview;
import io.bluegreen.k8s.ServiceSelectorRouter;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.k8s.support.ReadmeRoles;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The preview routes on a real kube-apiserver: the HTTPRoute preview rule (an exact header match added
 * to the managed rule's matches, the rule named {@code bluegreen-preview}) is accepted by the Gateway
 * API CRD's schema and CEL rules and written by a user bound to nothing but the README's HTTPRoute
 * router Role; the Ingress preview host rule is accepted by the Ingress validation; the preview Service
 * is created and deleted. While each is open, the production router reads all blue; at the end,
 * nothing of it is left. Writes are counted on the server's audit log.
 */
class RealPreviewTest {

  private static final String USER = "user-2";
  private static final String TOKEN = "green-preview-7f3a";

  private final RealCluster cluster = RealCluster.get();
  private RealCluster.TestNamespace ns;
  private RealScene scene;

  @BeforeEach
  void namespace(TestInfo test) {
    ns = cluster.namespace("preview-" + test.getTestMethod().orElseThrow().getName().replaceAll("([A-Z])", "-$1"));
    scene = new RealScene(cluster, ns.name());
  }

  @AfterEach
  void cleanUp() {
    ns.close();
  }

  private List<AuditLog.Event> writesSince(int mark, String user) {
    return cluster.audit().since(mark, e -> e.user().equals(user) && e.isWrite() && e.namespace().equals(ns.name()));
  }

  @Test
  void theHttpRoutePreviewRuleIsAcceptedByTheCrdAndProductionStaysAllBlueWhileItIsOpen() {
    scene.environmentService("app-blue", "blue", 2);
    scene.environmentService("app-green", "green", 2);
    scene.httpRoute(Fixtures.ROUTE, "app-blue", 100, "app-green", 0);
    cluster.bind(ns.name(), ReadmeRoles.role(ReadmeRoles.HTTPROUTE_ROUTER), USER);
    HttpRouteRouter router = HttpRouteRouter.builder(cluster.client(USER)).namespace(ns.name()).httpRoute(Fixtures.ROUTE)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    HTTPRoute before = scene.getHttpRoute(Fixtures.ROUTE);
    List<HTTPRoute> whileOpen = new ArrayList<>();
    List<TrafficSplit> reads = new ArrayList<>();
    HealthGate look = HealthGate.of("look at the stored route", ctx -> {
      whileOpen.add(scene.getHttpRoute(Fixtures.ROUTE));
      reads.add(router.current());
      return GateResult.healthy();
    });

    int mark = cluster.audit().mark();
    SwitchResult r = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(1)), VirtualClock.create(), new RecordingListener())
        .preview(HttpRoutePreview.builder(router).header("X-Preview", TOKEN).build()).previewGate(look).build().execute();

    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(reads).containsExactly(TrafficSplit.allTo(BLUE, GREEN));
    HTTPRoute open = whileOpen.get(0);
    assertThat(open.getSpec().getRules()).extracting(HTTPRouteRule::getName).containsExactly("app", "docs", "bluegreen-preview");
    HTTPRouteRule preview = open.getSpec().getRules().get(2);
    assertThat(preview.getMatches()).singleElement().satisfies(m -> {
      assertThat(m.getPath().getValue()).isEqualTo("/");
      assertThat(m.getHeaders()).extracting(HTTPHeaderMatch::getName).containsExactly("x-tenant", "X-Preview");
      assertThat(m.getHeaders().get(1).getValue()).isEqualTo(TOKEN);
    });
    assertThat(preview.getFilters()).as("production's filters").isEqualTo(before.getSpec().getRules().get(0).getFilters());
    assertThat(preview.getBackendRefs()).singleElement().satisfies(b -> assertThat(b.getName()).isEqualTo("app-green"));
    assertThat(open.getSpec().getRules().subList(0, 2)).as("production's rules as they were")
        .isEqualTo(before.getSpec().getRules());
    HTTPRoute after = scene.getHttpRoute(Fixtures.ROUTE);
    assertThat(after.getSpec().getRules()).extracting(HTTPRouteRule::getName).containsExactly("app", "docs");
    assertThat(after.getMetadata().getAnnotations()).isEqualTo(Map.of("example.com/owner", "team-shop"));
    assertThat(writesSince(mark, USER)).as("server-side writes: preview opened, the switch, preview closed").extracting(Object::toString)
        .containsExactly("update httproutes/app 200", "update httproutes/app 200", "update httproutes/app 200");
    assertThat(r.events(SwitchEvent.PreviewClosed.class)).hasSize(1);
  }

  @Test
  void theIngressPreviewHostRuleIsAcceptedAndRemoved() {
    scene.environmentService("app-blue", "blue", 2);
    scene.environmentService("app-green", "green", 2);
    scene.ingress(Fixtures.INGRESS, "app-blue");
    cluster.bind(ns.name(), ReadmeRoles.role(ReadmeRoles.INGRESS_BACKEND_ROUTER), USER);
    IngressBackendRouter router = IngressBackendRouter.builder(cluster.client(USER)).namespace(ns.name()).ingress(Fixtures.INGRESS)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    Ingress before = scene.getIngress(Fixtures.INGRESS);
    List<Ingress> whileOpen = new ArrayList<>();
    List<TrafficSplit> reads = new ArrayList<>();

    SwitchResult r = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(1)), VirtualClock.create(), new RecordingListener())
        .preview(IngressPreview.builder(router).host("preview.shop.example.com").tlsSecret("preview-tls").build())
        .previewGate(HealthGate.of("look", ctx -> {
          whileOpen.add(scene.getIngress(Fixtures.INGRESS));
          reads.add(router.current());
          return GateResult.healthy();
        })).build().execute();

    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(reads).containsExactly(TrafficSplit.allTo(BLUE, GREEN));
    assertThat(whileOpen.get(0).getSpec().getRules()).extracting(IngressRule::getHost)
        .containsExactly("shop.example.com", "docs.example.com", "preview.shop.example.com");
    Ingress after = scene.getIngress(Fixtures.INGRESS);
    assertThat(after.getSpec().getRules()).extracting(IngressRule::getHost).containsExactly("shop.example.com", "docs.example.com");
    assertThat(after.getSpec().getTls()).isEqualTo(before.getSpec().getTls());
  }

  @Test
  void thePreviewServiceIsCreatedSelectingGreenAndDeleted() {
    scene.service(Fixtures.SERVICE, Map.of("app", "myapp", "version", "blue"));
    scene.pods("app-blue", Map.of("app", "myapp", "version", "blue"), 2, true);
    scene.pods("app-green", Map.of("app", "myapp", "version", "green"), 2, true);
    ServiceSelectorRouter router = ServiceSelectorRouter.builder(cluster.admin()).namespace(ns.name()).service(Fixtures.SERVICE)
        .environments(BLUE, GREEN).build();
    List<Service> whileOpen = new ArrayList<>();

    SwitchResult r = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(1)), VirtualClock.create(), new RecordingListener())
        .preview(ServicePreview.builder(router).name("app-preview").build())
        .previewGate(HealthGate.of("look", ctx -> {
          whileOpen.add(scene.getService("app-preview"));
          return GateResult.healthy();
        })).build().execute();

    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(whileOpen.get(0).getSpec().getSelector()).containsEntry("version", "green");
    assertThat(whileOpen.get(0).getSpec().getPorts()).extracting(p -> p.getName()).containsExactly("http", "metrics");
    assertThat(scene.getService("app-preview")).as("deleted at the end").isNull();
  }
}
