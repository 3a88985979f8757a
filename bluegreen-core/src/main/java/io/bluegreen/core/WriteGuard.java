package io.bluegreen.core;

/**
 * How a {@link Router}'s writes are guarded against another writer, which decides how the engine
 * writes through it ({@link RouterCapabilities#writeGuard()}).
 *
 * <pre>{@code
 * RouterCapabilities.builder().weighted(true).writeGuard(WriteGuard.CONDITIONAL).build(); // a K8s-like backend
 * router.capabilities().writeGuard();   // ENGINE for every router that does not say otherwise
 * }</pre>
 *
 * <table>
 *   <caption>round trips of one stage write (and of a rollback) on each guard</caption>
 *   <tr><th>guard</th><th>the engine calls</th><th>requests</th></tr>
 *   <tr><td>{@link #ENGINE}</td><td>{@code current()}, {@code apply()}, {@code verify()}</td><td>3 or more</td></tr>
 *   <tr><td>{@link #READ_THEN_WRITE}</td><td>{@code applyIfUnchanged()}: a read, the write, its response</td><td>2</td></tr>
 *   <tr><td>{@link #CONDITIONAL}</td><td>{@code applyIfUnchanged()}: the guarded write and its response</td><td>1</td></tr>
 * </table>
 */
public enum WriteGuard {

  /**
   * The router has no write path of its own: before each write the engine reads the route and
   * compares it with what the plan last wrote or found (drift), then calls {@link
   * Router#apply(TrafficSplit)}, then {@link Router#verify(TrafficSplit)} until VERIFIED. The
   * default, and what every router written before this capability existed gets.
   */
  ENGINE,

  /**
   * {@link Router#applyIfUnchanged(TrafficSplit, TrafficSplit, WritePurpose)} reads the route,
   * refuses (as drift) when it holds neither the expected split nor the target, writes, and takes
   * the state the backend holds from the write's response: two round trips, no read back. The
   * backend has no conditional write, so a change landing between the router's read and its write
   * (one round trip) is overwritten, as with {@link #ENGINE} (e.g. ELBv2's ModifyListener, Route 53's
   * UPSERT).
   */
  READ_THEN_WRITE,

  /**
   * The backend itself refuses the write when the route changed since the router last read or
   * wrote it (a Kubernetes update carrying a resourceVersion, a compare-and-set): {@link
   * Router#applyIfUnchanged(TrafficSplit, TrafficSplit, WritePurpose)} is one round trip with no
   * read before it, the refusal is the drift check, and the object in the write's response is the
   * verification. A rollback is one round trip.
   */
  CONDITIONAL;

  /** @return whether the engine writes through {@link Router#applyIfUnchanged(TrafficSplit, TrafficSplit, WritePurpose)} */
  public boolean isRouterGuarded() {
    return this != ENGINE;
  }
}
