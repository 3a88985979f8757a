package io.bluegreen.examples.demo;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.drain.DrainReport;
import io.bluegreen.core.event.SwitchEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What one scenario of the embedded demo did and measured: the plan's {@link SwitchResult}, the
 * split before and after (read from the proxy), every request the load generator sent, the observed
 * share of green per stage, and when green broke, when a gate said UNHEALTHY and when the rollback
 * was verified.
 *
 * <p>A failed request counts as <em>due to green's injected failure</em> when green itself answered
 * it with an error after the moment green broke; every other failure (a proxy 502, a timeout, a
 * connection error, an error from blue or from green before it broke) counts as <em>due to
 * switching</em>, and there must be none.
 *
 * <pre>{@code
 * ScenarioResult r = EmbeddedDemo.run(DemoOptions.parse("--scenario", "2"), System.out).scenarios().get(0);
 * r.outcome();                 // ROLLED_BACK
 * r.failedDueToSwitching();    // 0
 * r.detectionLatency();        // e.g. PT0.12S from green breaking to the gate's UNHEALTHY
 * System.out.println(r.table());
 * }</pre>
 */
public final class ScenarioResult {

  /** The environment the demo switches to; its share of requests is what the demo observes. */
  static final String GREEN = "green";

  /**
   * The requests sent while one stage's weights were in place.
   *
   * <pre>{@code
   * for (StageStats s : result.stages()) {
   *   System.out.printf("stage %d: planned %d%%, observed %.1f%%%n", s.number(), s.plannedGreenPercent(), s.observedGreenPercent());
   * }
   * }</pre>
   *
   * @param number 1-based stage number
   * @param stageCount how many stages the plan has
   * @param plannedGreenPercent green's weight in this stage
   * @param from when the stage's weights were applied
   * @param to when the next stage, the rollback or the end of the plan began
   * @param requests requests sent in [from, to)
   * @param servedByGreen of which green served
   * @param failed of which failed
   */
  public record StageStats(int number, int stageCount, int plannedGreenPercent, Instant from, Instant to, long requests,
      long servedByGreen, long failed) {
    /** @return the observed share of green in percent, NaN without requests */
    public double observedGreenPercent() {
      return requests == 0 ? Double.NaN : 100.0 * servedByGreen / requests;
    }

    /** @return observed minus planned, in percentage points */
    public double deviationPoints() {
      return observedGreenPercent() - plannedGreenPercent;
    }
  }

  /**
   * A moment worth marking on the chart.
   *
   * <pre>{@code
   * result.markers().stream().filter(m -> m.kind() == Marker.Kind.ROLLED_BACK).findFirst();
   * }</pre>
   *
   * @param at when
   * @param kind what
   * @param label the text next to the marker
   */
  public record Marker(Instant at, Kind kind, String label) {
    /**
     * What a marker marks.
     *
     * <pre>{@code
     * new Marker(at, Marker.Kind.STAGE, "25%");
     * }</pre>
     */
    public enum Kind {
      /** A stage's weights were applied. */
      STAGE,
      /** Green started failing. */
      GREEN_BROKE,
      /** A gate said UNHEALTHY. */
      UNHEALTHY,
      /** The rollback was verified. */
      ROLLED_BACK,
      /** The plan finished. */
      FINISHED,
      /** The preview opened on the proxy. */
      PREVIEW_OPENED,
      /** The preview closed. */
      PREVIEW_CLOSED,
      /** The environment that lost its traffic was confirmed drained. */
      DRAINED
    }
  }

  /**
   * What the preview and the drain add to a scenario: the requests sent through the preview, the long
   * requests, the requests in flight over time, and when the proxy's preview rule was open.
   *
   * <pre>{@code
   * new ScenarioResult.Extras(smoke.samples(), longLoad.samples(), sampler.points(), proxy.previewHistory());
   * }</pre>
   *
   * @param previewSamples requests sent with the preview header
   * @param longSamples the long requests
   * @param inFlight each environment's requests in flight, sampled
   * @param previewChanges when the proxy's preview rule opened and closed
   */
  record Extras(List<LoadGenerator.Sample> previewSamples, List<LoadGenerator.Sample> longSamples, List<InFlightSampler.Point> inFlight,
      List<WeightedProxy.PreviewChange> previewChanges) {
    Extras {
      previewSamples = List.copyOf(previewSamples);
      longSamples = List.copyOf(longSamples);
      inFlight = List.copyOf(inFlight);
      previewChanges = List.copyOf(previewChanges);
    }
  }

