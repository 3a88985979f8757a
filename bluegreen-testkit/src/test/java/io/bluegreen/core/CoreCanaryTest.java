package io.bluegreen.core;

import static io.bluegreen.core.PlanFixture.BLUE;
import static io.bluegreen.core.PlanFixture.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import io.bluegreen.core.gate.HttpHealthGate;
import io.bluegreen.testkit.LogCapture;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.SecretCanaries;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * No secret leaves the process (core): canary values planted wherever a user of core puts a secret
 * (an HTTP health URI's query token, userinfo and fragment, an Authorization bearer header, an API
 * key header, a health endpoint whose 401/5xx reply echoes them, custom routers' and gates' failure
 * messages carrying URIs) must appear in no log line at any level, no event, no exception message in
 * any cause chain, no {@code toString()} and no summary — through real plans: execute() that
 * completes, rolls back and aborts, dryRun(), and builders rejecting bad URIs.
 */
class CoreCanaryTest {

  private final SecretCanaries canaries = new SecretCanaries();
  private final String queryToken = canaries.plant("query token");
  private final String fragment = canaries.plant("URI fragment");
  private final String bearer = canaries.plant("bearer token");
  private final String apiKey = canaries.plant("API key header");
  private final String password = canaries.plant("userinfo password");
  private final String signature = canaries.plant("signed URL signature");

  private HttpServer server;
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicReference<String> replyBody = new AtomicReference<>("{\"status\":\"UP\"}");
  private URI base;
  private LogCapture logs;

