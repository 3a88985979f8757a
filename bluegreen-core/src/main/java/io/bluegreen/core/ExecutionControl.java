package io.bluegreen.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Approval and abort signals between a {@link SwitchExecution} and its {@link PlanRunner}. */
final class ExecutionControl {

  enum Decision { APPROVED, ABORTED, TIMED_OUT }

  private final Object monitor = new Object();
  private Integer awaitingStage;
  private boolean approved;
  private String abortReason;
  boolean approve() {
    synchronized (monitor) {
      if (awaitingStage == null || approved) {
        return false;
      }
      approved = true;
      monitor.notifyAll();
      return true;
    }
  }

  void abort(String reason) {
    synchronized (monitor) {
      if (abortReason == null) {
        abortReason = reason;
      }
      monitor.notifyAll();
    }
  }

  Optional<String> abortReason() {
    synchronized (monitor) {
      return Optional.ofNullable(abortReason);
    }
  }

  Optional<Integer> awaitingStage() {
    synchronized (monitor) {
      return Optional.ofNullable(approved ? null : awaitingStage);
    }
  }

  /** Marks a stage as waiting; call before announcing it so a listener may approve at once. */
  void requestApproval(int stage) {
    synchronized (monitor) {
      awaitingStage = stage;
      approved = false;
    }
  }

  /**
   * Waits for approve() or abort(), or for the deadline on the plan's clock. Without a deadline, or
   * on the real clock, it blocks on a monitor; with a deadline on an injected clock it polls through
   * the injected sleeper so that the timeout runs on that clock.
   */
  Decision awaitApproval(Instant deadline, Clock clock, Sleeper sleeper, boolean realTime, Duration poll) throws InterruptedException {
    try {
      while (true) {
        synchronized (monitor) {
          if (abortReason != null) {
            return Decision.ABORTED;
          }
          if (approved) {
            return Decision.APPROVED;
          }
          if (deadline == null) {
            // no time limit: only another thread can decide, so wait for it for real
            monitor.wait(poll.toMillis());
            continue;
          } else {
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
              return Decision.TIMED_OUT;
            }
            if (realTime) {
              monitor.wait(Math.max(1, Math.min(left.toMillis(), poll.toMillis())));
              continue;
            }
          }
        }
        Duration left = Duration.between(clock.instant(), deadline);
        sleeper.sleep(left.compareTo(poll) < 0 ? left : poll);
      }
    } finally {
      synchronized (monitor) {
        awaitingStage = null;
        approved = false;
      }
    }
  }
}
