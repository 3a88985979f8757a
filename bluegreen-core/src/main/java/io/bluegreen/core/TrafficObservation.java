package io.bluegreen.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a plan last read from its route, and when: a split (verified or not), a state no environment
 * maps to (described in the backend's terms), UNKNOWN because the last read failed (with what was
 * seen before, if anything), or nothing because the plan stopped before reading. Immutable.
 *
 * <pre>{@code
 * TrafficObservation seen = result.traffic();
 * switch (seen.kind()) {
 *   case SPLIT -> log.info("traffic {} at {}", seen.split().orElseThrow(), seen.at().orElseThrow());
 *   case UNMAPPED -> pager.alert("route holds " + seen.unmappedState().orElseThrow());
 *   case UNKNOWN -> pager.alert("route unreadable; last seen " + seen.lastSeen().map(TrafficObservation::describe).orElse("never"));
 *   case NOT_READ -> log.info("the plan never read the route");
 * }
 * }</pre>
 */
public final class TrafficObservation {

  /** What kind of observation it is. */
  public enum Kind {
    /** The last read returned a split. */
    SPLIT,
    /** The last read found a state no environment maps to. */
    UNMAPPED,
    /** The last read failed: where traffic is now is not known. */
    UNKNOWN,
    /** The plan stopped before reading the route (e.g. it lost the lock race). */
    NOT_READ
  }

  private static final TrafficObservation NOT_READ = new TrafficObservation(Kind.NOT_READ, null, null, false, null, null, null);

  private final Kind kind;
  private final TrafficSplit split;
  private final String unmappedState;
  private final boolean verified;
  private final Instant at;
  private final String failure;
  private final TrafficObservation lastSeen;

  private TrafficObservation(Kind kind, TrafficSplit split, String unmappedState, boolean verified, Instant at, String failure,
      TrafficObservation lastSeen) {
    this.kind = kind;
    this.split = split;
    this.unmappedState = unmappedState;
    this.verified = verified;
    this.at = at;
    this.failure = failure;
    this.lastSeen = lastSeen;
  }

  /** @return the observation of a plan that never read its route */
  public static TrafficObservation notRead() {
    return NOT_READ;
  }

  /**
   * @param split the split read
   * @param at when, on the plan's time
   * @param verified whether the router's verification confirmed it (and no read since showed anything else)
   * @return the observation
   */
  public static TrafficObservation ofSplit(TrafficSplit split, Instant at, boolean verified) {
    return new TrafficObservation(Kind.SPLIT, Checks.notNull(split, "split"), null, verified, Checks.notNull(at, "at"), null, null);
  }

  /**
   * @param state what the route holds, in the backend's terms (e.g. {@code selector version=red})
   * @param at when, on the plan's time
   * @return the observation
   */
  public static TrafficObservation ofUnmapped(String state, Instant at) {
    return new TrafficObservation(Kind.UNMAPPED, null, Checks.notNull(state, "state"), false, Checks.notNull(at, "at"), null, null);
  }

  /**
   * The next read failed: traffic is UNKNOWN; what this observation saw (or saw last) is kept.
   *
   * @param why the failure, without secrets
   * @param when when the read failed
   * @return the UNKNOWN observation
   */
  public TrafficObservation failed(String why, Instant when) {
    TrafficObservation seen = kind == Kind.UNKNOWN ? lastSeen : (kind == Kind.NOT_READ ? null : this);
    return new TrafficObservation(Kind.UNKNOWN, null, null, false, Checks.notNull(when, "when"), Checks.notNull(why, "why"), seen);
  }

  /** @return what kind of observation this is */
  public Kind kind() {
    return kind;
  }

  /** @return the split read, when the last read returned one */
  public Optional<TrafficSplit> split() {
    return Optional.ofNullable(split);
  }

  /** @return what the route holds, when the last read found a state no environment maps to */
  public Optional<String> unmappedState() {
    return Optional.ofNullable(unmappedState);
  }

  /** @return whether {@link #split()} was confirmed by the router's verification (and no read since showed anything else) */
  public boolean isVerified() {
    return verified;
  }

  /** @return when the route was read (or the read failed); empty if it never was */
  public Optional<Instant> at() {
    return Optional.ofNullable(at);
  }

  /** @return why the last read failed, when it did */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  /** @return for an UNKNOWN observation, the last successful one before the failure, if any */
  public Optional<TrafficObservation> lastSeen() {
    return Optional.ofNullable(lastSeen);
  }

  /**
   * @return in words, e.g. {@code now blue=0 green=100 (verified)}, {@code now UNKNOWN: the last read
   *     failed (...); last seen blue=90 green=10 at 2026-01-01T00:05:00Z}, {@code not read: the
   *     plan stopped before reading the route}
   */
  public String describe() {
    return switch (kind) {
      case SPLIT -> "now " + split + (verified ? " (verified)" : " (last read, not verified)");
      case UNMAPPED -> "now in a state no environment maps to (" + unmappedState + "), read at " + at;
      case UNKNOWN -> "now UNKNOWN: the last read failed (" + failure + "); "
          + (lastSeen == null ? "it was never read successfully" : "last seen " + lastSeen.seen() + " at " + lastSeen.at);
      case NOT_READ -> "not read: the plan stopped before reading the route";
    };
  }

  private String seen() {
    return kind == Kind.SPLIT ? split.toString() : "a state no environment maps to (" + unmappedState + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrafficObservation t && kind == t.kind && verified == t.verified && Objects.equals(split, t.split)
        && Objects.equals(unmappedState, t.unmappedState) && Objects.equals(at, t.at) && Objects.equals(failure, t.failure)
        && Objects.equals(lastSeen, t.lastSeen);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, split, unmappedState, verified, at, failure, lastSeen);
  }

  @Override
  public String toString() {
    return describe();
  }
}
