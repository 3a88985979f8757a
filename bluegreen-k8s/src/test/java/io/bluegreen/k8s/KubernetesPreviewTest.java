package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.gate.HealthGates;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import io.bluegreen.core.drain.DrainEstimate;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.core.preview.PreviewRequest;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes preview routes on the fabric8 mock API server (CRUD mode): what each opens (an
 * HTTPRoute header rule, an Ingress host rule, a preview Service), that the production router reads
 * the same split while it is open, one write to open and one to close, nothing written by preflight,
 * conflicts and the production host refused before any write, and a preview left by an earlier run
 * found and removed with its owner named.
 */
class KubernetesPreviewTest {

  private static final String TOKEN = "preview-token-7f3a";

  private final MockCluster cluster = MockCluster.start();

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static PreviewRequest request(String routeId, String owner) {
    return PreviewRequest.of("preview-test", routeId, owner, GREEN, BLUE);
  }

  private long writesSince(int mark) {
    return MockCluster.writes(cluster.requestsSince(mark)).size();
  }

  // ------------------------------------------------------------------------------------------- HTTPRoute

  @Test
  void anHttpRoutePreviewAddsAHeaderRuleToGreenBesideTheManagedOneAndTheRouterIgnoresIt() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    HTTPRoute before = cluster.getHttpRoute(Fixtures.ROUTE);
    HttpRoutePreview preview = HttpRoutePreview.builder(router).header("X-Preview", TOKEN).frontDoor(URI.create("https://shop.example.com/"))
        .build();
    PreviewRequest request = request(router.routeId(), "pipeline-1@runner");

    int mark = cluster.requestCount();
    PreviewEndpoint planned = preview.preflight(request);
    assertThat(writesSince(mark)).as("preflight writes nothing").isZero();
    PreviewEndpoint endpoint = preview.open(request);

