package io.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bluegreen.core.DriftDetectedException;
import io.bluegreen.core.Environment;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.Router;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TimeSource;
import io.bluegreen.core.TrafficObservation;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.UnmappedRouteStateException;
import io.bluegreen.core.Verification;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.core.WritePurpose;
import io.bluegreen.core.WriteResult;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit every {@link Router} passes, built-in or your own (the role Micrometer's
 * {@code MeterRegistryCompatibilityKit} plays for meter registries). Extend it, return a fixture on a
 * fresh backend that sends all traffic to {@code blue()} and has ready backends for both
 * environments, and report how many requests and writes the backend saw. Give it a second writer
 * ({@link RouterFixture#withOutOfBand(OutOfBandWriter)}: a direct call with your backend's own
 * client) and it also proves that your router reads the real state every time and that a plan
 * reports drift instead of overwriting it.
 *
 * <pre>{@code
 * class MyProxyRouterContractTest extends RouterContractTest {
 *   protected RouterFixture createFixture() {
 *     FakeProxy proxy = FakeProxy.start();                 // all traffic on blue
 *     MyProxyRouter router = new MyProxyRouter(proxy.adminUri(), BLUE, GREEN);
 *     return RouterFixture.of(router, BLUE, GREEN, proxy::requestCount, proxy::writeCount, proxy::close)
 *         .withOutOfBand(new OutOfBandWriter() {
 *           public void write(TrafficSplit split) { proxy.admin().putWeights(split.toString()); }
 *           public String writeUnmapped() { proxy.admin().putWeights("red=100"); return "red"; }
 *         })
 *         .withEverythingButWeights(() -> proxy.admin().configWithoutWeights());
 *   }
 * }
 * }</pre>
 *
 * <p>What it checks, in groups: <b>reads</b> (the real state, every time: no caching); <b>writes
 * and idempotence</b> (exact round trips, one write per change, no write when nothing changes,
 * idempotent apply, nothing but the weights changed); <b>validation</b> (invalid splits rejected
 * before any backend call); <b>capabilities</b> (honest capabilities, verification and preflight);
 * <b>drift and out-of-band changes</b> (a state no environment maps to is reported as such; a plan
 * reports drift during a bake and does not overwrite it); <b>under a plan</b> (a staged switch
 * with one write per stage, and an exact rollback); and, for a router whose {@link
 * RouterCapabilities#writeGuard()} is not {@link WriteGuard#ENGINE}, <b>guarded writes</b> ({@code
 * applyIfUnchanged} answers with the state it wrote, writes nothing when the target is in place,
 * reports a refused guard as drift and not as a write, and a {@link WriteGuard#CONDITIONAL} router
 * rolls a plan back in exactly one request). Checks that need a hook the fixture does not have are
 * skipped, saying which hook.
 */
public abstract class RouterContractTest {

  /**
   * A router on its own fresh backend, and counters of what the backend received.
   */
  public interface RouterFixture extends AutoCloseable {

    /** @return the router under test */
    Router router();

    /** @return the environment with all traffic at the start */
    Environment blue();

    /** @return the other environment, with ready backends and no traffic at the start */
    Environment green();

    /** @return requests the backend has received so far (reads and writes) */
    long backendRequests();

    /** @return writes (mutating requests) the backend has received so far */
    long backendWrites();

    /** @return how often to call verify before giving up on an eventually consistent backend */
    default int maxVerifyPolls() {
      return 50;
    }

    /** @return how long to wait between verify polls, on {@link #time()} */
    default Duration verifyPollInterval() {
      return Duration.ofMillis(100);
    }

    /**
     * How the kit waits between verify polls: real time by default; a fixture whose backend runs on
     * virtual time returns that clock (e.g. the testkit's {@link VirtualClock}), so that the kit
     * never sleeps for real.
     *
     * @return the time source the kit waits on
     */
    default TimeSource time() {
      return TimeSource.system();
    }

    /**
     * A second writer on the same backend, for the kit's drift and no-caching checks. Return one
     * that changes the backend with a direct client call (never through {@link #router()}); the
     * checks that need it are skipped, with a message, while this is empty.
     *
     * @return the out-of-band writer, if the fixture has one
     */
    default Optional<OutOfBandWriter> outOfBand() {
      return Optional.empty();
    }

    /**
     * Describes everything about the route except the weights the router manages (other selector
     * keys, other paths and backends, the listener's other actions, TTLs, annotations...), read
     * from the backend with its own client. The kit checks that {@code apply} leaves it unchanged;
     * skipped while this is empty.
     *
     * @return the describer, if the fixture has one
     */
    default Optional<Supplier<String>> everythingButWeights() {
      return Optional.empty();
    }

    /**
     * @param writer changes the backend behind the router's back
     * @return this fixture with {@link #outOfBand()} set
     */
    default RouterFixture withOutOfBand(OutOfBandWriter writer) {
      Objects.requireNonNull(writer, "writer");
      return new Decorated(this, Optional.of(writer), everythingButWeights(), time());
    }

    /**
     * @param describer describes the route without the weights, read from the backend
     * @return this fixture with {@link #everythingButWeights()} set
     */
    default RouterFixture withEverythingButWeights(Supplier<String> describer) {
      Objects.requireNonNull(describer, "describer");
      return new Decorated(this, outOfBand(), Optional.of(describer), time());
    }

    /**
     * @param time what the kit waits on between verify polls
     * @return this fixture with {@link #time()} set
     */
    default RouterFixture withTime(TimeSource time) {
      Objects.requireNonNull(time, "time");
      return new Decorated(this, outOfBand(), everythingButWeights(), time);
    }

    /** Releases the backend (default: nothing to release). */
    @Override
    default void close() {
    }

    /**
     * @param router the router
     * @param blue all traffic at start
     * @param green no traffic at start
     * @param requests counts backend requests
     * @param writes counts backend writes
     * @param close releases the backend
     * @return a fixture
     */
    static RouterFixture of(Router router, Environment blue, Environment green, LongSupplier requests, LongSupplier writes,
        AutoCloseable close) {
      return new RouterFixture() {
        @Override
        public Router router() {
          return router;
        }

        @Override
        public Environment blue() {
          return blue;
        }

        @Override
        public Environment green() {
          return green;
        }

        @Override
        public long backendRequests() {
          return requests.getAsLong();
        }

        @Override
        public long backendWrites() {
          return writes.getAsLong();
        }

        @Override
        public void close() {
          try {
            close.close();
          } catch (RuntimeException e) {
            throw e;
          } catch (Exception e) {
            if (e instanceof InterruptedException) {
              Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not release the contract test's backend: " + e, e);
          }
        }
      };
    }
  }

  /** A fixture with hooks added by the {@code with...} methods. */
  private static final class Decorated implements RouterFixture {
    private final RouterFixture self;
    private final Optional<OutOfBandWriter> outOfBand;
    private final Optional<Supplier<String>> everythingButWeights;
    private final TimeSource time;

    Decorated(RouterFixture self, Optional<OutOfBandWriter> outOfBand, Optional<Supplier<String>> everythingButWeights, TimeSource time) {
      this.self = self instanceof Decorated d ? d.self : self;
      this.outOfBand = outOfBand;
      this.everythingButWeights = everythingButWeights;
      this.time = time;
    }

    @Override
    public Router router() {
      return self.router();
    }

    @Override
    public Environment blue() {
      return self.blue();
    }

    @Override
    public Environment green() {
      return self.green();
    }

    @Override
    public long backendRequests() {
      return self.backendRequests();
    }

    @Override
    public long backendWrites() {
      return self.backendWrites();
    }

    @Override
    public int maxVerifyPolls() {
      return self.maxVerifyPolls();
    }

    @Override
    public Duration verifyPollInterval() {
      return self.verifyPollInterval();
    }

    @Override
    public TimeSource time() {
      return time;
    }

    @Override
    public Optional<OutOfBandWriter> outOfBand() {
      return outOfBand;
    }

    @Override
    public Optional<Supplier<String>> everythingButWeights() {
      return everythingButWeights;
    }

    @Override
    public void close() {
      self.close();
    }
  }

  /**
   * Changes the route's backend directly, as another writer would (a {@code kubectl edit}, a console
   * click, another pipeline), so that the kit can prove the router reads the real state every time
   * and that a plan reports drift instead of overwriting it. Write it with your backend's own client.
   *
   * <pre>{@code
   * RouterFixture.of(router, BLUE, GREEN, proxy::requestCount, proxy::writeCount, proxy::close)
   *     .withOutOfBand(new OutOfBandWriter() {
   *       public void write(TrafficSplit split) { proxyAdmin.put("/weights", split.toString()); }
   *       public String writeUnmapped() { proxyAdmin.put("/weights", "red=100"); return "red"; }
   *     });
   * }</pre>
   */
  public interface OutOfBandWriter {

    /**
     * Puts {@code split} in place on the backend without going through the router under test.
     *
     * @param split a split over the fixture's blue and green
     * @throws Exception if the backend refuses
     */
    void write(TrafficSplit split) throws Exception;

    /**
     * Puts the route in a state that no environment maps to (a selector value, backend or target
     * no environment owns), without going through the router under test.
     *
     * @return a fragment the router must name when it reports that state (e.g. {@code "red"})
     * @throws Exception if the backend refuses
     */
    String writeUnmapped() throws Exception;
  }

  /**
   * Creates a router on a fresh backend where all traffic goes to {@code blue()}.
   *
   * @return the fixture; closed after each test
   * @throws Exception if the backend cannot be set up
   */
  protected abstract RouterFixture createFixture() throws Exception;

  private RouterFixture fixture;

  /** @return the fixture of the running test */
  protected final RouterFixture fixture() {
    return fixture;
  }

  @BeforeEach
  final void createContractFixture() throws Exception {
    fixture = createFixture();
    assertNotNull(fixture, "createFixture() returned null");
  }

  @AfterEach
  final void closeContractFixture() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  // ----------------------------------------------------------------------------------- helpers

  private Router router() {
    return fixture.router();
  }

  private Environment blue() {
    return fixture.blue();
  }

  private Environment green() {
    return fixture.green();
  }

  private TrafficSplit split(int blueWeight) {
    return TrafficSplit.of(blue(), blueWeight, green(), 100 - blueWeight);
  }

  /** The splits to try: atomic ones always; weighted ones when the router says it can. */
  private List<TrafficSplit> expressibleSplits() {
    List<TrafficSplit> splits = new ArrayList<>();
    RouterCapabilities caps = router().capabilities();
    if (caps.isWeighted()) {
      int step = caps.granularityPercent();
      for (int greenWeight : new int[] {1, 10, 33, 50, 75, 99}) {
        int rounded = Math.max(step, Math.min(100 - step, greenWeight / step * step));
        TrafficSplit s = split(100 - rounded);
        if (!splits.contains(s)) {
          splits.add(s);
        }
      }
    }
    splits.add(split(0));
    splits.add(split(100));
    return splits;
  }

  private void awaitVerified(TrafficSplit expected) throws InterruptedException {
    Verification last = null;
    for (int i = 0; i < fixture.maxVerifyPolls(); i++) {
      last = router().verify(expected);
      if (last.isVerified()) {
        return;
      }
      if (last.status() == Verification.Status.UNSUPPORTED) {
        assertEquals(expected, router().current(), "verify() is UNSUPPORTED, so current() must show the applied split");
        return;
      }
      fixture.time().sleep(fixture.verifyPollInterval());
    }
    fail("verify(" + expected + ") never became VERIFIED after " + fixture.maxVerifyPolls() + " polls; last: " + last);
  }

  private OutOfBandWriter outOfBand() {
    Optional<OutOfBandWriter> writer = fixture.outOfBand();
    Assumptions.assumeTrue(writer.isPresent(), "skipped: the fixture has no out-of-band writer; give it one with"
        + " RouterFixture.withOutOfBand(...) (a direct call with the backend's own client) so the kit can check for caching and drift");
    return writer.get();
  }

  private void writeOutOfBand(TrafficSplit split) {
    OutOfBandWriter writer = outOfBand();
    try {
      writer.write(split);
    } catch (Exception e) {
      throw new IllegalStateException("the fixture's out-of-band writer failed to write " + split + ": " + e, e);
    }
  }

  private String writeUnmappedOutOfBand() {
    OutOfBandWriter writer = outOfBand();
    String fragment;
    try {
      fragment = writer.writeUnmapped();
    } catch (Exception e) {
      throw new IllegalStateException("the fixture's out-of-band writer failed to write an unmapped state: " + e, e);
    }
    assertFalse(fragment == null || fragment.isBlank(), "OutOfBandWriter.writeUnmapped() must return a fragment the router must name");
    return fragment;
  }

  private StageSchedule stagedSchedule() {
    int step = router().capabilities().granularityPercent();
    int first = Math.max(step, 10 / step * step);
    int second = Math.max(first + step, 50 / step * step);
    return StageSchedule.targetWeights(Duration.ofMinutes(1), first, second, 100);
  }

  private SwitchPlan.Builder plan(StageSchedule schedule, VirtualClock clock) {
    return SwitchPlan.builder()
        .name("contract")
        .router(router())
        .from(blue()).to(green())
        .schedule(schedule)
        .gateInterval(Duration.ofSeconds(10))
        .lock(new InProcessRouteLock())
        .time(clock)
        .waitForClientConvergence(false);
  }

  /** The first stage of a switch, baked 5 minutes; a gate runs {@code action} once, 30 s into the bake, on the plan's thread. */
  private SwitchResult planWithAnActionDuringTheFirstBake(Runnable action) {
    int first = router().capabilities().isWeighted() ? Math.max(router().capabilities().granularityPercent(), 10) : 100;
    StageSchedule schedule = first == 100 ? StageSchedule.allAtOnce(Duration.ofMinutes(5))
        : StageSchedule.targetWeights(Duration.ofMinutes(5), first, 100);
    AtomicBoolean done = new AtomicBoolean();
    ScriptedGate gate = ScriptedGate.of("another-writer-30s-into-stage-1", ctx -> {
      if (ctx.stageNumber().orElse(0) == 1 && !ctx.now().isBefore(ctx.phaseStartedAt().plusSeconds(30)) && done.compareAndSet(false, true)) {
        action.run();
      }
      return GateResult.healthy();
    });
    SwitchResult result = plan(schedule, VirtualClock.create()).gate(gate).build().execute();
    assertTrue(done.get(), "the other writer never ran: " + result.summary());
    return result;
  }

  // ----------------------------------------------------------------------------------- groups

  /** current(): what the backend holds, read every time. */
  @Nested
  @DisplayName("reads")
  class Reads {

    @Test
    @DisplayName("describes itself without calling the backend")
    void describesItselfWithoutBackendCalls() {
      long before = fixture.backendRequests();
      assertFalse(router().routeId() == null || router().routeId().isBlank(), "routeId() must be a stable, non-blank id");
      assertTrue(router().environments().contains(blue()), "environments() must list " + blue());
      assertTrue(router().environments().contains(green()), "environments() must list " + green());
      assertNotNull(router().capabilities(), "capabilities() must not be null");
      router().validate(split(100));
      assertEquals(before, fixture.backendRequests(), "routeId(), environments(), capabilities() and validate() must not call the backend");
    }

    @Test
    @DisplayName("current() reads the real state: all traffic on blue at the start")
    void readsTheInitialSplit() {
      assertEquals(split(100), router().current());
    }

    @Test
    @DisplayName("current() reads the backend every time: no caching (an out-of-band change shows at once)")
    void currentReadsTheBackendEveryTime() {
      OutOfBandWriter writer = outOfBand();
      assertNotNull(writer);
      assertEquals(split(100), router().current());
      long before = fixture.backendRequests();
      writeOutOfBand(split(0));
      assertEquals(split(0), router().current(), "current() after another writer put " + split(0) + " in place");
      writeOutOfBand(split(100));
      assertEquals(split(100), router().current(), "current() after another writer put " + split(100) + " back");
      assertTrue(fixture.backendRequests() > before, "current() must call the backend");
    }
  }

  /** apply(): exact, one write per change, none when nothing changes, idempotent, nothing but the weights. */
  @Nested
  @DisplayName("writes and idempotence")
  class Writes {

    @Test
    @DisplayName("every split the router claims to express round-trips exactly and verifies")
    void roundTripsEveryExpressibleSplit() throws Exception {
      for (TrafficSplit s : expressibleSplits()) {
        router().apply(s);
        awaitVerified(s);
        assertEquals(s, router().current(), "current() after apply(" + s + ")");
      }
    }

    @Test
    @DisplayName("applying the split already in place writes nothing")
    void applyingTheCurrentSplitWritesNothing() throws Exception {
      long before = fixture.backendWrites();
      router().apply(router().current());
      assertEquals(before, fixture.backendWrites(), "apply(current()) must not write");

      TrafficSplit other = split(0);
      router().apply(other);
      awaitVerified(other);
      long afterFirst = fixture.backendWrites();
      router().apply(other);
      assertEquals(afterFirst, fixture.backendWrites(), "a second apply of the same split must not write");
    }

    @Test
    @DisplayName("one change is exactly one backend write")
    void oneWritePerChange() {
      long before = fixture.backendWrites();
      router().apply(split(0));
      assertEquals(before + 1, fixture.backendWrites(), "apply() of a new split must make exactly one write");
    }

    @Test
    @DisplayName("apply is idempotent: applying a split again leaves exactly that split, every time")
    void applyIsIdempotent() throws Exception {
      TrafficSplit target = expressibleSplits().get(0).equals(split(100)) ? split(0) : expressibleSplits().get(0);
      for (int i = 1; i <= 3; i++) {
        router().apply(target);
        awaitVerified(target);
        assertEquals(target, router().current(), "current() after applying " + target + " " + i + " time(s)");
      }
      router().apply(split(100));
      awaitVerified(split(100));
      router().apply(split(100));
      assertEquals(split(100), router().current(), "current() after applying " + split(100) + " twice");
    }

    @Test
    @DisplayName("apply changes nothing but the weights")
    void applyChangesNothingButTheWeights() throws Exception {
      Optional<Supplier<String>> describer = fixture.everythingButWeights();
      Assumptions.assumeTrue(describer.isPresent(), "skipped: the fixture does not describe the route without its weights; give it"
          + " RouterFixture.withEverythingButWeights(...) so the kit can check that apply changes nothing else");
      String before = describer.get().get();
      for (TrafficSplit s : expressibleSplits()) {
        router().apply(s);
        awaitVerified(s);
        assertEquals(before, describer.get().get(), "apply(" + s + ") changed something besides the weights");
      }
    }
  }

  /** validate(): what the backend cannot express never reaches it. */
  @Nested
  @DisplayName("validation")
  class Validation {

    @Test
    @DisplayName("invalid splits are rejected before any backend call")
    void invalidSplitsRejectedBeforeAnyBackendCall() {
      long before = fixture.backendRequests();
      Environment stranger = Environment.of("not-routed-" + Long.toHexString(System.nanoTime()));
      TrafficSplit unknown = TrafficSplit.of(blue(), 50, stranger, 50);
      InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> router().apply(unknown));
      assertTrue(e.getMessage().contains(stranger.name()), "the message must name the unknown environment: " + e.getMessage());
      assertThrows(InvalidConfigurationException.class, () -> router().apply(TrafficSplit.allTo(stranger)));
      if (!router().capabilities().isWeighted()) {
        assertThrows(InvalidConfigurationException.class, () -> router().apply(split(50)),
            "an atomic-only router must reject a weighted split");
      }
      assertEquals(before, fixture.backendRequests(), "rejected splits must not reach the backend");
      assertEquals(split(100), router().current(), "nothing may have changed");
    }
  }

  /** capabilities(), verify() and preflight() say only what is true. */
  @Nested
  @DisplayName("capabilities")
  class Capabilities {

    @Test
    @DisplayName("capabilities are honest")
    void capabilitiesAreHonest() throws Exception {
      RouterCapabilities caps = router().capabilities();
      if (caps.isWeighted()) {
        TrafficSplit weighted = expressibleSplits().get(0);
        router().apply(weighted);
        awaitVerified(weighted);
        assertEquals(weighted, router().current(), "a weighted router must store " + weighted + " exactly");
      } else {
        assertThrows(InvalidConfigurationException.class, () -> router().validate(split(90)),
            "atomic-only: validate() must reject a weighted split");
        assertThrows(InvalidConfigurationException.class, () -> SwitchPlan.builder().router(router()).from(blue()).to(green())
            .schedule(StageSchedule.linear(50, Duration.ofMinutes(1))).build(), "a staged plan on an atomic-only router must not build");
      }
      assertTrue(caps.maxEnvironments() >= 2, "a router must handle at least two environments");
    }

    @Test
    @DisplayName("verify never claims a split that is not in place")
    void verifyDoesNotClaimAnUnappliedSplit() {
      Verification v = router().verify(split(0));
      assertFalse(v.isVerified(), "verify(blue=0 green=100) while blue has all traffic returned " + v);
    }

    @Test
    @DisplayName("preflight passes for a ready target and makes no write")
    void preflightPassesWithoutWriting() {
      long before = fixture.backendWrites();
      router().preflight(split(0));
      assertEquals(before, fixture.backendWrites(), "preflight must be read-only");
    }
  }

  /** Another writer changes the backend: the router reports what it finds, a plan stops without fighting. */
  @Nested
  @DisplayName("drift and out-of-band changes")
  class Drift {

    @Test
    @DisplayName("a state no environment maps to is reported as such, naming it")
    void unmappedStateIsReported() {
      String fragment = writeUnmappedOutOfBand();
      UnmappedRouteStateException e = assertThrows(UnmappedRouteStateException.class, () -> router().current(),
          "current() on a route in a state no environment maps to must throw UnmappedRouteStateException");
      assertTrue(e.found().contains(fragment), "UnmappedRouteStateException.found() must name " + fragment + ": " + e.found());
    }

    @Test
    @DisplayName("drift during a bake is reported, and not overwritten")
    void driftDuringABakeIsReportedAndNotOverwritten() {
      outOfBand();
      AtomicLong writesAfterDrift = new AtomicLong(-1);
      SwitchResult result = planWithAnActionDuringTheFirstBake(() -> {
        writeOutOfBand(split(100)); // an operator puts everything back on blue
        writesAfterDrift.set(fixture.backendWrites());
      });
      assertEquals(Outcome.ABORTED, result.outcome(), "a plan whose route changed during a bake must stop: " + result.summary());
      assertFalse(result.events(SwitchEvent.DriftDetected.class).isEmpty(), "a DriftDetected event: " + result.summary());
      assertTrue(result.cause().orElse(null) instanceof DriftDetectedException, "the cause is a DriftDetectedException");
      assertEquals(writesAfterDrift.get(), fixture.backendWrites(), "the router wrote after the drift (it fought the other writer)");
      assertEquals(split(100), router().current(), "the other writer's split must still be in place");
      assertEquals(Optional.of(split(100)), result.trafficNow(), "the result reports what was read");
    }

    @Test
    @DisplayName("a plan reports a state no environment maps to as drift, naming it, and does not overwrite it")
    void unmappedStateDuringABakeIsReportedAsDrift() {
      outOfBand();
      String[] fragment = new String[1];
      AtomicLong writesAfterDrift = new AtomicLong(-1);
      SwitchResult result = planWithAnActionDuringTheFirstBake(() -> {
        fragment[0] = writeUnmappedOutOfBand();
        writesAfterDrift.set(fixture.backendWrites());
      });
      assertEquals(Outcome.ABORTED, result.outcome(), result.summary());
      List<SwitchEvent.DriftDetected> drift = result.events(SwitchEvent.DriftDetected.class);
      assertFalse(drift.isEmpty(), "a DriftDetected event: " + result.summary());
      assertTrue(drift.get(0).found().contains(fragment[0]), "DriftDetected.found() must name " + fragment[0] + ": " + drift.get(0).found());
      assertEquals(TrafficObservation.Kind.UNMAPPED, result.traffic().kind(), "the result reports the state read: " + result.summary());
      assertEquals(writesAfterDrift.get(), fixture.backendWrites(), "the router wrote after the drift (it fought the other writer)");
    }
  }

  /** Real plans on a virtual clock. */
  @Nested
  @DisplayName("under a plan")
  class UnderAPlan {

    @Test
    @DisplayName("a staged plan completes with one write per stage")
    void planCompletesWithOneWritePerStage() {
      boolean weighted = router().capabilities().isWeighted();
      StageSchedule schedule = weighted ? stagedSchedule() : StageSchedule.allAtOnce();
      long before = fixture.backendWrites();
      SwitchResult result = plan(schedule, VirtualClock.create()).gate(ScriptedGate.healthy()).build().execute();
      assertEquals(Outcome.COMPLETED, result.outcome(), result.summary());
      assertEquals(schedule.size(), fixture.backendWrites() - before, "writes for " + schedule.size() + " stages");
      assertEquals(split(0), router().current());
      assertTrue(result.isTrafficNowVerified(), "the final split must be verified");
    }

    @Test
    @DisplayName("a failed plan rolls back to the exact prior split")
    void rollbackRestoresTheExactPriorSplit() throws Exception {
      boolean weighted = router().capabilities().isWeighted();
      TrafficSplit prior = split(100);
      if (weighted) {
        prior = expressibleSplits().stream().filter(s -> s.weightOf(green()) > 0 && s.weightOf(green()) < 50)
            .reduce((a, b) -> b).orElse(split(100));
        router().apply(prior);
        awaitVerified(prior);
      }
      StageSchedule schedule = weighted ? stagedSchedule() : StageSchedule.allAtOnce(Duration.ofMinutes(1));
      int failingStage = weighted ? schedule.size() - 1 : 1;
      SwitchResult result = plan(schedule, VirtualClock.create())
          .gate(ScriptedGate.unhealthyDuringStage(failingStage, "contract test: green broke")).build().execute();
      assertEquals(Outcome.ROLLED_BACK, result.outcome(), result.summary());
      assertEquals(prior, router().current(), "rollback must restore the split found at start");
      assertEquals(prior, result.trafficNow().orElseThrow());
      assertTrue(result.isTrafficNowVerified(), "the rollback must be verified");
    }
  }

  /** A write guard of the router's own: it answers with what it wrote, and a refused guard is drift, not a write. */
  @Nested
  @DisplayName("guarded writes")
  class GuardedWrites {

    private WriteGuard claimedGuard() {
      WriteGuard guard = router().capabilities().writeGuard();
      Assumptions.assumeTrue(guard.isRouterGuarded(), "skipped: the router claims no write guard of its own"
          + " (capabilities().writeGuard() is ENGINE), so plans write through current(), apply() and verify()");
      return guard;
    }

    @Test
    @DisplayName("applyIfUnchanged writes the target once and answers with the state the backend holds")
    void answersWithTheStateItWrote() throws Exception {
      claimedGuard();
      TrafficSplit target = expressibleSplits().get(0).equals(split(100)) ? split(0) : expressibleSplits().get(0);
      assertEquals(split(100), router().current(), "a plan always reads the route before its first write");
      long writes = fixture.backendWrites();
      WriteResult result = router().applyIfUnchanged(split(100), target, WritePurpose.STAGE);
      assertNotNull(result, "applyIfUnchanged must not return null");
      assertTrue(result.written(), "applyIfUnchanged(" + split(100) + " -> " + target + ") on a route holding " + split(100)
          + " must write: " + result);
      assertEquals(writes + 1, fixture.backendWrites(), "one guarded write is exactly one backend write");
      assertTrue(result.observed().isPresent() || !result.verification().isVerified(),
          "a VERIFIED answer must carry the split the backend holds (Verification.verified(split)): " + result);
      result.observed().ifPresent(observed -> assertEquals(target, observed,
          "applyIfUnchanged must answer with the state it wrote, from the write's response: " + result));
      assertTrue(result.verification().status() != Verification.Status.UNSUPPORTED,
          "a router with a write guard of its own must say what it wrote (VERIFIED or PENDING): " + result);
      awaitVerified(target);
      assertEquals(target, router().current(), "current() after applyIfUnchanged(.., " + target + ")");
    }

    @Test
    @DisplayName("applyIfUnchanged of the split in place writes nothing")
    void targetInPlaceWritesNothing() {
      claimedGuard();
      assertEquals(split(100), router().current());
      long writes = fixture.backendWrites();
      WriteResult result = router().applyIfUnchanged(split(100), split(100), WritePurpose.STAGE);
      assertFalse(result.written(), "the target was in place: " + result);
      assertEquals(writes, fixture.backendWrites(), "applyIfUnchanged of the split in place must not write");
      result.observed().ifPresent(observed -> assertEquals(split(100), observed, "the answer must say what is in place"));
    }

    @Test
    @DisplayName("a guard that finds another writer's split is drift naming it, and nothing is written over it")
    void refusedGuardOnAnotherSplitIsDrift() {
      claimedGuard();
      Assumptions.assumeTrue(router().capabilities().isWeighted(), "skipped: an atomic-only route has no third split to drift to"
          + " (the unmapped-state check covers it)");
      OutOfBandWriter writer = outOfBand();
      assertNotNull(writer);
      assertEquals(split(100), router().current(), "the router's last read: all on blue");
      TrafficSplit other = expressibleSplits().stream().filter(s -> !s.equals(split(100)) && !s.equals(split(0))).findFirst()
          .orElseThrow();
      writeOutOfBand(other);
      DriftDetectedException e = assertThrows(DriftDetectedException.class,
          () -> router().applyIfUnchanged(split(100), split(0), WritePurpose.ROLLBACK),
          "applyIfUnchanged(" + split(100) + " -> " + split(0) + ") on a route another writer moved to " + other + " must refuse");
      assertEquals(Optional.of(other), e.actual(), "the drift must say what was found: " + e.getMessage());
      assertEquals(other, router().current(), "the other writer's split must still be in place");
    }

    @Test
    @DisplayName("a guard that finds a state no environment maps to is drift naming it, and nothing is written over it")
    void refusedGuardOnAnUnmappedStateIsDrift() {
      claimedGuard();
      assertEquals(split(100), router().current(), "the router's last read: all on blue");
      String fragment = writeUnmappedOutOfBand();
      RuntimeException e = assertThrows(RuntimeException.class,
          () -> router().applyIfUnchanged(split(100), split(0), WritePurpose.ROLLBACK));
      String found = e instanceof DriftDetectedException d ? d.found()
          : e instanceof UnmappedRouteStateException u ? u.found() : null;
      assertNotNull(found, "a refused guard must be a DriftDetectedException or an UnmappedRouteStateException, not " + e);
      assertTrue(found.contains(fragment), "the drift must name " + fragment + ": " + found);
      UnmappedRouteStateException still = assertThrows(UnmappedRouteStateException.class, () -> router().current(),
          "the other writer's state must still be in place");
      assertTrue(still.found().contains(fragment), still.found());
    }

    @Test
    @DisplayName("a plan's rollback whose guard finds another writer reports drift and writes nothing over it")
    void aPlanWhoseRollbackGuardIsRefusedReportsDrift() {
      claimedGuard();
      outOfBand();
      boolean weighted = router().capabilities().isWeighted();
      StageSchedule schedule = weighted ? stagedSchedule() : StageSchedule.allAtOnce(Duration.ofMinutes(1));
      AtomicLong writesAfterDrift = new AtomicLong(-1);
      String[] fragment = new String[1];
      SwitchResult result = plan(schedule, VirtualClock.create())
          .gate(ScriptedGate.unhealthyDuringStage(1, "contract test: green broke"))
          .listener(e -> {
            if (e instanceof SwitchEvent.RollbackStarted) {
              fragment[0] = writeUnmappedOutOfBand();
              writesAfterDrift.set(fixture.backendWrites());
            }
          }).build().execute();
      assertEquals(Outcome.ABORTED, result.outcome(), "a rollback must not write over another writer: " + result.summary());
      List<SwitchEvent.DriftDetected> drift = result.events(SwitchEvent.DriftDetected.class);
      assertFalse(drift.isEmpty(), "a DriftDetected event: " + result.summary());
      assertTrue(drift.get(0).found().contains(fragment[0]), "DriftDetected.found() must name " + fragment[0] + ": " + drift.get(0).found());
      assertEquals(TrafficObservation.Kind.UNMAPPED, result.traffic().kind(), "the result reports the state found: " + result.summary());
      assertThrows(UnmappedRouteStateException.class, () -> router().current(), "the other writer's state must still be in place");
      assertTrue(fixture.backendWrites() - writesAfterDrift.get() <= 1,
          "at most the refused conditional write may reach the backend after the drift");
    }

    @Test
    @DisplayName("a CONDITIONAL router rolls a plan back in exactly one backend request, verified by the write's answer")
    void conditionalRollbackIsOneRequest() {
      Assumptions.assumeTrue(claimedGuard() == WriteGuard.CONDITIONAL, "skipped: the router's guard is "
          + router().capabilities().writeGuard() + ", which reads before it writes");
      boolean weighted = router().capabilities().isWeighted();
      StageSchedule schedule = weighted ? stagedSchedule() : StageSchedule.allAtOnce(Duration.ofMinutes(1));
      AtomicLong atStart = new AtomicLong(-1);
      AtomicLong atEnd = new AtomicLong(-1);
      SwitchResult result = plan(schedule, VirtualClock.create())
          .gate(ScriptedGate.unhealthyDuringStage(1, "contract test: green broke"))
          .listener(e -> {
            if (e instanceof SwitchEvent.RollbackStarted) {
              atStart.set(fixture.backendRequests());
            } else if (e instanceof SwitchEvent.RollbackCompleted) {
              atEnd.set(fixture.backendRequests());
            }
          }).build().execute();
      assertEquals(Outcome.ROLLED_BACK, result.outcome(), result.summary());
      assertTrue(result.isTrafficNowVerified(), "the rollback must be verified: " + result.summary());
      assertEquals(split(100), router().current());
      assertEquals(1, atEnd.get() - atStart.get(), "backend requests from RollbackStarted to RollbackCompleted");
    }
  }
}
