package io.bluegreen.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.bluegreen.core.preview.PreviewHttpGate;
import io.bluegreen.testkit.InMemoryPreviewRoute;
import io.bluegreen.testkit.LogCapture;
import io.bluegreen.testkit.SecretCanaries;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No secret of a preview leaves the process: the preview header's value (often a shared secret that
 * lets a tester past the front door) and a query token in the preview URL appear in no log line,
 * event, result, exception or {@code toString()} — when the preview gate passes, when the backend
 * behind the preview answers 401 echoing the header, and when the preview route's own failures
 * (opening, closing) echo it.
 */
class PreviewCanaryTest {

  private final SecretCanaries canaries = new SecretCanaries();
  private final String headerValue = canaries.plant("header value of the preview");
  private final String queryToken = canaries.plant("query token in the preview URL");

  private HttpServer server;
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger previewRequests = new AtomicInteger();
  private URI base;
  private LogCapture logs;

  @BeforeEach
  void start() throws IOException {
    assertThat(LogCapture.isInstalled()).as("the capturing SLF4J provider must be this JVM's (surefire sets slf4j.provider)").isTrue();
    logs = LogCapture.start();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/health", ex -> {
      if (headerValue.equals(ex.getRequestHeaders().getFirst("X-Preview"))) {
        previewRequests.incrementAndGet();
      }
      byte[] b = ("{\"error\":\"preview key " + headerValue + " refused for token " + queryToken + "\"}").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status.get(), b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/?token=" + queryToken);
  }

  @AfterEach
  void stop() {
    server.stop(0);
    logs.close();
  }

  private InMemoryPreviewRoute preview() {
    return InMemoryPreviewRoute.create("X-Preview", headerValue, base);
  }

  @Test
  void aCompletedPlanWithAPreviewGateLeaksNothing() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = preview();
    PreviewHttpGate gate = PreviewHttpGate.builder("/health").timeout(Duration.ofSeconds(5)).build();
    SwitchPlan plan = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100)).preview(preview).previewGate(gate)
        .build();

    DryRunReport report = plan.dryRun();
    SwitchResult result = plan.execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(previewRequests.get()).as("requests that carried the preview header").isPositive();
    assertEverythingClean("completed plan with a preview", report, result, result.preview().orElseThrow(), preview, gate, f.events.events());
  }

  @Test
  void aPreviewAnswering401WithTheHeaderEchoedAbortsWithoutLeakingIt() {
    status.set(401);
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = preview();
    PreviewHttpGate gate = PreviewHttpGate.path("/health");
    SwitchResult result = f.plan().schedule(StageSchedule.allAtOnce(Duration.ofMinutes(1))).preview(preview).previewGate(gate).build()
        .execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("401");
    assertThat(preview.isOpen()).isFalse();
    assertEverythingClean("401 through the preview", result, preview, gate, f.events.events());
  }

  @Test
  void aTokenInThePreviewGatesOwnPathLeaksNothing() {
    String pathToken = canaries.plant("query token in the preview gate's path");
    PreviewHttpGate gate = PreviewHttpGate.path("/health?key=" + pathToken);
    PlanFixture f = new PlanFixture();
    SwitchResult result = f.plan().schedule(StageSchedule.allAtOnce(Duration.ofMinutes(1))).preview(preview()).previewGate(gate).build()
        .execute();
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);

    assertThat(gate.name()).isEqualTo("preview GET /health?key=<redacted>");
    assertEverythingClean("a token in the gate's path", gate, result, f.events.events());
  }

  @Test
  void aPreviewRouteWhoseOpenFailsEchoingTheHeaderLeaksNothing() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = preview()
        .failOpensAfterLanding(1, () -> new IllegalStateException("rule X-Preview=" + headerValue + " was written but the reply was lost"));
    SwitchResult result = f.plan().schedule(StageSchedule.allAtOnce(Duration.ofMinutes(1))).preview(preview).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(preview.isOpen()).as("what the failed open wrote is removed").isFalse();
    assertEverythingClean("a failed open", result, preview, f.events.events());
  }

  @Test
  void aPreviewRouteWhoseCloseFailsEchoingTheHeaderLeaksNothing() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = preview();
    HealthGate arm = HealthGate.of("arm the close failure", ctx -> {
      preview.failCloses(1, () -> RouterException.permanentFailure("cannot delete the rule matching X-Preview: " + headerValue, null));
      return GateResult.healthy();
    });
    SwitchResult result = f.plan().schedule(StageSchedule.allAtOnce(Duration.ofMinutes(1))).preview(preview).previewGate(arm).build()
        .execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(result.previewLeftOpen()).as("the close failed, and the result says so").isPresent();
    assertEverythingClean("a failed close", result, result.previewLeftOpen().orElseThrow(), preview, f.events.events());
  }

  private void assertEverythingClean(String where, Object... things) {
    CoreCanaryTest.assertEverythingClean(canaries, logs, 5, where, things);
  }
}
