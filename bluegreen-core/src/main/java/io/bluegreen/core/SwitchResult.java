package io.bluegreen.core;

import io.bluegreen.core.drain.DrainReport;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.preview.PreviewEndpoint;
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
 * result.trafficNow();        // the split the last read returned, if that read succeeded and mapped to a split
 * result.traffic();           // what was last read and when: a split, an unmapped state, or UNKNOWN with what was seen before
 * result.writes();            // writes that reached the backend (result.writeAttempts(): calls, refused ones included)
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
  private final TrafficObservation traffic;
  private final int stagesCompleted;
  private final int stageCount;
  private final int failedStage;
  private final int writes;
  private final int writeAttempts;
  private final Instant startedAt;
  private final Instant finishedAt;
  private final Instant clientsFollowBy;
  private final Duration clientConvergence;
  private final List<SwitchEvent> timeline;
  private final PreviewEndpoint preview;
  private final String previewLeftOpen;
  private final DrainReport drain;

  SwitchResult(Builder b) {
    this.planName = b.planName;
    this.routeId = b.routeId;
    this.outcome = b.outcome;
    this.reason = b.reason;
    this.cause = b.cause;
    this.snapshot = b.snapshot;
    this.target = b.target;
    this.traffic = b.traffic;
    this.stagesCompleted = b.stagesCompleted;
    this.stageCount = b.stageCount;
    this.failedStage = b.failedStage;
    this.writes = b.writes;
    this.writeAttempts = b.writeAttempts;
    this.startedAt = b.startedAt;
    this.finishedAt = b.finishedAt;
    this.clientsFollowBy = b.clientsFollowBy;
    this.clientConvergence = b.clientConvergence;
    this.timeline = List.copyOf(b.timeline);
    this.preview = b.preview;
    this.previewLeftOpen = b.previewLeftOpen;
    this.drain = b.drain;
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

  /**
   * The split the plan's last read of the route returned. Empty when that last read failed (then
   * {@link #traffic()} is UNKNOWN and says what was seen before, and when), when it found a state no
   * environment maps to, or when the plan never read the route: never a split older than a failed
   * read.
   *
   * @return the split last read, if the last read returned one
   */
  public Optional<TrafficSplit> trafficNow() {
    return traffic.split();
  }

  /** @return whether {@link #trafficNow()} was confirmed by the router's verification (and no read since showed anything else) */
  public boolean isTrafficNowVerified() {
    return traffic.kind() == TrafficObservation.Kind.SPLIT && traffic.isVerified();
  }

  /** @return what the plan last read from the route and when, or why it could not */
  public TrafficObservation traffic() {
    return traffic;
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

  /**
   * Writes that reached the backend, rollback included: a write retried after a 503 counts once; a
   * write the backend refused (the route still as it was) counts none; a failed attempt whose split
   * later turned up on the backend (it landed, the reply was lost) counts.
   *
   * @return how many writes changed (or may have changed) the route
   */
  public int writes() {
    return writes;
  }

  /**
   * @return how many times the plan called the router to write, refused and retried attempts included;
   *     not counted: a guarded write ({@link Router#applyIfUnchanged}) whose guard found the route
   *     changed by another writer (that is drift, not a write) or the target already in place
   */
  public int writeAttempts() {
    return writeAttempts;
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

  /** @return the preview this run opened, if it opened one */
  public Optional<PreviewEndpoint> preview() {
    return Optional.ofNullable(preview);
  }

  /** @return why the preview could not be removed, if it is still open (the next run of the plan removes it) */
  public Optional<String> previewLeftOpen() {
    return Optional.ofNullable(previewLeftOpen);
  }

  /**
   * When the environment that lost its traffic is safe to take down: the source after a completed
   * switch, the target after a rollback. Empty when no traffic moved away from an environment (an
   * abort before any write, a failed rollback).
   *
   * @return the drain report
   */
  public Optional<DrainReport> drain() {
    return Optional.ofNullable(drain);
  }

  /**
   * @return when the environment that lost its traffic was confirmed drained (the plan waited with
   *     {@code drainUntil}: its drain window passed and every drain gate was HEALTHY); after a completed
   *     switch that is the source, after a rollback the target
   */
  public Optional<Instant> sourceDrainedAt() {
    return drain().flatMap(DrainReport::drainedAt);
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

  /** @return one line: the outcome, why, what reached the backend, and where traffic is now */
  public String summary() {
    StringBuilder sb = new StringBuilder(outcome.name());
    String at = failedStage > 0 ? " at stage " + failedStage + "/" + stageCount : "";
    switch (outcome) {
      case COMPLETED -> sb.append(": ").append(reason);
      case ROLLED_BACK, ROLLBACK_FAILED -> sb.append(at).append(": ").append(reason);
      case ABORTED -> sb.append(writeAttempts == 0 ? " before any write" : "").append(": ").append(reason);
      default -> throw new IllegalStateException(outcome.name());
    }
    if (outcome != Outcome.COMPLETED && writeAttempts > 0) {
      sb.append("; ").append(writesInWords(writes, writeAttempts)).append(" reached the backend");
    }
    sb.append("; traffic ").append(traffic.describe());
    if (traffic.kind() == TrafficObservation.Kind.UNKNOWN && writes == 0) {
      sb.append("; this plan changed nothing, so it is where it was");
    }
    if (clientsFollowBy != null && !clientConvergence.isZero()) {
      sb.append("; clients follow by ").append(clientsFollowBy);
    }
    if (drain != null) {
      sb.append("; ").append(drain.describe());
    }
    if (previewLeftOpen != null) {
      sb.append("; PREVIEW LEFT OPEN: ").append(previewLeftOpen);
    }
    return sb.toString();
  }

  /**
   * @param writes writes that reached the backend
   * @param attempts calls to write
   * @return e.g. "1 write (2 attempts)", "2 writes", "no write (1 attempt)"
   */
  static String writesInWords(int writes, int attempts) {
    String w = writes == 0 ? "no write" : writes + " write" + (writes == 1 ? "" : "s");
    return attempts == writes ? w : w + " (" + attempts + " attempt" + (attempts == 1 ? "" : "s") + ")";
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
    TrafficObservation traffic = TrafficObservation.notRead();
    int stagesCompleted;
    int stageCount;
    int failedStage;
    int writes;
    int writeAttempts;
    Instant startedAt;
    Instant finishedAt;
    Instant clientsFollowBy;
    Duration clientConvergence = Duration.ZERO;
    List<SwitchEvent> timeline = List.of();
    PreviewEndpoint preview;
    String previewLeftOpen;
    DrainReport drain;

    SwitchResult build() {
      return new SwitchResult(this);
    }
  }
}
