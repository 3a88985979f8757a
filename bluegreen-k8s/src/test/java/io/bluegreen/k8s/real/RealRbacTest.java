package io.bluegreen.k8s.real;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.HealthGate;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.Router;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.k8s.HttpRouteRouter;
import io.bluegreen.k8s.IngressBackendRouter;
import io.bluegreen.k8s.ServiceSelectorRouter;
import io.bluegreen.k8s.gate.DeploymentReadyGate;
import io.bluegreen.k8s.gate.EndpointsReadyGate;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.k8s.support.ReadmeRoles;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RBAC Roles bluegreen-k8s/README.md documents are sufficient and minimal, on a real
 * kube-apiserver with RBAC on. Each component (three routers, two gates, the Lease lock) runs in a
 * full plan as {@code user-2}, bound in a fresh namespace to nothing but its README Role (parsed from
 * the README itself, so the README is what is proven): the plan completes. Then, for every verb of
 * every rule of that Role, the same plan runs with that one verb removed: it must end ABORTED before
 * any write (checked on the server's audit log: no write by the plan's users landed, and the routed
 * object was never written), with a reason naming the missing permission ('verb' on group/resource).
 *
 * <p>The scenes make every rule necessary: the target Service of the Ingress and HTTPRoute routers and
 * of the EndpointsReadyGate has no EndpointSlice, so the Pod fallback (pods: list) is exercised too.
 * When a component other than a router is under test, the plan's router runs as {@code user-1} with
 * its own full Role. No controllers run: Pods get Ready and the Deployment its status from the test.
 */
@Evidence(backend = "a real kube-apiserver + etcd (scripts/kube) with RBAC on, one user per README Role")
class RealRbacTest {

  private static final String COMPONENT_USER = "user-2";
  private static final String ROUTER_USER = "user-1";
  private static final AtomicInteger VERBS_PROVEN = new AtomicInteger();
  private static RealCluster cluster;

  @AfterAll
  static void record() {
    if (cluster != null && VERBS_PROVEN.get() > 0) {
      EvidenceLog.figure("RBAC: README Roles on a real kube-apiserver", "6 components complete a plan with only their Role; each of "
          + VERBS_PROVEN.get() + " verbs removed alone aborts the plan before any write, naming the permission",
          "RealRbacTest (bluegreen-k8s, real kube-apiserver " + cluster.admin().getKubernetesVersion().getGitVersion() + ")");
    }
  }

  /** One component under test: its README Role, and how to run a plan that uses every rule of it. */
  record Component(String role, Scenario scenario) {
  }

  @FunctionalInterface
  interface Scenario {
    /** Sets the scene in {@code scene} and returns the plan; {@code client} is the component's (user-2's) client. */
    SwitchPlan.Builder plan(RealScene scene, KubernetesClient client);
  }

