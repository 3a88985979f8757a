package io.bluegreen.core.lock;

import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.LockUnavailableException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One writer per route: a plan takes the route's lock before its snapshot and holds it until it
 * ends. {@link InProcessRouteLock} guards plans within one JVM; {@code LeaseLock} in bluegreen-k8s
 * (a Kubernetes Lease) and {@code DynamoDbRouteLock} in bluegreen-dynamodb (a DynamoDB item) guard
 * plans across machines. {@code RouteLockContractTest} in bluegreen-testkit is the kit every
 * implementation passes.
 *
 * <pre>{@code
 * try (RouteLock.Lease lease = lock.acquire("k8s/service/default/app-service", "pipeline-42")) {
 *   ... // lease.isHeld() is checked before every write
 * }
 * }</pre>
 */
public interface RouteLock {

  /**
   * Takes the lock or fails at once.
   *
   * @param routeId the route ({@code Router.routeId()})
   * @param owner who is asking, for the other side's error message
   * @return the held lease
   * @throws LockUnavailableException naming the holder if someone else holds it
   */
  Lease acquire(String routeId, String owner);

  /**
   * Checks, without any backend call, that this lock can hold a lock for {@code routeId} (e.g. that
   * it fits the backend's key). {@code SwitchPlan.Builder.build()} calls it, so a route this lock
   * cannot store is rejected before anything runs. The default accepts every route id.
   *
   * @param routeId the route ({@code Router.routeId()})
   * @throws InvalidConfigurationException saying what is wrong with the route id and what to do
   */
  default void validate(String routeId) {
  }

  /** A held lock; closing releases it. */
  interface Lease extends AutoCloseable {

    /** @return the route */
    String routeId();

    /** @return this holder's identity */
    String owner();

    /**
     * Whether this lease is still held. Once false it stays false: after close, once another
     * holder took the lock, or once a distributed lease went unrenewed for its duration (judged on
     * the lock's clock). The plan checks it before every write and stops writing when it is false.
     *
     * @return whether this lease is still held
     */
    boolean isHeld();

    /**
     * A fencing token: a number that goes up every time anyone acquires this route's lock, so a
     * later holder always has a larger one. Reported in the plan's {@code LockAcquired} event. The
     * default (for locks that keep no counter) is empty.
     *
     * @return this acquisition's fencing token, if the lock keeps one
     */
    default OptionalLong fencingToken() {
      return OptionalLong.empty();
    }

    /**
     * Why {@link #isHeld()} is false, for the plan's result (e.g. "taken over by pipeline-7", "not
     * renewed since 10:42:07Z: DynamoDB PutItem throttled"). Empty while held, and for locks that
     * do not know; the default is always empty.
     *
     * @return why the lease is no longer held, if known
     */
    default Optional<String> lossReason() {
      return Optional.empty();
    }

    /** Releases the lock; idempotent. */
    @Override
    void close();
  }
}
