package io.bluegreen.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.TrafficSplit;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real HTTP server on 127.0.0.1. */
class HttpHealthGateTest {

  private HttpServer server;
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicReference<String> body = new AtomicReference<>("{\"status\":\"UP\"}");
  private final AtomicReference<String> seenAuth = new AtomicReference<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private URI base;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/health", ex -> {
      seenAuth.set(ex.getRequestHeaders().getFirst("Authorization"));
      byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status.get(), b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.createContext("/slow", ex -> {
      try {
        release.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private static GateContext ctx() {
    Environment blue = Environment.of("blue");
    Environment green = Environment.of("green");
    return GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 2).from(blue).to(green)
        .split(TrafficSplit.of(blue, 50, green, 50)).now(Instant.EPOCH).build();
  }

  @Test
  void healthyOn2xx() {
    GateResult r = HttpHealthGate.builder(base.resolve("/health")).build().check(ctx());
    assertThat(r.status()).isEqualTo(GateResult.Status.HEALTHY);
  }

  @Test
  void unhealthyOnOtherStatusNamingIt() {
    status.set(503);
    GateResult r = HttpHealthGate.builder(base.resolve("/health")).build().check(ctx());
    assertThat(r.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(r.reason()).contains("HTTP 503").contains("/health");
  }

  @Test
  void expectedStatusIsConfigurable() {
    status.set(204);
    assertThat(HttpHealthGate.builder(base.resolve("/health")).expectStatus(200).build().check(ctx()).isUnhealthy()).isTrue();
    assertThat(HttpHealthGate.builder(base.resolve("/health")).expectStatus(200, 204).build().check(ctx()).isHealthy()).isTrue();
  }

  @Test
  void bodyPredicate() {
    HttpHealthGate gate = HttpHealthGate.builder(base.resolve("/health")).bodyContains("\"UP\"").build();
    assertThat(gate.check(ctx()).isHealthy()).isTrue();
    body.set("{\"status\":\"DOWN\"}");
    GateResult r = gate.check(ctx());
    assertThat(r.isUnhealthy()).isTrue();
    assertThat(r.reason()).contains("does not match");
  }

  @Test
  void connectionRefusedIsUnhealthy() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    GateResult r = HttpHealthGate.builder(URI.create("http://127.0.0.1:" + port + "/health")).build().check(ctx());
    assertThat(r.isUnhealthy()).isTrue();
    assertThat(r.reason()).contains("failed");
  }

  @Test
  void timeoutIsUnhealthy() {
    GateResult r = HttpHealthGate.builder(base.resolve("/slow")).timeout(Duration.ofMillis(200)).build().check(ctx());
    assertThat(r.isUnhealthy()).isTrue();
    assertThat(r.reason()).contains("timed out after 200ms");
  }

  @Test
  void headersAreSentButNeverReported() {
    status.set(500);
    GateResult r = HttpHealthGate.builder(base.resolve("/health")).header("Authorization", "Bearer s3cr3t").build().check(ctx());
    assertThat(seenAuth.get()).isEqualTo("Bearer s3cr3t");
    assertThat(r.reason()).doesNotContain("s3cr3t");
  }

  @Test
  void rejectsBadConfiguration() {
    assertThatThrownBy(() -> HttpHealthGate.builder(URI.create("ftp://host/health"))).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("http or https");
    assertThatThrownBy(() -> HttpHealthGate.builder(URI.create("http://user:pw@host/health")))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("user info").hasMessageNotContaining("pw");
    assertThatThrownBy(() -> HttpHealthGate.builder(URI.create("/health"))).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> HttpHealthGate.builder(base).expectStatus(700)).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> HttpHealthGate.builder(base).timeout(Duration.ZERO)).isInstanceOf(InvalidConfigurationException.class);
  }
}
