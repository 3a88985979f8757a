package io.bluegreen.prometheus;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.analysis.Condition;
import io.bluegreen.testkit.InMemoryRouter;
import io.bluegreen.testkit.LogCapture;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.SecretCanaries;
import io.bluegreen.testkit.VirtualClock;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * No secret leaves the process (Prometheus): a PrometheusGate with a canary bearer token, and one
 * with a canary basic-auth password, run in real plans at DEBUG against a server whose 401 page,
 * whose error answers and whose 5xx echo the credentials; base URIs with canary user info or query
 * tokens are rejected. No canary may appear in a log line, an event, an exception message anywhere
 * in a cause chain, a {@code toString()} or a summary.
 */
class PrometheusCanaryTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private final SecretCanaries canaries = new SecretCanaries()
      .excuseLogsOf("org.eclipse.jetty", "WireMock's Jetty, the test's fake Prometheus, logs the request headers it receives");
  private final String bearer = canaries.plant("Prometheus bearer token");
  private final String password = canaries.plant("Prometheus basic auth password");
  private final String queryToken = canaries.plant("query token");
  private final RecordingListener events = new RecordingListener();
  private WireMockServer server;
  private URI base;
  private LogCapture logs;

  @BeforeEach
  void start() {
    assertThat(LogCapture.isInstalled()).as("the capturing SLF4J provider must be this JVM's (surefire sets slf4j.provider)").isTrue();
    server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    base = URI.create("http://127.0.0.1:" + server.port());
    logs = LogCapture.start();
  }

  @AfterEach
  void stop() {
    logs.close();
    server.stop();
  }

  private void answer(int status, String contentType, String body) {
    server.stubFor(post(urlEqualTo("/api/v1/query")).willReturn(aResponse().withStatus(status).withHeader("Content-Type", contentType)
        .withBody(body)));
  }

  private String echo() {
    return "Authorization: Bearer " + bearer + " / password " + password + " rejected";
  }

  private PrometheusGate.Builder gate() {
    return PrometheusGate.builder(base).query("sum(rate(errors_total{env=\"{{env}}\"}[2m]))").successCondition(Condition.below(0.01))
        .failureCondition(Condition.atLeast(0.05)).timeout(Duration.ofSeconds(5));
  }

  private SwitchResult run(PrometheusGate gate) {
    VirtualClock clock = VirtualClock.create();
    InMemoryRouter router = InMemoryRouter.builder().routeId("memory/checkout").environments(BLUE, GREEN).build();
    SwitchPlan plan = SwitchPlan.builder().name("prometheus-canary").router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100)).gate(gate).gateInterval(Duration.ofSeconds(20))
        .gateGrace(Duration.ofMinutes(1)).time(clock).listener(events).build();
    Throwable dryRun = catchThrowable(plan::dryRun);
    SwitchResult result = plan.execute();
    canaries.check("dry run", dryRun);
    return result;
  }

  @Test
  void aProxysPageA401AndAnErrorAnswerEchoingTheBearerTokenLeakNothing() {
    PrometheusGate withToken = gate().bearerToken(() -> bearer).build();
    answer(401, "text/html", "<html>401: " + echo() + "</html>");
    SwitchResult denied = run(withToken);

    answer(422, "application/json", "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"" + echo() + "\"}");
    SwitchResult rejected = run(withToken);

    answer(503, "application/json", "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"" + echo() + "\"}");
    SwitchResult unavailable = run(withToken);

    assertThat(denied.outcome()).as(denied.summary()).isNotEqualTo(Outcome.COMPLETED);
    assertThat(rejected.outcome()).as(rejected.summary()).isNotEqualTo(Outcome.COMPLETED);
    assertThat(unavailable.outcome()).as(unavailable.summary()).isNotEqualTo(Outcome.COMPLETED);
    assertNoLeaks("bearer token echoed", denied, rejected, unavailable, withToken);
  }

  @Test
  void aBasicAuthPasswordEchoedInAnErrorAnswerLeaksNothing() {
    PrometheusGate withPassword = gate().basicAuth("deployer", password).build();
    answer(400, "application/json", "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"" + echo() + "\"}");
    SwitchResult rejected = run(withPassword);

    answer(200, "application/json", "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
        + "\"value\":[1736121600,\"0.001\"]}]}}");
    SwitchResult completed = run(withPassword);

    assertThat(rejected.outcome()).as(rejected.summary()).isNotEqualTo(Outcome.COMPLETED);
    assertThat(completed.outcome()).as(completed.summary()).isEqualTo(Outcome.COMPLETED);
    assertNoLeaks("basic auth password echoed", rejected, completed, withPassword);
  }

  @Test
  void baseUrisCarryingCredentialsAreRejectedWithoutEchoingThem() {
    for (String uri : new String[] {
        "http://deployer:" + password + "@prometheus:9090", "http://prometheus:9090/?token=" + queryToken,
        "ftp://deployer:" + password + "@prometheus:9090/?token=" + queryToken}) {
      Throwable t = catchThrowable(() -> PrometheusGate.builder(URI.create(uri)));
      assertThat(t).isInstanceOf(InvalidConfigurationException.class);
      canaries.check("rejection of " + uri.replace(password, "").replace(queryToken, ""), t);
    }
    canaries.checkLogs(logs).assertNoLeaks();
  }

  private void assertNoLeaks(String where, Object... things) {
    canaries.check(where, things);
    canaries.check(where + ": events", events.events());
    canaries.checkLogs(logs);
    assertThat(logs.lines("io.bluegreen", Level.DEBUG)).as("DEBUG lines of bluegreen were captured").isNotEmpty();
    assertThat(logs.lines()).filteredOn(l -> l.logger().startsWith("io.bluegreen"))
        .allSatisfy(l -> assertThat(l.logger()).doesNotContain(".internal."));
    canaries.assertNoLeaks();
  }
}
