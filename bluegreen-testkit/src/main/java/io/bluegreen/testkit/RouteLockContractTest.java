package io.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.LockUnavailableException;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.RouteLock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit every {@link RouteLock} passes, built-in or your own: the lock's contract is
 * written once, here. Extend it and return, from {@link #createFixture()}, a lock on a fresh backend
 * built with this kit's {@link #clock()} as its time and {@link #heartbeat()} as the scheduler of its
 * renewals, so the kit decides when time passes and when renewals run (no thread, no wall-clock wait).
 *
 * <pre>{@code
 * class MyLockContractTest extends RouteLockContractTest {
 *   protected LockFixture createFixture() {
 *     MyStore store = MyStore.startFresh();
 *     return LockFixture.builder(MyLock.on(store).clock(clock()).scheduler(heartbeat()).build())
 *         .contender(MyLock.on(store.newClient()).clock(clock()).scheduler(heartbeat()).build()) // "another machine"
 *         .leaseDuration(Duration.ofSeconds(30))              // empty for a lock that never expires
 *         .takeoverAfter(Duration.ofSeconds(40))              // lease + the clock-skew margin the lock assumes
 *         .thief((route, owner) -> store.forceHolder(route, owner))
 *         .outage(store::refuseLockUnderTest)                 // its backend unreachable from now on
 *         .onClose(store::close)
 *         .build();
 *   }
 * }
 * }</pre>
 *
 * <p>What it checks, in groups: <b>exclusive</b> (a second acquire fails at once with a
 * {@link LockUnavailableException} naming the holder, even under the same owner name, even when two
 * race; other routes are independent); <b>release</b> (close frees the route, can be called twice,
 * leaves {@code isHeld()} false and never releases a later holder's lock; the lock can be taken again
 * and its fencing token goes up); <b>expiry takeover</b> (refused until {@code takeoverAfter}, taken
 * after, and the old holder's {@code isHeld()} is false by then); <b>renewal</b> (the heartbeat keeps
 * a lease alive across many lease durations; a lock taken by someone else is noticed at the next
 * heartbeat; renewals that fail keep the lease only until it runs out); <b>the loser's message</b>
 * (the route, the holder, and for an expiring lock since when it holds it and when it expires); and
 * <b>under a plan</b> (a real {@link SwitchPlan} on an {@link InMemoryRouter} stops writing at once
 * when its lock is taken, runs out, or cannot be renewed, and a second plan is aborted naming the
 * first). Tests that need expiry, a thief or an outage are skipped, with a message, for a lock or
 * fixture that has none.
 */
public abstract class RouteLockContractTest {

  /** The route the kit locks. */
  protected static final String ROUTE = "contract/alb/listener/app-1";
  /** Another route, locked independently of {@link #ROUTE}. */
  protected static final String OTHER_ROUTE = "contract/route53/Z0123456789/api.example.com./A";

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  /**
   * Takes a route's lock behind the lock's back, writing the backend directly with its own client:
   * what a plan on a machine whose clock runs far ahead would do, or an operator clearing a lock.
   */
  @FunctionalInterface
  public interface LockThief {

    /**
     * Makes {@code owner} the route's holder, whoever held it before.
     *
     * @param routeId the route
     * @param owner the new holder
     * @throws Exception if the backend refuses
     */
    void takeOver(String routeId, String owner) throws Exception;
  }

  /**
   * A lock under test on its own fresh backend, with what the kit needs to know about it. Build it
   * with {@link #builder(RouteLock)}.
   */
  public static final class LockFixture implements AutoCloseable {
    private final RouteLock lock;
    private final RouteLock contender;
    private final Duration leaseDuration;
    private final Duration takeoverAfter;
    private final LockThief thief;
    private final Runnable outage;
    private final AutoCloseable onClose;

    private LockFixture(Builder b) {
      this.lock = b.lock;
      this.contender = b.contender != null ? b.contender : b.lock;
      this.leaseDuration = b.leaseDuration;
      this.takeoverAfter = b.takeoverAfter != null ? b.takeoverAfter : b.leaseDuration;
      this.thief = b.thief;
      this.outage = b.outage;
      this.onClose = b.onClose;
    }

    /**
     * @param lock the lock under test ("machine A"), on this kit's clock and heartbeat
     * @return a builder
     */
    public static Builder builder(RouteLock lock) {
      return new Builder(lock);
    }

    /** @return the lock under test */
    public RouteLock lock() {
      return lock;
    }

    /** @return a second lock on the same backend ("machine B"), or the same lock for an in-JVM lock */
    public RouteLock contender() {
      return contender;
    }

    /** @return how long a lease stays valid without renewal; empty for a lock whose leases never expire */
    public Optional<Duration> leaseDuration() {
      return Optional.ofNullable(leaseDuration);
    }

    /** @return how long after its last renewal another holder may take a lease over (the lease plus any skew margin) */
    public Optional<Duration> takeoverAfter() {
      return Optional.ofNullable(takeoverAfter);
    }

    /** @return who can take a lock out of band, if the fixture has one */
    public Optional<LockThief> thief() {
      return Optional.ofNullable(thief);
    }

    /** @return what cuts the lock under test off from its backend, if the fixture has it */
    public Optional<Runnable> outage() {
      return Optional.ofNullable(outage);
    }

    @Override
    public void close() throws Exception {
      if (onClose != null) {
        onClose.close();
      }
    }

    /** Builds a {@link LockFixture}. */
    public static final class Builder {
      private final RouteLock lock;
      private RouteLock contender;
      private Duration leaseDuration;
      private Duration takeoverAfter;
      private LockThief thief;
      private Runnable outage;
      private AutoCloseable onClose;

      private Builder(RouteLock lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
      }

      /** @param contender a second lock on the same backend, as another machine would build it @return this */
      public Builder contender(RouteLock contender) {
        this.contender = Objects.requireNonNull(contender, "contender");
        return this;
      }

      /** @param duration how long a lease stays valid without renewal (omit for a lock that never expires) @return this */
      public Builder leaseDuration(Duration duration) {
        this.leaseDuration = Objects.requireNonNull(duration, "leaseDuration");
        return this;
      }

      /** @param delay how long after the last renewal a contender may take over (default the lease duration) @return this */
      public Builder takeoverAfter(Duration delay) {
        this.takeoverAfter = Objects.requireNonNull(delay, "takeoverAfter");
        return this;
      }

      /** @param thief takes a lock behind the lock's back @return this */
      public Builder thief(LockThief thief) {
        this.thief = Objects.requireNonNull(thief, "thief");
        return this;
      }

      /**
       * @param outage from when it runs, every request of the lock under test fails as when its backend is
       *     unreachable or answers 5xx, until the fixture is closed (the contender's may fail too: the kit
       *     does not use it then)
       * @return this
       */
      public Builder outage(Runnable outage) {
        this.outage = Objects.requireNonNull(outage, "outage");
        return this;
      }

      /** @param onClose releases the backend after each test @return this */
      public Builder onClose(AutoCloseable onClose) {
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        return this;
      }

      /** @return the fixture */
      public LockFixture build() {
        if (takeoverAfter != null && leaseDuration == null) {
          throw new IllegalArgumentException("takeoverAfter needs a leaseDuration");
        }
        if (takeoverAfter != null && takeoverAfter.compareTo(leaseDuration) < 0) {
          throw new IllegalArgumentException("takeoverAfter " + takeoverAfter + " is shorter than the lease " + leaseDuration
              + ": a contender could take over while the holder still believes it holds the lock");
        }
        return new LockFixture(this);
      }
    }
  }

  private final VirtualClock clock = VirtualClock.create();
  private final ManualScheduler heartbeat = new ManualScheduler();
  private LockFixture fixture;
  private final List<RouteLock.Lease> opened = new ArrayList<>();

  /**
   * Creates the lock under test on a fresh backend, on {@link #clock()} and {@link #heartbeat()}.
   *
   * @return the fixture; closed after each test
   * @throws Exception if the backend cannot be set up
   */
  protected abstract LockFixture createFixture() throws Exception;

  /** @return the time the lock must judge expiry on (also the plans' clock in the kit) */
  protected final VirtualClock clock() {
    return clock;
  }

  /** @return the scheduler the lock must run its renewals on; the kit runs them when it wants */
  protected final ManualScheduler heartbeat() {
    return heartbeat;
  }

  /** @return the fixture of the running test */
  protected final LockFixture fixture() {
    return fixture;
  }

  @BeforeEach
  final void createLockFixture() throws Exception {
    fixture = createFixture();
    assertNotNull(fixture, "createFixture() returned null");
  }

  @AfterEach
  final void closeLockFixture() throws Exception {
    try {
      for (RouteLock.Lease lease : opened) {
        lease.close();
      }
    } finally {
      if (fixture != null) {
        fixture.close();
      }
    }
  }

  private RouteLock.Lease acquire(RouteLock lock, String route, String owner) {
    RouteLock.Lease lease = lock.acquire(route, owner);
    assertNotNull(lease, "acquire() returned null");
    opened.add(lease);
    return lease;
  }

  private LockUnavailableException refused(RouteLock lock, String route, String owner) {
    return assertThrows(LockUnavailableException.class, () -> acquire(lock, route, owner),
        owner + " took " + route + " while another holder had it");
  }

  private Duration lease() {
    assumeTrue(fixture.leaseDuration().isPresent(), "this lock's leases never expire: expiry and renewal do not apply");
    return fixture.leaseDuration().orElseThrow();
  }

  private Duration takeoverAfter() {
    lease();
    return fixture.takeoverAfter().orElseThrow();
  }

  private LockThief thief() {
    assumeTrue(fixture.thief().isPresent(), "the fixture has no thief (LockFixture.Builder.thief): skipped");
    return fixture.thief().orElseThrow();
  }

  /** Moves the kit's clock on by {@code delay}, then runs the heartbeat. */
  private void beatAfter(Duration delay) {
    clock.advance(delay);
    heartbeat.runPeriodicTasks();
  }

  private Runnable outage() {
    assumeTrue(fixture.outage().isPresent(), "the fixture has no outage (LockFixture.Builder.outage): skipped");
    return fixture.outage().orElseThrow();
  }

  private static void assertTokenGrew(RouteLock.Lease earlier, RouteLock.Lease later) {
    OptionalLong a = earlier.fencingToken();
    OptionalLong b = later.fencingToken();
    assertEquals(a.isPresent(), b.isPresent(), "a lock reports a fencing token on every lease or on none");
    if (a.isPresent()) {
      assertTrue(b.getAsLong() > a.getAsLong(), "the fencing token must go up on every acquisition: " + a.getAsLong()
          + " then " + b.getAsLong());
    }
  }

  private static void assertLossExplained(RouteLock.Lease lease, String... mentions) {
    Optional<String> reason = lease.lossReason();
    if (reason.isPresent()) {
      assertFalse(reason.get().isBlank(), "lossReason() must not be blank when present");
      for (String m : mentions) {
        assertTrue(reason.get().contains(m), "lossReason() should mention " + m + ": " + reason.get());
      }
    }
  }

  @Nested
  @DisplayName("exclusive")
  class Exclusive {

    @Test
    @DisplayName("a second acquire fails at once naming the holder; the holder keeps the lock")
    void secondAcquireFailsNamingTheHolder() {
      RouteLock.Lease a = acquire(fixture.lock(), ROUTE, "pipeline-A@build-1");
      LockUnavailableException e = refused(fixture.contender(), ROUTE, "pipeline-B@build-2");
      assertEquals(Optional.of("pipeline-A@build-1"), e.holder(), "holder() must name who holds the lock");
      assertTrue(a.isHeld(), "a refused contender must not disturb the holder");
      assertEquals(ROUTE, a.routeId());
      assertEquals("pipeline-A@build-1", a.owner());
    }

    @Test
    @DisplayName("the same owner name cannot take a held lock either")
    void sameOwnerNameIsRefused() {
      acquire(fixture.lock(), ROUTE, "nightly");
      LockUnavailableException e = refused(fixture.contender(), ROUTE, "nightly");
      assertEquals(Optional.of("nightly"), e.holder());
    }

    @Test
    @DisplayName("other routes are locked independently")
    void otherRoutesAreIndependent() {
      RouteLock.Lease a = acquire(fixture.lock(), ROUTE, "pipeline-A");
      RouteLock.Lease b = acquire(fixture.contender(), OTHER_ROUTE, "pipeline-B");
      assertTrue(a.isHeld() && b.isHeld(), "two routes, two holders");
    }

    @Test
    @DisplayName("two contenders racing: exactly one wins, the other is told who")
    void racingContendersExactlyOneWins() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<RouteLock.Lease>> futures = new ArrayList<>();
        List<RouteLock> locks = List.of(fixture.lock(), fixture.contender());
        for (int i = 0; i < 2; i++) {
          RouteLock lock = locks.get(i);
          String owner = "racer-" + i;
          futures.add(pool.submit(() -> {
            start.await(20, TimeUnit.SECONDS);
            return acquire(lock, ROUTE, owner);
          }));
        }
        List<RouteLock.Lease> won = new ArrayList<>();
        List<Throwable> lost = new ArrayList<>();
        for (Future<RouteLock.Lease> f : futures) {
          try {
            won.add(f.get(60, TimeUnit.SECONDS));
          } catch (ExecutionException e) {
            lost.add(e.getCause());
          }
        }
        assertEquals(1, won.size(), "exactly one racer must win; lost: " + lost);
        assertEquals(1, lost.size());
        assertTrue(lost.get(0) instanceof LockUnavailableException, "the loser must get LockUnavailableException: " + lost.get(0));
        assertEquals(Optional.of(won.get(0).owner()), ((LockUnavailableException) lost.get(0)).holder());
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Nested
  @DisplayName("release")
  class Release {

    @Test
    @DisplayName("close releases: isHeld() turns false and another holder can take it")
    void closeReleases() {
      RouteLock.Lease a = acquire(fixture.lock(), ROUTE, "pipeline-A");
      a.close();
      assertFalse(a.isHeld(), "isHeld() must be false after close()");
      assertLossExplained(a);
      RouteLock.Lease b = acquire(fixture.contender(), ROUTE, "pipeline-B");
      assertTrue(b.isHeld());
      assertTokenGrew(a, b);
    }

    @Test
    @DisplayName("close can be called twice, and a stale close never releases the next holder's lock")
    void closeTwice() {
      RouteLock.Lease a = acquire(fixture.lock(), ROUTE, "pipeline-A");
      a.close();
      a.close();
      RouteLock.Lease b = acquire(fixture.contender(), ROUTE, "pipeline-B");
      a.close();
      assertFalse(a.isHeld());
      assertTrue(b.isHeld(), "closing an old lease must not release the new holder's lock");
      assertEquals(Optional.of("pipeline-B"), refused(fixture.lock(), ROUTE, "pipeline-C").holder());
    }

    @Test
    @DisplayName("the same lock can take the route again after release, with a larger fencing token")
    void reacquireAfterRelease() {
      RouteLock.Lease first = acquire(fixture.lock(), ROUTE, "pipeline-A");
      first.close();
      RouteLock.Lease second = acquire(fixture.lock(), ROUTE, "pipeline-A");
      assertTrue(second.isHeld());
      assertFalse(first.isHeld(), "the first lease stays released");
      assertTokenGrew(first, second);
    }
  }

  @Nested
  @DisplayName("expiry takeover")
  class ExpiryTakeover {

    @Test
    @DisplayName("an unrenewed lease is refused until takeoverAfter, taken over from then on")
    void takenOverOnlyAfterExpiry() {
      Duration takeover = takeoverAfter();
      RouteLock.Lease a = acquire(fixture.lock(), ROUTE, "pipeline-A");
      clock.advance(takeover.minusMillis(1));
      refused(fixture.contender(), ROUTE, "pipeline-B");
      clock.advance(Duration.ofMillis(1));
      RouteLock.Lease b = acquire(fixture.contender(), ROUTE, "pipeline-B");
      assertTrue(b.isHeld());
      assertFalse(a.isHeld(), "a lease another holder took over must not be held");
      assertTokenGrew(a, b);
      a.close();
      assertTrue(b.isHeld(), "the expired holder's close must not release the new holder's lock");
      assertEquals(Optional.of("pipeline-B"), refused(fixture.lock(), ROUTE, "pipeline-C").holder());
    }

    @Test
    @DisplayName("the holder stops believing it holds the lock no later than a contender may take it")
    void holderStopsBelievingFirst() {
      Duration lease = lease();
      assertTrue(takeoverAfter().compareTo(lease) >= 0);
      RouteLock.Lease a = acquire(fixture.lock(), ROUTE, "pipeline-A");
      clock.advance(lease.minusMillis(1));
      assertTrue(a.isHeld(), "held until the lease duration has passed on the lock's clock");
      clock.advance(Duration.ofMillis(1));
      assertFalse(a.isHeld(), "no renewal for the whole lease duration: isHeld() must be false");
      assertLossExplained(a);
      heartbeat.runPeriodicTasks();
      assertFalse(a.isHeld(), "a late renewal must not bring back a lease that ran out");
    }
  }

  @Nested
  @DisplayName("renewal")
  class Renewal {

    @Test
    @DisplayName("the heartbeat keeps a lease alive across many lease durations")
    void heartbeatKeepsTheLeaseAlive() {
      Duration lease = lease();
      RouteLock.Lease a = acquire(fixture.lock(), ROUTE, "pipeline-A");
      for (int i = 0; i < 6; i++) {
        beatAfter(lease.dividedBy(2));
        assertTrue(a.isHeld(), "renewed every half lease, the lease must stay held (" + clock.elapsed() + " in)");
        refused(fixture.contender(), ROUTE, "pipeline-B");
      }
    }

    @Test
    @DisplayName("after the last renewal, takeover waits takeoverAfter again")
    void expiryCountsFromTheLastRenewal() {
      Duration lease = lease();
      Duration takeover = takeoverAfter();
      RouteLock.Lease a = acquire(fixture.lock(), ROUTE, "pipeline-A");
      beatAfter(lease.dividedBy(2));
      clock.advance(takeover.minusMillis(1));
      refused(fixture.contender(), ROUTE, "pipeline-B");
      clock.advance(Duration.ofMillis(1));
      acquire(fixture.contender(), ROUTE, "pipeline-B");
      assertFalse(a.isHeld());
    }

    @Test
    @DisplayName("a lock taken behind the holder's back is noticed at the next heartbeat")
    void stolenLockIsNoticed() throws Exception {
      lease();
      LockThief thief = thief();
      RouteLock.Lease a = acquire(fixture.lock(), ROUTE, "pipeline-A");
      thief.takeOver(ROUTE, "intruder");
      heartbeat.runPeriodicTasks();
      assertFalse(a.isHeld(), "the heartbeat found another holder: isHeld() must be false");
      assertLossExplained(a, "intruder");
      a.close();
      assertEquals(Optional.of("intruder"), refused(fixture.contender(), ROUTE, "pipeline-B").holder(),
          "the old holder's close must not release the intruder's lock");
    }

    @Test
    @DisplayName("renewals that fail keep the lease only until it runs out, counted from the last renewal that succeeded")
    void failedRenewalsLoseTheLeaseWhenItRunsOut() {
      Duration lease = lease();
      Runnable outage = outage();
      RouteLock.Lease a = acquire(fixture.lock(), ROUTE, "pipeline-A");
      beatAfter(lease.dividedBy(2));
      assertTrue(a.isHeld(), "renewed before the outage");
      outage.run();
      beatAfter(lease.dividedBy(2));
      assertTrue(a.isHeld(), "one failed renewal must not lose a lease that is still valid (renewed half a lease ago)");
      beatAfter(lease.dividedBy(2).minusMillis(1));
      assertTrue(a.isHeld(), "held until a whole lease has passed since the last renewal that succeeded");
      clock.advance(Duration.ofMillis(1));
      assertFalse(a.isHeld(), "no renewal succeeded for a whole lease: isHeld() must be false, however often it was tried");
      assertLossExplained(a);
      heartbeat.runPeriodicTasks();
      assertFalse(a.isHeld(), "a lease that ran out stays lost");
    }
  }

  @Nested
  @DisplayName("the loser's message")
  class LosersMessage {

    @Test
    @DisplayName("names the route and the holder, and for an expiring lock since when it holds it and when it expires")
    void namesRouteHolderSinceAndExpiry() {
      Instant since = clock.instant();
      acquire(fixture.lock(), ROUTE, "pipeline-A@build-1");
      clock.advance(Duration.ofSeconds(1));
      LockUnavailableException e = refused(fixture.contender(), ROUTE, "pipeline-B@build-2");
      String message = e.getMessage();
      assertNotNull(message);
      assertTrue(message.contains(ROUTE), "the message must name the route: " + message);
      assertTrue(message.contains("pipeline-A@build-1"), "the message must name the holder: " + message);
      assertFalse(message.contains("pipeline-B@build-2"), "the message names the holder, not the loser: " + message);
      if (fixture.leaseDuration().isPresent()) {
        Instant expiry = since.plus(fixture.leaseDuration().orElseThrow());
        assertTrue(message.contains("since " + since), "an expiring lock's message must say since when the holder has it (since "
            + since + "): " + message);
        assertTrue(message.contains("expire") && message.contains(expiry.toString()),
            "an expiring lock's message must say when it expires (" + expiry + "): " + message);
      }
    }
  }

  @Nested
  @DisplayName("under a plan")
  class UnderAPlan {

    private final InMemoryRouter router = InMemoryRouter.builder().routeId(ROUTE).environments(BLUE, GREEN).build();

    private SwitchPlan.Builder plan(RouteLock lock, String owner, Duration hold, HealthGate gate, RecordingListener events) {
      return SwitchPlan.builder().name("lock-contract").router(router).from(BLUE).to(GREEN)
          .schedule(StageSchedule.targetWeights(hold, 10, 50, 100))
          .gate(gate).gateInterval(hold.dividedBy(8))
          .lock(lock).owner(owner)
          .time(clock)
          .defaultLogging(false).listener(events);
    }

    private void assertStoppedAfterStageOne(SwitchResult result, String... reasonMentions) {
      assertEquals(Outcome.ABORTED, result.outcome(), result.summary());
      assertTrue(result.reason().contains("lost the lock on " + ROUTE), "the result must say the lock was lost: " + result.reason());
      for (String m : reasonMentions) {
        assertTrue(result.reason().contains(m), "the result must say why (" + m + "): " + result.reason());
      }
      assertEquals(List.of(TrafficSplit.between(BLUE, GREEN, 10)), router.writes(), "no write after the lock was lost, not even a rollback");
      assertEquals(1, result.writes());
    }

    @Test
    @DisplayName("a plan whose heartbeat runs completes though it lasts many lease durations")
    void completesWhileRenewed() {
      Duration lease = lease();
      RecordingListener events = new RecordingListener();
      ScriptedGate renewing = ScriptedGate.of("runs-the-heartbeat", ctx -> {
        heartbeat.runPeriodicTasks();
        return GateResult.healthy();
      });
      SwitchResult result = plan(fixture.lock(), "pipeline-A", takeoverAfter().plus(lease), renewing, events).build().execute();
      assertEquals(Outcome.COMPLETED, result.outcome(), result.summary());
      assertEquals(3, router.writeCount());
      assertTrue(clock.elapsed().compareTo(lease.multipliedBy(3)) > 0, "the plan outlived several lease durations");
      assertEquals(1, events.ofType(SwitchEvent.LockAcquired.class).size());
      acquire(fixture.contender(), ROUTE, "pipeline-B").close(); // released at the end
    }

    @Test
    @DisplayName("a plan stops writing at once when its lock is taken, and says why")
    void stopsWhenTheLockIsTaken() {
      lease();
      LockThief thief = thief();
      AtomicBoolean stolen = new AtomicBoolean();
      ScriptedGate stealing = ScriptedGate.of("steals-the-lock", ctx -> {
        if (ctx.stageNumber().orElse(0) == 1 && stolen.compareAndSet(false, true)) {
          try {
            thief.takeOver(ROUTE, "intruder");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          heartbeat.runPeriodicTasks();
        }
        return GateResult.healthy();
      });
      SwitchResult result = plan(fixture.lock(), "pipeline-A", lease().dividedBy(4), stealing, new RecordingListener()).build().execute();
      assertTrue(stolen.get());
      assertStoppedAfterStageOne(result);
      assertEquals(Optional.of("intruder"), refused(fixture.contender(), ROUTE, "pipeline-B").holder(),
          "the plan's release must not free the intruder's lock");
    }

    private Supplier<RuntimeException> countingFailure(AtomicInteger attempts) {
      return () -> {
        attempts.incrementAndGet();
        return RouterException.transientFailure("503 from the backend (scripted by the lock kit)", null);
      };
    }

    private Consumer<SwitchEvent> stealOnFirstRetry(LockThief thief, AtomicBoolean stolen) {
      return e -> {
        if (e instanceof SwitchEvent.RetryScheduled && stolen.compareAndSet(false, true)) {
          try {
            thief.takeOver(ROUTE, "intruder");
          } catch (Exception x) {
            throw new IllegalStateException(x);
          }
          heartbeat.runPeriodicTasks();
        }
      };
    }

    @Test
    @DisplayName("a plan whose lock is taken while it waits to retry a write does not retry it")
    void noRetryWithoutTheLock() {
      lease();
      LockThief thief = thief();
      AtomicInteger attempts = new AtomicInteger();
      router.failNextWrites(5, countingFailure(attempts));
      AtomicBoolean stolen = new AtomicBoolean();
      SwitchResult result = plan(fixture.lock(), "pipeline-A", lease().dividedBy(4), ScriptedGate.healthy(),
          new RecordingListener(stealOnFirstRetry(thief, stolen))).build().execute();
      assertTrue(stolen.get(), "the first write failed and a retry was scheduled");
      assertEquals(Outcome.ABORTED, result.outcome(), result.summary());
      assertTrue(result.reason().contains("lost the lock on " + ROUTE), result.reason());
      assertEquals(1, attempts.get(), "the write must not be retried once the lock is lost");
      assertEquals(List.of(), router.writes());
    }

    @Test
    @DisplayName("a plan whose lock is taken while it waits to retry a rollback write does not retry it")
    void noRollbackRetryWithoutTheLock() {
      lease();
      LockThief thief = thief();
      AtomicInteger attempts = new AtomicInteger();
      router.failWritesOf(TrafficSplit.between(BLUE, GREEN, 0), 5, countingFailure(attempts));
      AtomicBoolean stolen = new AtomicBoolean();
      SwitchResult result = plan(fixture.lock(), "pipeline-A", lease().dividedBy(4),
          ScriptedGate.unhealthyDuringStage(2, "green error rate 9%"), new RecordingListener(stealOnFirstRetry(thief, stolen)))
          .build().execute();
      assertTrue(stolen.get(), "the first rollback write failed and a retry was scheduled");
      assertTrue(result.outcome() != Outcome.ROLLED_BACK, result.summary());
      assertTrue(result.reason().contains("lock on " + ROUTE), "the result must say the lock was lost: " + result.reason());
      assertEquals(1, attempts.get(), "the rollback write must not be retried once the lock is lost");
      assertEquals(List.of(TrafficSplit.between(BLUE, GREEN, 10), TrafficSplit.between(BLUE, GREEN, 50)), router.writes());
    }

    @Test
    @DisplayName("a plan whose renewals fail (backend unreachable) stops writing before the next write once its lease runs out")
    void stopsWhenRenewalsFail() {
      Duration lease = lease();
      Runnable outage = outage();
      AtomicInteger beats = new AtomicInteger();
      ScriptedGate failingBeats = ScriptedGate.of("runs-the-heartbeat-during-an-outage", ctx -> {
        if (beats.getAndIncrement() == 0) {
          outage.run();
        }
        heartbeat.runPeriodicTasks();
        return GateResult.healthy();
      });
      SwitchResult result = plan(fixture.lock(), "pipeline-A", lease.plusMillis(1), failingBeats, new RecordingListener()).build().execute();
      assertTrue(beats.get() > 2, "the heartbeat was tried during the outage");
      assertStoppedAfterStageOne(result);
    }

    @Test
    @DisplayName("a plan whose lease runs out unrenewed stops writing before the next write (expiry on the plan's clock)")
    void stopsWhenTheLeaseRunsOut() {
      Duration lease = lease();
      SwitchResult result = plan(fixture.lock(), "pipeline-A", lease.plusMillis(1), ScriptedGate.healthy(), new RecordingListener())
          .build().execute();
      assertStoppedAfterStageOne(result);
    }

    @Test
    @DisplayName("a second plan on the route is aborted naming the first, before reading or writing the route")
    void secondPlanIsAbortedNamingTheFirst() {
      AtomicReference<SwitchResult> second = new AtomicReference<>();
      RecordingListener secondEvents = new RecordingListener();
      ScriptedGate startsB = ScriptedGate.of("starts-plan-B", ctx -> {
        if (second.get() == null) {
          int readsBefore = router.readCount();
          second.set(plan(fixture.contender(), "pipeline-B", Duration.ofMinutes(1), ScriptedGate.healthy(), secondEvents).build().execute());
          assertEquals(readsBefore, router.readCount(), "plan B must not read the route");
        }
        return GateResult.healthy();
      });
      Duration hold = fixture.leaseDuration().map(d -> d.dividedBy(4)).orElse(Duration.ofMinutes(1));
      SwitchResult first = plan(fixture.lock(), "pipeline-A", hold, startsB, new RecordingListener()).build().execute();
      assertEquals(Outcome.COMPLETED, first.outcome(), first.summary());
      SwitchResult b = second.get();
      assertNotNull(b, "plan B ran");
      assertEquals(Outcome.ABORTED, b.outcome(), b.summary());
      assertTrue(b.reason().contains("is locked by pipeline-A"), b.reason());
      assertTrue(b.cause().orElse(null) instanceof LockUnavailableException, "cause: " + b.cause());
      assertEquals(0, b.writes());
      assertTrue(secondEvents.ofType(SwitchEvent.SnapshotTaken.class).isEmpty(), "plan B never read the route");
      assertEquals(3, router.writeCount(), "only plan A wrote");
    }
  }
}
