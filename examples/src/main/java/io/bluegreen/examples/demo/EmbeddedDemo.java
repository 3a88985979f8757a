package io.bluegreen.examples.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded end-to-end demo: a blue (v1) and a green (v2) HTTP server, a weighted reverse proxy in
 * front of them steered by a {@link ProxyRouter}, and a load generator sending requests through the
 * proxy the whole time, all in this JVM on 127.0.0.1. Two scenarios run on the real clock:
 *
 * <ol>
 *   <li>a staged switch (green at 10, 25, 50, 100%) gated by an {@link
 *       io.bluegreen.core.gate.HttpHealthGate} on green's {@code /health} and a {@link
 *       ProxyErrorRateGate} on the proxy's view of green: COMPLETED, zero failed requests, the observed
 *       share of green matching each stage's weight;</li>
 *   <li>the same plan, but green breaks during the bake of stage 2 ({@code /health} 503, 30% of its
 *       requests 500): a gate says UNHEALTHY, the plan rolls back to the exact prior split and
 *       verifies it: ROLLED_BACK, with no failure caused by the switching itself.</li>
 * </ol>
 *
 * It prints one line per plan event, a summary table per scenario, and writes an HTML report with a
 * chart of the run. Exit status 0 when both scenarios end as expected, 1 otherwise, 2 on bad options.
 *
 * <pre>{@code
 * mvn -B -q -Pdemo verify                                      # from the repository root
 * mvn -B -q -Pdemo verify -Ddemo.args="--scale 4 --scenario 2"  # slower, one scenario
 *
 * DemoResult result = EmbeddedDemo.run(DemoOptions.parse("--clients", "4"), System.out);   // in-process
 * }</pre>
 */
public final class EmbeddedDemo {

  private EmbeddedDemo() {
  }

  /**
   * Runs the demo and exits with 0 when both scenarios end as expected, 1 when not, 2 on bad options.
   *
   * @param args see {@link DemoOptions}
   * @throws Exception if the demo cannot start its servers or is interrupted
   */
  public static void main(String[] args) throws Exception {
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(DemoOptions.usage());
      return;
    }
    DemoResult result = run(options, System.out);
    System.exit(result.asExpected() ? 0 : 1);
  }

  /**
   * Runs the chosen scenarios one after the other, prints progress and the summary to {@code out},
   * and writes the HTML report.
   *
   * @param options what to run
   * @param out where the progress lines and the summary go
   * @return what happened
   * @throws IOException if a server cannot start or the report cannot be written
   * @throws InterruptedException if interrupted
   */
  public static DemoResult run(DemoOptions options, PrintStream out) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    out.println("bluegreen embedded demo: blue (v1) and green (v2) behind a weighted proxy on 127.0.0.1, under load");
    out.println("options: " + options);
    out.println("columns: scenario, time since the load started, stage, weights on the proxy, green's share of the requests"
        + " sent in this stage so far, failed requests so far, event");
    List<ScenarioResult> results = new ArrayList<>();
    for (Scenario scenario : options.scenarios()) {
      results.add(ScenarioRunner.run(scenario, options, out));
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - t0);
    out.println();
    out.println("==== Summary (" + String.format(java.util.Locale.ROOT, "%.1f", wall.toMillis() / 1000.0) + " s)");
    for (ScenarioResult r : results) {
      out.print(r.table());
    }
    Path report = HtmlReport.write(options.report(), results, wall);
    out.println();
    out.println("report: " + report.toAbsolutePath());
    DemoResult result = new DemoResult(results, report, wall);
    out.println(result.asExpected() ? "demo OK: every scenario ended as expected"
        : "demo FAILED: a scenario did not end as expected (see the problems above)");
    return result;
  }
}
