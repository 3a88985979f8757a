package io.bluegreen.core.event;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.drain.DrainReport;
import io.bluegreen.core.preview.PreviewEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Everything a plan does, as typed, immutable, timestamped events. Listeners receive them in order on
 * the plan's thread; {@code SwitchResult.timeline()} keeps them all.
 *
 * <pre>{@code
 * SwitchPlan.builder()...listener(event -> {
 *   if (event instanceof SwitchEvent.RollbackStarted r) pager.alert("rolling back " + r.plan() + ": " + r.reason());
 * });
 * }</pre>
 *
 * <p>Stage numbers are 1-based. {@link #at()} is on the plan's clock.
 */
public sealed interface SwitchEvent {

  /** @return when it happened, on the plan's clock */
  Instant at();

  /** @return the plan's name */
  String plan();

  /**
   * The plan began.
   *
   * @param at when
   * @param plan plan name
   * @param routeId the route
   * @param from the environment traffic leaves
   * @param to the environment traffic moves to
   * @param stageWeights the target's percent at each stage
   */
  record PlanStarted(Instant at, String plan, String routeId, Environment from, Environment to, List<Integer> stageWeights)
      implements SwitchEvent {
    /** Copies the list. */
    public PlanStarted {
      stageWeights = List.copyOf(stageWeights);
    }
  }

  /**
   * The route lock was taken.
   *
   * @param at when
   * @param plan plan name
   * @param routeId the route
   * @param owner this plan's lock identity
   * @param fencingToken the lease's fencing token (goes up on every acquisition of the route's lock), if the lock keeps one
   */
  record LockAcquired(Instant at, String plan, String routeId, String owner, OptionalLong fencingToken) implements SwitchEvent {
    /** Requires a token value (empty when the lock keeps none). */
    public LockAcquired {
      Objects.requireNonNull(fencingToken, "fencingToken");
    }

    /**
     * An event without a fencing token (the form before locks reported one).
     *
     * @param at when
     * @param plan plan name
     * @param routeId the route
     * @param owner this plan's lock identity
     */
    public LockAcquired(Instant at, String plan, String routeId, String owner) {
      this(at, plan, routeId, owner, OptionalLong.empty());
    }
  }

  /**
   * The split in place before any write was read; rollback restores it.
   *
   * @param at when
   * @param plan plan name
   * @param split the split read
   */
  record SnapshotTaken(Instant at, String plan, TrafficSplit split) implements SwitchEvent {
  }

  /**
   * Something the operator should know: a warning from a router's preflight, or information from the
   * engine (resuming, nothing to write, a longer final bake, waiting for the target to become ready).
   *
   * @param at when
   * @param plan plan name
   * @param message the notice
   * @param level how loud: INFO for information, WARN for something that may need attention
   */
  record Notice(Instant at, String plan, String message, Level level) implements SwitchEvent {

    /** How loud a notice is. */
    public enum Level {
      /** Information: nothing to do. */
      INFO,
      /** A warning: something may need attention. */
      WARN
    }

    /** A null level is a warning. */
    public Notice {
      level = level == null ? Level.WARN : level;
    }

    /**
     * A warning (a router preflight's notices are warnings).
     *
     * @param at when
     * @param plan plan name
     * @param message the notice
     */
    public Notice(Instant at, String plan, String message) {
      this(at, plan, message, Level.WARN);
    }
  }

  /**
   * Read-only preflight checks passed.
   *
   * @param at when
   * @param plan plan name
   * @param target the split the plan ends at
   * @param clientConvergence how long clients may follow the old split after a verified write
   */
  record PreflightPassed(Instant at, String plan, TrafficSplit target, Duration clientConvergence) implements SwitchEvent {
  }

  /**
   * A gate gave a verdict.
   *
   * @param at when
   * @param plan plan name
   * @param phase pre-switch, stage or post-switch
   * @param stageNumber 1-based stage during STAGE, 0 otherwise
   * @param gate the gate's name
   * @param result the verdict
   */
  record GateChecked(Instant at, String plan, GateContext.Phase phase, int stageNumber, String gate, GateResult result)
      implements SwitchEvent {
  }

  /**
   * The plan waits for a person before applying a stage.
   *
   * @param at when
   * @param plan plan name
   * @param stageNumber the stage waiting
   * @param target the split it will apply
   * @param timeout when the wait aborts, if bounded
   */
  record ApprovalRequested(Instant at, String plan, int stageNumber, TrafficSplit target, Optional<Duration> timeout)
      implements SwitchEvent {
  }

  /**
   * A person approved the stage.
   *
   * @param at when
   * @param plan plan name
   * @param stageNumber the stage
   */
  record ApprovalGranted(Instant at, String plan, int stageNumber) implements SwitchEvent {
  }

  /**
   * A stage began.
   *
   * @param at when
   * @param plan plan name
   * @param stageNumber 1-based
   * @param stageCount how many stages
   * @param target the split this stage applies
   */
  record StageStarted(Instant at, String plan, int stageNumber, int stageCount, TrafficSplit target) implements SwitchEvent {
  }

  /**
   * A stage's split was written (or found already in place).
   *
   * @param at when
   * @param plan plan name
   * @param stageNumber 1-based
   * @param target the split
   * @param written false when the split was already in place and nothing was written
   */
  record StageApplied(Instant at, String plan, int stageNumber, TrafficSplit target, boolean written) implements SwitchEvent {
  }

  /**
   * The stage's split was read back and confirmed.
   *
   * @param at when
   * @param plan plan name
   * @param stageNumber 1-based
   * @param split the split confirmed
   * @param took from the write to the confirmation
   */
  record StageVerified(Instant at, String plan, int stageNumber, TrafficSplit split, Duration took) implements SwitchEvent {
  }

  /**
   * A stage finished its bake with every gate healthy.
   *
   * @param at when
   * @param plan plan name
   * @param stageNumber 1-based
   * @param split the split in place
   */
  record StageCompleted(Instant at, String plan, int stageNumber, TrafficSplit split) implements SwitchEvent {
  }

  /**
   * A router call failed transiently and will be retried.
   *
   * @param at when
   * @param plan plan name
   * @param operation e.g. "apply blue=50 green=50"
   * @param attempt the attempt that failed (1-based)
   * @param backoff the wait before the next attempt
   * @param error the failure's message
   */
  record RetryScheduled(Instant at, String plan, String operation, int attempt, Duration backoff, String error)
      implements SwitchEvent {
  }

  /**
   * Someone else changed the route (to another split, or to a state no environment maps to); the
   * plan stops without fighting.
   *
   * @param at when
   * @param plan plan name
   * @param expected what this plan last wrote or found; null when the route was found so at the plan's first read
   * @param actual the split the backend holds, if its state maps to one
   * @param found what the backend holds, described
   */
  record DriftDetected(Instant at, String plan, TrafficSplit expected, Optional<TrafficSplit> actual, String found)
      implements SwitchEvent {
  }

  /**
   * The plan is restoring the snapshot.
   *
   * @param at when
   * @param plan plan name
   * @param reason why
   * @param target the split being restored
   */
  record RollbackStarted(Instant at, String plan, String reason, TrafficSplit target) implements SwitchEvent {
  }

  /**
   * The snapshot is restored and verified.
   *
   * @param at when
   * @param plan plan name
   * @param split the split in place
   */
  record RollbackCompleted(Instant at, String plan, TrafficSplit split) implements SwitchEvent {
  }

  /**
   * The rollback could not be completed or verified.
   *
   * @param at when
   * @param plan plan name
   * @param reason why
   * @param lastRead the split last read from the backend, if a read succeeded
   */
  record RollbackFailed(Instant at, String plan, String reason, Optional<TrafficSplit> lastRead) implements SwitchEvent {
  }

  /**
   * The plan ended.
   *
   * @param at when
   * @param plan plan name
   * @param outcome how it ended
   * @param trafficNow the split last read from the backend, if a read succeeded
   * @param summary one line for humans
   */
  record PlanFinished(Instant at, String plan, Outcome outcome, Optional<TrafficSplit> trafficNow, String summary)
      implements SwitchEvent {
  }

  /**
   * A preview left behind by an earlier run of this route (one that crashed or was killed before it
   * could close it) was found and removed before this run opened its own.
   *
   * @param at when
   * @param plan plan name
   * @param removed what was removed, and who had opened it
   */
  record PreviewLeftoverRemoved(Instant at, String plan, String removed) implements SwitchEvent {
  }

  /**
   * The preview route is open and served: requests carrying its header (or host) reach the new
   * environment, every other request still goes where production goes.
   *
   * @param at when
   * @param plan plan name
   * @param endpoint how to reach it (its toString never prints the header's value)
   */
  record PreviewOpened(Instant at, String plan, PreviewEndpoint endpoint) implements SwitchEvent {
  }

  /**
   * The preview route was removed as the plan ended.
   *
   * @param at when
   * @param plan plan name
   * @param removed what was removed ("nothing" when it was already gone)
   */
  record PreviewClosed(Instant at, String plan, String removed) implements SwitchEvent {
  }

  /**
   * The preview route could not be removed; the next run of a plan with this preview removes it.
   *
   * @param at when
   * @param plan plan name
   * @param reason why
   */
  record PreviewCloseFailed(Instant at, String plan, String reason) implements SwitchEvent {
  }

  /**
   * The environment that lost its traffic is draining: it gets no new traffic since {@code since},
   * and may keep serving for {@code window}.
   *
   * @param at when
   * @param plan plan name
   * @param environment the environment draining (the source after a switch, the target after a rollback)
   * @param since when the split without it was verified
   * @param window how long it may keep serving, from what the backend knows
   * @param basis what the window is based on
   */
  record DrainStarted(Instant at, String plan, Environment environment, Instant since, Duration window, List<String> basis)
      implements SwitchEvent {
    /** Copies the list. */
    public DrainStarted {
      basis = List.copyOf(basis);
    }
  }

  /**
   * The drain is judged: confirmed (the window passed and every drain gate was HEALTHY) or not.
   *
   * @param at when
   * @param plan plan name
   * @param report what the result reports
   */
  record DrainFinished(Instant at, String plan, DrainReport report) implements SwitchEvent {
  }
}
