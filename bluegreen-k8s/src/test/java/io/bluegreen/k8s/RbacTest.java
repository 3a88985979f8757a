package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.GateContext;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.Router;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.core.preview.PreviewRequest;
import io.bluegreen.k8s.gate.DeploymentReadyGate;
import io.bluegreen.k8s.gate.EndpointsReadyGate;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.k8s.support.ReadmeRoles;
import io.bluegreen.testkit.ManualScheduler;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Role rules in README.md are exact: each component, run through a full plan (or check) against
 * the mock API server, sends only requests its Role allows, and uses every verb its Role lists.
 */
class RbacTest {

  private static final Pattern CORE = Pattern.compile("/api/v1/namespaces/[^/]+/([^/?]+)(/[^/?]+)?(/[^/?]+)?(\\?.*)?");
  private static final Pattern GROUPED = Pattern.compile("/apis/([^/]+)/[^/]+/namespaces/[^/]+/([^/?]+)(/[^/?]+)?(/[^/?]+)?(\\?.*)?");
  private static Map<String, Role> roles;

  private final MockCluster cluster = MockCluster.start();
  private final VirtualClock clock = VirtualClock.create();

  /** What RBAC sees of a request. */
  record Access(String apiGroup, String resource, String verb) implements Comparable<Access> {
    @Override
    public int compareTo(Access o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource + ":" + verb;
    }
  }

  @BeforeAll
  static void readRolesFromTheReadme() {
    roles = ReadmeRoles.read();
    assertThat(roles).containsOnlyKeys("bluegreen-service-selector-router", "bluegreen-ingress-backend-router",
        "bluegreen-httproute-router", "bluegreen-deployment-ready-gate", "bluegreen-endpoints-ready-gate", "bluegreen-lease-lock",
        "bluegreen-service-preview", "bluegreen-termination-grace-drain");
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  static Access access(MockCluster.Request r) {
    String path = r.path();
    Matcher core = CORE.matcher(path);
    Matcher grouped = GROUPED.matcher(path);
    String group;
    String resource;
    boolean named;
    String query;
    if (core.matches()) {
      group = "";
      resource = core.group(1);
      named = core.group(2) != null;
      query = core.group(4);
      if (core.group(3) != null) {
        resource += core.group(3);
      }
    } else if (grouped.matches()) {
      group = grouped.group(1);
      resource = grouped.group(2);
      named = grouped.group(3) != null;
      query = grouped.group(5);
      if (grouped.group(4) != null) {
        resource += grouped.group(4);
      }
    } else {
      throw new AssertionError("request outside any namespaced resource: " + r);
    }
    boolean watch = query != null && query.contains("watch=true");
    String verb = switch (r.method()) {
      case "GET" -> watch ? "watch" : named ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> throw new AssertionError("unexpected method " + r);
    };
    return new Access(group, resource, verb);
  }

  private static Set<Access> allowed(String... roleNames) {
    Set<Access> allowed = new TreeSet<>();
    for (String name : roleNames) {
      for (PolicyRule rule : roles.get(name).getRules()) {
        for (String g : rule.getApiGroups()) {
          for (String res : rule.getResources()) {
            for (String v : rule.getVerbs()) {
              allowed.add(new Access(g, res, v));
            }
          }
        }
      }
    }
    return allowed;
  }

  private Set<Access> used(Runnable scenario) {
    int mark = cluster.requestCount();
    scenario.run();
    Set<Access> used = new TreeSet<>();
    for (MockCluster.Request r : cluster.requestsSince(mark)) {
      if (!r.isAccessReview()) { // every authenticated identity may ask (ClusterRole system:basic-user): no Role rule needed
        used.add(access(r));
      }
    }
    return used;
  }

  private void assertExact(String role, Runnable scenario) {
    Set<Access> used = used(scenario);
    assertThat(used).as("requests made by " + role + " vs the rules README.md lists").isEqualTo(allowed(role));
  }

  private void runPlan(Router router, StageSchedule schedule) {
    SwitchResult r = Plans.plan(router, schedule, clock, new RecordingListener()).gate(ScriptedGate.healthy()).build().execute();
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
  }

  @Test
  void serviceSelectorRouter() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    assertExact("bluegreen-service-selector-router", () -> runPlan(router, StageSchedule.allAtOnce(Duration.ofMinutes(1))));
  }

  /** The target Service has no EndpointSlice, so the Pod fallback is exercised too. */
  private void targetWithoutSlices() {
    cluster.environmentService("app-blue", "blue", 2);
    cluster.service("app-green", Map.of("app", "myapp", "version", "green"));
    cluster.pods("green", Map.of("app", "myapp", "version", "green"), 1, true);
  }

  @Test
  void ingressBackendRouter() {
    targetWithoutSlices();
    cluster.ingress(Fixtures.INGRESS, "app-blue");
    IngressBackendRouter router = IngressBackendRouter.builder(cluster.client()).ingress(Fixtures.INGRESS)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    assertExact("bluegreen-ingress-backend-router", () -> runPlan(router, StageSchedule.allAtOnce(Duration.ofMinutes(1))));
  }