  private final Scenario scenario;
  private final SwitchResult result;
  private final TrafficSplit before;
  private final TrafficSplit after;
  private final Instant start;
  private final Instant end;
  private final int clients;
  private final List<LoadGenerator.Sample> samples;
  private final List<WeightedProxy.WeightChange> weightHistory;
  private final List<StageStats> stages;
  private final List<Marker> markers;
  private final int stageCount;
  private final Instant greenBrokeAt;
  private final Instant gateUnhealthyAt;
  private final String unhealthyGate;
  private final Instant rollbackVerifiedAt;
  private final long failedDueToSwitching;
  private final long failedDueToGreen;
  private final Extras extras;

  ScenarioResult(Scenario scenario, SwitchResult result, TrafficSplit before, TrafficSplit after, Instant start, Instant end,
      int clients, List<LoadGenerator.Sample> samples, List<WeightedProxy.WeightChange> weightHistory, ProgressListener progress,
      Optional<Instant> greenBrokeAt, Extras extras) {
    this.extras = extras;
    this.scenario = scenario;
    this.result = result;
    this.before = before;
    this.after = after;
    this.start = start;
    this.end = end;
    this.clients = clients;
    this.samples = List.copyOf(samples);
    this.weightHistory = List.copyOf(weightHistory);
    this.markers = progress.markers();
    this.stageCount = result.stageCount();
    this.greenBrokeAt = greenBrokeAt.orElse(null);
    this.gateUnhealthyAt = progress.firstUnhealthyAt().orElse(null);
    this.unhealthyGate = progress.firstUnhealthy().orElse(null);
    this.rollbackVerifiedAt = progress.rollbackVerifiedAt().orElse(null);
    long green = samples.stream().filter(s -> dueToGreenBreaking(s, greenBrokeAt)).count();
    this.failedDueToGreen = green;
    this.failedDueToSwitching = samples.stream().filter(LoadGenerator.Sample::failed).count() - green
        + extras.longSamples().stream().filter(LoadGenerator.Sample::failed).count();
    List<StageStats> list = new ArrayList<>();
    for (ProgressListener.StageWindow w : progress.stageWindows(end)) {
      long n = 0;
      long g = 0;
      long f = 0;
      for (LoadGenerator.Sample s : samples) {
        if (!s.sent().isBefore(w.from()) && s.sent().isBefore(w.to())) {
          n++;
          g += GREEN.equals(s.backend()) ? 1 : 0;
          f += s.failed() ? 1 : 0;
        }
      }
      list.add(new StageStats(w.number(), stageCount, w.plannedGreenPercent(), w.from(), w.to(), n, g, f));
    }
    this.stages = List.copyOf(list);
  }

  static boolean dueToGreenBreaking(LoadGenerator.Sample s, Optional<Instant> greenBrokeAt) {
    return s.failed() && GREEN.equals(s.servedBy()) && greenBrokeAt.isPresent() && !s.answered().isBefore(greenBrokeAt.get());
  }

  /** @return the scenario */
  public Scenario scenario() {
    return scenario;
  }

  /** @return what the plan returned */
  public SwitchResult switchResult() {
    return result;
  }

  /** @return how the plan ended */
  public Outcome outcome() {
    return result.outcome();
  }

  /** @return the split on the proxy before the plan started */
  public TrafficSplit trafficBefore() {
    return before;
  }

  /** @return the split on the proxy after the plan ended, read from the proxy */
  public TrafficSplit trafficAfter() {
    return after;
  }

  /** @return when the load started */
  public Instant start() {
    return start;
  }

  /** @return when the load stopped */
  public Instant end() {
    return end;
  }

  /** @return concurrent clients of the load generator */
  public int clients() {
    return clients;
  }

  /** @return every request, in the order the answers came */
  public List<LoadGenerator.Sample> samples() {
    return samples;
  }

