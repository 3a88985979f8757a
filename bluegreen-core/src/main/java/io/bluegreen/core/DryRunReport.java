package io.bluegreen.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@link SwitchPlan#dryRun()} found: the split in place, every write the plan would make in
 * order (with what each touches and keeps, when the router describes its writes), and what a
 * rollback would restore. Produced by reads and checks only; nothing is written.
 *
 * <pre>{@code
 * DryRunReport report = plan.dryRun();
 * report.writes().size();          // how many writes a real run would make
 * report.writes().get(0).description().map(WriteDescription::touches);   // e.g. "update Service shop/app: selector version=green"
 * log.info(report.describe());
 * }</pre>
 */
public final class DryRunReport {

  /**
   * One write a real run would make.
   *
   * @param stageNumber 1-based stage
   * @param before the split in place before the write
   * @param after the split written
   * @param hold the bake after it
   * @param approvalFirst whether the stage waits for approval first
   * @param description what the write touches and keeps, if the router says ({@link Router#describeWrite(TrafficSplit)})
   */
  public record PlannedWrite(int stageNumber, TrafficSplit before, TrafficSplit after, Duration hold, boolean approvalFirst,
      Optional<WriteDescription> description) {

    /** Checks the description is not null. */
    public PlannedWrite {
      description = description == null ? Optional.empty() : description;
    }

    /**
     * A planned write without a description (as before routers could describe their writes).
     *
     * @param stageNumber 1-based stage
     * @param before the split in place before the write
     * @param after the split written
     * @param hold the bake after it
     * @param approvalFirst whether the stage waits for approval first
     */
    public PlannedWrite(int stageNumber, TrafficSplit before, TrafficSplit after, Duration hold, boolean approvalFirst) {
      this(stageNumber, before, after, hold, approvalFirst, Optional.empty());
    }
  }

  private final String planName;
  private final String routeId;
  private final TrafficSplit current;
  private final TrafficSplit target;
  private final TrafficSplit rollbackTarget;
  private final List<PlannedWrite> writes;
  private final List<String> notices;
  private final Duration clientConvergence;

  DryRunReport(String planName, String routeId, TrafficSplit current, TrafficSplit target, TrafficSplit rollbackTarget,
      List<PlannedWrite> writes, List<String> notices, Duration clientConvergence) {
    this.planName = planName;
    this.routeId = routeId;
    this.current = current;
    this.target = target;
    this.rollbackTarget = rollbackTarget;
    this.writes = List.copyOf(writes);
    this.notices = List.copyOf(notices);
    this.clientConvergence = clientConvergence;
  }

  /** @return the plan's name */
  public String planName() {
    return planName;
  }

  /** @return the route's id */
  public String routeId() {
    return routeId;
  }

  /** @return the split read from the backend now */
  public TrafficSplit current() {
    return current;
  }

  /** @return the split the plan ends at */
  public TrafficSplit target() {
    return target;
  }

  /** @return what a rollback would restore */
  public TrafficSplit rollbackTarget() {
    return rollbackTarget;
  }

  /** @return the writes a real run would make, in order (empty if the target is already in place) */
  public List<PlannedWrite> writes() {
    return writes;
  }

  /** @return the router's preflight notices */
  public List<String> notices() {
    return notices;
  }

  /** @return how long clients may take to follow a change */
  public Duration clientConvergence() {
    return clientConvergence;
  }

  /** @return a multi-line human description */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("dry run of ").append(planName).append(" on ").append(routeId).append(" (nothing written)\n");
    sb.append("  traffic now: ").append(current).append('\n');
    if (writes.isEmpty()) {
      sb.append("  ").append(target).append(" is already in place: a real run writes nothing\n");
    }
    for (PlannedWrite w : writes) {
      sb.append("  stage ").append(w.stageNumber()).append(": ")
          .append(w.approvalFirst() ? "wait for approval, then " : "")
          .append("write ").append(w.after()).append(" (from ").append(w.before()).append("), verify, bake ")
          .append(w.hold()).append('\n');
      w.description().ifPresent(d -> {
        sb.append("    touches: ").append(d.touches()).append('\n');
        if (!d.keeps().isEmpty()) {
          sb.append("    keeps: ").append(String.join("; ", d.keeps())).append('\n');
        }
      });
    }
    sb.append("  on failure: restore ").append(rollbackTarget).append('\n');
    if (!clientConvergence.isZero()) {
      sb.append("  clients may take ").append(clientConvergence).append(" to follow each change\n");
    }
    sb.append(notices.stream().map(n -> "  notice: " + n + "\n").collect(Collectors.joining()));
    return sb.toString();
  }

  @Override
  public String toString() {
    return describe();
  }
}