  @BeforeEach
  void start() throws IOException {
    assertThat(LogCapture.isInstalled()).as("the capturing SLF4J provider must be this JVM's (surefire sets slf4j.provider)").isTrue();
    logs = LogCapture.start();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/health", ex -> {
      byte[] b = replyBody.get().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("WWW-Authenticate", "Bearer error=\"invalid_token\", token=\"" + bearer + "\"");
      ex.sendResponseHeaders(status.get(), b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    server.stop(0);
    logs.close();
  }

  private HttpHealthGate gate() {
    return HttpHealthGate.builder(URI.create(base + "/health?token=" + queryToken + "&region=eu#" + fragment))
        .header("Authorization", "Bearer " + bearer)
        .header("X-Api-Key", apiKey)
        .timeout(Duration.ofSeconds(5))
        .build();
  }

  @Test
  void aCompletedPlanWithAnHttpGateLeaksNothing() {
    PlanFixture f = new PlanFixture();
    HttpHealthGate gate = gate();
    SwitchResult result = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100)).gate(gate)
        .preSwitchGate(gate).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertEverythingClean("completed plan", result, gate);
  }

  @Test
  void anHttpGateWhose401ReplyEchoesTheTokensRollsBackWithoutLeakingThem() {
    PlanFixture f = new PlanFixture();
    HttpHealthGate gate = gate();
    ScriptedGate flip = ScriptedGate.of("flip", ctx -> {
      status.set(401);
      replyBody.set("{\"error\":\"invalid token " + bearer + " for key " + apiKey + " (query token " + queryToken + ")\"}");
      return GateResult.healthy();
    });
    SwitchResult result = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100)).gate(flip).gate(gate)
        .build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.reason()).contains("401");
    assertEverythingClean("401 echoing the tokens", result, gate);
  }

  @Test
  void aPreSwitchHttpGateAnswering5xxWithABodyAbortsWithoutLeaking() {
    status.set(503);
    replyBody.set("upstream http://svc:" + password + "@db.internal/?sig=" + signature + " down; Authorization: Bearer " + bearer);
    PlanFixture f = new PlanFixture();
    HttpHealthGate gate = HttpHealthGate.builder(URI.create(base + "/health?token=" + queryToken)).header("Authorization", "Bearer " + bearer)
        .bodyContains("UP").build();
    SwitchResult result = f.plan().schedule(StageSchedule.allAtOnce(Duration.ofMinutes(1))).preSwitchGate(gate).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertEverythingClean("5xx with a body", result, gate);
  }

  @Test
  void anUnreachableHttpGateLeaksNothing() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    PlanFixture f = new PlanFixture();
    HttpHealthGate gate = HttpHealthGate.builder(URI.create("http://127.0.0.1:" + closedPort + "/health?token=" + queryToken + "#" + fragment))
        .header("Authorization", "Bearer " + bearer).build();
    SwitchResult result = f.plan().schedule(StageSchedule.allAtOnce(Duration.ofMinutes(1))).gate(gate).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertEverythingClean("unreachable gate", result, gate);
  }

  @Test
  void badHealthUrisAreRejectedWithoutEchoingTheirSecrets() {
    String[] bad = {
        "ftp://admin:" + password + "@files.example.com/health?token=" + queryToken,
        "http://user:" + password + "@green.internal/health?token=" + queryToken,
        "http:///health?token=" + queryToken + "#" + fragment,
        "mailto:ops:" + password + "@example.com",
        "/relative/health?token=" + queryToken,
    };
    for (String uri : bad) {
      Throwable t = catchThrowable(() -> HttpHealthGate.builder(URI.create(uri)).build());
      assertThat(t).as(uri).isInstanceOf(InvalidConfigurationException.class);
      canaries.check("rejection of a bad health URI", t);
    }
    canaries.checkLogs(logs);
    canaries.assertNoLeaks();
  }

  @Test
  void customRoutersAndGatesFailingWithUrisInTheirMessagesLeakNothing() {
    PlanFixture f = new PlanFixture();
    f.router.failNextWrites(2, () -> RouterException.transientFailure(
        "PUT https://admin:" + password + "@proxy.internal/weights?sig=" + signature + " answered 503", null));
    f.router.failNextVerifies(1, () -> new IllegalStateException("GET https://proxy.internal/weights?token=" + queryToken + " broke"));
    ScriptedGate throwing = ScriptedGate.of("metrics", ctx -> {
      throw new IllegalStateException("query https://prometheus.internal/api?token=" + queryToken + " failed");
    });
    SwitchResult result = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100)).gate(throwing)
        .gateGrace(Duration.ofMinutes(1)).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertEverythingClean("custom router and gate failures", result, throwing);
  }

  @Test
  void dryRunFailingOnAPreflightThatNamesAUriLeaksNothing() {
    PlanFixture f = new PlanFixture();
    f.router.failPreflight("proxy http://ops:" + password + "@proxy.internal/admin?sig=" + signature + " has no ready green backend");
    SwitchPlan plan = f.plan().schedule(StageSchedule.allAtOnce(Duration.ofMinutes(1))).gate(gate()).build();

    Throwable t = catchThrowable(plan::dryRun);
    assertThat(t).isInstanceOf(PreflightException.class);
    canaries.check("dryRun failure", t);
    SwitchResult result = plan.execute();
    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertEverythingClean("preflight failure", result, plan);
  }

  @Test
  void aDryRunReportLeaksNothing() {
    PlanFixture f = new PlanFixture();
    f.router.addNotice("admin API at https://ops:" + password + "@proxy.internal/?token=" + queryToken + " is read-only");
    SwitchPlan plan = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100)).gate(gate()).build();

    DryRunReport report = plan.dryRun();
    assertThat(report.writes()).hasSize(2);
    SwitchResult result = plan.execute();
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertEverythingClean("dry run", report, plan, result);
  }

  private void assertEverythingClean(String where, Object... things) {
    assertEverythingClean(canaries, logs, 10, where, things);
  }

  /** Checks the things and every captured line for the canaries, having checked more than {@code minTexts} texts. */
  static void assertEverythingClean(SecretCanaries canaries, LogCapture logs, int minTexts, String where, Object... things) {
    canaries.check(where, things);
    canaries.checkLogs(logs);
    assertThat(logs.lines("io.bluegreen", Level.DEBUG)).as("DEBUG lines of bluegreen were captured").isNotEmpty();
    assertThat(canaries.textsChecked()).isGreaterThan(minTexts);
    canaries.assertNoLeaks();
  }
}
