package io.bluegreen.core;

/**
 * The route holds a state that no environment of the router maps to: a Service selecting {@code
 * version=red}, an HTTPRoute sending its weight to {@code app-red}, an ALB listener forwarding to a
 * target group no environment owns. {@link Router#current()} throws it instead of guessing a split.
 * The engine reports it as drift ({@link DriftDetectedException} and a {@code DriftDetected} event
 * carrying {@link #found()}), never fights it, and the result says what was read.
 *
 * <pre>{@code
 * public TrafficSplit current() {
 *   String value = service.getSpec().getSelector().get("version");
 *   Environment e = byLabelValue.get(value);
 *   if (e == null) {
 *     throw new UnmappedRouteStateException(routeId(), "selector version=" + value,
 *         "map that value to an environment or put the selector back by hand");
 *   }
 *   ...
 * }
 * }</pre>
 */
public class UnmappedRouteStateException extends RouterException {
  private static final long serialVersionUID = 1L;

  private final String route;
  private final String found;

  /**
   * @param route the route's id or description
   * @param found what the backend holds, described in the backend's own terms (e.g. {@code selector
   *     version=red}, {@code weights app-red=100}); must not contain secrets
   * @param whatToDo what the operator can do about it
   */
  public UnmappedRouteStateException(String route, String found, String whatToDo) {
    super("route " + Checks.notNull(route, "route") + " holds a state no environment maps to (" + Checks.notNull(found, "found")
        + ")" + (whatToDo == null || whatToDo.isBlank() ? "" : ": " + whatToDo), null, false);
    this.route = route;
    this.found = found;
  }

  /** @return the route's id or description */
  public String route() {
    return route;
  }

  /** @return what the backend holds, described in its own terms */
  public String found() {
    return found;
  }
}
