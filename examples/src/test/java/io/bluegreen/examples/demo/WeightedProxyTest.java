package io.bluegreen.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.TrafficSplit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WeightedProxyTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private final Clock clock = Clock.systemUTC();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private BackendServer blue;
  private BackendServer green;
  private WeightedProxy proxy;

  @BeforeEach
  void start() throws Exception {
    blue = BackendServer.start("blue", "1.0.0", clock);
    green = BackendServer.start("green", "2.0.0", clock);
    Map<String, URI> backends = new LinkedHashMap<>();
    backends.put("blue", blue.uri());
    backends.put("green", green.uri());
    proxy = WeightedProxy.start(backends, Map.of("blue", 100, "green", 0), clock);
  }

  @AfterEach
  void stop() {
    proxy.close();
    blue.close();
    green.close();
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private GateContext context() {
    return GateContext.builder().planName("test").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 1).from(BLUE).to(GREEN)
        .split(TrafficSplit.of(BLUE, 70, GREEN, 30)).now(Instant.now()).build();
  }

  @Test
  void forwardsByWeightAndSaysWhoServed() throws Exception {
    new ProxyRouter(proxy, BLUE, GREEN).apply(TrafficSplit.of(BLUE, 70, GREEN, 30));
    int servedByGreen = 0;
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> r = get(proxy.uri().resolve("/"));
      assertThat(r.statusCode()).isEqualTo(200);
      String servedBy = r.headers().firstValue(BackendServer.SERVED_BY).orElseThrow();
      assertThat(r.headers().firstValue(WeightedProxy.UPSTREAM)).contains(servedBy);
      assertThat(r.body()).startsWith("hello from " + servedBy);
      servedByGreen += servedBy.equals("green") ? 1 : 0;
    }
    assertThat(servedByGreen).isEqualTo(30);
    assertThat(blue.requests() + green.requests()).isEqualTo(100);
  }

  @Test
  void brokenGreenFailsItsShareAndTheErrorRateGateSaysUnhealthy() throws Exception {
    proxy.setWeights(Map.of("green", 100));
    ProxyErrorRateGate gate = new ProxyErrorRateGate(proxy, "green", 0.01, Duration.ofSeconds(5), 10);
    assertThat(gate.check(context()).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    for (int i = 0; i < 20; i++) {
      assertThat(get(proxy.uri().resolve("/")).statusCode()).isEqualTo(200);
    }
    assertThat(gate.check(context()).status()).isEqualTo(GateResult.Status.HEALTHY);

    green.breakNow(0.3);
    assertThat(get(green.healthUri()).statusCode()).isEqualTo(503);
    int failed = 0;
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> r = get(proxy.uri().resolve("/"));
      failed += r.statusCode() == 500 ? 1 : 0;
    }
    assertThat(failed).isEqualTo(30);
    GateResult result = gate.check(context());
    assertThat(result.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(result.reason()).contains("30 of 120 requests to green failed");
  }

  @Test
  void anUnreachableBackendIsA502NamingIt() throws Exception {
    green.close();
    proxy.setWeights(Map.of("green", 100));
    HttpResponse<String> r = get(proxy.uri().resolve("/"));
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue(WeightedProxy.UPSTREAM)).contains("green");
    assertThat(r.headers().firstValue(BackendServer.SERVED_BY)).isEmpty();
    assertThat(proxy.recent("green", Duration.ofSeconds(5))).isEqualTo(new WeightedProxy.WindowStats(1, 1));
  }

  @Test
  void failuresAreBlamedOnGreenOnlyWhenGreenItselfAnsweredAfterItBroke() {
    Instant broke = Instant.parse("2025-01-01T00:00:10Z");
    Duration ms = Duration.ofMillis(5);
    var greenAfter = new LoadGenerator.Sample(broke, ms, "green", "green", 500, null);
    var greenBefore = new LoadGenerator.Sample(broke.minusSeconds(1), ms, "green", "green", 500, null);
    var proxyError = new LoadGenerator.Sample(broke, ms, "green", null, 502, null);
    var noAnswer = new LoadGenerator.Sample(broke, ms, null, null, 0, "java.net.ConnectException");
    var blueError = new LoadGenerator.Sample(broke, ms, "blue", "blue", 500, null);
    var greenOk = new LoadGenerator.Sample(broke, ms, "green", "green", 200, null);
    assertThat(ScenarioResult.dueToGreenBreaking(greenAfter, java.util.Optional.of(broke))).isTrue();
    for (var s : java.util.List.of(greenBefore, proxyError, noAnswer, blueError, greenOk)) {
      assertThat(ScenarioResult.dueToGreenBreaking(s, java.util.Optional.of(broke))).as(s.toString()).isFalse();
    }
    assertThat(ScenarioResult.dueToGreenBreaking(greenAfter, java.util.Optional.empty())).isFalse();
  }
}
