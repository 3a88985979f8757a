package io.bluegreen.k8s.real;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.Router;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.k8s.HttpRouteRouter;
import io.bluegreen.k8s.IngressBackendRouter;
import io.bluegreen.k8s.ServiceSelectorRouter;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.k8s.support.ReadmeRoles;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * End to end on a real kube-apiserver: each router switches its object as {@code user-1} (bound to its
 * README Role only) through a full plan, and the server's audit log (not the client) shows exactly one
 * write per stage, each an update of the routed object whose body (audited at Request level) carries
 * the stage's split. Everything but the routing field is kept exactly (compared as JSON with what was
 * there before, metadata the server maintains aside: resourceVersion, generation, managedFields), and a
 * rollback restores the exact prior object. Pods get Ready and Services their EndpointSlices from the
 * test (no kubelet, no controller-manager).
 */
@Evidence(backend = "a real kube-apiserver + etcd (scripts/kube), writes counted in its audit log")
class RealEndToEndTest {

  private static final String USER = "user-1";
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final RealCluster cluster = RealCluster.get();
  private RealCluster.TestNamespace ns;
  private RealScene scene;

  @BeforeEach
  void namespace(TestInfo test) {
    ns = cluster.namespace("e2e-" + test.getTestMethod().orElseThrow().getName().replaceAll("([A-Z])", "-$1"));
    scene = new RealScene(cluster, ns.name());
  }

  @AfterEach
  void cleanUp() {
    ns.close();
  }

  private SwitchResult run(Router router, StageSchedule schedule, ScriptedGate gate) {
    VirtualClock clock = VirtualClock.create();
    return Plans.plan(router, schedule, clock, new RecordingListener()).gate(gate).build().execute();
  }

  /** @return the writes user-1 made in this test's namespace after {@code mark}, as the server audited them */
  private List<AuditLog.Event> writesSince(int mark) {
    return cluster.audit().since(mark, e -> e.user().equals(USER) && e.isWrite() && e.namespace().equals(ns.name()));
  }

  /** @return the object as JSON without what the server maintains on every write */
  private static JsonNode kept(HasMetadata object) {
    HasMetadata copy = JSON.clone(object);
    copy.getMetadata().setResourceVersion(null);
    copy.getMetadata().setGeneration(null);
    copy.getMetadata().setManagedFields(null);
    return JSON.convertValue(copy, JsonNode.class);
  }

  // ------------------------------------------------------------------------------------------- Service

