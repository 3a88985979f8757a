package io.bluegreen.testkit;

import static io.bluegreen.testkit.RouterContractKitCatchesBrokenRoutersTest.ONLY_THROUGH_OWN_LAUNCHER;
import static io.bluegreen.testkit.RouterContractKitCatchesBrokenRoutersTest.runKit;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.LockUnavailableException;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.testkit.RouterContractKitCatchesBrokenRoutersTest.KitRun;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lock kit must be able to fail: {@link RouteLockContractTest} runs, through the JUnit Platform
 * Launcher, against deliberately broken locks — each a {@link MapLock} (an expiring lease lock over a
 * shared map, with a heartbeat and a fencing counter) with one bug — and each must fail the kit tests
 * that exist to catch that bug. The same lock without a bug passes every test.
 */
class RouteLockContractKitCatchesBrokenLocksTest {

  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration MARGIN = Duration.ofSeconds(10);

  /** The bugs. */
  enum Bug { NONE, NEVER_EXCLUDES, ALWAYS_HELD, CLOSE_RELEASES_ANYONE, CONSTANT_TOKEN, IGNORES_MARGIN, RENEWAL_DOES_NOTHING,
    LATE_RENEWAL_REVIVES, FAILED_RENEWAL_COUNTS, VAGUE_MESSAGE }

  /** A correct lease lock over a map shared by its instances (the "backend"), unless told to have a bug. */
  static final class MapLock implements RouteLock {
    record Entry(String owner, long token, Instant since, Instant expiresAt) {
    }

    private final Map<String, Entry> entries;
    private final AtomicLong counter;
    private final InstantSource time;
    private final ScheduledExecutorService scheduler;
    private final Bug bug;
    private volatile boolean unreachable;

    MapLock(Map<String, Entry> entries, AtomicLong counter, InstantSource time, ScheduledExecutorService scheduler, Bug bug) {
      this.entries = entries;
      this.counter = counter;
      this.time = time;
      this.scheduler = scheduler;
      this.bug = bug;
    }

    /** From now on the "backend" cannot be reached: renewals fail. */
    void cutOff() {
      unreachable = true;
    }

    @Override
    public Lease acquire(String routeId, String owner) {
      synchronized (entries) {
        Instant now = time.instant();
        Entry e = entries.get(routeId);
        Instant takeover = e == null ? null : bug == Bug.IGNORES_MARGIN ? e.expiresAt() : e.expiresAt().plus(MARGIN);
        if (e != null && bug != Bug.NEVER_EXCLUDES && now.isBefore(takeover)) {
          throw new LockUnavailableException("route " + routeId + " is locked by " + e.owner()
              + (bug == Bug.VAGUE_MESSAGE ? "" : " (since " + e.since() + ", expires at " + e.expiresAt() + ")"), e.owner(), null);
        }
        Entry mine = new Entry(owner, bug == Bug.CONSTANT_TOKEN ? 1 : counter.incrementAndGet(), now, now.plus(LEASE));
        entries.put(routeId, mine);
        return new Held(routeId, mine, now);
      }
    }

    private final class Held implements Lease {
      private final String routeId;
      private volatile Entry mine;
      private volatile Instant lastRenewed;
      private volatile String lost;
      private volatile boolean closed;
      private final ScheduledFuture<?> renewal;

      Held(String routeId, Entry mine, Instant now) {
        this.routeId = routeId;
        this.mine = mine;
        this.lastRenewed = now;
        this.renewal = scheduler.scheduleWithFixedDelay(this::renew, 10, 10, TimeUnit.SECONDS);
      }

      private boolean ranOut(Instant now) {
        return !now.isBefore(lastRenewed.plus(LEASE));
      }

      void renew() {
        synchronized (entries) {
          Instant now = time.instant();
          if (closed || lost != null || bug == Bug.RENEWAL_DOES_NOTHING) {
            return;
          }
          if (ranOut(now) && bug != Bug.LATE_RENEWAL_REVIVES) {
            lost = "not renewed within " + LEASE;
            return;
          }
          if (unreachable) {
            if (bug == Bug.FAILED_RENEWAL_COUNTS) {
              lastRenewed = now;
            }
            return;
          }
          Entry current = entries.get(routeId);
          if (current == null || current.token() != mine.token() || !current.owner().equals(mine.owner())) {
            lost = current == null ? "deleted" : "taken over by " + current.owner();
            return;
          }
          mine = new Entry(mine.owner(), mine.token(), mine.since(), now.plus(LEASE));
          entries.put(routeId, mine);
          lastRenewed = now;
        }
      }

      @Override
      public String routeId() {
        return routeId;
      }

      @Override
      public String owner() {
        return mine.owner();
      }

      @Override
      public boolean isHeld() {
        return bug == Bug.ALWAYS_HELD ? !closed : !closed && lost == null && !ranOut(time.instant());
      }

      @Override
      public OptionalLong fencingToken() {
        return OptionalLong.of(mine.token());
      }

      @Override
      public Optional<String> lossReason() {
        return closed ? Optional.of("released") : Optional.ofNullable(lost);
      }

      @Override
      public void close() {
        renewal.cancel(false);
        synchronized (entries) {
          closed = true;
          if (bug == Bug.CLOSE_RELEASES_ANYONE) {
            entries.remove(routeId);
          } else {
            entries.remove(routeId, mine);
          }
        }
      }
    }
  }

  /** The kit on a {@link MapLock} with one bug. */
  abstract static class MapLockKit extends RouteLockContractTest {
    private final Bug bug;

    MapLockKit(Bug bug) {
      this.bug = bug;
    }

