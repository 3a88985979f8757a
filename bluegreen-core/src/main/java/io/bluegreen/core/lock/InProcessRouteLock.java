package io.bluegreen.core.lock;

import io.bluegreen.core.LockUnavailableException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A route lock for plans running in the same JVM. {@link #shared()} is every plan's default.
 *
 * <pre>{@code
 * SwitchPlan.builder()...lock(InProcessRouteLock.shared());
 * }</pre>
 */
public final class InProcessRouteLock implements RouteLock {

  private static final InProcessRouteLock SHARED = new InProcessRouteLock();

  private final ConcurrentMap<String, String> holders = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  /** @return the JVM-wide lock every plan uses unless told otherwise */
  public static InProcessRouteLock shared() {
    return SHARED;
  }

  @Override
  public Lease acquire(String routeId, String owner) {
    String token = owner + "#" + sequence.incrementAndGet();
    String previous = holders.putIfAbsent(routeId, token);
    if (previous != null) {
      throw new LockUnavailableException(routeId, previous.substring(0, previous.lastIndexOf('#')));
    }
    AtomicBoolean held = new AtomicBoolean(true);
    return new Lease() {
      @Override
      public String routeId() {
        return routeId;
      }

      @Override
      public String owner() {
        return owner;
      }

      @Override
      public boolean isHeld() {
        return held.get() && token.equals(holders.get(routeId));
      }

      @Override
      public void close() {
        if (held.compareAndSet(true, false)) {
          holders.remove(routeId, token);
        }
      }
    };
  }

  /**
   * @param routeId a route
   * @return whether someone holds its lock now
   */
  public boolean isLocked(String routeId) {
    return holders.containsKey(routeId);
  }
}
