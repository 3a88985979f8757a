package io.bluegreen.examples.prometheus;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.analysis.Condition;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.examples.EventPrinter;
import io.bluegreen.examples.demo.BackendServer;
import io.bluegreen.examples.demo.LoadGenerator;
import io.bluegreen.examples.demo.ProxyRouter;
import io.bluegreen.examples.demo.WeightedProxy;
import io.bluegreen.micrometer.MicrometerSwitchListener;
import io.bluegreen.prometheus.PromQl;
import io.bluegreen.prometheus.PrometheusGate;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded demo's staged switch (blue to green at 10, 25, 50, 100% behind a weighted proxy, under
 * load), judged by a {@link PrometheusGate} instead of the demo's in-process error-rate gate: a real
 * Prometheus (Debian's {@code prometheus} binary, started here on a free port) scrapes the blue and
 * green servers' {@code /metrics} (Micrometer's Prometheus registry) every second, and the gate asks it
 * for green's 5xx ratio over the last 5 s. Two runs: green healthy (COMPLETED), then green breaking
 * during stage 2 (ROLLED_BACK as soon as the scraped errors show). The plan's own metrics go to a
 * Micrometer registry through {@link MicrometerSwitchListener} and are printed at the end.
 *
 * <pre>{@code
 * mvn -B -q -Pdemo verify -Ddemo.main=io.bluegreen.examples.prometheus.PrometheusGateExample
 * }</pre>
 *
 * Needs the {@code prometheus} binary ({@code apt-get install -y prometheus}, or {@code
 * BLUEGREEN_PROMETHEUS_BIN}); exits 2 without it, 1 if a run does not end as expected.
 */
public final class PrometheusGateExample {

  static final int[] STAGES = {10, 25, 50, 100};
  static final Duration BAKE = Duration.ofSeconds(6);
  static final Duration GATE_INTERVAL = Duration.ofSeconds(1);
  static final int CLIENTS = 4;

  /** What one run did. */
  public record Run(String title, Outcome expected, SwitchResult result) {
    /** @return whether the plan ended as expected */
    public boolean asExpected() {
      return result.outcome() == expected;
    }
  }

  private PrometheusGateExample() {
  }

  /**
   * @param args none
   * @throws Exception if the servers cannot start
   */
  public static void main(String[] args) throws Exception {
    if (LocalPrometheus.binary().isEmpty()) {
      System.err.println("this example needs Prometheus: apt-get install -y prometheus (as root), or set BLUEGREEN_PROMETHEUS_BIN");
      System.exit(2);
      return;
    }
    List<Run> runs = run(System.out);
    System.exit(runs.stream().allMatch(Run::asExpected) ? 0 : 1);
  }

  /**
   * Runs both scenarios and prints what happened.
   *
   * @param out where progress goes
   * @return the two runs
   * @throws IOException if a server or Prometheus cannot start
   * @throws InterruptedException if interrupted
   */
  public static List<Run> run(PrintStream out) throws IOException, InterruptedException {
    PrometheusMeterRegistry switchMetrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    List<Run> runs = new ArrayList<>();
    runs.add(runOnce("green healthy", false, out, switchMetrics));
    runs.add(runOnce("green breaks during stage 2", true, out, switchMetrics));
    out.println();
    out.println("== the switch's own metrics (MicrometerSwitchListener, Prometheus format)");
    switchMetrics.scrape().lines().filter(l -> l.startsWith("bluegreen_plans_total") || l.startsWith("bluegreen_route_weight")
        || l.startsWith("bluegreen_rollback_duration_seconds_count")).forEach(out::println);
    for (Run r : runs) {
      out.println((r.asExpected() ? "OK   " : "FAIL ") + r.title() + ": " + r.result().summary());
    }
    return runs;
  }

  private static Run runOnce(String title, boolean breakGreen, PrintStream out, PrometheusMeterRegistry switchMetrics)
      throws IOException, InterruptedException {
    Clock clock = Clock.systemUTC();
    Environment blue = Environment.builder("blue").version("1.0.0").build();
    Environment green = Environment.builder("green").version("2.0.0").build();
    out.printf("%n== %s%n", title);
    try (BackendServer blueServer = BackendServer.start("blue", "1.0.0", clock);
        BackendServer greenServer = BackendServer.start("green", "2.0.0", clock);
        LocalPrometheus prometheus = LocalPrometheus.start(Map.of("blue", blueServer.uri(), "green", greenServer.uri()));
        WeightedProxy proxy = WeightedProxy.start(backends(blueServer, greenServer), Map.of("blue", 100, "green", 0), clock);
        LoadGenerator load = LoadGenerator.start(proxy.uri(), CLIENTS, 50, 200_000, clock)) {
      out.println("started " + blueServer + ", " + greenServer + ", proxy at " + proxy.uri() + ", " + prometheus
          + " scraping both every second");

      PrometheusGate errors = PrometheusGate.builder(prometheus.uri())
          .name("green 5xx ratio (Prometheus)")
          .ratio(PromQl.ratio("http_server_requests_total{env=\"{{env}}\",status=~\"5..\"}",
              "http_server_requests_total{env=\"{{env}}\"}", Duration.ofSeconds(5)))
          .successCondition(Condition.below(0.01))
          .failureCondition(Condition.atLeast(0.05))
          .minSamples(10)                          // fewer requests than that in 5 s: inconclusive
          .initialDelay(Duration.ofSeconds(2))     // let a scrape or two see the new split first
          .inconclusiveLimit(4)                    // scrapes lag the switch by up to a second
          .timeout(Duration.ofSeconds(2))
          .build();

      List<Thread> breakers = new ArrayList<>();
      SwitchPlan plan = SwitchPlan.builder()
          .name("prometheus-example")
          .router(new ProxyRouter(proxy, blue, green))
          .from(blue).to(green)
          .schedule(StageSchedule.targetWeights(BAKE, STAGES))
          .gate(errors)
          .gateInterval(GATE_INTERVAL)
          .gateGrace(Duration.ofSeconds(4))
          .timeout(Duration.ofMinutes(2))
          .listener(new EventPrinter(out))
          .listener(MicrometerSwitchListener.of(switchMetrics))
          .listener(event -> {
            if (breakGreen && event instanceof SwitchEvent.StageVerified v && v.stageNumber() == 2) {
              Thread t = new Thread(() -> {
                try {
                  Thread.sleep(2_500);
                  greenServer.breakNow(0.3);
                  out.println("   >>> green breaks now: 30% of its requests answer 500");
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }, "break-green");
              t.setDaemon(true);
              t.start();
              breakers.add(t);
            }
          })
          .build();

      Thread.sleep(2_000); // a couple of scrapes of blue-only traffic first
      SwitchResult result = plan.execute();
      for (Thread t : breakers) {
        t.interrupt();
      }
      load.stop();
      out.println(result.summary());
      return new Run(title, breakGreen ? Outcome.ROLLED_BACK : Outcome.COMPLETED, result);
    }
  }

  private static Map<String, URI> backends(BackendServer blue, BackendServer green) {
    Map<String, URI> m = new LinkedHashMap<>();
    m.put(blue.name(), blue.uri());
    m.put(green.name(), green.uri());
    return m;
  }
}
