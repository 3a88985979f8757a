package io.bluegreen.examples.demo;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.event.SwitchListener;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Prints one progress line per plan event, with the live weights on the proxy, the green share of
 * the requests sent in the current stage so far and the failures so far; and remembers when stages,
 * the first UNHEALTHY gate result and the rollback happened. Repeated gate results (the same verdict
 * from the same gate in the same stage) are not printed again, so the output stays readable with a
 * gate interval of 150 ms.
 */
final class ProgressListener implements SwitchListener {

  /** When one stage's weights were in place. */
  record StageWindow(int number, int plannedGreenPercent, Instant from, Instant to) {
  }

  private final Scenario scenario;
  private final PrintStream out;
  private final Clock clock;
  private final Instant start;
  private final WeightedProxy proxy;
  private final LoadGenerator load;
  private final Supplier<Optional<Instant>> greenBrokeAt;
  private final Map<Integer, IntConsumer> onVerified = new HashMap<>();

  private final Map<String, GateResult.Status> lastGateStatus = new HashMap<>();
  private final List<ScenarioResult.Marker> markers = new ArrayList<>();
  private final List<Instant> stageApplied = new ArrayList<>();
  private final List<Integer> stageWeights = new ArrayList<>();
  private int stage;
  private int stageCount;
  private Instant stageStart;
  private Instant stageEnd;
  private Instant firstUnhealthyAt;
  private String firstUnhealthy;
  private Instant rollbackVerifiedAt;

  ProgressListener(Scenario scenario, PrintStream out, Clock clock, Instant start, WeightedProxy proxy, LoadGenerator load,
      Supplier<Optional<Instant>> greenBrokeAt) {
    this.scenario = scenario;
    this.out = out;
    this.clock = clock;
    this.start = start;
    this.proxy = proxy;
    this.load = load;
    this.greenBrokeAt = greenBrokeAt;
  }

  /** Runs {@code action} (with the stage number) right after stage {@code number} is verified. */
  synchronized void onStageVerified(int number, IntConsumer action) {
    onVerified.put(number, action);
  }

  @Override
  public void onEvent(SwitchEvent event) {
    String text;
    IntConsumer after = null;
    synchronized (this) {
      text = describe(event);
      if (event instanceof SwitchEvent.StageVerified v) {
        after = onVerified.get(v.stageNumber());
      }
    }
    if (text != null) {
      print(event.at(), text);
    }
    if (after != null) {
      after.accept(((SwitchEvent.StageVerified) event).stageNumber());
    }
  }

  /** Prints a line of the demo's own (not an event), with the same columns. */
  void note(String text) {
    print(clock.instant(), text);
  }

  synchronized void mark(Instant at, ScenarioResult.Marker.Kind kind, String label) {
    markers.add(new ScenarioResult.Marker(at, kind, label));
  }

