package io.bluegreen.examples;

import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.event.SwitchListener;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Prints a plan's progress as a few readable lines: the split found, preflight, pre-switch gates, one
 * line per stage (written, verified, baked), rollbacks, retries and the end. Times are offsets from the
 * plan's start on the plan's own clock, so a plan on a {@code VirtualClock} shows its simulated
 * minutes. The per-adapter examples use it instead of the library's SLF4J progress log.
 *
 * <pre>{@code
 * SwitchPlan.builder()...listener(new EventPrinter(System.out)).defaultLogging(false).build().execute();
 * //   +0.0s    traffic before: blue=100 green=0 (a rollback restores exactly this)
 * //   +0.6s    stage 1/3  blue=90 green=10       written, verified after 0.6s
 * //   +5m00s   stage 1/3  baked 5m00s, 31 gate checks HEALTHY
 * }</pre>
 */
public final class EventPrinter implements SwitchListener {

  private final PrintStream out;
  private Instant start;
  private Instant stageVerifiedAt;
  private int healthyChecks;
  private int stageCount;

  /** @param out where the lines go */
  public EventPrinter(PrintStream out) {
    this.out = out;
  }

  @Override
  public synchronized void onEvent(SwitchEvent event) {
    if (start == null) {
      start = event.at();
    }
    if (event instanceof SwitchEvent.PlanStarted e) {
      line(e, "plan " + e.plan() + ": " + e.from().name() + " -> " + e.to().name() + " on " + e.routeId() + ", "
          + e.to().name() + " at " + e.stageWeights() + "%");
    } else if (event instanceof SwitchEvent.LockAcquired e) {
      line(e, "route lock taken by " + e.owner());
    } else if (event instanceof SwitchEvent.SnapshotTaken e) {
      line(e, "traffic before: " + e.split() + " (a rollback restores exactly this)");
    } else if (event instanceof SwitchEvent.Notice e) {
      line(e, "notice: " + e.message());
    } else if (event instanceof SwitchEvent.PreflightPassed e) {
      line(e, "preflight passed" + (e.clientConvergence().isZero() ? ""
          : "; clients may follow the previous split for up to " + human(e.clientConvergence()) + " after each write"));
    } else if (event instanceof SwitchEvent.GateChecked e) {
      onGate(e);
    } else if (event instanceof SwitchEvent.StageStarted e) {
      healthyChecks = 0;
      stageCount = e.stageCount();
    } else if (event instanceof SwitchEvent.StageVerified e) {
      stageVerifiedAt = e.at();
      line(e, String.format(Locale.ROOT, "stage %d/%d  %-22s written, verified after %s", e.stageNumber(), stageCount, e.split(),
          human(e.took())));
    } else if (event instanceof SwitchEvent.StageCompleted e) {
      Duration held = stageVerifiedAt == null ? Duration.ZERO : Duration.between(stageVerifiedAt, e.at());
      line(e, "stage " + e.stageNumber() + "/" + stageCount + "  baked " + human(held)
          + (healthyChecks == 0 ? "" : ", " + healthyChecks + " gate checks HEALTHY"));
    } else if (event instanceof SwitchEvent.RetryScheduled e) {
      line(e, "retrying " + e.operation() + " in " + human(e.backoff()) + " after attempt " + e.attempt() + " failed: " + e.error());
    } else if (event instanceof SwitchEvent.DriftDetected e) {
      line(e, "DRIFT: expected " + e.expected() + " but found " + e.found() + "; stopping without overwriting it");
    } else if (event instanceof SwitchEvent.RollbackStarted e) {
      line(e, "ROLLING BACK to " + e.target() + ": " + e.reason());
    } else if (event instanceof SwitchEvent.RollbackCompleted e) {
      line(e, "rollback verified: " + e.split());
    } else if (event instanceof SwitchEvent.RollbackFailed e) {
      line(e, "ROLLBACK FAILED: " + e.reason());
    } else if (event instanceof SwitchEvent.PlanFinished e) {
      line(e, "finished: " + e.outcome() + ", traffic now " + e.trafficNow().map(Object::toString).orElse("UNKNOWN"));
    }
  }

  private void onGate(SwitchEvent.GateChecked e) {
    GateResult r = e.result();
    if (e.phase() == GateContext.Phase.STAGE && r.isHealthy()) {
      healthyChecks++;
      return;
    }
    if (e.phase() == GateContext.Phase.PRE_SWITCH || !r.isHealthy()) {
      line(e, "gate " + e.gate() + " (" + e.phase().name().toLowerCase(Locale.ROOT).replace('_', '-') + "): " + r.status()
          + (r.reason() == null || r.reason().isEmpty() ? "" : " - " + r.reason()));
    }
  }

  private void line(SwitchEvent e, String text) {
    out.printf(Locale.ROOT, "  %-8s %s%n", "+" + human(Duration.between(start, e.at())), text);
  }

  /**
   * @param d a duration
   * @return e.g. "0.6s", "5m00s", "1h02m"
   */
  public static String human(Duration d) {
    long s = d.getSeconds();
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
