package io.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.Router;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.Verification;
import io.bluegreen.core.lock.InProcessRouteLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit every {@link Router} passes, built-in or your own (the role Micrometer's
 * {@code MeterRegistryCompatibilityKit} plays for meter registries). Extend it, return a fixture on a
 * fresh backend that sends all traffic to {@code blue()} and has ready backends for both
 * environments, and report how many requests and writes the backend saw.
 *
 * <pre>{@code
 * class MyProxyRouterContractTest extends RouterContractTest {
 *   protected RouterFixture createFixture() {
 *     FakeProxy proxy = FakeProxy.start();                 // all traffic on blue
 *     MyProxyRouter router = new MyProxyRouter(proxy.adminUri(), BLUE, GREEN);
 *     return RouterFixture.of(router, BLUE, GREEN, proxy::requestCount, proxy::writeCount, proxy::close);
 *   }
 * }
 * }</pre>
 *
 * <p>What it checks: reading the real state; a round trip of every split the router claims it can
 * express; idempotence (no write when nothing changes); exactly one write per change; invalid splits
 * rejected before any backend call; capability honesty; verify never claiming a split that is not in
 * place; and, through a real {@link SwitchPlan} on a virtual clock, a staged switch that completes
 * with one write per stage and a failed switch whose rollback restores the exact prior split.
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

    /** @return how long to wait between verify polls (real time) */
    default Duration verifyPollInterval() {
      return Duration.ofMillis(100);
    }

    /**
     * A second writer on the same backend, for the kit's drift and no-caching checks. Return one
     * that changes the backend with a direct client call (never through {@link #router()}); the
     * checks that need it are skipped, with a message, while this is empty.
     *
     * @return the out-of-band writer, if the fixture has one
     */
    default java.util.Optional<OutOfBandWriter> outOfBand() {
      return java.util.Optional.empty();
    }

    /**
     * @param writer changes the backend behind the router's back
     * @return this fixture with {@link #outOfBand()} set
     */
    default RouterFixture withOutOfBand(OutOfBandWriter writer) {
      java.util.Objects.requireNonNull(writer, "writer");
      RouterFixture self = this;
      return new RouterFixture() {
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
        public java.util.Optional<OutOfBandWriter> outOfBand() {
          return java.util.Optional.of(writer);
        }

        @Override
        public void close() {
          self.close();
        }
      };
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
    static RouterFixture of(Router router, Environment blue, Environment green, java.util.function.LongSupplier requests,
        java.util.function.LongSupplier writes, AutoCloseable close) {
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
      Thread.sleep(fixture.verifyPollInterval().toMillis());
    }
    fail("verify(" + expected + ") never became VERIFIED after " + fixture.maxVerifyPolls() + " polls; last: " + last);
  }

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
  @DisplayName("a staged plan completes with one write per stage")
  void planCompletesWithOneWritePerStage() {
    boolean weighted = router().capabilities().isWeighted();
    StageSchedule schedule = weighted ? stagedSchedule() : StageSchedule.allAtOnce();
    VirtualClock clock = VirtualClock.create();
    long before = fixture.backendWrites();
    SwitchResult result = plan(schedule, clock, ScriptedGate.healthy()).execute();
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
    VirtualClock clock = VirtualClock.create();
    SwitchResult result = plan(schedule, clock, ScriptedGate.unhealthyDuringStage(failingStage, "contract test: green broke"))
        .execute();
    assertEquals(Outcome.ROLLED_BACK, result.outcome(), result.summary());
    assertEquals(prior, router().current(), "rollback must restore the split found at start");
    assertEquals(prior, result.trafficNow().orElseThrow());
    assertTrue(result.isTrafficNowVerified(), "the rollback must be verified");
  }

  @Test
  @DisplayName("preflight passes for a ready target and makes no write")
  void preflightPassesWithoutWriting() {
    long before = fixture.backendWrites();
    router().preflight(split(0));
    assertEquals(before, fixture.backendWrites(), "preflight must be read-only");
  }

  private StageSchedule stagedSchedule() {
    int step = router().capabilities().granularityPercent();
    int first = Math.max(step, 10 / step * step);
    int second = Math.max(first + step, 50 / step * step);
    return StageSchedule.targetWeights(Duration.ofMinutes(1), first, second, 100);
  }

  private SwitchPlan plan(StageSchedule schedule, VirtualClock clock, ScriptedGate gate) {
    return SwitchPlan.builder()
        .name("contract")
        .router(router())
        .from(blue()).to(green())
        .schedule(schedule)
        .gate(gate)
        .gateInterval(Duration.ofSeconds(10))
        .lock(new InProcessRouteLock())
        .time(clock)
        .waitForClientConvergence(false)
        .build();
  }
}
