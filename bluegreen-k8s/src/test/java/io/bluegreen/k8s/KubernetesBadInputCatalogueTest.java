package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.k8s.gate.DeploymentReadyGate;
import io.bluegreen.k8s.gate.EndpointsReadyGate;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every invalid input to bluegreen-k8s's public API that a caller can pass (names, labels, mappings,
 * hosts, paths, ports, durations, minimums, nulls) is rejected with an {@link InvalidConfigurationException}
 * whose message says what to pass instead, and with zero requests reaching the API server: nothing a
 * caller passes can reach a request path, a label selector or a written object unless it is well formed.
 * Each case is asserted, then recorded with the number of requests the mock server saw (written only
 * when the case passed: {@link Evidence}).
 */
@Evidence(backend = "fabric8 kubernetes-server-mock (CRUD mode), counting every request")
class KubernetesBadInputCatalogueTest {

  private static final Environment RED = Environment.of("red");
  private static MockCluster cluster;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = MockCluster.start();
    client = cluster.client();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Arguments bad(String input, String fix, ThrowingCallable call) {
    return Arguments.of(input, fix, call);
  }

  private static ServiceSelectorRouter.Builder service() {
    return ServiceSelectorRouter.builder(client).namespace("shop").service("app-service");
  }

  private static ServiceSelectorRouter serviceRouter() {
    return service().environments(BLUE, GREEN).build();
  }

  private static LeaseLock.Builder lease() {
    return LeaseLock.builder(client).namespace("deploy-locks");
  }

