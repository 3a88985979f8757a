package io.bluegreen.core;

/**
 * Why the engine writes, passed to {@link Router#applyIfUnchanged(TrafficSplit, TrafficSplit, WritePurpose)}.
 * A router may skip, for a rollback, checks that would hold it back and cost a round trip — the
 * Kubernetes routers do not count the ready endpoints of the environment a rollback returns to,
 * since it is the split the plan found serving and the alternative is to leave traffic where a gate
 * just failed.
 *
 * <pre>{@code
 * router.applyIfUnchanged(found, TrafficSplit.of(blue, 90, green, 10), WritePurpose.STAGE);
 * router.applyIfUnchanged(lastWritten, snapshot, WritePurpose.ROLLBACK);
 * }</pre>
 */
public enum WritePurpose {
  /** A forward stage of a plan. */
  STAGE,
  /** A rollback to the split the plan found (or its {@code rollbackTo}). */
  ROLLBACK
}