  @Test
  void serviceSelectorSwitchKeepsEverythingButTheVersionKeyAndRollsBackToTheExactObject() {
    scene.service(Fixtures.SERVICE, Map.of("app", "myapp", "tier", "web", "version", "blue"));
    scene.pods("app-blue", Map.of("app", "myapp", "tier", "web", "version", "blue"), 2, true);
    scene.pods("app-green", Map.of("app", "myapp", "tier", "web", "version", "green"), 2, true);
    cluster.bind(ns.name(), ReadmeRoles.role(ReadmeRoles.SERVICE_SELECTOR_ROUTER), USER);
    ServiceSelectorRouter router = ServiceSelectorRouter.builder(cluster.client(USER)).namespace(ns.name()).service(Fixtures.SERVICE)
        .environments(BLUE, GREEN).build();
    Service before = scene.getService(Fixtures.SERVICE);

    int mark = cluster.audit().mark();
    SwitchResult done = run(router, StageSchedule.allAtOnce(Duration.ofMinutes(2)), ScriptedGate.healthy());

    assertThat(done.outcome()).as(done.summary()).isEqualTo(Outcome.COMPLETED);
    List<AuditLog.Event> writes = writesSince(mark);
    assertThat(writes).as("server-side writes").extracting(Object::toString).containsExactly("update services/app-service 200");
    assertThat(writes.get(0).requestObject().at("/spec/selector/version").asText()).isEqualTo("green");
    Service after = scene.getService(Fixtures.SERVICE);
    assertThat(after.getSpec().getSelector()).containsExactly(Map.entry("app", "myapp"), Map.entry("tier", "web"),
        Map.entry("version", "green"));
    Service expected = JSON.clone(before);
    expected.getSpec().getSelector().put("version", "green");
    assertThat(kept(after)).as("labels, annotations, ports, clusterIP, other selector keys kept exactly").isEqualTo(kept(expected));

    // back: a plan green -> blue whose gate fails rolls back to the exact object found (all on green)
    int mark2 = cluster.audit().mark();
    SwitchResult failed = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(2)), VirtualClock.create(), new RecordingListener())
        .from(GREEN).to(BLUE).gate(ScriptedGate.unhealthyDuringStage(1, "blue broke")).build().execute();
    assertThat(failed.outcome()).as(failed.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(writesSince(mark2)).as("the stage and the rollback").extracting(e -> e.requestObject().at("/spec/selector/version").asText())
        .containsExactly("blue", "green");
    assertThat(kept(scene.getService(Fixtures.SERVICE))).as("rollback restores the exact prior object").isEqualTo(kept(after));
    EvidenceLog.figure("real server: Service selector switch, server-side writes per stage", "1 (allAtOnce), rollback 1 more; object"
        + " kept exactly but the version key", "RealEndToEndTest (bluegreen-k8s, audit log of a real kube-apiserver)");
  }

  // ------------------------------------------------------------------------------------------- Ingress

  @Test
  void ingressBackendSwitchKeepsTlsAndOtherRulesAndRollsBackToTheExactObject() {
    scene.environmentService("app-blue", "blue", 2);
    scene.environmentService("app-green", "green", 2);
    scene.ingress(Fixtures.INGRESS, "app-blue");
    cluster.bind(ns.name(), ReadmeRoles.role(ReadmeRoles.INGRESS_BACKEND_ROUTER), USER);
    IngressBackendRouter router = IngressBackendRouter.builder(cluster.client(USER)).namespace(ns.name()).ingress(Fixtures.INGRESS)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    Ingress before = scene.getIngress(Fixtures.INGRESS);

    int mark = cluster.audit().mark();
    SwitchResult failed = run(router, StageSchedule.allAtOnce(Duration.ofMinutes(2)), ScriptedGate.unhealthyDuringStage(1, "green broke"));
    assertThat(failed.outcome()).as(failed.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(writesSince(mark)).as("server-side writes: the stage, then the rollback").extracting(Object::toString)
        .containsExactly("update ingresses/app 200", "update ingresses/app 200");
    assertThat(kept(scene.getIngress(Fixtures.INGRESS))).as("rollback restores the exact prior object").isEqualTo(kept(before));

    int mark2 = cluster.audit().mark();
    SwitchResult done = run(router, StageSchedule.allAtOnce(Duration.ofMinutes(2)), ScriptedGate.healthy());
    assertThat(done.outcome()).as(done.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(writesSince(mark2)).extracting(Object::toString).containsExactly("update ingresses/app 200");
    Ingress expected = JSON.clone(before);
    expected.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().setName("app-green");
    expected.getSpec().getRules().get(0).getHttp().getPaths().get(2).getBackend().getService().setName("app-green");
    assertThat(kept(scene.getIngress(Fixtures.INGRESS))).as("TLS, class, annotations, /static and the docs rule kept exactly")
        .isEqualTo(kept(expected));
  }

  // ------------------------------------------------------------------------------------------- HTTPRoute

  @Test
  void httpRouteTenFiftyHundredIsOneServerSideWritePerStageKeepingFiltersMatchesAndOtherBackends() {
    HttpRouteRouter router = routeScene();
    HTTPRoute before = scene.getHttpRoute(Fixtures.ROUTE);

    int mark = cluster.audit().mark();
    SwitchResult done = run(router, StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100), ScriptedGate.healthy());

    assertThat(done.outcome()).as(done.summary()).isEqualTo(Outcome.COMPLETED);
    List<AuditLog.Event> writes = writesSince(mark);
    assertThat(writes).as("one server-side write per stage").extracting(Object::toString)
        .containsExactly("update httproutes/app 200", "update httproutes/app 200", "update httproutes/app 200");
    assertThat(writes).extracting(RealEndToEndTest::greenWeight).as("green's weight in each write, as the server received it")
        .containsExactly(10, 50, 100);
    HTTPRoute expected = JSON.clone(before);
    expected.getSpec().getRules().get(0).getBackendRefs().get(0).setWeight(0);
    expected.getSpec().getRules().get(0).getBackendRefs().get(1).setWeight(100);
    assertThat(kept(scene.getHttpRoute(Fixtures.ROUTE))).as("matches, filters, canary-shadow backendRef, docs rule kept exactly")
        .isEqualTo(kept(expected));
    EvidenceLog.figure("real server: HTTPRoute 10/50/100, server-side writes per stage", writes.size() + " writes for 3 stages (green "
        + join(writes) + ")", "RealEndToEndTest (bluegreen-k8s, audit log of a real kube-apiserver)");
  }

  @Test
  void httpRouteRollbackRestoresTheExactPriorObject() {
    HttpRouteRouter router = routeScene();
    router.apply(TrafficSplit.of(BLUE, 90, GREEN, 10));
    HTTPRoute before = scene.getHttpRoute(Fixtures.ROUTE);

    int mark = cluster.audit().mark();
    SwitchResult failed = run(router, StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100),
        ScriptedGate.unhealthyDuringStage(2, "green error rate 7%"));

    assertThat(failed.outcome()).as(failed.summary()).isEqualTo(Outcome.ROLLED_BACK);
    List<AuditLog.Event> writes = writesSince(mark);
    assertThat(writes).extracting(RealEndToEndTest::greenWeight).as("stage 1 is in place already; stage 2, then the rollback")
        .containsExactly(50, 10);
    assertThat(kept(scene.getHttpRoute(Fixtures.ROUTE))).as("rollback restores the exact prior object").isEqualTo(kept(before));
  }

  private HttpRouteRouter routeScene() {
    scene.environmentService("app-blue", "blue", 2);
    scene.environmentService("app-green", "green", 2);
    scene.httpRoute(Fixtures.ROUTE, "app-blue", 100, "app-green", 0);
    cluster.bind(ns.name(), ReadmeRoles.role(ReadmeRoles.HTTPROUTE_ROUTER), USER);
    return HttpRouteRouter.builder(cluster.client(USER)).namespace(ns.name()).httpRoute(Fixtures.ROUTE)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
  }

  private static int greenWeight(AuditLog.Event write) {
    for (JsonNode ref : write.requestObject().at("/spec/rules/0/backendRefs")) {
      if (ref.path("name").asText().equals("app-green")) {
        return ref.path("weight").asInt();
      }
    }
    throw new AssertionError("no app-green backendRef in " + write.requestObject());
  }

  private static String join(List<AuditLog.Event> writes) {
    List<String> w = new ArrayList<>();
    writes.forEach(e -> w.add(String.valueOf(greenWeight(e))));
    return String.join(", ", w);
  }
}