  /** @return the proxy's weight changes, the initial weights first */
  public List<WeightedProxy.WeightChange> weightHistory() {
    return weightHistory;
  }

  /** @return one entry per stage the plan applied */
  public List<StageStats> stages() {
    return stages;
  }

  /** @return moments to mark on the chart */
  public List<Marker> markers() {
    return markers;
  }

  /** @return requests sent */
  public long requests() {
    return samples.size();
  }

  /** @return requests that failed, for any reason */
  public long failed() {
    return failedDueToSwitching + failedDueToGreen;
  }

  /** @return failed requests not explained by green's injected failure: proxy errors, timeouts, errors before the break */
  public long failedDueToSwitching() {
    return failedDueToSwitching;
  }

  /** @return requests green itself failed after it broke */
  public long failedDueToGreen() {
    return failedDueToGreen;
  }

  /** @return when green broke (scenario 2) */
  public Optional<Instant> greenBrokeAt() {
    return Optional.ofNullable(greenBrokeAt);
  }

  /** @return when a gate first said UNHEALTHY during a stage */
  public Optional<Instant> gateUnhealthyAt() {
    return Optional.ofNullable(gateUnhealthyAt);
  }

  /** @return the gate that first said UNHEALTHY, with its reason */
  public Optional<String> unhealthyGate() {
    return Optional.ofNullable(unhealthyGate);
  }

  /** @return when the rollback was verified */
  public Optional<Instant> rollbackVerifiedAt() {
    return Optional.ofNullable(rollbackVerifiedAt);
  }

  /** @return the preview, the long requests and the requests in flight */
  public Extras extras() {
    return extras;
  }

  /** @return when the plan opened the preview */
  public Optional<Instant> previewOpenedAt() {
    return result.events(SwitchEvent.PreviewOpened.class).stream().map(SwitchEvent::at).findFirst();
  }

  /** @return when the preview ended for production traffic: the first write of a stage, or the preview's closing */
  public Optional<Instant> previewEndedAt() {
    Optional<Instant> firstStage = result.events(SwitchEvent.StageApplied.class).stream().map(SwitchEvent::at).findFirst();
    return firstStage.isPresent() ? firstStage : result.events(SwitchEvent.PreviewClosed.class).stream().map(SwitchEvent::at).findFirst();
  }

  /** @return requests the load generator sent while the preview was open, before the first stage */
  public List<LoadGenerator.Sample> loadDuringPreview() {
    Optional<Instant> from = previewOpenedAt();
    Optional<Instant> to = previewEndedAt();
    if (from.isEmpty() || to.isEmpty()) {
      return List.of();
    }
    // a request counts when both its sending and its answer fall in the window
    return samples.stream().filter(x -> !x.sent().isBefore(from.get()) && x.answered().isBefore(to.get())).toList();
  }

  /** @return the drain of the environment that lost its traffic, as the plan reported it */
  public Optional<DrainReport> drain() {
    return result.drain();
  }

  /** @return the most requests in flight on {@code environment} at or after {@code from}, before {@code to} */
  int maxInFlight(String environment, Instant from, Instant to) {
    int max = 0;
    for (InFlightSampler.Point p : extras.inFlight()) {
      if (!p.at().isBefore(from) && p.at().isBefore(to)) {
        max = Math.max(max, "blue".equals(environment) ? p.blue() : p.green());
      }
    }
    return max;
  }

  /** @return from green breaking to the first UNHEALTHY gate result */
  public Optional<Duration> detectionLatency() {
    return greenBrokeAt().flatMap(b -> gateUnhealthyAt().map(u -> Duration.between(b, u)));
  }

  /** @return from the first UNHEALTHY gate result to the rollback being verified */
  public Optional<Duration> rollbackLatency() {
    return gateUnhealthyAt().flatMap(u -> rollbackVerifiedAt().map(r -> Duration.between(u, r)));
  }

