package io.bluegreen.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Approval and abort signals between a {@link SwitchExecution} and its {@link PlanRunner}. Guarded
 * by a {@link ReentrantLock}, not a monitor: a plan waiting for an approval on a virtual thread must
 * not pin its carrier (a wait inside {@code synchronized} does, on JDK 21-23).
 */
final class ExecutionControl {

  /** How a wait for approval ended; UNANSWERABLE: nobody holds a handle and there is no deadline. */
  enum Decision { APPROVED, ABORTED, TIMED_OUT, UNANSWERABLE }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final boolean handedOut;
  private Integer awaitingStage;
  private boolean approved;
  private String abortReason;

  /** @param handedOut whether a {@link SwitchExecution} lets another thread approve or abort */
  ExecutionControl(boolean handedOut) {
    this.handedOut = handedOut;
  }

  boolean approve() {
    lock.lock();
    try {
      if (awaitingStage == null || approved) {
        return false;
      }
      approved = true;
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  void abort(String reason) {
    lock.lock();
    try {
      if (abortReason == null) {
        abortReason = reason;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  Optional<String> abortReason() {
    lock.lock();
    try {
      return Optional.ofNullable(abortReason);
    } finally {
      lock.unlock();
    }
  }

  Optional<Integer> awaitingStage() {
    lock.lock();
    try {
      return Optional.ofNullable(approved ? null : awaitingStage);
    } finally {
      lock.unlock();
    }
  }

  /** Marks a stage as waiting; call before announcing it so a listener may approve at once. */
  void requestApproval(int stage) {
    lock.lock();
    try {
      awaitingStage = stage;
      approved = false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for approve() or abort(), or for the deadline on the plan's time source (null: none).
   *
   * <p>When a {@link SwitchExecution} handle was given out, another thread may decide: the wait is
   * on a condition through {@link TimeSource#awaitSignal}, which on a virtual source never moves the
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
      lock.lock();
      try {
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
          time.awaitSignal(lock, changed, deadline);
        }
      } finally {
        lock.unlock();
      }
    } finally {
      lock.lock();
      try {
        awaitingStage = null;
        approved = false;
      } finally {
        lock.unlock();
      }
    }
  }
}
