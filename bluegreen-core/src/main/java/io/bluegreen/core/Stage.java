package io.bluegreen.core;

import java.time.Duration;
import java.util.Optional;

/**
 * One step of a {@link StageSchedule}: the percent of traffic on the target environment, how long to
 * bake there while polling gates, and whether to wait for a person's approval before applying it.
 *
 * <pre>{@code
 * Stage first = Stage.of(10, Duration.ofMinutes(10));
 * Stage gated = Stage.of(50, Duration.ofMinutes(10)).withApproval(Duration.ofHours(4));
 * }</pre>
 */
public final class Stage {

  private final int targetWeight;
  private final Duration hold;
  private final boolean approval;
  private final Duration approvalTimeout;

  private Stage(int targetWeight, Duration hold, boolean approval, Duration approvalTimeout) {
    if (targetWeight < 1 || targetWeight > 100) {
      throw new InvalidConfigurationException("stage weight " + targetWeight
          + " is out of range: a stage sends 1 to 100 percent of traffic to the target environment");
    }
    this.targetWeight = targetWeight;
    this.hold = Checks.nonNegative(hold, "stage hold");
    this.approval = approval;
    this.approvalTimeout = approvalTimeout == null ? null : Checks.positive(approvalTimeout, "approval timeout");
  }

  /**
   * @param targetWeight percent on the target environment, 1..100
   * @param hold how long to bake at this stage while polling gates (zero or more)
   * @return the stage
   */
  public static Stage of(int targetWeight, Duration hold) {
    return new Stage(targetWeight, hold, false, null);
  }

  /** @return a copy that waits, without time limit, for {@code SwitchExecution.approve()} before applying */
  public Stage withApproval() {
    return new Stage(targetWeight, hold, true, null);
  }

  /**
   * @param timeout how long to wait for approval before aborting the plan (and rolling back)
   * @return a copy that waits for approval before applying
   */
  public Stage withApproval(Duration timeout) {
    return new Stage(targetWeight, hold, true, Checks.notNull(timeout, "approval timeout"));
  }

  /**
   * @param newHold the bake time
   * @return a copy with another hold
   */
  public Stage withHold(Duration newHold) {
    return new Stage(targetWeight, newHold, approval, approvalTimeout);
  }

  /** @return percent on the target environment, 1..100 */
  public int targetWeight() {
    return targetWeight;
  }

  /** @return bake time */
  public Duration hold() {
    return hold;
  }

  /** @return whether a person must approve this stage before it is applied */
  public boolean requiresApproval() {
    return approval;
  }

  /** @return the approval timeout, if there is one */
  public Optional<Duration> approvalTimeout() {
    return Optional.ofNullable(approvalTimeout);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Stage s && s.targetWeight == targetWeight && s.hold.equals(hold) && s.approval == approval
        && java.util.Objects.equals(s.approvalTimeout, approvalTimeout);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(targetWeight, hold, approval, approvalTimeout);
  }

  @Override
  public String toString() {
    return targetWeight + "% hold " + hold + (approval ? " (approval" + (approvalTimeout == null ? "" : " within " + approvalTimeout) + ")" : "");
  }
}
