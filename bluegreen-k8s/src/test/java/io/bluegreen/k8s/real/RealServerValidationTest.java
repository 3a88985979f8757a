package io.bluegreen.k8s.real;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.k8s.HttpRouteRouter;
import io.bluegreen.k8s.IngressBackendRouter;
import io.bluegreen.k8s.ServiceSelectorRouter;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.k8s.support.ReadmeRoles;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a real kube-apiserver validates (object schemas, the Gateway API CRD's OpenAPI and CEL rules)
 * and the fabric8 mock server does not: for each input, the real server refuses the object it would
 * lead to (422, asked with dryRun=All by the admin), the mock server stores it, and the library still
 * refuses the input itself first, with an {@link InvalidConfigurationException} and zero requests (counted
 * on the real server's audit log). These inputs are rows of {@code KubernetesBadInputCatalogueTest} too.
 * Also: a name the server accepts is not refused by the library (an HTTPRoute rule named "app.v2"), and a
 * write the server would refuse however it is built (a 17th backendRef in a rule) is refused by the
 * router's preflight, before any write.
 */
@Evidence(backend = "a real kube-apiserver + etcd (scripts/kube), requests counted in its audit log; the fabric8 mock for comparison")
class RealServerValidationTest {

  private static final String USER = "user-1";
  private static RealCluster cluster;
  private static RealCluster.TestNamespace ns;
  private static MockCluster mock;

  /** Connects on first use (not in a @BeforeAll: a missing server then shows as skipped tests, not as an empty class). */
  @BeforeEach
  void start() {
    if (cluster == null) {
      cluster = RealCluster.get();
      ns = cluster.namespace("validation");
      mock = MockCluster.start();
    }
  }

  @AfterAll
  static void stop() {
    if (mock != null) {
      mock.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  private static Arguments bad(String input, ThrowingCallable library, Function<String, HasMetadata> object) {
    return Arguments.of(input, library, object);
  }

  static Stream<Arguments> inputs() {
    String g64 = "g".repeat(64);
    return Stream.of(
        bad("label value of 64 characters", () -> ServiceSelectorRouter.builder(c()).environment(GREEN, g64),
            n -> service(n, "app", Map.of("version", g64))),
        bad("label value ending in '-': \"green-\"", () -> ServiceSelectorRouter.builder(c()).environment(GREEN, "green-"),
            n -> service(n, "app", Map.of("version", "green-"))),
        bad("selector key with an uppercase prefix: \"Example.com/version\"", () -> ServiceSelectorRouter.builder(c())
            .selectorKey("Example.com/version"), n -> service(n, "app", Map.of("Example.com/version", "blue"))),
        bad("Service name ending in '-': \"app-\"", () -> ServiceSelectorRouter.builder(c()).service("app-"),
            n -> service(n, "app-", Map.of("version", "blue"))),
        bad("Ingress backend Service name with a dot: \"app.green\"", () -> IngressBackendRouter.builder(c()).service(GREEN, "app.green"),
            n -> ingress(n, "shop.example.com", "/", "app.green")),
        bad("Ingress host with uppercase letters: \"Shop.Example.com\"", () -> IngressBackendRouter.builder(c()).path("Shop.Example.com", "/"),
            n -> ingress(n, "Shop.Example.com", "/", "app-green")),
        bad("Ingress path that is not absolute: \"api\"", () -> IngressBackendRouter.builder(c()).path("shop.example.com", "api"),
            n -> ingress(n, "shop.example.com", "api", "app-green")),
        bad("HTTPRoute rule name with a space: \"App Rule\"", () -> HttpRouteRouter.builder(c()).rule("App Rule"),
            n -> route(n, "App Rule", 100, 80)),
        bad("HTTPRoute weight out of range (split blue=101 green=-1)", () -> HttpRouteRouter.builder(c()).namespace(n()).httpRoute("app")
            .service(BLUE, "app-blue").service(GREEN, "app-green").build().apply(TrafficSplit.of(BLUE, 101, GREEN, -1)),
            n -> route(n, "app", -1, 80)),
        bad("HTTPRoute backend port 0", () -> HttpRouteRouter.builder(c()).service(GREEN, "app-green", 0), n -> route(n, "app", 100, 0)),
        bad("namespace with uppercase letters: \"Shop\"", () -> HttpRouteRouter.builder(c()).namespace("Shop"),
            n -> new NamespaceBuilder().withNewMetadata().withName("Shop").endMetadata().build()),
        bad("LeaseLock leaseDuration 0", () -> LeaseLock.builder(c()).leaseDuration(Duration.ZERO),
            n -> new LeaseBuilder().withNewMetadata().withName("l").withNamespace(n).endMetadata().withNewSpec().withHolderIdentity("me")
                .withLeaseDurationSeconds(0).endSpec().build()));
  }

  /** @return the library's client, at call time (after {@link #start()}) */
  private static KubernetesClient c() {
    return cluster.client(USER);
  }

  private static String n() {
    return ns.name();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void theRealServerRefusesItTheMockStoresItAndTheLibraryRefusesItFirstWithZeroRequests(String input, ThrowingCallable library,
      Function<String, HasMetadata> object) {
    KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
        () -> cluster.admin().resource(object.apply(ns.name())).dryRun().create());
    assertThat(refused).as("the real server refuses the object of: " + input).isNotNull();
    assertThat(refused.getCode()).as(refused.getMessage()).isEqualTo(422);

    HasMetadata stored = mock.client().resource(object.apply(MockCluster.NS)).create();
    assertThat(stored).as("the fabric8 mock server stores it").isNotNull();
    mock.client().resource(stored).delete();

    int mark = cluster.audit().mark();
    Throwable thrown = catchThrowable(library);
    assertThat(thrown).as(input).isInstanceOf(InvalidConfigurationException.class);
    int requests = cluster.audit().since(mark, e -> e.user().equals(USER)).size();
    assertThat(requests).as("requests the real server saw for: " + input).isZero();
    String said = refused.getStatus() == null || refused.getStatus().getMessage() == null ? refused.getMessage()
        : refused.getStatus().getMessage();
    EvidenceLog.badInput("bluegreen-k8s", input + ": the real server refuses its object (HTTP 422: " + said
        + "), the fabric8 mock stores it", thrown.getMessage(), requests);
  }

  @Test
  void aServiceNameStartingWithADigitIsValidOnThisServerAndAcceptedByTheRouters() {
    cluster.admin().resource(service(ns.name(), "1app", Map.of("version", "blue"))).dryRun().create();
    assertThat(ServiceSelectorRouter.builder(cluster.admin()).namespace(ns.name()).service("1app").environments(BLUE, GREEN).build())
        .isNotNull();
    assertThat(HttpRouteRouter.builder(cluster.admin()).service(GREEN, "1app")).isNotNull();
  }

  @Test
  void anHttpRouteRuleNameWithADotIsValidOnTheServerAndManagedByTheRouter() {
    HTTPRoute route = cluster.admin().resource(route(ns.name(), "app.v2", 100, 80)).create();
    assertThat(route.getSpec().getRules().get(0).getName()).isEqualTo("app.v2");
    cluster.admin().resource(new ServiceBuilder().withNewMetadata().withName("app-blue").withNamespace(ns.name()).endMetadata()
        .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
    HttpRouteRouter router = HttpRouteRouter.builder(cluster.admin()).namespace(ns.name()).httpRoute(route.getMetadata().getName())
        .rule("app.v2").service(BLUE, "app-blue").service(GREEN, "app-green").build();
    assertThat(router.current()).isEqualTo(TrafficSplit.of(BLUE, 100, GREEN, 0));
  }

  @Test
  void aSeventeenthBackendRefIsRefusedByThePreflightBeforeAnyWrite() {
    RealScene scene = new RealScene(cluster, ns.name());
    scene.environmentService("app-green", "green", 1);
    HTTPRoute full = route(ns.name(), "app", 100, 80);
    full.getMetadata().setName("full");
    HTTPRouteRule rule = full.getSpec().getRules().get(0);
    for (int i = 1; i < 16; i++) {
      rule.getBackendRefs().add(new HTTPBackendRefBuilder().withName("other-" + i).withPort(80).withWeight(0).build());
    }
    full = cluster.admin().resource(full).create();
    HTTPRoute seventeen = cluster.admin().getKubernetesSerialization().clone(full);
    seventeen.getSpec().getRules().get(0).getBackendRefs().add(new HTTPBackendRefBuilder().withName("app-green").withPort(80).build());
    KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
        () -> cluster.admin().resource(seventeen).dryRun().update());
    assertThat(refused).as("the real server refuses a 17th backendRef").isNotNull();
    assertThat(refused.getMessage()).contains("must have at most 16 items");
    HTTPRoute inMock = mock.client().getKubernetesSerialization().clone(seventeen);
    inMock.getMetadata().setNamespace(MockCluster.NS);
    inMock.getMetadata().setResourceVersion(null);
    assertThat(mock.client().resource(inMock).create().getSpec().getRules().get(0).getBackendRefs()).as("the mock stores it").hasSize(17);

    cluster.bind(ns.name(), ReadmeRoles.role(ReadmeRoles.HTTPROUTE_ROUTER), USER);
    HttpRouteRouter router = HttpRouteRouter.builder(cluster.client(USER)).namespace(ns.name()).httpRoute("full")
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    int mark = cluster.audit().mark();
    SwitchResult result = Plans.plan(router, StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100), VirtualClock.create(),
        new RecordingListener()).gate(ScriptedGate.healthy()).build().execute();
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("16 backendRefs, the most the Gateway API allows").contains("nothing was written");
    assertThat(cluster.audit().since(mark, e -> e.user().equals(USER) && e.isWrite())).as("writes the server saw").isEmpty();
  }

  // ------------------------------------------------------------------------------------------- objects

  private static HasMetadata service(String namespace, String name, Map<String, String> selector) {
    return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec().withSelector(selector).addNewPort().withPort(80).endPort().endSpec().build();
  }

  private static HasMetadata ingress(String namespace, String host, String path, String service) {
    return new IngressBuilder().withNewMetadata().withName("app").withNamespace(namespace).endMetadata().withNewSpec()
        .addNewRule().withHost(host).withNewHttp().addNewPath().withPath(path).withPathType("Prefix").withNewBackend().withNewService()
        .withName(service).withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule()
        .endSpec().build();
  }

  private static HTTPRoute route(String namespace, String ruleName, int blueWeight, int port) {
    return new HTTPRouteBuilder().withNewMetadata().withName("app").withNamespace(namespace).endMetadata().withNewSpec()
        .addNewParentRef().withName("shop-gateway").endParentRef()
        .addNewRule().withName(ruleName).addNewBackendRef().withName("app-blue").withPort(port).withWeight(blueWeight).endBackendRef()
        .endRule().endSpec().build();
  }
}
