package io.bluegreen.core.event;

import io.bluegreen.core.GateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default listener: one readable line per event on the {@code io.bluegreen.switch} logger, so a
 * pipeline log reads like a progress report. Failures and rollbacks log at WARN/ERROR; notices at
 * their level (the engine's information at INFO, a router's warnings at WARN); routine gate checks
 * that pass log at DEBUG.
 *
 * <pre>{@code
 * [checkout-2.0] stage 2/4 applied: blue=75 green=25
 * [checkout-2.0] stage 2/4 verified in 120ms
 * [checkout-2.0] gate green-health UNHEALTHY during stage 2/4: HTTP 503 from http://green/health
 * [checkout-2.0] ROLLING BACK to blue=100 green=0: gate green-health UNHEALTHY ...
 * }</pre>
 *
 * Every plan has one unless {@code SwitchPlan.Builder.defaultLogging(false)} is set.
 */
public final class Slf4jSwitchListener implements SwitchListener {

  private final Logger log;

  /** Logs to {@code io.bluegreen.switch}. */
  public Slf4jSwitchListener() {
    this(LoggerFactory.getLogger("io.bluegreen.switch"));
  }

  /** @param log the logger to write to */
  public Slf4jSwitchListener(Logger log) {
    this.log = log;
  }

  @Override
  public void onEvent(SwitchEvent event) {
    String p = "[" + event.plan() + "] ";
    if (event instanceof SwitchEvent.PlanStarted e) {
      log.info("{}starting: {} -> {} on {} in stages {}", p, e.from(), e.to(), e.routeId(), e.stageWeights());
    } else if (event instanceof SwitchEvent.LockAcquired e) {
      log.debug("{}lock on {} taken as {}{}", p, e.routeId(), e.owner(),
          e.fencingToken().isPresent() ? " (fencing token " + e.fencingToken().getAsLong() + ")" : "");
    } else if (event instanceof SwitchEvent.SnapshotTaken e) {
      log.info("{}traffic before the switch: {}", p, e.split());
    } else if (event instanceof SwitchEvent.Notice e) {
      if (e.level() == SwitchEvent.Notice.Level.INFO) {
        log.info("{}{}", p, e.message());
      } else {
        log.warn("{}{}", p, e.message());
      }
    } else if (event instanceof SwitchEvent.PreflightPassed e) {
      log.info("{}preflight passed for {}{}", p, e.target(),
          e.clientConvergence().isZero() ? "" : "; clients may take " + e.clientConvergence() + " to follow a change");
    } else if (event instanceof SwitchEvent.GateChecked e) {
      String where = e.stageNumber() > 0 ? "stage " + e.stageNumber() : e.phase().name().toLowerCase(java.util.Locale.ROOT);
      if (e.result().status() == GateResult.Status.UNHEALTHY) {
        log.warn("{}gate {} UNHEALTHY during {}: {}", p, e.gate(), where, e.result().reason());
      } else if (e.result().status() == GateResult.Status.INCONCLUSIVE) {
        log.info("{}gate {} inconclusive during {}: {}", p, e.gate(), where, e.result().reason());
      } else {
        log.debug("{}gate {} healthy during {}: {}", p, e.gate(), where, e.result().reason());
      }
    } else if (event instanceof SwitchEvent.ApprovalRequested e) {
      log.info("{}waiting for approval before stage {} ({}){}", p, e.stageNumber(), e.target(),
          e.timeout().map(t -> "; aborts after " + t).orElse(""));
    } else if (event instanceof SwitchEvent.ApprovalGranted e) {
      log.info("{}stage {} approved", p, e.stageNumber());
    } else if (event instanceof SwitchEvent.StageStarted e) {
      log.debug("{}stage {}/{} starting: {}", p, e.stageNumber(), e.stageCount(), e.target());
    } else if (event instanceof SwitchEvent.StageApplied e) {
      log.info("{}stage {} {}: {}", p, e.stageNumber(), e.written() ? "applied" : "already in place", e.target());
    } else if (event instanceof SwitchEvent.StageVerified e) {
      log.info("{}stage {} verified in {}ms", p, e.stageNumber(), e.took().toMillis());
    } else if (event instanceof SwitchEvent.StageCompleted e) {
      log.info("{}stage {} complete: {}", p, e.stageNumber(), e.split());
    } else if (event instanceof SwitchEvent.RetryScheduled e) {
      log.warn("{}{} failed (attempt {}): {}; retrying in {}ms", p, e.operation(), e.attempt(), e.error(), e.backoff().toMillis());
    } else if (event instanceof SwitchEvent.DriftDetected e) {
      if (e.expected() == null) {
        log.error("{}route holds {}; stopping without writing", p, e.found());
      } else {
        log.error("{}route changed by someone else: expected {} but found {}; stopping", p, e.expected(), e.found());
      }
    } else if (event instanceof SwitchEvent.RollbackStarted e) {
      log.warn("{}ROLLING BACK to {}: {}", p, e.target(), e.reason());
    } else if (event instanceof SwitchEvent.RollbackCompleted e) {
      log.warn("{}rollback verified: {}", p, e.split());
    } else if (event instanceof SwitchEvent.RollbackFailed e) {
      log.error("{}ROLLBACK FAILED: {}; traffic last read: {}", p, e.reason(), e.lastRead().map(Object::toString).orElse("unknown"));
    } else if (event instanceof SwitchEvent.PreviewLeftoverRemoved e) {
      log.warn("{}removed a preview left behind by an earlier run: {}", p, e.removed());
    } else if (event instanceof SwitchEvent.PreviewOpened e) {
      log.info("{}{} is open", p, e.endpoint());
    } else if (event instanceof SwitchEvent.PreviewClosed e) {
      log.info("{}preview closed: removed {}", p, e.removed());
    } else if (event instanceof SwitchEvent.PreviewCloseFailed e) {
      log.error("{}could not remove the preview: {}; the next run of this plan removes it", p, e.reason());
    } else if (event instanceof SwitchEvent.DrainStarted e) {
      log.info("{}{} draining since {}: may serve for {} more ({})", p, e.environment().name(), e.since(), e.window(),
          e.basis().isEmpty() ? "nothing known" : String.join("; ", e.basis()));
    } else if (event instanceof SwitchEvent.DrainFinished e) {
      if (e.report().isConfirmed()) {
        log.info("{}{}", p, e.report().describe());
      } else {
        log.warn("{}{}", p, e.report().describe());
      }
    } else if (event instanceof SwitchEvent.PlanFinished e) {
      if (e.outcome() == io.bluegreen.core.Outcome.COMPLETED) {
        log.info("{}{}", p, e.summary());
      } else if (e.outcome() == io.bluegreen.core.Outcome.ROLLBACK_FAILED) {
        log.error("{}{}", p, e.summary());
      } else {
        log.warn("{}{}", p, e.summary());
      }
    }
  }
}
