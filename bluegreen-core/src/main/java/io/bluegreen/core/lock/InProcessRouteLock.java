package io.bluegreen.core.lock;

import io.bluegreen.core.Checks;
import io.bluegreen.core.LockUnavailableException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A route lock for plans running in the same JVM. {@link #shared()} is every plan's default. Its
 * leases never expire; their fencing token is a JVM-wide counter.
 *
 * <pre>{@code
 * SwitchPlan.builder()...lock(InProcessRouteLock.shared());
 * }</pre>
 */
public final class InProcessRouteLock implements RouteLock {

  private static final InProcessRouteLock SHARED = new InProcessRouteLock();

  private final ConcurrentMap<String, Holder> holders = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  private record Holder(String owner, long token) {
  }

  /** @return the JVM-wide lock every plan uses unless told otherwise */
  public static InProcessRouteLock shared() {
    return SHARED;
  }

  @Override
  public Lease acquire(String routeId, String owner) {
    Checks.notBlank(routeId, "routeId");
    Checks.notBlank(owner, "owner");
    Holder mine = new Holder(owner, sequence.incrementAndGet());
    Holder previous = holders.putIfAbsent(routeId, mine);
    if (previous != null) {
      throw new LockUnavailableException(routeId, Checks.printable(previous.owner()));
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
        return held.get() && holders.get(routeId) == mine;
      }

      @Override
      public OptionalLong fencingToken() {
        return OptionalLong.of(mine.token());
      }

      @Override
      public Optional<String> lossReason() {
        return held.get() ? Optional.empty() : Optional.of("released");
      }

      @Override
      public void close() {
        if (held.compareAndSet(true, false)) {
          holders.remove(routeId, mine);
        }
      }

      @Override
      public String toString() {
        return "in-process lock on " + routeId + " held by " + owner + " (fencing token " + mine.token() + ")";
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