  /**
   * What did not go as the scenario expects: the wrong outcome, any failure due to switching, a
   * stage's observed share more than {@code tolerancePoints} off its weight (scenario 1), traffic not
   * back at the prior split or a break that no gate caught (scenario 2).
   *
   * @param tolerancePoints allowed deviation of the observed green share, in percentage points
   * @return the problems, empty when the scenario went as expected
   */
  public List<String> problems(double tolerancePoints) {
    List<String> problems = new ArrayList<>();
    if (outcome() != scenario.expectedOutcome()) {
      problems.add("ended " + outcome() + ", expected " + scenario.expectedOutcome() + ": " + result.summary());
    }
    problems.addAll(previewProblems());
    problems.addAll(drainProblems());
    if (failedDueToSwitching > 0) {
      problems.add(failedDueToSwitching + " requests failed because of the switch (expected none)");
    }
    if (scenario == Scenario.STAGED_SWITCH) {
      if (failed() > 0) {
        problems.add(failed() + " requests failed (expected none)");
      }
      for (StageStats s : stages) {
        if (!(Math.abs(s.deviationPoints()) <= tolerancePoints)) {
          problems.add(String.format(Locale.ROOT, "stage %d: observed green share %.1f%% is more than %.0f points off the planned %d%%",
              s.number(), s.observedGreenPercent(), tolerancePoints, s.plannedGreenPercent()));
        }
      }
      if (!after.equals(result.target())) {
        problems.add("traffic ended at " + after + ", expected " + result.target());
      }
    } else {
      if (!after.equals(before)) {
        problems.add("traffic ended at " + after + ", expected the prior split " + before);
      }
      if (greenBrokeAt == null || gateUnhealthyAt == null) {
        problems.add("green " + (greenBrokeAt == null ? "never broke" : "broke but no gate said UNHEALTHY"));
      }
    }
    return problems;
  }

  private List<String> previewProblems() {
    List<String> problems = new ArrayList<>();
    if (previewOpenedAt().isEmpty()) {
      problems.add("the preview never opened");
      return problems;
    }
    List<LoadGenerator.Sample> through = extras.previewSamples();
    long toGreen = through.stream().filter(x -> !x.failed() && GREEN.equals(x.servedBy())).count();
    if (through.isEmpty() || toGreen != through.size()) {
      problems.add("preview requests: " + toGreen + " of " + through.size() + " reached green (expected all, and at least one)");
    }
    List<LoadGenerator.Sample> load = loadDuringPreview();
    long onBlue = load.stream().filter(x -> !x.failed() && "blue".equals(x.servedBy())).count();
    if (load.isEmpty() || onBlue != load.size()) {
      problems.add("load while the preview was open: " + onBlue + " of " + load.size() + " on blue (expected all, and at least one)");
    }
    if (result.previewLeftOpen().isPresent() || extras.previewChanges().isEmpty()
        || extras.previewChanges().get(extras.previewChanges().size() - 1).open()) {
      problems.add("the preview was not closed: " + result.previewLeftOpen().orElse("the proxy still has its rule"));
    }
    return problems;
  }

  private List<String> drainProblems() {
    List<String> problems = new ArrayList<>();
    Optional<DrainReport> drain = drain();
    String expected = scenario == Scenario.STAGED_SWITCH ? "blue" : GREEN;
    if (drain.isEmpty()) {
      problems.add("no drain reported (expected " + expected + "'s)");
      return problems;
    }
    DrainReport d = drain.get();
    if (!d.environment().name().equals(expected)) {
      problems.add("the drain reported is " + d.environment().name() + "'s, expected " + expected + "'s");
    }
    if (d.drainedAt().isEmpty()) {
      problems.add(expected + " was not confirmed drained: " + d.notConfirmed().orElse("?"));
    } else if (maxInFlight(expected, d.drainedAt().get(), end) > 0) {
      problems.add(expected + " still had requests in flight after the plan reported it drained");
    }
    return problems;
  }

  /** @return whether {@link #problems(double)} with a 5-point tolerance is empty */
  public boolean asExpected() {
    return problems(5).isEmpty();
  }