  private static List<Component> components() {
    return List.of(
        new Component(ReadmeRoles.SERVICE_SELECTOR_ROUTER, (scene, client) -> {
          RealRouterFixture.serviceScene(scene);
          return plan(ServiceSelectorRouter.builder(client).namespace(scene.namespace()).service(Fixtures.SERVICE)
              .environments(BLUE, GREEN).build(), StageSchedule.allAtOnce(Duration.ofMinutes(1)));
        }),
        new Component(ReadmeRoles.INGRESS_BACKEND_ROUTER, (scene, client) -> {
          targetWithoutSlices(scene);
          scene.ingress(Fixtures.INGRESS, "app-blue");
          return plan(IngressBackendRouter.builder(client).namespace(scene.namespace()).ingress(Fixtures.INGRESS)
              .service(BLUE, "app-blue").service(GREEN, "app-green").build(), StageSchedule.allAtOnce(Duration.ofMinutes(1)));
        }),
        new Component(ReadmeRoles.HTTPROUTE_ROUTER, (scene, client) -> {
          targetWithoutSlices(scene);
          scene.httpRoute(Fixtures.ROUTE, "app-blue", 100, "app-green", 0);
          return plan(HttpRouteRouter.builder(client).namespace(scene.namespace()).httpRoute(Fixtures.ROUTE)
              .service(BLUE, "app-blue").service(GREEN, "app-green").build(), StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 50, 100));
        }),
        new Component(ReadmeRoles.DEPLOYMENT_READY_GATE, (scene, client) -> {
          scene.deployment("app-green", 2, 2);
          return serviceRouterPlan(scene)
              .preSwitchGate(DeploymentReadyGate.builder(client).namespace(scene.namespace()).deployment("app-green").build());
        }),
        new Component(ReadmeRoles.ENDPOINTS_READY_GATE, (scene, client) -> {
          scene.service("app-green", Map.of("app", "myapp", "version", "green"));
          return serviceRouterPlan(scene).preSwitchGate(EndpointsReadyGate.forService(client, scene.namespace(), "app-green").build());
        }),
        new Component(ReadmeRoles.LEASE_LOCK, (scene, client) -> serviceRouterPlan(scene)
            .lock(LeaseLock.builder(client).namespace(scene.namespace()).clock(VirtualClock.create()).build())));
  }

  /** app-blue with an EndpointSlice; app-green without any (the Pod fallback) but with ready Pods. */
  private static void targetWithoutSlices(RealScene scene) {
    scene.environmentService("app-blue", "blue", 2);
    scene.service("app-green", Map.of("app", "myapp", "version", "green"));
    scene.pods("green", Map.of("app", "myapp", "version", "green"), 1, true);
  }

  /** The Service scene with its router running as user-1 under the full ServiceSelectorRouter Role. */
  private static SwitchPlan.Builder serviceRouterPlan(RealScene scene) {
    RealRouterFixture.serviceScene(scene);
    cluster.bind(scene.namespace(), ReadmeRoles.role(ReadmeRoles.SERVICE_SELECTOR_ROUTER), ROUTER_USER);
    return plan(ServiceSelectorRouter.builder(cluster.client(ROUTER_USER)).namespace(scene.namespace()).service(Fixtures.SERVICE)
        .environments(BLUE, GREEN).build(), StageSchedule.allAtOnce(Duration.ofMinutes(1)));
  }

  private static SwitchPlan.Builder plan(Router router, StageSchedule schedule) {
    VirtualClock clock = VirtualClock.create();
    return Plans.plan(router, schedule, clock, new RecordingListener()).gate(ScriptedGate.healthy()).defaultLogging(false);
  }

  /** @return per component: its README Role, then that Role without each of its verbs in turn */
  static Stream<Arguments> roles() {
    List<Arguments> runs = new ArrayList<>();
    for (Component c : components()) {
      Role full = ReadmeRoles.role(c.role());
      runs.add(Arguments.of(c.role(), "the README Role: the plan completes", c, full, null));
      for (int r = 0; r < full.getRules().size(); r++) {
        PolicyRule rule = full.getRules().get(r);
        for (String verb : rule.getVerbs()) {
          for (String group : rule.getApiGroups()) {
            for (String resource : rule.getResources()) {
              String permission = permission(group, resource, verb);
              runs.add(Arguments.of(c.role(), "without " + permission + ": aborted before any write, naming it", c,
                  without(full, r, verb), permission));
            }
          }
        }
      }
    }
    return runs.stream();
  }

  /** Here, not in a @BeforeAll: without a server every run shows as skipped (or fails on CI). */
  @BeforeEach
  void connect() {
    cluster = RealCluster.get();
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("roles")
  void everyDocumentedRoleIsSufficientAndEveryVerbInItNecessary(String roleName, String what, Component c, Role role,
      String missing) {
    if (missing == null) {
      runsWith(c, role);
    } else {
      failsWithout(c, role, missing);
    }
  }

  /** @return e.g. {@code 'update' on gateway.networking.k8s.io/httproutes}, as the library's messages name a permission */
  static String permission(String group, String resource, String verb) {
    return "'" + verb + "' on " + (group.isEmpty() ? "" : group + "/") + resource;
  }

  /** @return {@code role} without {@code verb} in rule {@code index} (the rule goes when it has no verb left) */
  private static Role without(Role role, int index, String verb) {
    Role copy = new KubernetesSerialization().clone(role);
    PolicyRule rule = copy.getRules().get(index);
    List<String> verbs = new ArrayList<>(rule.getVerbs());
    verbs.remove(verb);
    if (verbs.isEmpty()) {
      copy.getRules().remove(index);
    } else {
      rule.setVerbs(verbs);
    }
    return copy;
  }

  private record Run(SwitchResult result, List<AuditLog.Event> events) {
  }

  private Run run(Component c, Role role) {
    try (RealCluster.TestNamespace ns = cluster.namespace("rbac")) {
      RealScene scene = new RealScene(cluster, ns.name());
      cluster.bind(ns.name(), role, COMPONENT_USER);
      SwitchPlan plan = c.scenario().plan(scene, cluster.client(COMPONENT_USER)).build();
      int mark = cluster.audit().mark();
      SwitchResult result = plan.execute();
      List<AuditLog.Event> events = cluster.audit().since(mark, e -> e.namespace().equals(ns.name()) || e.namespace().isEmpty());
      return new Run(result, events.stream().filter(e -> e.user().equals(COMPONENT_USER) || e.user().equals(ROUTER_USER)).toList());
    }
  }

  private void runsWith(Component c, Role role) {
    Run run = run(c, role);
    assertThat(run.result().outcome()).as(run.result().summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(run.events()).as("the server saw the plan's users work").isNotEmpty();
    assertThat(run.events()).as("no request refused").noneMatch(e -> e.code() == 403);
  }

  private void failsWithout(Component c, Role reduced, String permission) {
    Run run = run(c, reduced);
    SwitchResult r = run.result();
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(r.writes()).as(r.summary()).isZero();
    assertThat(r.reason()).as("the reason names the missing permission").contains(permission);
    assertThat(run.events()).as("no write landed on the server (audit log)").noneMatch(e -> e.isWrite() && e.code() < 400);
    assertThat(run.events()).as("the routed object was never written (audit log)")
        .noneMatch(e -> e.isWrite() && List.of("services", "ingresses", "httproutes").contains(e.resource()));
    assertThat(run.events()).as("the server refused (or was asked about) exactly that permission")
        .anyMatch(e -> e.code() == 403 || e.resource().equals("selfsubjectaccessreviews"));
    VERBS_PROVEN.incrementAndGet();
  }
}
