package io.bluegreen.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.gate.HttpHealthGate;
import io.bluegreen.testkit.InMemoryRouter;
import io.bluegreen.testkit.LogCapture;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.SecretCanaries;
import io.bluegreen.testkit.VirtualClock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * No secret leaves the process (Micrometer): meters are named and tagged from events (gate names,
 * route ids, outcomes). A plan whose HTTP gate carries a canary query token and bearer header, whose
 * health endpoint's 401 echoes them, and whose router fails with a canary in a URI, must leave no
 * canary in any meter's name or tags, nor in any log line, event or summary.
 */
class MicrometerCanaryTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private final SecretCanaries canaries = new SecretCanaries();
  private final String queryToken = canaries.plant("query token");
  private final String bearer = canaries.plant("bearer token");
  private final String password = canaries.plant("userinfo password");
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final RecordingListener events = new RecordingListener();
  private HttpServer server;
  private LogCapture logs;

  @BeforeEach
  void start() throws IOException {
    assertThat(LogCapture.isInstalled()).as("the capturing SLF4J provider must be this JVM's (surefire sets slf4j.provider)").isTrue();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/health", ex -> {
      byte[] b = ("token " + bearer + " / " + queryToken + " is not valid").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(401, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    logs = LogCapture.start();
  }

  @AfterEach
  void stop() {
    logs.close();
    server.stop(0);
  }

  @Test
  void noCanaryInAnyMeterNameOrTag() {
    URI health = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/health?token=" + queryToken);
    HttpHealthGate gate = HttpHealthGate.builder(health).header("Authorization", "Bearer " + bearer).build();
    InMemoryRouter router = InMemoryRouter.builder().routeId("memory/checkout").environments(BLUE, GREEN).build();
    router.failNextWrites(1, () -> RouterException.transientFailure("PUT https://ops:" + password + "@proxy.internal/w?sig="
        + queryToken + " answered 503", null));
    VirtualClock clock = VirtualClock.create();

    SwitchResult result = SwitchPlan.builder().name("micrometer-canary").router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100)).gate(gate).gateInterval(Duration.ofSeconds(20))
        .time(clock).listener(MicrometerSwitchListener.of(registry, List.of())).listener(events).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    List<String> meters = registry.getMeters().stream().map(Meter::getId).map(Meter.Id::toString).toList();
    assertThat(meters).anySatisfy(m -> assertThat(m).contains("bluegreen.gate.checks"));
    canaries.check("meter ids (names and tags)", meters);
    canaries.check("plan", result, gate, events.events());
    canaries.checkLogs(logs);
    assertThat(logs.lines("io.bluegreen", Level.DEBUG)).as("DEBUG lines of bluegreen were captured").isNotEmpty();
    canaries.assertNoLeaks();
  }
}