  /** @return the summary table printed at the end of the demo */
  public String table() {
    StringBuilder t = new StringBuilder();
    double seconds = Duration.between(start, end).toMillis() / 1000.0;
    List<String> problems = problems(5);
    t.append(String.format(Locale.ROOT, "== Scenario %d: %s%n", scenario.number(), scenario.title()));
    t.append(String.format(Locale.ROOT, "   outcome          %s (expected %s): %s%n", outcome(), scenario.expectedOutcome(),
        problems.isEmpty() ? "as expected" : "NOT AS EXPECTED"));
    problems.forEach(p -> t.append("     problem: ").append(p).append('\n'));
    t.append(String.format(Locale.ROOT, "   requests         %,d from %d clients in %.1f s (%.0f req/s)%n", requests(), clients, seconds,
        requests() / Math.max(seconds, 0.001)));
    t.append(String.format(Locale.ROOT, "   failed           %d: %d due to switching, %d due to green's injected failure%n", failed(),
        failedDueToSwitching, failedDueToGreen));
    t.append(String.format(Locale.ROOT, "   traffic          before %s, after %s (read from the proxy)%n", before, after));
    if (previewOpenedAt().isPresent()) {
      List<LoadGenerator.Sample> load = loadDuringPreview();
      long toGreen = extras.previewSamples().stream().filter(x -> !x.failed() && GREEN.equals(x.servedBy())).count();
      t.append(String.format(Locale.ROOT, "   preview          open at +%.2f s: %d of %d requests with the preview header served by green;"
          + " %d of %d load requests sent meanwhile served by blue%n", offset(previewOpenedAt().get()), toGreen,
          extras.previewSamples().size(), load.stream().filter(x -> !x.failed() && "blue".equals(x.servedBy())).count(), load.size()));
    }
    drain().ifPresent(d -> {
      String env = d.environment().name();
      t.append(String.format(Locale.ROOT, "   drain            %s lost its traffic at +%.2f s with up to %d requests in flight; %s%n", env,
          offset(d.since()), maxInFlight(env, d.since(), d.since().plusMillis(100)), d.drainedAt().map(at -> String.format(Locale.ROOT,
              "confirmed drained at +%.2f s (0 in flight)", offset(at))).orElse("NOT confirmed: " + d.notConfirmed().orElse("?"))));
    });
    t.append(String.format(Locale.ROOT, "   long requests    %d, %d failed%n", extras.longSamples().size(),
        extras.longSamples().stream().filter(LoadGenerator.Sample::failed).count()));
    if (greenBrokeAt != null) {
      t.append(String.format(Locale.ROOT, "   green broke      at +%.2f s (/health -> 503, a share of its requests -> 500)%n", offset(greenBrokeAt)));
      t.append(String.format(Locale.ROOT, "   detected         %s after green broke: %s%n",
          detectionLatency().map(ScenarioResult::millis).orElse("never"), unhealthyGate == null ? "-" : unhealthyGate));
      t.append(String.format(Locale.ROOT, "   rolled back      verified %s after the gate said UNHEALTHY, at %s%n",
          rollbackLatency().map(ScenarioResult::millis).orElse("never"), after));
    }
    t.append(String.format(Locale.ROOT, "   %-6s %8s %9s %6s %9s %7s%n", "stage", "planned", "requests", "green", "observed", "diff"));
    for (StageStats s : stages) {
      double diff = Math.round(s.deviationPoints() * 10) / 10.0 + 0.0; // rounded first, so that -0.04 shows as +0.0
      t.append(String.format(Locale.ROOT, "   %-6s %7d%% %,9d %,6d %8.1f%% %+7.1f%s%n", s.number() + "/" + s.stageCount(),
          s.plannedGreenPercent(), s.requests(), s.servedByGreen(), s.observedGreenPercent(), diff,
          s.number() == result.failedStage().orElse(-1) ? "   <- rolled back during this stage" : ""));
    }
    List<Integer> planned = result.events(SwitchEvent.PlanStarted.class).stream().findFirst()
        .map(SwitchEvent.PlanStarted::stageWeights).orElse(List.of());
    for (int n = stages.size() + 1; n <= stageCount; n++) {
      t.append(String.format(Locale.ROOT, "   %-6s %7s%%   not reached%n", n + "/" + stageCount,
          n <= planned.size() ? String.valueOf(planned.get(n - 1)) : "?"));
    }
    return t.toString();
  }

  double offset(Instant at) {
    return Duration.between(start, at).toNanos() / 1e9;
  }

  private static String millis(Duration d) {
    return d.toMillis() + " ms";
  }

  @Override
  public String toString() {
    return "scenario " + scenario.number() + ": " + outcome();
  }
}
