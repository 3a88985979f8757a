package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.bluegreen.core.BlueGreenException;
import io.bluegreen.core.DryRunReport;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.RetryPolicy;
import io.bluegreen.core.Router;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.k8s.gate.DeploymentReadyGate;
import io.bluegreen.k8s.gate.EndpointsReadyGate;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.testkit.LogCapture;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.SecretCanaries;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * No secret leaves the process (Kubernetes): a fabric8 client configured with a canary OAuth token
 * and basic-auth password runs real plans through every router, gate and the Lease lock at DEBUG,
 * against an API server (fabric8's mock) whose 401, 403 and 5xx replies echo the token back. No
 * canary may appear in a log line, an event, an exception message anywhere in a cause chain, a
 * {@code toString()} or a summary.
 */
class KubernetesCanaryTest {

  private static final String SERVICE_PATH = "/api/v1/namespaces/default/services/app-service";

  private final SecretCanaries canaries = new SecretCanaries();
  private final String oauthToken = canaries.plant("fabric8 OAuth token");
  private final String password = canaries.plant("basic auth password");
  private final MockCluster cluster = MockCluster.start();
  private final KubernetesClient client = cluster.newClient(cluster.url(),
      b -> b.withOauthToken(oauthToken).withUsername("deployer").withPassword(password));
  private final VirtualClock clock = VirtualClock.create();
  private final RecordingListener events = new RecordingListener();
  private LogCapture logs;

  @BeforeEach
  void scene() {
    assertThat(LogCapture.isInstalled()).as("the capturing SLF4J provider must be this JVM's (surefire sets slf4j.provider)").isTrue();
    cluster.service("app-service", Map.of("app", "myapp", "version", "blue"));
    cluster.pods("app-blue", Map.of("app", "myapp", "version", "blue"), 2, true);
    cluster.pods("app-green", Map.of("app", "myapp", "version", "green"), 2, true);
    cluster.environmentService("app-blue", "blue", 2);
    cluster.environmentService("app-green", "green", 2);
    cluster.ingress("app", "app-blue");
    cluster.httpRoute("app", "app-blue", 100, "app-green", 0);
    cluster.client().apps().deployments().inNamespace("default").resource(new DeploymentBuilder().withNewMetadata().withName("app-green")
        .withNamespace("default").withGeneration(1L).endMetadata().withNewSpec().withReplicas(2).endSpec().withNewStatus()
        .withObservedGeneration(1L).withReplicas(2).withUpdatedReplicas(2).withReadyReplicas(2).withAvailableReplicas(2).endStatus()
        .build()).create();
    logs = LogCapture.start();
  }

  @AfterEach
  void stop() {
    logs.close();
    cluster.close();
  }

  private ServiceSelectorRouter serviceRouter() {
    return ServiceSelectorRouter.builder(client).namespace("default").service("app-service").environments(BLUE, GREEN).build();
  }

  private SwitchPlan.Builder plan(Router router) {
    return SwitchPlan.builder().name("k8s-canary").router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 100))
        .retry(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(100)).build())
        .rollbackRetry(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(100)).build())
        .gateInterval(Duration.ofSeconds(10)).clock(clock).sleeper(clock).waitForClientConvergence(false).listener(events);
  }

  /** The API server's reply to matching requests: a Status whose message echoes the client's credentials. */
  private void answer(String method, Predicate<String> path, int code) {
    String echo = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":" + code + ",\"reason\":\"Unauthorized\","
        + "\"message\":\"token " + oauthToken + " (password " + password + ") is not valid for https://deployer:" + password
        + "@api.internal/?access_token=" + oauthToken + "\"}";
    cluster.intercept((r, store) -> r.method().equals(method) && path.test(r.resourcePath())
        ? new MockResponse().setResponseCode(code).setBody(echo).addHeader("Content-Type", "application/json") : null);
  }

  /** A reply that is not a Status at all (a proxy in between): its body echoes the Authorization header. */
  private void answerPlainText(String method, Predicate<String> path, int code) {
    cluster.intercept((r, store) -> r.method().equals(method) && path.test(r.resourcePath())
        ? new MockResponse().setResponseCode(code).setBody("upstream said no to Authorization: Bearer " + oauthToken)
            .addHeader("Content-Type", "text/plain") : null);
  }

  @Test
  void completedPlansWithEveryRouterGateAndTheLeaseLockLeakNothing() {
    ServiceSelectorRouter service = serviceRouter();
    IngressBackendRouter ingress = IngressBackendRouter.builder(client).namespace("default").ingress("app")
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    HttpRouteRouter route = HttpRouteRouter.builder(client).namespace("default").httpRoute("app")
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
    DeploymentReadyGate deployment = DeploymentReadyGate.builder(client).namespace("default").deployment("app-green").build();
    EndpointsReadyGate endpoints = EndpointsReadyGate.forService(client, "default", "app-green").build();
    LeaseLock lock = LeaseLock.builder(client).namespace("default").clock(clock).build();
    for (Router router : new Router[] {service, ingress, route}) {
      DryRunReport report = plan(router).lock(lock).build().dryRun();
      SwitchResult result = plan(router).lock(lock).preSwitchGate(deployment).gate(endpoints).build().execute();
      assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      canaries.check("completed plan on " + router.routeId(), result, report, router);
    }
    assertNoLeaks("completed plans", client.getConfiguration().getMasterUrl(), deployment, endpoints, lock);
  }

  @Test
  void aWriteAnswered401WithTheTokenEchoedRollsBackWithoutLeakingIt() {
    answer("PUT", SERVICE_PATH::equals, 401);
    SwitchResult result = plan(serviceRouter()).build().execute();

    assertThat(result.outcome()).as(result.summary()).isIn(Outcome.ROLLED_BACK, Outcome.ABORTED);
    assertThat(result.reason()).contains("HTTP 401");
    assertNoLeaks("401 on the write", result);
  }

  @Test
  void writesAnswered500And403WithTheTokenEchoedLeakNothing() {
    answer("PUT", SERVICE_PATH::equals, 500);
    SwitchResult retried = plan(serviceRouter()).build().execute();
    assertThat(retried.outcome()).as(retried.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(retried.summary()).contains("nothing changed");

    answer("PUT", SERVICE_PATH::equals, 403);
    SwitchResult forbidden = plan(serviceRouter()).build().execute();
    assertThat(forbidden.outcome()).as(forbidden.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(forbidden.summary()).contains("nothing changed");

    answerPlainText("PUT", SERVICE_PATH::equals, 502);
    SwitchResult proxied = plan(serviceRouter()).build().execute();
    assertThat(proxied.outcome()).as(proxied.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(proxied.summary()).contains("nothing changed");
    assertNoLeaks("500, 403 and a proxy's 502 on the write", retried, forbidden, proxied);
  }

  @Test
  void readsAnswered401FailDryRunsOfEveryRouterWithoutLeaking() {
    answer("GET", p -> true, 401);
    Router[] routers = {
        serviceRouter(),
        IngressBackendRouter.builder(client).namespace("default").ingress("app").service(BLUE, "app-blue").service(GREEN, "app-green").build(),
        HttpRouteRouter.builder(client).namespace("default").httpRoute("app").service(BLUE, "app-blue").service(GREEN, "app-green").build(),
    };
    for (Router router : routers) {
      Throwable dryRun = catchThrowable(() -> plan(router).build().dryRun());
      assertThat(dryRun).as(router.routeId()).isInstanceOf(BlueGreenException.class);
      SwitchResult result = plan(router).build().execute();
      assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
      canaries.check("401 on the reads of " + router.routeId(), dryRun, result);
    }
    assertNoLeaks("401 on every read");
  }

  @Test
  void gatesAndTheLeaseLockAnswered401LeakNothing() {
    answerPlainText("GET", p -> !p.equals(SERVICE_PATH), 401);
    DeploymentReadyGate deployment = DeploymentReadyGate.builder(client).namespace("default").deployment("app-green").build();
    EndpointsReadyGate endpoints = EndpointsReadyGate.forService(client, "default", "app-green").build();
    GateContext ctx = GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 1)
        .from(BLUE).to(GREEN).split(TrafficSplit.allTo(BLUE)).now(Instant.EPOCH).build();
    GateResult d = deployment.check(ctx);
    GateResult e = endpoints.check(ctx);
    assertThat(d.isHealthy()).isFalse();
    assertThat(e.isHealthy()).isFalse();

    SwitchResult locked = plan(serviceRouter()).lock(LeaseLock.builder(client).namespace("default").clock(clock).build()).build().execute();
    assertThat(locked.outcome()).as(locked.summary()).isEqualTo(Outcome.ABORTED);
    SwitchResult gated = plan(serviceRouter()).preSwitchGate(deployment).gateGrace(Duration.ofSeconds(30)).build().execute();
    assertThat(gated.outcome()).as(gated.summary()).isEqualTo(Outcome.ABORTED);
    assertNoLeaks("401 on gates and the Lease lock", d, e, locked, gated);
  }

  private void assertNoLeaks(String where, Object... things) {
    canaries.check(where, things);
    canaries.check(where + ": events", events.events());
    canaries.checkLogs(logs);
    assertThat(logs.lines("io.bluegreen", Level.DEBUG)).as("DEBUG lines of bluegreen were captured").isNotEmpty();
    canaries.assertNoLeaks();
  }
}
