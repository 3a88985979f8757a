package io.bluegreen.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Approval and abort signals between a {@link SwitchExecution} and its {@link PlanRunner}. */
final class ExecutionControl {

  /** How a wait for approval ended; UNANSWERABLE: nobody holds a handle and there is no deadline. */
  enum Decision { APPROVED, ABORTED, TIMED_OUT, UNANSWERABLE }

  private final Object monitor = new Object();
  private final boolean handedOut;
  private Integer awaitingStage;
  private boolean approved;
  private String abortReason;

  /** @param handedOut whether a {@link SwitchExecution} lets another thread approve or abort */
  ExecutionControl(boolean handedOut) {
    this.handedOut = handedOut;
  }

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
   * Waits for approve() or abort(), or for the deadline on the plan's time source (null: none).
   *
   * <p>When a {@link SwitchExecution} handle was given out, another thread may decide: the wait is
   * on the monitor through {@link TimeSource#awaitSignal}, which on a virtual source never moves the
   * time itself, so an approval given before the virtual deadline always wins and the deadline
   * passes only when someone advances the time. Without a handle ({@code execute()}) nobody can
   * decide: the plan sleeps to the deadline on its time source, or returns {@link
   * Decision#UNANSWERABLE} when there is none.
   */
  Decision awaitApproval(Instant deadline, TimeSource time) throws InterruptedException {
    try {
      if (!handedOut) {
        if (deadline == null) {
          return Decision.UNANSWERABLE;
        }
        for (Duration left = Duration.between(time.instant(), deadline); left.compareTo(Duration.ZERO) > 0;
            left = Duration.between(time.instant(), deadline)) {
          time.sleep(left);
        }
        return Decision.TIMED_OUT;
      }
      synchronized (monitor) {
        while (true) {
          if (abortReason != null) {
            return Decision.ABORTED;
          }
          if (approved) {
            return Decision.APPROVED;
          }
          if (deadline != null && !time.instant().isBefore(deadline)) {
            return Decision.TIMED_OUT;
          }
          time.awaitSignal(monitor, deadline);
        }
      }
    } finally {
      synchronized (monitor) {
        awaitingStage = null;
        approved = false;
      }
    }
  }
}
