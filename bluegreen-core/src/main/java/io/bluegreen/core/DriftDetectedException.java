package io.bluegreen.core;

import java.util.Optional;

/**
 * Someone else changed the route while a plan was running: the split read before a write is not the
 * one the plan last wrote (or found). The plan stops and does not fight the other writer.
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

  /**
   * @param expected what this plan last wrote or found
   * @param actual what the backend holds now
   * @param route the route's description
   */
  public DriftDetectedException(TrafficSplit expected, TrafficSplit actual, String route) {
    this(expected, Checks.notNull(actual, "actual"), actual.toString(), route);
  }

  /**
   * For a route changed to a state that maps to no split (e.g. a selector value no environment maps to).
   *
   * @param expected what this plan last wrote or found
   * @param found a description of what the backend holds now
   * @param route the route's description
   */
  public DriftDetectedException(TrafficSplit expected, String found, String route) {
    this(expected, null, "a state no environment maps to (" + Checks.notNull(found, "found") + ")", route);
  }

  private DriftDetectedException(TrafficSplit expected, TrafficSplit actual, String found, String route) {
    super("route " + route + " was changed by someone else: expected " + expected + " but found " + found
        + "; stopping without writing so as not to fight the other writer. Find who changed it, then re-run the plan");
    this.expected = expected;
    this.actual = actual;
    this.found = found;
  }

  /** @return what this plan last wrote or found */
  public TrafficSplit expected() {
    return expected;
  }

  /** @return the split the backend holds now, if its state maps to one */
  public Optional<TrafficSplit> actual() {
    return Optional.ofNullable(actual);
  }

  /** @return what the backend holds now, described */
  public String found() {
    return found;
  }
}
