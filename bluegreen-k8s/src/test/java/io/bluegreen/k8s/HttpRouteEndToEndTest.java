package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static io.bluegreen.k8s.support.Fixtures.ROUTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.PreflightReport;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.Verification;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Weighted, staged switching through a Gateway API HTTPRoute on the CRUD mock server. */
class HttpRouteEndToEndTest {

  private final MockCluster cluster = MockCluster.start();
  private final VirtualClock clock = VirtualClock.create();

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static String weights(HTTPRoute route, int rule) {
    return route.getSpec().getRules().get(rule).getBackendRefs().stream()
        .map(r -> r.getName() + "=" + r.getWeight()).reduce((a, b) -> a + " " + b).orElse("");
  }

  @Test
  void stagedTenFiftyHundredSwitchMakesOneWritePerStage() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    HTTPRoute before = cluster.getHttpRoute(ROUTE);
    List<String> seenAtEachStage = new ArrayList<>();
    List<Integer> writesAtEachStage = new ArrayList<>();
    List<Integer> requestsAtEachStage = new ArrayList<>();
    int mark = cluster.requestCount();
    int[] last = {mark};
    RecordingListener events = new RecordingListener(e -> {
      if (e instanceof SwitchEvent.StageVerified) {
        seenAtEachStage.add(weights(cluster.getHttpRoute(ROUTE), 0));
        List<MockCluster.Request> stage = cluster.requestsSince(last[0]);
        writesAtEachStage.add(MockCluster.writes(stage).size());
        requestsAtEachStage.add(stage.size() - 1); // minus the test's own read above
        last[0] = cluster.requestCount();
      }
    });

