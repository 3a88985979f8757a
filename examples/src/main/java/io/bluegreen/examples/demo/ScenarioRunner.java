package io.bluegreen.examples.demo;

import io.bluegreen.core.Environment;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.gate.HealthGates;
import io.bluegreen.core.gate.HttpHealthGate;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs one scenario: starts blue, green, the proxy and the load (short requests, and a few long ones
 * that keep requests in flight), switches with a real {@link SwitchPlan} on the real clock — preview
 * through the proxy first, then the stages, then the drain of the environment that lost its traffic —
 * and collects what happened.
 */
final class ScenarioRunner {

  /** Green's weight at each stage. */
  static final int[] STAGES = {10, 25, 50, 100};
  /** Scenario 2 breaks green during this stage's bake. */
  static final int BREAK_DURING_STAGE = 2;
  /** Scenario 2: the share of green's requests that fail once it breaks. */
  static final double GREEN_FAILURE_SHARE = 0.3;
  /** How often the plan polls its gates. */
  static final Duration GATE_INTERVAL = Duration.ofMillis(150);
  /** The header that selects the preview on the proxy. */
  static final String PREVIEW_HEADER = "X-Preview";
  /** Clients of the long requests (each a {@code /slow} request of {@link #LONG_REQUEST_MILLIS} ms, one after the other). */
  static final int LONG_CLIENTS = 4;
  /** How long a long request takes, before scaling. */
  static final long LONG_REQUEST_MILLIS = 2500;
  /** Preview checks that must pass in a row before the switch starts. */
  static final int PREVIEW_CHECKS = 4;

  private ScenarioRunner() {
  }

  static ScenarioResult run(Scenario scenario, DemoOptions options, PrintStream out) throws IOException, InterruptedException {
    Clock clock = Clock.systemUTC();
    double scale = options.scale();
    Duration warmUp = scaled(1000, scale);
    Duration bake = scaled(2000, scale);
    Duration breakAfter = scaled(700, scale); // into stage 2's bake, between two gate polls
    Duration tail = scaled(500, scale);
    Environment blue = Environment.builder("blue").version("1.0.0").build();
    Environment green = Environment.builder("green").version("2.0.0").build();
    // bounded: the plan times out, and the load stops after twice the requests the run should take
    Duration planTimeout = bake.multipliedBy(STAGES.length * 2L).plusSeconds(10);
    long budget = (long) options.clients() * DemoOptions.RATE_PER_CLIENT * (warmUp.plus(planTimeout).plus(tail).toSeconds() + 1);
    Duration longRequest = scaled(LONG_REQUEST_MILLIS, scale);
    Duration drainBound = scaled(5000, scale).plus(longRequest);
    long longBudget = (long) LONG_CLIENTS * (warmUp.plus(planTimeout).plus(drainBound).plus(tail).toSeconds() + 1);

    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("demo-scheduler"));
    try (BackendServer blueServer = BackendServer.start("blue", "1.0.0", clock);
        BackendServer greenServer = BackendServer.start("green", "2.0.0", clock);
        WeightedProxy proxy = WeightedProxy.start(backends(blueServer, greenServer), Map.of("blue", 100, "green", 0), clock)) {
      ProxyRouter router = new ProxyRouter(proxy, blue, green);
      TrafficSplit before = router.current();
      Instant start = clock.instant();
      Map<String, BackendServer> servers = Map.of("blue", blueServer, "green", greenServer);
      try (LoadGenerator load = LoadGenerator.start(proxy.uri(), options.clients(), DemoOptions.RATE_PER_CLIENT, budget, clock);
          LoadGenerator longLoad = LoadGenerator.start(proxy.uri().resolve("/slow?ms=" + longRequest.toMillis()), LONG_CLIENTS, 1,
              longBudget, clock);
          InFlightSampler inFlight = InFlightSampler.start(servers, clock)) {
        ProgressListener progress = new ProgressListener(scenario, out, clock, start, proxy, load, greenServer::brokeAt);
        out.printf("%n== Scenario %d: %s%n", scenario.number(), scenario.title());
        progress.note("started " + blueServer + ", " + greenServer + ", proxy at " + proxy.uri() + "; "
            + options.clients() + " clients x " + DemoOptions.RATE_PER_CLIENT + " req/s through the proxy, and " + LONG_CLIENTS
            + " clients of long requests (" + longRequest.toMillis() + " ms each)");
        if (scenario == Scenario.GREEN_BREAKS) {
          progress.onStageVerified(BREAK_DURING_STAGE, n -> scheduler.schedule(() -> {
            Instant at = greenServer.breakNow(GREEN_FAILURE_SHARE);
            progress.mark(at, ScenarioResult.Marker.Kind.GREEN_BROKE, "green broke");
            progress.note("GREEN BREAKS NOW: /health answers 503 and " + Math.round(GREEN_FAILURE_SHARE * 100)
                + "% of its requests fail with 500");
          }, breakAfter.toMillis(), TimeUnit.MILLISECONDS));
        }

        HealthGate greenHealth = HttpHealthGate.builder(greenServer.healthUri()).name("green /health")
            .timeout(Duration.ofSeconds(1)).build();
        HealthGate greenErrors = new ProxyErrorRateGate(proxy, "green", 0.01, Duration.ofSeconds(1), 10);
        PreviewSmokeGate smoke = new PreviewSmokeGate(3, clock);
        SwitchPlan plan = SwitchPlan.builder()
            .name("demo-" + scenario.number())
            .router(router)
            .from(blue).to(green)
            .schedule(StageSchedule.targetWeights(bake, STAGES))
            .preview(new ProxyPreviewRoute(proxy, PREVIEW_HEADER, "demo-preview-" + Long.toHexString(System.nanoTime())))
            .previewGate(HealthGates.consecutiveSuccesses(smoke, PREVIEW_CHECKS))
            .drainGate(new InFlightDrainGate(servers))
            .drainUntil(drainBound)
            .preSwitchGate(greenHealth)
            .gate(greenHealth)
            .gate(greenErrors)
            .gateInterval(GATE_INTERVAL)
            .gateGrace(scaled(3000, scale))
            .verifyTimeout(Duration.ofSeconds(2))
            .rollbackVerifyTimeout(Duration.ofSeconds(5))
            .timeout(planTimeout)
            .listener(progress)
            .build();

        Thread.sleep(warmUp.toMillis()); // traffic on blue only, before the switch
        SwitchResult result = plan.execute();
        Thread.sleep(tail.toMillis()); // traffic where the plan left it
        load.stop();
        longLoad.stop();
        TrafficSplit after = router.current();
        progress.note("load stopped after " + load.count() + " requests and " + longLoad.count() + " long ones; traffic now " + after);
        return new ScenarioResult(scenario, result, before, after, start, clock.instant(), options.clients(), load.samples(),
            proxy.history(), progress, greenServer.brokeAt(),
            new ScenarioResult.Extras(smoke.samples(), longLoad.samples(), inFlight.points(), proxy.previewHistory()));
      }
    } finally {
      scheduler.shutdownNow();
    }
  }

  private static Map<String, URI> backends(BackendServer blue, BackendServer green) {
    Map<String, URI> backends = new LinkedHashMap<>();
    backends.put(blue.name(), blue.uri());
    backends.put(green.name(), green.uri());
    return backends;
  }

  private static Duration scaled(long millis, double scale) {
    return Duration.ofMillis(Math.round(millis * scale));
  }
}
