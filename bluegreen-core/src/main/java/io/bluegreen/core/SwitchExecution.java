package io.bluegreen.core;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running plan, from {@link SwitchPlan#start()}: approve a stage waiting for approval, abort (which
 * rolls back if anything was written), or wait for the result.
 *
 * <pre>{@code
 * SwitchExecution run = plan.start();
 * ...                                  // ApprovalRequested event arrives, a human says yes
 * run.approve();
 * SwitchResult result = run.await();
 * }</pre>
 */
public final class SwitchExecution {

  private final SwitchPlan plan;
  private final ExecutionControl control;
  private final CompletableFuture<SwitchResult> result;

  SwitchExecution(SwitchPlan plan, ExecutionControl control, CompletableFuture<SwitchResult> result) {
    this.plan = plan;
    this.control = control;
    this.result = result;
  }

  /** @return the plan */
  public SwitchPlan plan() {
    return plan;
  }

  /**
   * Approves the stage waiting for approval.
   *
   * @return true if a stage was waiting and is now approved; false if none was waiting
   */
  public boolean approve() {
    return control.approve();
  }

  /**
   * Stops the plan: before the first write it ends ABORTED; after, it rolls back to the snapshot.
   * Returns at once; the plan reacts at its next step (within one gate interval).
   *
   * @param reason recorded in the result
   */
  public void abort(String reason) {
    control.abort(Checks.notBlank(reason, "abort reason"));
  }

  /** @return the 1-based stage waiting for approval now, if any */
  public Optional<Integer> awaitingApproval() {
    return control.awaitingStage();
  }

  /** @return whether the plan has ended */
  public boolean isDone() {
    return result.isDone();
  }

  /** @return the result, when the plan ends */
  public CompletableFuture<SwitchResult> result() {
    return result;
  }

  /**
   * Waits for the plan to end.
   *
   * @return the result
   * @throws InterruptedException if this thread is interrupted while waiting (the plan keeps running)
   */
  public SwitchResult await() throws InterruptedException {
    try {
      return result.get();
    } catch (ExecutionException e) {
      throw new BlueGreenException("plan " + plan.name() + " failed unexpectedly: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Waits for the plan to end, at most {@code timeout} (wall-clock time).
   *
   * @param timeout how long to wait
   * @return the result
   * @throws InterruptedException if this thread is interrupted while waiting
   * @throws TimeoutException if the plan is still running (it keeps running)
   */
  public SwitchResult await(Duration timeout) throws InterruptedException, TimeoutException {
    try {
      return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new BlueGreenException("plan " + plan.name() + " failed unexpectedly: " + e.getCause(), e.getCause());
    }
  }
}
