package io.bluegreen.core.lock;

import io.bluegreen.core.LockUnavailableException;

/**
 * One writer per route: a plan takes the route's lock before its snapshot and holds it until it
 * ends. {@link InProcessRouteLock} guards plans within one JVM; {@code LeaseLock} in bluegreen-k8s
 * guards plans across machines with a Kubernetes Lease.
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

  /** A held lock; closing releases it. */
  interface Lease extends AutoCloseable {

    /** @return the route */
    String routeId();

    /** @return this holder's identity */
    String owner();

    /** @return whether this lease is still held (false after close, or once a distributed lease expired) */
    boolean isHeld();

    /** Releases the lock; idempotent. */
    @Override
    void close();
  }
}
