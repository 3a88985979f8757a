package io.bluegreen.core;

import io.bluegreen.core.event.SwitchEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a plan did and where traffic is now. Immutable.
 *
 * <pre>{@code
 * SwitchResult result = plan.execute();
 * if (!result.isSuccess()) {
 *   throw new IllegalStateException(result.summary());   // e.g. "ROLLED_BACK at stage 2/4 ...; traffic now blue=100 green=0 (verified)"
 * }
 * result.trafficNow();        // the split last read from the backend
 * result.clientsFollowBy();   // when clients can be expected to have moved (DNS TTL, stickiness)
 * result.timeline();          // every event, in order
 * }</pre>
 */
public final class SwitchResult {

  private final String planName;
  private final String routeId;
  private final Outcome outcome;
  private final String reason;
  private final Throwable cause;
  private final TrafficSplit snapshot;
  private final TrafficSplit target;
  private final TrafficSplit trafficNow;
  private final boolean trafficNowVerified;
  private final int stagesCompleted;
  private final int stageCount;
  private final int failedStage;
  private final int writes;
  private final Instant startedAt;
  private final Instant finishedAt;
  private final Instant clientsFollowBy;
  private final Duration clientConvergence;
  private final List<SwitchEvent> timeline;

  SwitchResult(Builder b) {
    this.planName = b.planName;
    this.routeId = b.routeId;
    this.outcome = b.outcome;
    this.reason = b.reason;
    this.cause = b.cause;
    this.snapshot = b.snapshot;
    this.target = b.target;
    this.trafficNow = b.trafficNow;
    this.trafficNowVerified = b.trafficNowVerified;
    this.stagesCompleted = b.stagesCompleted;
    this.stageCount = b.stageCount;
    this.failedStage = b.failedStage;
    this.writes = b.writes;
    this.startedAt = b.startedAt;
    this.finishedAt = b.finishedAt;
    this.clientsFollowBy = b.clientsFollowBy;
    this.clientConvergence = b.clientConvergence;
    this.timeline = List.copyOf(b.timeline);
  }

  /** @return the plan's name */
  public String planName() {
    return planName;
  }

  /** @return the route's id */
  public String routeId() {
    return routeId;
  }

  /** @return how the plan ended */
  public Outcome outcome() {
    return outcome;
  }

  /** @return true when the outcome is COMPLETED */
  public boolean isSuccess() {
    return outcome.isSuccess();
  }

  /** @return why the plan did not complete ("completed" when it did) */
  public String reason() {
    return reason;
  }

  /** @return the failure behind the outcome, if there was one */
  public Optional<Throwable> cause() {
    return Optional.ofNullable(cause);
  }

  /** @return the split found before any write (what rollback restores unless rollbackTo was set); empty if it could not be read */
  public Optional<TrafficSplit> snapshot() {
    return Optional.ofNullable(snapshot);
  }

  /** @return the split the plan was moving to */
  public TrafficSplit target() {
    return target;
  }

  /** @return the split last read from the backend; empty only if no read succeeded or the route was left in a state that maps to no split */
  public Optional<TrafficSplit> trafficNow() {
    return Optional.ofNullable(trafficNow);
  }

  /** @return whether {@link #trafficNow()} was confirmed by the router's verification at the end */
  public boolean isTrafficNowVerified() {
    return trafficNowVerified;
  }

  /** @return how many stages completed their bake */
  public int stagesCompleted() {
    return stagesCompleted;
  }

  /** @return how many stages the schedule has */
  public int stageCount() {
    return stageCount;
  }

  /** @return the 1-based stage that failed, if a stage failed */
  public Optional<Integer> failedStage() {
    return failedStage > 0 ? Optional.of(failedStage) : Optional.empty();
  }

  /** @return how many writes the plan made, rollback included */
  public int writes() {
    return writes;
  }

  /** @return when the plan started, on its clock */
  public Instant startedAt() {
    return startedAt;
  }

  /** @return when the plan ended, on its clock */
  public Instant finishedAt() {
    return finishedAt;
  }

  /** @return how long the plan ran */
  public Duration duration() {
    return Duration.between(startedAt, finishedAt);
  }

  /**
   * When clients can be expected to follow the final verified split: the verification time plus
   * the router's client convergence time (a DNS TTL, ALB stickiness). Empty when no split was
   * verified at the end.
   *
   * @return the instant, on the plan's clock
   */
  public Optional<Instant> clientsFollowBy() {
    return Optional.ofNullable(clientsFollowBy);
  }

  /** @return how long clients may follow the previous split after a verified write (from the router's preflight) */
  public Duration clientConvergence() {
    return clientConvergence;
  }

  /** @return every event the plan emitted, in order */
  public List<SwitchEvent> timeline() {
    return timeline;
  }

  /**
   * @param type an event type
   * @param <E> the type
   * @return the events of that type, in order
   */
  public <E extends SwitchEvent> List<E> events(Class<E> type) {
    return timeline.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** @return one line: the outcome, why, and where traffic is now */
  public String summary() {
    StringBuilder sb = new StringBuilder(outcome.name());
    switch (outcome) {
      case COMPLETED -> sb.append(": ").append(reason);
      case ROLLED_BACK -> sb.append(failedStage > 0 ? " at stage " + failedStage + "/" + stageCount : "").append(": ").append(reason);
      case ROLLBACK_FAILED -> sb.append(failedStage > 0 ? " at stage " + failedStage + "/" + stageCount : "").append(": ").append(reason);
      case ABORTED -> sb.append(writes == 0 ? " before any write" : "").append(": ").append(reason);
      default -> throw new IllegalStateException(outcome.name());
    }
    if (trafficNow != null) {
      sb.append("; traffic now ").append(trafficNow).append(trafficNowVerified ? " (verified)" : " (last read, not verified)");
    } else if (writes == 0) {
      sb.append("; traffic now UNKNOWN (it could not be read; this plan wrote nothing, so it is where it was)");
    } else {
      sb.append("; traffic now UNKNOWN (no read gave a split)");
    }
    if (clientsFollowBy != null && !clientConvergence.isZero()) {
      sb.append("; clients follow by ").append(clientsFollowBy);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return summary();
  }

  static Builder builder() {
    return new Builder();
  }

  static final class Builder {
    String planName;
    String routeId;
    Outcome outcome;
    String reason;
    Throwable cause;
    TrafficSplit snapshot;
    TrafficSplit target;
    TrafficSplit trafficNow;
    boolean trafficNowVerified;
    int stagesCompleted;
    int stageCount;
    int failedStage;
    int writes;
    Instant startedAt;
    Instant finishedAt;
    Instant clientsFollowBy;
    Duration clientConvergence = Duration.ZERO;
    List<SwitchEvent> timeline = List.of();

    SwitchResult build() {
      return new SwitchResult(this);
    }
  }
}