  @Test
  void httpRouteRouter() {
    targetWithoutSlices();
    cluster.httpRoute(Fixtures.ROUTE, "app-blue", 100, "app-green", 0);
    HttpRouteRouter router = HttpRouteRouter.builder(cluster.client()).httpRoute(Fixtures.ROUTE)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    assertExact("bluegreen-httproute-router", () -> runPlan(router, StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 50, 100)));
  }

  private static GateContext ctx() {
    return GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 1).from(BLUE).to(GREEN)
        .split(TrafficSplit.allTo(BLUE)).now(Instant.parse("2026-01-01T00:00:00Z")).build();
  }

  @Test
  void deploymentReadyGate() {
    cluster.client().apps().deployments().inNamespace("default").resource(new DeploymentBuilder().withNewMetadata().withName("app-green")
        .endMetadata().withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "x").endSelector().withNewTemplate()
        .withNewMetadata().addToLabels("app", "x").endMetadata().withNewSpec().addNewContainer().withName("c").withImage("i").endContainer()
        .endSpec().endTemplate().endSpec().build()).create();
    assertExact("bluegreen-deployment-ready-gate",
        () -> DeploymentReadyGate.builder(cluster.client()).deployment("app-green").build().check(ctx()));
  }

  @Test
  void endpointsReadyGate() {
    targetWithoutSlices();
    assertExact("bluegreen-endpoints-ready-gate", () -> {
      EndpointsReadyGate.forService(cluster.client(), "default", "app-green").build().check(ctx());
      EndpointsReadyGate.forSelector(cluster.client(), "default", Map.of("version", "green")).build().check(ctx());
    });
  }

  @Test
  void leaseLockAlone() {
    ManualScheduler scheduler = new ManualScheduler();
    assertExact("bluegreen-lease-lock", () -> {
      LeaseLock lock = LeaseLock.builder(cluster.client()).namespace("default").clock(clock).scheduler(scheduler).build();
      RouteLock.Lease lease = lock.acquire("k8s/service/default/app-service", "pipeline");
      scheduler.runPeriodicTasks();
      lease.close();
    });
  }

  @Test
  void servicePreview() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    ServicePreview preview = ServicePreview.builder(router).name("app-preview").build();
    PreviewRequest request = PreviewRequest.of("p", router.routeId(), "pipeline", GREEN, BLUE);
    assertExact("bluegreen-service-preview", () -> {
      preview.preflight(request);
      preview.open(request);
      preview.close(request);
    });
  }

  @Test
  void terminationGraceDrain() {
    cluster.client().apps().deployments().inNamespace("default").resource(new DeploymentBuilder().withNewMetadata().withName("app-blue")
        .endMetadata().withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("c").withImage("i").endContainer()
        .endSpec().endTemplate().endSpec().build()).create();
    assertExact("bluegreen-termination-grace-drain",
        () -> TerminationGraceDrain.builder(cluster.client()).deployment(BLUE, "app-blue").build().estimate(BLUE));
  }

  @Test
  void theHttpRouteAndIngressPreviewsNeedNothingBeyondTheirRoutersRoles() {
    targetWithoutSlices();
    cluster.httpRoute(Fixtures.ROUTE, "app-blue", 100, "app-green", 0);
    cluster.ingress(Fixtures.INGRESS, "app-blue");
    HttpRouteRouter route = HttpRouteRouter.builder(cluster.client()).httpRoute(Fixtures.ROUTE)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    IngressBackendRouter ingress = IngressBackendRouter.builder(cluster.client()).ingress(Fixtures.INGRESS)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    Set<Access> byRoute = used(() -> Plans.plan(route, StageSchedule.allAtOnce(Duration.ofMinutes(1)), clock, new RecordingListener())
        .preview(HttpRoutePreview.builder(route).header("X-Preview", "green").build()).build().execute());
    Set<Access> byIngress = used(() -> Plans.plan(ingress, StageSchedule.allAtOnce(Duration.ofMinutes(1)), clock, new RecordingListener())
        .preview(IngressPreview.builder(ingress).host("preview.shop.example.com").build()).build().execute());
    assertThat(allowed("bluegreen-httproute-router")).containsAll(byRoute);
    assertThat(allowed("bluegreen-ingress-backend-router")).containsAll(byIngress);
  }

  @Test
  void aFullPlanWithEveryComponentStaysWithinTheUnionOfTheirRoles() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    cluster.environmentService("app-green", "green", 2);
    cluster.client().apps().deployments().inNamespace("default").resource(new DeploymentBuilder().withNewMetadata().withName("app-green")
        .withGeneration(1L).endMetadata().withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "x").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "x").endMetadata().withNewSpec().addNewContainer().withName("c")
        .withImage("i").endContainer().endSpec().endTemplate().endSpec()
        .withNewStatus().withObservedGeneration(1L).withReplicas(1).withUpdatedReplicas(1).withReadyReplicas(1).withAvailableReplicas(1)
        .endStatus().build()).create();
    Function<String[], Set<Access>> union = RbacTest::allowed;
    Set<Access> used = used(() -> {
      SwitchResult r = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(1)), clock, new RecordingListener())
          .lock(LeaseLock.builder(cluster.client()).namespace("default").clock(VirtualClock.create()).build())
          .preSwitchGate(DeploymentReadyGate.builder(cluster.client()).deployment("app-green").build())
          .gate(EndpointsReadyGate.forService(cluster.client(), "default", "app-green").build())
          .build().execute();
      assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
    });
    assertThat(union.apply(new String[] {"bluegreen-service-selector-router", "bluegreen-lease-lock",
        "bluegreen-deployment-ready-gate", "bluegreen-endpoints-ready-gate"})).containsAll(used);
    assertThat(used).noneMatch(a -> List.of("patch", "delete", "deletecollection", "watch").contains(a.verb()));
  }
}