    assertThat(endpoint).isEqualTo(planned);
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).extracting(MockCluster.Request::method).containsExactly("PUT");
    HTTPRoute open = cluster.getHttpRoute(Fixtures.ROUTE);
    assertThat(open.getSpec().getRules()).extracting(HTTPRouteRule::getName).containsExactly("app", "docs", "bluegreen-preview");
    assertThat(open.getSpec().getRules().subList(0, 2)).as("production's rules are kept exactly").isEqualTo(before.getSpec().getRules());
    HTTPRouteRule rule = open.getSpec().getRules().get(2);
    assertThat(rule.getBackendRefs()).singleElement().satisfies(ref -> {
      assertThat(ref.getName()).isEqualTo("app-green");
      assertThat(ref.getPort()).isEqualTo(80);
    });
    assertThat(rule.getMatches()).singleElement().satisfies(m -> {
      assertThat(m.getPath().getValue()).as("the managed rule's path").isEqualTo("/");
      assertThat(m.getHeaders()).extracting(HTTPHeaderMatch::getName, HTTPHeaderMatch::getValue, HTTPHeaderMatch::getType)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("X-Preview", TOKEN, "Exact"));
    });
    assertThat(open.getMetadata().getAnnotations()).containsEntry("preview.bluegreen.io/owner", "pipeline-1@runner");
    assertThat(router.current()).as("production still reads all blue").isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    assertThat(endpoint.url()).contains(URI.create("https://shop.example.com/"));
    assertThat(endpoint.headers()).containsEntry("X-Preview", TOKEN);
    assertThat(endpoint.toString()).doesNotContain(TOKEN);

    int again = cluster.requestCount();
    assertThat(preview.open(request)).isEqualTo(endpoint);
    assertThat(writesSince(again)).as("open again: already there, nothing written").isZero();

    int closing = cluster.requestCount();
    assertThat(preview.close(request)).hasValueSatisfying(s -> assertThat(s).contains("bluegreen-preview", "pipeline-1@runner"));
    assertThat(writesSince(closing)).isEqualTo(1);
    HTTPRoute closed = cluster.getHttpRoute(Fixtures.ROUTE);
    assertThat(closed.getSpec()).isEqualTo(before.getSpec());
    assertThat(closed.getMetadata().getAnnotations()).isNullOrEmpty();
    int after = cluster.requestCount();
    assertThat(preview.close(request)).isEmpty();
    assertThat(writesSince(after)).isZero();
  }

  @Test
  void anHttpRoutePreviewLeftByACrashedRunIsNoConflictAndIsRemovedNamingItsOwner() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    HttpRoutePreview preview = HttpRoutePreview.builder(router).header("X-Preview", TOKEN).build();
    preview.open(request(router.routeId(), "crashed@runner-1"));

    PreviewRequest rerun = request(router.routeId(), "rerun@runner-2");
    assertThat(preview.preflight(rerun)).isNotNull();
    assertThat(preview.close(rerun)).hasValueSatisfying(s -> assertThat(s).contains("opened by crashed@runner-1"));
    assertThat(cluster.getHttpRoute(Fixtures.ROUTE).getSpec().getRules()).extracting(HTTPRouteRule::getName).containsExactly("app", "docs");
  }

  @Test
  void anHttpRouteRuleNamedLikeThePreviewOrMatchingTheSameHeaderIsRefusedBeforeAnyWrite() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    HTTPRoute route = cluster.getHttpRoute(Fixtures.ROUTE);
    route.getSpec().getRules().add(new HTTPRouteRuleBuilder().withName("bluegreen-preview").addNewBackendRef().withName("docs").withPort(80)
        .endBackendRef().build());
    cluster.client().resources(HTTPRoute.class).inNamespace(MockCluster.NS).resource(route).update();
    HttpRoutePreview preview = HttpRoutePreview.builder(router).header("X-Preview", TOKEN).build();

    int mark = cluster.requestCount();
    assertThatThrownBy(() -> preview.preflight(request(router.routeId(), "p@h"))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("rule named bluegreen-preview that bluegreen did not create").hasMessageContaining("nothing was written");
    assertThat(writesSince(mark)).isZero();
    assertThat(router.current()).as("the router ignores a rule with the preview's name").isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
  }

  @Test
  void httpRoutePreviewHeadersTheCrdWouldRejectAreRefusedByTheBuilder() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    int mark = cluster.requestCount();
    for (String name : new String[] {"X Preview", "", "X-Préview", "Host"}) {
      assertThatThrownBy(() -> HttpRoutePreview.builder(router).header(name, "v")).as(name).isInstanceOf(InvalidConfigurationException.class);
    }
    assertThatThrownBy(() -> HttpRoutePreview.builder(router).header("X-Preview", " padded")).isInstanceOf(InvalidConfigurationException.class);
    assertThat(cluster.requestCount()).isEqualTo(mark);
  }

  @Test
  void throughAPlanProductionStaysAllBlueWhileThePreviewIsOpenAndThePreviewIsGoneAtTheEnd() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    List<TrafficSplit> routerReads = new ArrayList<>();
    List<List<Integer>> storedWeights = new ArrayList<>();
    List<String> previewRules = new ArrayList<>();
    HealthGate whileOpen = HealthGate.of("production while the preview is open", ctx -> {
      routerReads.add(router.current());
      HTTPRoute stored = cluster.getHttpRoute(Fixtures.ROUTE);
      storedWeights.add(stored.getSpec().getRules().get(0).getBackendRefs().stream().map(b -> b.getWeight()).toList());
      stored.getSpec().getRules().stream().filter(HttpRoutePreview::isPreviewRule).forEach(r -> previewRules.add(r.getName()));
      return GateResult.healthy();
    });

    SwitchResult r = SwitchPlan.builder().router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100))
        .preview(HttpRoutePreview.builder(router).header("X-Preview", TOKEN).build())
        .previewGate(HealthGates.consecutiveSuccesses(whileOpen, 3))
        .lock(new InProcessRouteLock()).time(VirtualClock.create()).defaultLogging(false).build().execute();

    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(routerReads).hasSize(3).containsOnly(TrafficSplit.allTo(BLUE, GREEN));
    assertThat(storedWeights).as("app-blue, app-green weights of the production rule").containsOnly(List.of(100, 0));
    assertThat(previewRules).containsOnly("bluegreen-preview").hasSize(3);
    assertThat(cluster.getHttpRoute(Fixtures.ROUTE).getSpec().getRules()).extracting(HTTPRouteRule::getName).containsExactly("app", "docs");
  }

  @Test
  void aPreviewGateFailingThroughAPlanLeavesTheProductionRuleUntouched() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    HTTPRoute before = cluster.getHttpRoute(Fixtures.ROUTE);

    SwitchResult r = SwitchPlan.builder().router(router).from(BLUE).to(GREEN)
        .preview(HttpRoutePreview.builder(router).header("X-Preview", TOKEN).build())
        .previewGate(HealthGate.of("smoke", ctx -> GateResult.unhealthy("checkout answers 500 through the preview")))
        .lock(new InProcessRouteLock()).time(VirtualClock.create()).defaultLogging(false).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("checkout answers 500", "nothing was written");
    assertThat(r.writes()).isZero();
    assertThat(cluster.getHttpRoute(Fixtures.ROUTE).getSpec()).isEqualTo(before.getSpec());
  }

  // ------------------------------------------------------------------------------------------- Ingress

  @Test
  void anIngressPreviewAddsAHostRuleWithTheManagedPathsToGreenAndTheRouterIgnoresIt() {
    IngressBackendRouter router = Fixtures.ingressScene(cluster);
    Ingress before = cluster.getIngress(Fixtures.INGRESS);
    IngressPreview preview = IngressPreview.builder(router).host("preview.shop.example.com").tlsSecret("preview-tls").build();
    PreviewRequest request = request(router.routeId(), "pipeline-2@runner");

    int mark = cluster.requestCount();
    PreviewEndpoint endpoint = preview.open(request);

    assertThat(writesSince(mark)).isEqualTo(1);
    Ingress open = cluster.getIngress(Fixtures.INGRESS);
    assertThat(open.getSpec().getRules()).extracting(IngressRule::getHost).containsExactly("shop.example.com", "preview.shop.example.com");
    assertThat(open.getSpec().getRules().get(0)).as("the production rule is kept exactly").isEqualTo(before.getSpec().getRules().get(0));
    assertThat(open.getSpec().getRules().get(1).getHttp().getPaths()).as("the managed paths / and /api, not /static")
        .extracting(HTTPIngressPath::getPath, p -> p.getBackend().getService().getName())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("/", "app-green"), org.assertj.core.groups.Tuple.tuple("/api", "app-green"));
    assertThat(open.getSpec().getTls()).hasSize(2).last().satisfies(t -> {
      assertThat(t.getHosts()).containsExactly("preview.shop.example.com");
      assertThat(t.getSecretName()).isEqualTo("preview-tls");
    });
    assertThat(router.current()).as("production still reads all blue").isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    assertThat(endpoint.url()).contains(URI.create("https://preview.shop.example.com/"));
    assertThat(endpoint.host()).contains("preview.shop.example.com");

    assertThat(preview.close(request)).hasValueSatisfying(s -> assertThat(s).contains("host preview.shop.example.com", "pipeline-2@runner"));
    Ingress closed = cluster.getIngress(Fixtures.INGRESS);
    assertThat(closed.getSpec()).isEqualTo(before.getSpec());
    assertThat(closed.getMetadata().getAnnotations()).isEqualTo(before.getMetadata().getAnnotations());
  }

  @Test
  void anIngressPreviewHostEqualToTheProductionHostIsRefusedBeforeAnyWrite() {
    IngressBackendRouter router = Fixtures.ingressScene(cluster);
    IngressPreview preview = IngressPreview.builder(router).host("shop.example.com").build();

    int mark = cluster.requestCount();
    assertThatThrownBy(() -> preview.preflight(request(router.routeId(), "p@h"))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("preview host shop.example.com is a production host of Ingress default/app").hasMessageContaining("nothing was written");
    assertThat(writesSince(mark)).isZero();
    assertThatThrownBy(() -> IngressPreview.builder(router).host("*.example.com")).isInstanceOf(InvalidConfigurationException.class);
  }

  // ------------------------------------------------------------------------------------------- Service

  @Test
  void aServicePreviewIsASecondServiceSelectingGreenAndTheProductionServiceIsNotTouched() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    Service before = cluster.getService(Fixtures.SERVICE);
    ServicePreview preview = ServicePreview.builder(router).name("app-preview").build();
    PreviewRequest request = request(router.routeId(), "pipeline-3@runner");

    int mark = cluster.requestCount();
    preview.preflight(request);
    assertThat(writesSince(mark)).isZero();
    PreviewEndpoint endpoint = preview.open(request);

    assertThat(MockCluster.writes(cluster.requestsSince(mark))).extracting(MockCluster.Request::method).containsExactly("POST");
    Service created = cluster.getService("app-preview");
    assertThat(created.getSpec().getSelector()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "myapp", "version", "green"));
    assertThat(created.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(80));
    assertThat(created.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "bluegreen");
    assertThat(cluster.getService(Fixtures.SERVICE)).isEqualTo(before);
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    assertThat(endpoint.url()).contains(URI.create("http://app-preview.default.svc/"));

    assertThat(preview.close(request)).hasValueSatisfying(s -> assertThat(s).contains("app-preview", "pipeline-3@runner"));
    assertThat(cluster.getService("app-preview")).isNull();
    assertThat(preview.close(request)).isEmpty();
  }

  @Test
  void aServicePreviewNameTakenByAnotherServiceIsRefusedBeforeAnyWrite() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    cluster.client().services().inNamespace(MockCluster.NS).resource(new ServiceBuilder().withNewMetadata().withName("app-preview").endMetadata()
        .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
    ServicePreview preview = ServicePreview.builder(router).name("app-preview").build();

    int mark = cluster.requestCount();
    assertThatThrownBy(() -> preview.preflight(request(router.routeId(), "p@h"))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("exists and was not created by bluegreen");
    assertThat(preview.close(request(router.routeId(), "p@h"))).as("and close leaves it alone").isEmpty();
    assertThat(writesSince(mark)).isZero();
    assertThatThrownBy(() -> ServicePreview.builder(router).name(Fixtures.SERVICE).build()).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("is the production Service's");
  }

  // ------------------------------------------------------------------------------------------- drain

  @Test
  void terminationGraceDrainReadsTheDeploymentsPodTemplate() {
    cluster.client().apps().deployments().inNamespace(MockCluster.NS).resource(new DeploymentBuilder().withNewMetadata().withName("app-blue")
        .endMetadata().withNewSpec().withNewTemplate().withNewSpec().withTerminationGracePeriodSeconds(45L).addNewContainer().withName("app")
        .withImage("example/app:1").endContainer().endSpec().endTemplate().endSpec().build()).create();
    cluster.client().apps().deployments().inNamespace(MockCluster.NS).resource(new DeploymentBuilder().withNewMetadata().withName("app-green")
        .endMetadata().withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("app").withImage("example/app:2")
        .endContainer().endSpec().endTemplate().endSpec().build()).create();
    TerminationGraceDrain drain = TerminationGraceDrain.builder(cluster.client()).namespace(MockCluster.NS)
        .deployment(BLUE, "app-blue").deployment(GREEN, "app-green").build();

    DrainEstimate blue = drain.estimate(BLUE);
    DrainEstimate green = drain.estimate(GREEN);

    assertThat(blue.window()).isEqualTo(Duration.ofSeconds(45));
    assertThat(blue.basis()).singleElement().asString().contains("terminationGracePeriodSeconds 45", "Deployment default/app-blue");
    assertThat(green.window()).as("unset: Kubernetes' default").isEqualTo(Duration.ofSeconds(30));
    assertThat(drain.estimate(Environment.of("red"))).isEqualTo(DrainEstimate.none());
  }
}