    @Override
    protected LockFixture createFixture() {
      Map<String, MapLock.Entry> entries = new ConcurrentHashMap<>();
      AtomicLong counter = new AtomicLong();
      MapLock lock = new MapLock(entries, counter, clock(), heartbeat(), bug);
      return LockFixture.builder(lock)
          .contender(new MapLock(entries, counter, clock(), heartbeat(), bug))
          .leaseDuration(LEASE).takeoverAfter(LEASE.plus(MARGIN))
          .thief((route, owner) -> {
            synchronized (entries) {
              entries.put(route, new MapLock.Entry(owner, counter.incrementAndGet(), clock().instant(), clock().instant().plus(LEASE)));
            }
          })
          .outage(lock::cutOff)
          .build();
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class CorrectKit extends MapLockKit {
    CorrectKit() {
      super(Bug.NONE);
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class NeverExcludesKit extends MapLockKit {
    NeverExcludesKit() {
      super(Bug.NEVER_EXCLUDES);
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class AlwaysHeldKit extends MapLockKit {
    AlwaysHeldKit() {
      super(Bug.ALWAYS_HELD);
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class CloseReleasesAnyoneKit extends MapLockKit {
    CloseReleasesAnyoneKit() {
      super(Bug.CLOSE_RELEASES_ANYONE);
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class ConstantTokenKit extends MapLockKit {
    ConstantTokenKit() {
      super(Bug.CONSTANT_TOKEN);
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class IgnoresMarginKit extends MapLockKit {
    IgnoresMarginKit() {
      super(Bug.IGNORES_MARGIN);
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class RenewalDoesNothingKit extends MapLockKit {
    RenewalDoesNothingKit() {
      super(Bug.RENEWAL_DOES_NOTHING);
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class LateRenewalRevivesKit extends MapLockKit {
    LateRenewalRevivesKit() {
      super(Bug.LATE_RENEWAL_REVIVES);
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class FailedRenewalCountsKit extends MapLockKit {
    FailedRenewalCountsKit() {
      super(Bug.FAILED_RENEWAL_COUNTS);
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class VagueMessageKit extends MapLockKit {
    VagueMessageKit() {
      super(Bug.VAGUE_MESSAGE);
    }
  }

  @Test
  void theKitPassesTheSameLockWithoutABug() {
    KitRun run = runKit(CorrectKit.class);
    assertThat(run.failed()).as("a correct lock fails no kit test").isEmpty();
    assertThat(run.skipped()).as("every check ran").isEmpty();
    assertThat(run.succeeded()).as("kit tests run").isEqualTo(21);
  }

  static Stream<Arguments> brokenLocks() {
    return Stream.of(
        Arguments.of("acquire that never excludes", NeverExcludesKit.class, Set.of("secondAcquireFailsNamingTheHolder",
            "sameOwnerNameIsRefused", "racingContendersExactlyOneWins", "closeTwice", "takenOverOnlyAfterExpiry",
            "heartbeatKeepsTheLeaseAlive", "expiryCountsFromTheLastRenewal", "stolenLockIsNoticed", "namesRouteHolderSinceAndExpiry",
            "stopsWhenTheLockIsTaken", "secondPlanIsAbortedNamingTheFirst")),
        Arguments.of("isHeld() that is always true", AlwaysHeldKit.class, Set.of("takenOverOnlyAfterExpiry", "holderStopsBelievingFirst",
            "expiryCountsFromTheLastRenewal", "stolenLockIsNoticed", "stopsWhenTheLockIsTaken", "stopsWhenTheLeaseRunsOut",
            "noRetryWithoutTheLock", "noRollbackRetryWithoutTheLock", "failedRenewalsLoseTheLeaseWhenItRunsOut", "stopsWhenRenewalsFail")),
        Arguments.of("close that releases whoever holds the lock", CloseReleasesAnyoneKit.class, Set.of("closeTwice",
            "takenOverOnlyAfterExpiry", "stolenLockIsNoticed", "stopsWhenTheLockIsTaken")),
        Arguments.of("a fencing token that never goes up", ConstantTokenKit.class, Set.of("closeReleases", "reacquireAfterRelease",
            "takenOverOnlyAfterExpiry")),
        Arguments.of("takeover at expiry, without the skew margin", IgnoresMarginKit.class, Set.of("takenOverOnlyAfterExpiry",
            "expiryCountsFromTheLastRenewal")),
        Arguments.of("a heartbeat that renews nothing (nor looks)", RenewalDoesNothingKit.class, Set.of("heartbeatKeepsTheLeaseAlive",
            "expiryCountsFromTheLastRenewal", "stolenLockIsNoticed", "completesWhileRenewed", "stopsWhenTheLockIsTaken",
            "noRetryWithoutTheLock", "noRollbackRetryWithoutTheLock", "failedRenewalsLoseTheLeaseWhenItRunsOut")),
        Arguments.of("a late heartbeat that revives a lease that ran out", LateRenewalRevivesKit.class,
            Set.of("holderStopsBelievingFirst")),
        Arguments.of("a failed renewal counted as a renewal", FailedRenewalCountsKit.class,
            Set.of("failedRenewalsLoseTheLeaseWhenItRunsOut", "stopsWhenRenewalsFail")),
        Arguments.of("a loser's message that names the holder only", VagueMessageKit.class, Set.of("namesRouteHolderSinceAndExpiry")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenLocks")
  void theKitFailsABrokenLock(String bug, Class<? extends RouteLockContractTest> kit, Set<String> caughtBy) {
    KitRun run = runKit(kit);
    assertThat(run.failed()).as("the kit tests that failed for the bug: %s", bug).isEqualTo(new TreeSet<>(caughtBy));
    assertThat(run.skipped()).as("every check ran").isEmpty();
  }
}