  private String describe(SwitchEvent event) {
    if (event instanceof SwitchEvent.PlanStarted e) {
      stageCount = e.stageWeights().size();
      return "plan started: " + e.from() + " -> " + e.to() + " on " + e.routeId() + " in stages " + e.stageWeights();
    } else if (event instanceof SwitchEvent.LockAcquired e) {
      return "route lock taken";
    } else if (event instanceof SwitchEvent.SnapshotTaken e) {
      return "snapshot (what a rollback restores): " + e.split();
    } else if (event instanceof SwitchEvent.Notice e) {
      return "notice: " + e.message();
    } else if (event instanceof SwitchEvent.PreflightPassed e) {
      return "preflight passed";
    } else if (event instanceof SwitchEvent.GateChecked e) {
      String key = e.phase() + "/" + e.stageNumber() + "/" + e.gate();
      GateResult.Status previous = lastGateStatus.put(key, e.result().status());
      if (e.result().isUnhealthy() && firstUnhealthyAt == null && e.stageNumber() > 0) {
        firstUnhealthyAt = e.at();
        firstUnhealthy = e.gate() + ": " + e.result().reason();
        markers.add(new ScenarioResult.Marker(e.at(), ScenarioResult.Marker.Kind.UNHEALTHY, "gate UNHEALTHY"));
      }
      if (previous == e.result().status()) {
        return null;
      }
      String where = e.stageNumber() > 0 ? "" : e.phase().name().toLowerCase(Locale.ROOT).replace('_', '-') + " ";
      return where + "gate " + e.gate() + " " + e.result().status() + ": " + e.result().reason()
          + (e.result().isHealthy() ? " (repeats not shown)" : "");
    } else if (event instanceof SwitchEvent.StageStarted e) {
      stage = e.stageNumber();
      return "stage " + e.stageNumber() + "/" + e.stageCount() + " starting: " + e.target();
    } else if (event instanceof SwitchEvent.StageApplied e) {
      stageStart = e.at();
      stageApplied.add(e.at());
      int greenWeight = e.target().weightOf(Environment.of(ScenarioResult.GREEN));
      stageWeights.add(greenWeight);
      markers.add(new ScenarioResult.Marker(e.at(), ScenarioResult.Marker.Kind.STAGE, greenWeight + "%"));
      return (e.written() ? "applied " : "already in place: ") + e.target();
    } else if (event instanceof SwitchEvent.StageVerified e) {
      return "verified in " + e.took().toMillis() + " ms; baking";
    } else if (event instanceof SwitchEvent.StageCompleted e) {
      return "stage complete";
    } else if (event instanceof SwitchEvent.RetryScheduled e) {
      return "retry: " + e.operation() + " failed (attempt " + e.attempt() + "): " + e.error();
    } else if (event instanceof SwitchEvent.DriftDetected e) {
      return "DRIFT: expected " + e.expected() + ", found " + e.found();
    } else if (event instanceof SwitchEvent.RollbackStarted e) {
      stageEnd = stageEnd == null ? e.at() : stageEnd;
      return "ROLLING BACK to " + e.target() + ": " + e.reason();
    } else if (event instanceof SwitchEvent.RollbackCompleted e) {
      rollbackVerifiedAt = e.at();
      markers.add(new ScenarioResult.Marker(e.at(), ScenarioResult.Marker.Kind.ROLLED_BACK, "rollback verified"));
      stage = 0;
      return "rollback verified: " + e.split();
    } else if (event instanceof SwitchEvent.RollbackFailed e) {
      stage = 0;
      return "ROLLBACK FAILED: " + e.reason();
    } else if (event instanceof SwitchEvent.PreviewLeftoverRemoved e) {
      return "removed a preview left behind by an earlier run: " + e.removed();
    } else if (event instanceof SwitchEvent.PreviewOpened e) {
      markers.add(new ScenarioResult.Marker(e.at(), ScenarioResult.Marker.Kind.PREVIEW_OPENED, "preview"));
      return "PREVIEW open: " + e.endpoint() + "; production stays on the weights";
    } else if (event instanceof SwitchEvent.PreviewClosed e) {
      markers.add(new ScenarioResult.Marker(e.at(), ScenarioResult.Marker.Kind.PREVIEW_CLOSED, "preview closed"));
      return "preview closed: removed " + e.removed();
    } else if (event instanceof SwitchEvent.PreviewCloseFailed e) {
      return "PREVIEW NOT CLOSED: " + e.reason();
    } else if (event instanceof SwitchEvent.DrainStarted e) {
      return e.environment().name() + " draining: it gets no new request since the verified split; waiting for its in-flight"
          + " requests to finish";
    } else if (event instanceof SwitchEvent.DrainFinished e) {
      e.report().drainedAt().ifPresent(at -> markers.add(new ScenarioResult.Marker(at, ScenarioResult.Marker.Kind.DRAINED,
          e.report().environment().name() + " drained")));
      return e.report().describe();
    } else if (event instanceof SwitchEvent.PlanFinished e) {
      stageEnd = stageEnd == null ? e.at() : stageEnd;
      stage = 0;
      if (rollbackVerifiedAt == null) {
        markers.add(new ScenarioResult.Marker(e.at(), ScenarioResult.Marker.Kind.FINISHED, e.outcome().name()));
      }
      return "plan finished: " + e.summary();
    }
    return "event: " + event;
  }

  private void print(Instant at, String text) {
    Instant stageFrom;
    String stageColumn;
    synchronized (this) {
      stageFrom = stage > 0 ? stageStart : null;
      stageColumn = stage > 0 ? "stage " + stage + "/" + stageCount : "-";
    }
    Optional<Instant> broke = greenBrokeAt.get();
    long inStage = 0;
    long greenInStage = 0;
    long failed = 0;
    long dueToGreen = 0;
    for (LoadGenerator.Sample s : load.samples()) {
      if (stageFrom != null && !s.sent().isBefore(stageFrom)) {
        inStage++;
        greenInStage += ScenarioResult.GREEN.equals(s.backend()) ? 1 : 0;
      }
      if (s.failed()) {
        failed++;
        dueToGreen += ScenarioResult.dueToGreenBreaking(s, broke) ? 1 : 0;
      }
    }
    String shareColumn = stageFrom == null ? "-" : inStage == 0 ? "green   -   of    0"
        : String.format(Locale.ROOT, "green %5.1f%% of %4d", 100.0 * greenInStage / inStage, inStage);
    String failedColumn = failed == 0 ? "failed 0"
        : "failed " + failed + " (" + (failed - dueToGreen) + " switching, " + dueToGreen + " broken green)";
    String weights = proxy.history().get(proxy.history().size() - 1).weights().entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + " " + b).orElse("");
    double seconds = Duration.between(start, at).toNanos() / 1e9;
    out.println(String.format(Locale.ROOT, "[%d] %6.2fs  %-9s | %-17s | %-19s | %-8s | %s", scenario.number(), seconds, stageColumn,
        weights, shareColumn, failedColumn, text));
  }

  synchronized List<ScenarioResult.Marker> markers() {
    return List.copyOf(markers);
  }

  synchronized Optional<Instant> firstUnhealthyAt() {
    return Optional.ofNullable(firstUnhealthyAt);
  }

  synchronized Optional<String> firstUnhealthy() {
    return Optional.ofNullable(firstUnhealthy);
  }

  synchronized Optional<Instant> rollbackVerifiedAt() {
    return Optional.ofNullable(rollbackVerifiedAt);
  }

  /** @return each applied stage's window: until the next stage was applied, or the rollback or end began */
  synchronized List<StageWindow> stageWindows(Instant end) {
    List<StageWindow> windows = new ArrayList<>();
    for (int i = 0; i < stageApplied.size(); i++) {
      Instant to = i + 1 < stageApplied.size() ? stageApplied.get(i + 1) : stageEnd != null ? stageEnd : end;
      windows.add(new StageWindow(i + 1, stageWeights.get(i), stageApplied.get(i), to));
    }
    return windows;
  }
}
