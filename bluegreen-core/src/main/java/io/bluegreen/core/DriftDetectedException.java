package io.bluegreen.core;

import java.util.Optional;

/**
 * Someone else changed the route while a plan was running: a read (before a write, during a bake,
 * at the final read, before or during a rollback) found something other than what the plan last
 * wrote or found — another split, or a state no environment maps to. The plan stops and does not
 * fight the other writer.
 *
 * <pre>{@code
 * throw new DriftDetectedException(expected, actual, "Service default/app-service");
 * }</pre>
 */
public class DriftDetectedException extends BlueGreenException {
  private static final long serialVersionUID = 1L;

  private final TrafficSplit expected;
  private final TrafficSplit actual;
  private final String found;
  private final String unmappedState;

  /**
   * @param expected what this plan last wrote or found
   * @param actual what the backend holds now
   * @param route the route's description
   */
  public DriftDetectedException(TrafficSplit expected, TrafficSplit actual, String route) {
    this(expected, Checks.notNull(actual, "actual"), actual.toString(), null, route, null);
  }

  /**
   * For a route changed to a state that maps to no split (e.g. a selector value no environment maps to).
   *
   * @param expected what this plan last wrote or found
   * @param found a description of what the backend holds now
   * @param route the route's description
   */
  public DriftDetectedException(TrafficSplit expected, String found, String route) {
    this(expected, null, "a state no environment maps to (" + Checks.notNull(found, "found") + ")", found, route, null);
  }

  /**
   * The router read a state no environment maps to.
   *
   * @param expected what this plan last wrote or found; null if the plan had not read the route yet
   * @param unmapped what the router threw
   * @return the drift, describing the state in the backend's terms
   */
  public static DriftDetectedException unmapped(TrafficSplit expected, UnmappedRouteStateException unmapped) {
    Checks.notNull(unmapped, "unmapped");
    String found = "a state no environment maps to (" + unmapped.found() + ")";
    return new DriftDetectedException(expected, null, found, unmapped.found(), unmapped.route(), unmapped);
  }

  private DriftDetectedException(TrafficSplit expected, TrafficSplit actual, String found, String unmappedState, String route,
      Throwable cause) {
    super(expected == null
        ? "route " + route + " holds " + found + ", put there by someone else or not mapped by the router; stopping without"
            + " writing so as not to fight the other writer. Map that state to an environment or put the route back, then"
            + " re-run the plan"
        : "route " + route + " was changed by someone else: expected " + expected + " but found " + found
            + "; stopping without writing so as not to fight the other writer. Find who changed it, then re-run the plan", cause);
    this.expected = expected;
    this.actual = actual;
    this.found = found;
    this.unmappedState = unmappedState;
  }

  /** @return what this plan last wrote or found; null when the route was in this state at the plan's first read */
  public TrafficSplit expected() {
    return expected;
  }

  /** @return the split the backend holds now, if its state maps to one */
  public Optional<TrafficSplit> actual() {
    return Optional.ofNullable(actual);
  }

  /** @return what the backend holds now, described (a split, or "a state no environment maps to (...)") */
  public String found() {
    return found;
  }

  /** @return for a state no environment maps to, that state in the backend's terms (e.g. {@code selector version=red}) */
  public Optional<String> unmappedState() {
    return Optional.ofNullable(unmappedState);
  }
}
