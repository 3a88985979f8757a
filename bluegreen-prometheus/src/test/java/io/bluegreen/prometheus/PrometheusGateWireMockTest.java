package io.bluegreen.prometheus;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.analysis.Condition;
import io.bluegreen.testkit.InMemoryRouter;
import io.bluegreen.testkit.VirtualClock;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Faults a real Prometheus will not produce on demand, scripted with WireMock. */
class PrometheusGateWireMockTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final Instant NOW = Instant.parse("2025-01-06T00:00:00Z");
  private static final String TOKEN = "canary-token-0f1e2d3c";
  private static final GateContext CTX = GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(2, 4)
      .from(BLUE).to(GREEN).split(TrafficSplit.of(BLUE, 75, GREEN, 25)).now(NOW).phaseStartedAt(NOW).build();

  private WireMockServer server;
  private URI base;

  @BeforeEach
  void start() {
    server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    base = URI.create("http://127.0.0.1:" + server.port());
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private void answer(int status, String body) {
    server.stubFor(post(urlEqualTo("/api/v1/query"))
        .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
  }

  private static String vector(String... values) {
    StringBuilder sb = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
    for (int i = 0; i < values.length; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"metric\":{\"pod\":\"green-").append(i).append("\"},\"value\":[1736121600,\"")
          .append(values[i]).append("\"]}");
    }
    return sb.append("]}}").toString();
  }

  private PrometheusGate.Builder gate() {
    return PrometheusGate.builder(base).name("green errors").query("sum(rate(errors_total{env=\"{{env}}\"}[2m]))")
        .successCondition(Condition.below(0.01)).failureCondition(Condition.atLeast(0.05)).timeout(Duration.ofSeconds(5));
  }

  private static String form(LoggedRequest r, String key) {
    for (String pair : r.getBodyAsString().split("&")) {
      String[] kv = pair.split("=", 2);
      if (kv[0].equals(key)) {
        return URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @Test
  void sendsTheRenderedQueryAtThePlansTimeWithABoundAndTheToken() {
    answer(200, vector("0.002"));
    GateResult r = gate().bearerToken(TOKEN).build().check(CTX);
    assertThat(r.status()).isEqualTo(GateResult.Status.HEALTHY);
    assertThat(r.measurements()).containsEntry("value", 0.002);
    LoggedRequest req = server.findAll(postRequestedFor(urlEqualTo("/api/v1/query"))).get(0);
    assertThat(form(req, "query")).isEqualTo("sum(rate(errors_total{env=\"green\"}[2m]))");
    assertThat(form(req, "time")).isEqualTo("1736121600.000");
    assertThat(form(req, "timeout")).isEqualTo("5000ms");
    assertThat(req.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
  }

  @Test
  void basicAuthAndAPathPrefix() {
    server.stubFor(post(urlEqualTo("/prom/api/v1/query")).withBasicAuth("deployer", "s3cret-canary")
        .willReturn(aResponse().withStatus(200).withBody(vector("0.001"))));
    PrometheusGate g = PrometheusGate.builder(base.resolve("/prom")).query("up").successCondition(Condition.below(0.01))
        .basicAuth("deployer", "s3cret-canary").build();
    assertThat(g.check(CTX).status()).isEqualTo(GateResult.Status.HEALTHY);
    assertThat(g.toString()).doesNotContain("s3cret-canary");
  }

  @Test
  void environmentAndArgsFillThePlaceholders() {
    answer(200, vector("0.002"));
    gate().query("sum(rate(x{env=\"{{env}}\",svc=\"{{service}}\",from=\"{{from}}\"}[2m]))").arg("service", "checkout")
        .environment(BLUE).build().check(CTX);
    LoggedRequest req = server.findAll(postRequestedFor(urlEqualTo("/api/v1/query"))).get(0);
    assertThat(form(req, "query")).isEqualTo("sum(rate(x{env=\"blue\",svc=\"checkout\",from=\"blue\"}[2m]))");
  }

  @Test
  void prometheusDownIsAnErrorNeverAPass() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    PrometheusGate g = PrometheusGate.builder(URI.create("http://127.0.0.1:" + closed)).query("up")
        .successCondition(Condition.atLeast(1)).consecutiveErrorLimit(0).build();
    GateResult r = g.check(CTX);
    assertThat(r.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(r.reason()).contains("error: could not reach Prometheus at http://127.0.0.1:" + closed);
  }

  @Test
  void http503AndAConnectionResetAreErrors() {
    server.stubFor(post(urlEqualTo("/api/v1/query")).willReturn(aResponse().withStatus(503).withBody("Service Unavailable")));
    PrometheusGate g = gate().build();
    GateResult r = g.check(CTX);
    assertThat(r.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(r.reason()).contains("error: Prometheus at " + base + " answered HTTP 503 with a body that is not a Prometheus API answer");
    server.stubFor(post(urlEqualTo("/api/v1/query")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    assertThat(g.check(CTX).reason()).contains("error: could not query Prometheus at " + base);
  }

  @Test
  void aSlowPrometheusTimesOut() {
    server.stubFor(post(urlEqualTo("/api/v1/query")).willReturn(aResponse().withStatus(200).withBody(vector("0.001"))
        .withFixedDelay(3_000)));
    GateResult r = gate().timeout(Duration.ofMillis(200)).build().check(CTX);
    assertThat(r.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(r.reason()).contains("error: Prometheus at " + base + " did not answer within PT0.2S");
  }

  @Test
  void malformedJsonIsAnError() {
    answer(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{");
    assertThat(gate().build().check(CTX).reason()).contains("error: Prometheus at " + base + " answered HTTP 200 with malformed JSON");
    answer(200, vector("twelve"));
    assertThat(gate().build().check(CTX).reason()).contains("answered a value that is not a number: twelve");
  }

  @Test
  void queryErrorsAreErrorsAndBadDataIsARejectedQuery() {
    answer(422, "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"many-to-many matching not allowed\"}");
    assertThat(gate().build().check(CTX).reason())
        .contains("error: Prometheus at " + base + " could not run the query (HTTP 422, execution): many-to-many matching not allowed");
    answer(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:5: parse error: unexpected <EOF>\"}");
    PrometheusGate g = gate().build();
    assertThat(g.check(CTX).reason()).contains("rejected the query (HTTP 400, bad_data): 1:5: parse error");
    assertThatThrownBy(() -> g.preflight(CTX)).isInstanceOf(PreflightException.class)
        .hasMessage("Prometheus at " + base + " rejected the query (HTTP 400, bad_data): 1:5: parse error: unexpected <EOF>."
            + " Fix the PromQL: sum(rate(errors_total{env=\"green\"}[2m]))");
  }

  @Test
  void nanIsNoDataAndInfinityIsAValue() {
    answer(200, vector("NaN"));
    GateResult nan = gate().inconclusiveLimit(1).build().check(CTX);
    assertThat(nan.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(nan.reason()).contains("NaN is no data");
    answer(200, vector("+Inf"));
    GateResult inf = gate().build().check(CTX);
    assertThat(inf.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(inf.reason()).contains("+Inf, value >= 0.05");
    answer(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1736121600,\"-Inf\"]}}");
    assertThat(gate().build().check(CTX).isHealthy()).isTrue();
  }

  @Test
  void anEmptyVectorIsNoData() {
    answer(200, vector());
    GateResult r = gate().inconclusiveLimit(2).build().check(CTX);
    assertThat(r.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(r.reason()).startsWith("measurement 1: no data (the query returned an empty vector: no series matched at 2025-01-06T00:00:00Z)");
  }

  @Test
  void severalSeriesAreReducedByTheStatedRule() {
    answer(200, vector("0.001", "0.07", "NaN"));
    GateResult single = gate().build().check(CTX);
    assertThat(single.reason()).contains("error: the query returned 3 series ({pod=\"green-0\"}, {pod=\"green-1\"}, {pod=\"green-2\"}) where"
        + " one was expected: aggregate it");
    GateResult max = gate().reduce(Reduction.MAX).build().check(CTX);
    assertThat(max.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(max.reason()).contains("0.07 (3 series, max), value >= 0.05");
    assertThat(gate().reduce(Reduction.MIN).build().check(CTX).isHealthy()).isTrue();
    assertThatThrownBy(() -> gate().build().preflight(CTX)).isInstanceOf(PreflightException.class)
        .hasMessageContaining("3 series").hasMessageContaining("The query was: sum(rate(errors_total{env=\"green\"}[2m]))");
  }

  @Test
  void aRangeVectorIsRejected() {
    answer(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}");
    assertThatThrownBy(() -> gate().build().preflight(CTX)).isInstanceOf(PreflightException.class)
        .hasMessageContaining("range vector (matrix)").hasMessageContaining("Fix the PromQL");
  }

  @Test
  void samplesComeFromTheSamplesQuery() {
    server.stubFor(post(urlEqualTo("/api/v1/query")).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("increase"))
        .atPriority(1).willReturn(aResponse().withStatus(200).withBody(vector("57.4"))));
    server.stubFor(post(urlEqualTo("/api/v1/query")).atPriority(2).willReturn(aResponse().withStatus(200).withBody(vector("0.002"))));
    PrometheusGate g = gate().ratio(PromQl.ratio("req_total{code=~\"5..\"}", "req_total", Duration.ofMinutes(2))).minSamples(100).inconclusiveLimit(1).build();
    GateResult r = g.check(CTX);
    assertThat(r.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(r.reason()).contains("0.002 (57 samples): only 57, minSamples is 100");
  }

  @Test
  void theTokenNeverAppearsInAnyOutput() {
    answer(401, "Unauthorized: token " + "rejected");
    PrometheusGate g = gate().bearerToken(TOKEN).consecutiveErrorLimit(1).build();
    InMemoryRouter router = InMemoryRouter.builder().routeId("memory/shop").environments(BLUE, GREEN).build();
    VirtualClock clock = VirtualClock.startingAt(NOW);
    SwitchResult result = SwitchPlan.builder().router(router).from(BLUE).to(GREEN).schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100))
        .gate(g).time(clock).build().execute();
    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(result.summary()).contains("answered HTTP 401: check the credentials given to PrometheusGate");
    List<String> outputs = new java.util.ArrayList<>(result.timeline().stream().map(Object::toString).toList());
    outputs.add(result.summary());
    outputs.add(g.toString());
    outputs.add(String.valueOf(result.cause().map(Throwable::toString).orElse("")));
    assertThat(outputs).noneMatch(s -> s.contains(TOKEN));
    assertThat(server.findAll(postRequestedFor(urlEqualTo("/api/v1/query")).withHeader("Authorization", equalTo("Bearer " + TOKEN))))
        .isNotEmpty();
  }
}
