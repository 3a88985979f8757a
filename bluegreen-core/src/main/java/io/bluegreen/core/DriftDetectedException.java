package io.bluegreen.core;

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

  /**
   * @param expected what this plan last wrote or found
   * @param actual what the backend holds now
   * @param route the route's description
   */
  public DriftDetectedException(TrafficSplit expected, TrafficSplit actual, String route) {
    super("route " + route + " was changed by someone else: expected " + expected + " but found " + actual
        + "; stopping without writing so as not to fight the other writer. Find who changed it, then re-run the plan");
    this.expected = expected;
    this.actual = actual;
  }

  /** @return what this plan last wrote or found */
  public TrafficSplit expected() {
    return expected;
  }

  /** @return what the backend holds now */
  public TrafficSplit actual() {
    return actual;
  }
}