    SwitchResult result = Plans.plan(router, StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100), clock, events)
        .gate(ScriptedGate.healthy()).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(seenAtEachStage).containsExactly("app-blue=90 app-green=10", "app-blue=50 app-green=50", "app-blue=0 app-green=100");
    assertThat(writesAtEachStage).containsExactly(1, 1, 1);
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).hasSize(3)
        .allSatisfy(r -> assertThat(r.toString()).isEqualTo("PUT /apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/app"));
    HTTPRoute after = cluster.getHttpRoute(ROUTE);
    assertThat(after.getSpec().getRules().get(1)).isEqualTo(before.getSpec().getRules().get(1));
    assertThat(after.getSpec().getRules().get(0).getMatches()).isEqualTo(before.getSpec().getRules().get(0).getMatches());
    assertThat(after.getSpec().getParentRefs()).isEqualTo(before.getSpec().getParentRefs());
    assertThat(router.current().asMap()).containsExactly(Map.entry(BLUE, 0), Map.entry(GREEN, 100));
    // requests per stage (the router's guarded write: no read of the route before the PUT, none after it):
    // GET Service + LIST EndpointSlices of green (its weight grows), PUT; stage 1 also carries the snapshot read
    // and the preflight (GET route, a SelfSubjectAccessReview asking whether the client may update it, GET Service,
    // LIST slices); stages 2 and 3 also carry the previous stage's bake: one read of the route per 10 s gate poll
    // over 5 minutes
    assertThat(requestsAtEachStage).containsExactly(8, 3 + 30, 3 + 30);
  }

  @Test
  void rollbackRestoresTheExactPriorRouteSpec() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    HTTPRoute before = cluster.getHttpRoute(ROUTE);
    RecordingListener events = new RecordingListener();

    SwitchResult result = Plans.plan(router, StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100), clock, events)
        .gate(ScriptedGate.unhealthyDuringStage(2, "p99 latency 3s on green")).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.failedStage()).contains(2);
    assertThat(cluster.getHttpRoute(ROUTE).getSpec()).isEqualTo(before.getSpec());
    assertThat(result.trafficNow()).contains(TrafficSplit.allTo(BLUE, GREEN));
  }

  @Test
  void anotherWriterBetweenStagesIsDetectedAndNotOverwritten() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    KubernetesClient otherPipeline = cluster.newClient();
    int mark = cluster.requestCount();
    RecordingListener events = new RecordingListener(e -> {
      if (e instanceof SwitchEvent.StageVerified v && v.stageNumber() == 1) {
        HTTPRoute r = otherPipeline.resources(HTTPRoute.class).inNamespace("default").withName(ROUTE).get();
        r.getSpec().getRules().get(0).getBackendRefs().get(0).setWeight(70);
        r.getSpec().getRules().get(0).getBackendRefs().get(1).setWeight(30);
        otherPipeline.resources(HTTPRoute.class).inNamespace("default").resource(r).update();
      }
    });

    SwitchResult result = Plans.plan(router, StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100), clock, events)
        .gate(ScriptedGate.healthy()).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(events.ofType(SwitchEvent.DriftDetected.class)).singleElement().satisfies(d -> {
      assertThat(d.expected()).isEqualTo(TrafficSplit.of(BLUE, 90, GREEN, 10));
      assertThat(d.actual()).contains(TrafficSplit.of(BLUE, 70, GREEN, 30));
    });
    assertThat(result.reason()).contains("was changed by someone else");
    assertThat(weights(cluster.getHttpRoute(ROUTE), 0)).isEqualTo("app-blue=70 app-green=30");
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).hasSize(2); // the plan's stage 1 and the other writer's
    assertThat(events.ofType(SwitchEvent.RollbackStarted.class)).isEmpty();
  }

  @Test
  void missingHttpRouteIsNamedClearly() {
    Fixtures.routeScene(cluster);
    HttpRouteRouter router = HttpRouteRouter.builder(cluster.client()).httpRoute("shop")
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    int mark = cluster.requestCount();

    SwitchResult result = Plans.plan(router, StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100), clock,
        new RecordingListener()).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("HTTPRoute default/shop not found: create it or fix the name");
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).isEmpty();
  }

  private HTTPRoute routeWithWeights(Integer blue, Integer green) {
    io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder rule = new io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder();
    if (blue != null) {
      rule.addNewBackendRef().withName("app-blue").withPort(8080).withWeight(blue == -1 ? null : blue).endBackendRef();
    }
    if (green != null) {
      rule.addNewBackendRef().withName("app-green").withPort(8080).withWeight(green).endBackendRef();
    }
    HTTPRoute route = new HTTPRouteBuilder().withNewMetadata().withName(ROUTE).withNamespace("default").endMetadata()
        .withNewSpec().withRules(rule.build()).endSpec().build();
    return cluster.client().resources(HTTPRoute.class).inNamespace("default").resource(route).create();
  }

  private HttpRouteRouter plainRouter() {
    cluster.environmentService("app-blue", "blue", 1);
    cluster.environmentService("app-green", "green", 1);
    return HttpRouteRouter.builder(cluster.client()).httpRoute(ROUTE).service(BLUE, "app-blue").service(GREEN, "app-green").build();
  }

  @Test
  void weightsThatAreNotPercentsAreNormalisedOnlyWhenExact() {
    HttpRouteRouter router = plainRouter();
    routeWithWeights(1, 3);
    assertThat(router.current()).isEqualTo(TrafficSplit.of(BLUE, 25, GREEN, 75));
    long writes = cluster.writeCount();
    router.apply(TrafficSplit.of(BLUE, 25, GREEN, 75));
    assertThat(cluster.writeCount()).as("the split is already in place: no write").isEqualTo(writes);

    HTTPRoute r = cluster.getHttpRoute(ROUTE);
    r.getSpec().getRules().get(0).getBackendRefs().get(1).setWeight(2);
    cluster.client().resources(HTTPRoute.class).inNamespace("default").resource(r).update();
    assertThatThrownBy(router::current).isInstanceOf(RouterException.class)
        .hasMessageContaining("(weights app-blue=1 app-green=2 in rule #0): they are not whole percents of their sum 3");
  }

  @Test
  void aMissingWeightCountsAsOneAndAMissingBackendRefAsZero() {
    HttpRouteRouter router = plainRouter();
    routeWithWeights(-1, null);
    assertThat(router.current().asMap()).containsExactly(Map.entry(BLUE, 100), Map.entry(GREEN, 0));

    router.apply(TrafficSplit.of(BLUE, 80, GREEN, 20));

    HTTPRouteRule rule = cluster.getHttpRoute(ROUTE).getSpec().getRules().get(0);
    assertThat(rule.getBackendRefs()).extracting(HTTPBackendRef::getName, HTTPBackendRef::getPort, HTTPBackendRef::getWeight)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("app-blue", 8080, 80), org.assertj.core.groups.Tuple.tuple("app-green", 8080, 20));
    assertThat(router.current()).isEqualTo(TrafficSplit.of(BLUE, 80, GREEN, 20));
  }

  @Test
  void rulesThatDisagreeAreReportedNotAveraged() {
    HttpRouteRouter router = plainRouter();
    HTTPRoute r = routeWithWeights(100, 0);
    r.getSpec().getRules().add(new io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder()
        .addNewBackendRef().withName("app-blue").withPort(8080).withWeight(50).endBackendRef()
        .addNewBackendRef().withName("app-green").withPort(8080).withWeight(50).endBackendRef().build());
    cluster.client().resources(HTTPRoute.class).inNamespace("default").resource(r).update();
    assertThatThrownBy(router::current).isInstanceOf(RouterException.class)
        .hasMessageContaining("different splits in its managed rules (rule #0: blue=100 green=0, rule #1: blue=50 green=50)");
  }

  @Test
  void aNamedRuleOnlyIsManagedAndOtherBackendsAreAnnounced() {
    cluster.environmentService("app-blue", "blue", 1);
    cluster.environmentService("app-green", "green", 1);
    cluster.httpRoute(ROUTE, "app-blue", 100, "app-green", 0);
    HTTPRoute r = cluster.getHttpRoute(ROUTE);
    r.getSpec().getRules().get(0).getBackendRefs().add(new io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder()
        .withName("shadow").withPort(80).withWeight(5).build());
    cluster.client().resources(HTTPRoute.class).inNamespace("default").resource(r).update();
    HttpRouteRouter router = HttpRouteRouter.builder(cluster.client()).httpRoute(ROUTE).rule("app")
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();

    PreflightReport report = router.preflight(TrafficSplit.of(BLUE, 0, GREEN, 100));
    assertThat(report.notices()).singleElement().asString().contains("also sends traffic to Service shadow (weight 5)");
    router.apply(TrafficSplit.of(BLUE, 40, GREEN, 60));
    assertThat(weights(cluster.getHttpRoute(ROUTE), 0)).isEqualTo("app-blue=40 app-green=60 shadow=5");

    HttpRouteRouter wrongRule = HttpRouteRouter.builder(cluster.client()).httpRoute(ROUTE).rule("checkout")
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    assertThatThrownBy(wrongRule::current).hasMessageContaining("HTTPRoute default/app has no rule named checkout");
  }

  @Test
  void verifyIsPendingUntilTheGatewayControllerObservedTheWrite() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    router.apply(TrafficSplit.of(BLUE, 90, GREEN, 10));
    HTTPRoute written = cluster.getHttpRoute(ROUTE);
    HTTPRoute notYetObserved = new HTTPRouteBuilder(written).editMetadata().withGeneration(2L).endMetadata()
        .withNewStatus().addNewParent().withControllerName("example.com/gateway").withNewParentRef().withName("shop-gateway").endParentRef()
        .addToConditions(new ConditionBuilder().withType("Accepted").withStatus("True").withObservedGeneration(1L).build())
        .endParent().endStatus().build();
    HTTPRoute unresolved = new HTTPRouteBuilder(notYetObserved).editStatus().editFirstParent()
        .withConditions(new ConditionBuilder().withType("Accepted").withStatus("True").withObservedGeneration(2L).build(),
            new ConditionBuilder().withType("ResolvedRefs").withStatus("False").withReason("BackendNotFound").withObservedGeneration(2L).build())
        .endParent().endStatus().build();
    String path = "/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/app";
    cluster.expect().get().withPath(path).andReturn(200, notYetObserved).once();
    cluster.expect().get().withPath(path).andReturn(200, unresolved).once();

    Verification first = router.verify(TrafficSplit.of(BLUE, 90, GREEN, 10));
    Verification second = router.verify(TrafficSplit.of(BLUE, 90, GREEN, 10));
    Verification third = router.verify(TrafficSplit.of(BLUE, 90, GREEN, 10));

    assertThat(first.status()).isEqualTo(Verification.Status.PENDING);
    assertThat(first.detail()).contains("generation 2 not yet observed by example.com/gateway");
    assertThat(first.observed()).contains(TrafficSplit.of(BLUE, 90, GREEN, 10));
    assertThat(second.status()).isEqualTo(Verification.Status.PENDING);
    assertThat(second.detail()).contains("backendRefs not resolved by example.com/gateway: BackendNotFound");
    assertThat(third.isVerified()).isTrue();
  }

  @Test
  void weightedSplitsOverThreeEnvironments() {
    Environment red = Environment.of("red");
    cluster.environmentService("app-blue", "blue", 1);
    cluster.environmentService("app-green", "green", 1);
    cluster.environmentService("app-red", "red", 1);
    cluster.httpRoute(ROUTE, "app-blue", 100, "app-green", 0);
    HttpRouteRouter router = HttpRouteRouter.builder(cluster.client()).httpRoute(ROUTE)
        .service(BLUE, "app-blue").service(GREEN, "app-green").service(red, "app-red", 9090).build();

    assertThat(router.current().asMap()).containsExactly(Map.entry(BLUE, 100), Map.entry(GREEN, 0), Map.entry(red, 0));
    router.apply(TrafficSplit.builder().put(BLUE, 50).put(GREEN, 30).put(red, 20).build());
    assertThat(weights(cluster.getHttpRoute(ROUTE), 0)).isEqualTo("app-blue=50 app-green=30 app-red=20");
    assertThat(cluster.getHttpRoute(ROUTE).getSpec().getRules().get(0).getBackendRefs().get(2).getPort()).isEqualTo(9090);
  }
}