  static Stream<Arguments> inputs() {
    String longValue = "g".repeat(64);
    String use163 = "use 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
    String labelKey = "use an optional DNS-subdomain prefix and '/', then 1-63 letters";
    String dns1123 = "use 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit";
    String objectName = "use at most 253 lowercase letters, digits, '-' or '.'";
    String serviceName = "use 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit";
    Map<String, String> injectedSelector = new LinkedHashMap<>();
    injectedSelector.put("app", "myapp");
    injectedSelector.put("version", "green,evil=x");
    return Stream.of(
        // ------------------------------------------------------------ label values (ServiceSelectorRouter)
        bad("ServiceSelectorRouter label value of 64 characters (\"g\" x 64)", use163,
            () -> service().environment(GREEN, longValue)),
        bad("ServiceSelectorRouter label value with a space: \"green app\"", use163,
            () -> service().environment(GREEN, "green app")),
        bad("ServiceSelectorRouter label value injecting a selector term: \"blue,evil=x\"", use163,
            () -> service().environment(BLUE, "blue,evil=x")),
        bad("ServiceSelectorRouter label value that is JSON: {\"x\":1}", use163,
            () -> service().environment(BLUE, "{\"x\":1}")),
        bad("ServiceSelectorRouter label value empty: \"\"", use163,
            () -> service().environment(BLUE, "")),
        bad("ServiceSelectorRouter label value ending in '-': \"green-\"", use163,
            () -> service().environment(GREEN, "green-")),
        bad("ServiceSelectorRouter label value with a newline: \"green\\nx\"", use163,
            () -> service().environment(GREEN, "green\nx")),
        // ------------------------------------------------------------ label keys
        bad("selector key with an uppercase prefix: \"Example.com/version\"", labelKey,
            () -> service().selectorKey("Example.com/version")),
        bad("selector key with a prefix starting with '-': \"-x.io/version\"", labelKey,
            () -> service().selectorKey("-x.io/version")),
        bad("selector key injecting a selector: \"version=blue,app\"", labelKey,
            () -> service().selectorKey("version=blue,app")),
        bad("selector key with two slashes: \"a/b/c\"", labelKey,
            () -> service().selectorKey("a/b/c")),
        bad("selector key with an empty name after the prefix: \"example.com/\"", labelKey,
            () -> service().selectorKey("example.com/")),
        // ------------------------------------------------------------ namespaces and object names
        bad("namespace with uppercase letters: \"Shop\"", dns1123,
            () -> ServiceSelectorRouter.builder(client).namespace("Shop")),
        bad("namespace that is a path: \"../etc\"", dns1123,
            () -> HttpRouteRouter.builder(client).namespace("../etc")),
        bad("namespace with an underscore: \"kube_system\"", dns1123,
            () -> IngressBackendRouter.builder(client).namespace("kube_system")),
        bad("namespace of 64 characters", dns1123,
            () -> ServiceSelectorRouter.builder(client).namespace("n".repeat(64))),
        bad("Service name ending in '-': \"app-\"", serviceName,
            () -> ServiceSelectorRouter.builder(client).service("app-")),
        bad("Service name with an underscore: \"app_service\"", serviceName,
            () -> HttpRouteRouter.builder(client).service(GREEN, "app_service")),
        bad("Service name with a dot: \"app.green\" (a Service name is a DNS label)", serviceName,
            () -> IngressBackendRouter.builder(client).service(GREEN, "app.green")),
        bad("Ingress name with a query: \"shop?watch=true\"", objectName,
            () -> IngressBackendRouter.builder(client).ingress("shop?watch=true")),
        bad("HTTPRoute name that is a path: \"app/../x\"", objectName,
            () -> HttpRouteRouter.builder(client).httpRoute("app/../x")),
        bad("HTTPRoute name with uppercase letters: \"App\"", objectName,
            () -> HttpRouteRouter.builder(client).httpRoute("App")),
        // ------------------------------------------------------------ mappings
        bad("ServiceSelectorRouter with one environment mapped", "map at least two, e.g. environments(blue, green)",
            () -> service().environment(BLUE).build()),
        bad("IngressBackendRouter with no environment mapped", "map at least two with service(environment, serviceName)",
            () -> IngressBackendRouter.builder(client).ingress("app").build()),
        bad("two environments with the same label value \"v1\"", "give each environment its own label value",
            () -> service().environment(BLUE, "v1").environment(GREEN, "v1").build()),
        bad("one Service for two environments (HttpRouteRouter)", "give each its own Service",
            () -> HttpRouteRouter.builder(client).service(BLUE, "app").service(GREEN, "app")),
        bad("one environment mapped twice (IngressBackendRouter)", "map each environment once",
            () -> IngressBackendRouter.builder(client).service(BLUE, "app-blue").service(BLUE, "app-blue-2")),
        bad("ServiceSelectorRouter without a Service", "call service(\"<name of the Service to switch>\")",
            () -> ServiceSelectorRouter.builder(client).environments(BLUE, GREEN).build()),
        bad("HttpRouteRouter without an HTTPRoute", "call httpRoute(\"<name of the HTTPRoute to switch>\")",
            () -> HttpRouteRouter.builder(client).service(BLUE, "app-blue").service(GREEN, "app-green").build()),
        // ------------------------------------------------------------ Ingress hosts and paths
        bad("Ingress host with uppercase letters: \"Shop.Example.com\"", "use a lowercase DNS name such as shop.example.com",
            () -> IngressBackendRouter.builder(client).path("Shop.Example.com", "/")),
        bad("Ingress host that is an IP address: \"10.0.0.1\"", "use the DNS name clients send",
            () -> IngressBackendRouter.builder(client).path("10.0.0.1", "/")),
        bad("Ingress host with a part of 64 characters", "each dot-separated part 1-63 characters",
            () -> IngressBackendRouter.builder(client).path("h".repeat(64) + ".example.com", "/")),
        bad("Ingress host with a port: \"shop.example.com:443\"", "use a lowercase DNS name",
            () -> IngressBackendRouter.builder(client).path("shop.example.com:443", "/")),
        bad("Ingress path without a leading '/': \"api\"", "it starts with '/'",
            () -> IngressBackendRouter.builder(client).path("shop.example.com", "api")),
        bad("Ingress path with a space: \"/a b\"", "it starts with '/' and has no spaces",
            () -> IngressBackendRouter.builder(client).path(null, "/a b")),
        // ------------------------------------------------------------ HTTPRoute ports and rules
        bad("HTTPRoute backend port 0", "use 1..65535",
            () -> HttpRouteRouter.builder(client).service(GREEN, "app-green", 0)),
        bad("HTTPRoute backend port 70000", "use 1..65535",
            () -> HttpRouteRouter.builder(client).service(GREEN, "app-green", 70_000)),
        bad("HTTPRoute rule name with a space: \"App Rule\"", objectName,
            () -> HttpRouteRouter.builder(client).rule("App Rule")),
        // the fabric8 mock stores these; a real kube-apiserver refuses them (RealServerValidationTest shows both)
        bad("HTTPRoute split out of range: blue=101 green=-1 (the CRD allows backendRef weights 0..1000000)", "whole percents from 0 to 100",
            () -> HttpRouteRouter.builder(client).httpRoute("app").service(BLUE, "app-blue").service(GREEN, "app-green").build()
                .apply(TrafficSplit.of(BLUE, 101, GREEN, -1))),
        bad("LeaseLock leaseDuration of 2^31 s (a Lease holds an int32 of seconds)", "at most 2147483647 s",
            () -> lease().leaseDuration(Duration.ofSeconds(1L << 31))),
        // ------------------------------------------------------------ LeaseLock
        bad("LeaseLock leaseDuration of 1.5 s (a Lease holds whole seconds)", "a Lease holds whole seconds; use e.g. 30s",
            () -> lease().leaseDuration(Duration.ofMillis(1500))),
        bad("LeaseLock leaseDuration zero", "pass a duration greater than zero",
            () -> lease().leaseDuration(Duration.ZERO)),
        bad("LeaseLock leaseDuration negative (-30 s)", "pass a duration greater than zero",
            () -> lease().leaseDuration(Duration.ofSeconds(-30))),
        bad("LeaseLock renewInterval equal to leaseDuration (10 s)", "renew well before the Lease expires",
            () -> lease().leaseDuration(Duration.ofSeconds(10)).renewInterval(Duration.ofSeconds(10)).build()),
        bad("LeaseLock namespace with an underscore: \"deploy_locks\"", dns1123,
            () -> LeaseLock.builder(client).namespace("deploy_locks")),
        bad("LeaseLock acquire with a blank route id", "pass a non-empty value",
            () -> lease().build().acquire(" ", "pipeline-42")),
        bad("LeaseLock acquire with a blank owner", "pass a non-empty value",
            () -> lease().build().acquire("k8s/service/shop/app-service", "")),
        // ------------------------------------------------------------ gates
        bad("DeploymentReadyGate minReady -1", "use 1 or more",
            () -> DeploymentReadyGate.builder(client).deployment("app-green").minReady(-1)),
        bad("EndpointsReadyGate minReady -1", "use 1 or more",
            () -> EndpointsReadyGate.forService(client, "shop", "app-green").minReady(-1)),
        bad("EndpointsReadyGate minReady 0", "use 1 or more",
            () -> EndpointsReadyGate.forService(client, "shop", "app-green").minReady(0)),
        bad("EndpointsReadyGate empty selector (would match every Pod)", "give labels such as app=myapp,version=green",
            () -> EndpointsReadyGate.forSelector(client, "shop", Map.of())),
        bad("EndpointsReadyGate selector value injecting a term: version=\"green,evil=x\"", use163,
            () -> EndpointsReadyGate.forSelector(client, "shop", injectedSelector)),
        bad("DeploymentReadyGate without a Deployment", "call deployment(\"<name>\") or deployment(environment, \"<name>\")",
            () -> DeploymentReadyGate.builder(client).build()),
        bad("DeploymentReadyGate Deployment name with uppercase letters: \"App-Green\"", objectName,
            () -> DeploymentReadyGate.builder(client).deployment("App-Green")),
        // ------------------------------------------------------------ nulls
        bad("null KubernetesClient", "client is null: pass a value",
            () -> ServiceSelectorRouter.builder(null)),
        bad("null Service name", "service is null: pass a value",
            () -> ServiceSelectorRouter.builder(client).service(null)),
        bad("null environment", "environment is null: pass a value",
            () -> HttpRouteRouter.builder(client).service(null, "app-blue")),
        bad("null Ingress path", "path is null: pass a value",
            () -> IngressBackendRouter.builder(client).path("shop.example.com", null)),
        bad("null LeaseLock clock", "clock is null: pass a value",
            () -> lease().clock(null)),
        // ------------------------------------------------------------ plans over these routers
        bad("staged schedule 10/50/100 on the atomic-only ServiceSelectorRouter", "use StageSchedule.allAtOnce()",
            () -> SwitchPlan.builder().router(serviceRouter()).from(BLUE).to(GREEN)
                .schedule(StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100)).build()),
        bad("plan to an environment the router does not map (red)", "map it in the router's configuration",
            () -> SwitchPlan.builder().router(serviceRouter()).from(BLUE).to(RED).build())
    );
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void isRejectedBeforeAnyRequest(String input, String fix, ThrowingCallable call) {
    int before = cluster.requestCount();

    Throwable thrown = catchThrowable(call);

    int requests = cluster.requestCount() - before;
    assertThat(thrown).as(input).isInstanceOf(InvalidConfigurationException.class);
    assertThat(thrown.getMessage()).as(input).contains(fix);
    assertThat(requests).as("requests the API server saw for: " + input).isZero();
    EvidenceLog.badInput("bluegreen-k8s", input, thrown.getMessage(), requests);
  }
}
