package io.bluegreen.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.bluegreen.core.DriftDetectedException;
import io.bluegreen.core.Environment;
import io.bluegreen.core.PreflightReport;
import io.bluegreen.core.Router;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.UnmappedRouteStateException;
import io.bluegreen.core.Verification;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.core.WritePurpose;
import io.bluegreen.core.WriteResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kit must be able to fail: {@link RouterContractTest} runs, through the JUnit Platform
 * Launcher, against deliberately broken routers (each a small {@link SimpleRouter} over an
 * {@link InMemoryRouter} backend with one bug), and each must fail the kit tests that exist to catch
 * that bug. The same router without a bug passes every test, so the failures are the bugs'.
 */
class RouterContractKitCatchesBrokenRoutersTest {

  private static final Logger LOG = LoggerFactory.getLogger(RouterContractKitCatchesBrokenRoutersTest.class);
  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final Map<String, Set<String>> CAUGHT = new ConcurrentHashMap<>();
  /** The kits below fail on purpose: a build that selects them by name (e.g. -Dtest=...) skips them; the launcher here runs them. */
  static final String ONLY_THROUGH_OWN_LAUNCHER = "runs only through RouterContractKitCatchesBrokenRoutersTest's own launcher";

  // ------------------------------------------------------------------------------- the routers

  /**
   * A correct router over an in-memory backend: reads it every time, validates first, writes once
   * and only when the split changes, verifies by reading back. The backend counts every call, and
   * holds a setting besides the weights (a selector key) that apply must keep.
   */
  static class SimpleRouter implements Router {
    final InMemoryRouter backend = InMemoryRouter.builder().routeId("broken/route").environments(BLUE, GREEN).build();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    volatile Map<String, String> otherSettings = Map.of("app", "shop");

    @Override
    public String routeId() {
      return "broken/route";
    }

    @Override
    public List<Environment> environments() {
      return List.of(BLUE, GREEN);
    }

    @Override
    public RouterCapabilities capabilities() {
      return RouterCapabilities.weighted();
    }

    TrafficSplit backendRead() {
      requests.incrementAndGet();
      return backend.current();
    }

    void backendWrite(TrafficSplit split) {
      requests.incrementAndGet();
      writes.incrementAndGet();
      backend.apply(split);
    }

    @Override
    public TrafficSplit current() {
      return backendRead();
    }

    @Override
    public void apply(TrafficSplit target) {
      validate(target);
      if (!current().equals(target)) {
        backendWrite(target);
      }
    }

    @Override
    public Verification verify(TrafficSplit expected) {
      return Verification.compare(expected, current());
    }

    @Override
    public PreflightReport preflight(TrafficSplit target) {
      validate(target);
      backendRead();
      return PreflightReport.ok();
    }
  }

  /** Writes twice per apply (e.g. the weights of each environment in a request of its own). */
  static final class WritesTwicePerApply extends SimpleRouter {
    @Override
    public void apply(TrafficSplit target) {
      validate(target);
      if (!current().equals(target)) {
        backendWrite(target);
        backendWrite(target);
      }
    }
  }

  /** Writes even when the split is already in place. */
  static final class WritesWhenNothingChanged extends SimpleRouter {
    @Override
    public void apply(TrafficSplit target) {
      validate(target);
      backendWrite(target);
    }
  }

  /** verify() says VERIFIED without reading anything. */
  static final class AlwaysVerified extends SimpleRouter {
    @Override
    public Verification verify(TrafficSplit expected) {
      return Verification.verified(expected);
    }
  }

  /** Reads the backend before validating, so an invalid split costs a request. */
  static final class CallsTheBackendBeforeValidating extends SimpleRouter {
    @Override
    public void apply(TrafficSplit target) {
      TrafficSplit now = current();
      validate(target);
      if (!now.equals(target)) {
        backendWrite(target);
      }
    }
  }

  /** Caches current() (refreshed only by its own writes): changes by another writer are never seen. */
  static final class CachesCurrent extends SimpleRouter {
    private volatile TrafficSplit cached;

    @Override
    public TrafficSplit current() {
      TrafficSplit c = cached;
      if (c == null) {
        c = backendRead();
        cached = c;
      }
      return c;
    }

    @Override
    void backendWrite(TrafficSplit split) {
      super.backendWrite(split);
      cached = split;
    }
  }

  /** Rewrites the whole route on apply, dropping a setting besides the weights (as a Service selector losing app=shop). */
  static final class ChangesMoreThanWeights extends SimpleRouter {
    @Override
    void backendWrite(TrafficSplit split) {
      super.backendWrite(split);
      otherSettings = Map.of();
    }
  }

  /** Applies the change it computed once, against the split it found when built: applying the same split again moves traffic again. */
  static final class NotIdempotent extends SimpleRouter {
    private final TrafficSplit baseline = TrafficSplit.of(BLUE, 100, GREEN, 0);

    @Override
    public void apply(TrafficSplit target) {
      validate(target);
      int delta = target.weightOf(GREEN) - baseline.weightOf(GREEN);
      int green = Math.max(0, Math.min(100, current().weightOf(GREEN) + delta));
      if (green != current().weightOf(GREEN)) {
        backendWrite(TrafficSplit.of(BLUE, 100 - green, GREEN, green));
      }
    }
  }

  /**
   * A correct router with a write guard of its own ({@link WriteGuard#CONDITIONAL}): one request per
   * guarded write, refused when the backend holds neither the expected split nor the target,
   * answered with what it stored.
   */
  static class GuardedRouter extends SimpleRouter {
    @Override
    public RouterCapabilities capabilities() {
      return RouterCapabilities.builder().writeGuard(WriteGuard.CONDITIONAL).build();
    }

    @Override
    public WriteResult applyIfUnchanged(TrafficSplit expected, TrafficSplit target, WritePurpose purpose) {
      validate(target);
      requests.incrementAndGet();
      Optional<String> unmapped = backend.peekUnmapped();
      if (unmapped.isPresent()) {
        throw new UnmappedRouteStateException(routeId(), unmapped.get(), "put the route back by hand");
      }
      TrafficSplit now = backend.peek();
      if (now.equals(target)) {
        return WriteResult.alreadyInPlace(Verification.verified(now));
      }
      if (!now.equals(expected)) {
        throw new DriftDetectedException(expected, now, routeId());
      }
      store(target);
      return WriteResult.written(Verification.verified(answer(expected, target)));
    }

    void store(TrafficSplit target) {
      writes.incrementAndGet();
      backend.changeExternally(target);
    }

    TrafficSplit answer(TrafficSplit expected, TrafficSplit target) {
      return target;
    }
  }

  /** Its guard writes over whatever it finds: another writer's split, or a state no environment maps to. */
  static final class GuardThatWritesOverAnotherWriter extends GuardedRouter {
    @Override
    public WriteResult applyIfUnchanged(TrafficSplit expected, TrafficSplit target, WritePurpose purpose) {
      validate(target);
      requests.incrementAndGet();
      store(target);
      return WriteResult.written(Verification.verified(target));
    }
  }

  /** Answers its guarded write with the state before the write. */
  static final class AnswersWithTheStateBeforeItsWrite extends GuardedRouter {
    @Override
    TrafficSplit answer(TrafficSplit expected, TrafficSplit target) {
      return expected;
    }
  }

  /** Claims a conditional write but reads the route before it (two round trips). */
  static final class ReadsBeforeItsConditionalWrite extends GuardedRouter {
    @Override
    public WriteResult applyIfUnchanged(TrafficSplit expected, TrafficSplit target, WritePurpose purpose) {
      validate(target);
      current();
      return super.applyIfUnchanged(expected, target, purpose);
    }
  }

  // ------------------------------------------------------------------------------- the kits

  /** The kit against {@code router}, with an out-of-band writer and a describer of everything but the weights. */
  static RouterContractTest.RouterFixture fixtureFor(SimpleRouter router) {
    return RouterContractTest.RouterFixture.of(router, BLUE, GREEN, router.requests::get, router.writes::get, () -> { })
        .withOutOfBand(new RouterContractTest.OutOfBandWriter() {
          @Override
          public void write(TrafficSplit split) {
            router.backend.changeExternally(split);
          }

          @Override
          public String writeUnmapped() {
            router.backend.changeExternallyToUnmapped("backend red=100");
            return "red";
          }
        })
        .withEverythingButWeights(() -> new java.util.TreeMap<>(router.otherSettings).toString())
        .withTime(VirtualClock.create()); // verify polls wait on virtual time: a broken router costs no real seconds
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class CorrectRouterKit extends RouterContractTest {
    @Override
    protected RouterFixture createFixture() {
      return fixtureFor(new SimpleRouter());
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class CorrectGuardedRouterKit extends RouterContractTest {
    @Override
    protected RouterFixture createFixture() {
      return fixtureFor(new GuardedRouter());
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class GuardThatWritesOverAnotherWriterKit extends RouterContractTest {
    @Override
    protected RouterFixture createFixture() {
      return fixtureFor(new GuardThatWritesOverAnotherWriter());
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class AnswersWithTheStateBeforeItsWriteKit extends RouterContractTest {
    @Override
    protected RouterFixture createFixture() {
      return fixtureFor(new AnswersWithTheStateBeforeItsWrite());
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class ReadsBeforeItsConditionalWriteKit extends RouterContractTest {
    @Override
    protected RouterFixture createFixture() {
      return fixtureFor(new ReadsBeforeItsConditionalWrite());
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class WritesTwicePerApplyKit extends RouterContractTest {
    @Override
    protected RouterFixture createFixture() {
      return fixtureFor(new WritesTwicePerApply());
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class WritesWhenNothingChangedKit extends RouterContractTest {
    @Override
    protected RouterFixture createFixture() {
      return fixtureFor(new WritesWhenNothingChanged());
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class AlwaysVerifiedKit extends RouterContractTest {
    @Override
    protected RouterFixture createFixture() {
      return fixtureFor(new AlwaysVerified());
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class CallsTheBackendBeforeValidatingKit extends RouterContractTest {
    @Override
    protected RouterFixture createFixture() {
      return fixtureFor(new CallsTheBackendBeforeValidating());
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class CachesCurrentKit extends RouterContractTest {
    @Override
    protected RouterFixture createFixture() {
      return fixtureFor(new CachesCurrent());
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class ChangesMoreThanWeightsKit extends RouterContractTest {
    @Override
    protected RouterFixture createFixture() {
      return fixtureFor(new ChangesMoreThanWeights());
    }
  }

  @Disabled(ONLY_THROUGH_OWN_LAUNCHER)
  static final class NotIdempotentKit extends RouterContractTest {
    @Override
    protected RouterFixture createFixture() {
      return fixtureFor(new NotIdempotent());
    }
  }

  // ------------------------------------------------------------------------------- running them

  /** What one run of the kit did: the tests that failed (by method name; a failing container as "(container ...)"), how many succeeded, and skipped ones. */
  record KitRun(Set<String> failed, int succeeded, Set<String> skipped) {
  }

  static KitRun runKit(Class<?> kit) {
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(kit))
        .configurationParameter("junit.jupiter.conditions.deactivate", "org.junit.*DisabledCondition").build();
    Set<String> failed = new TreeSet<>();
    Set<String> skipped = new TreeSet<>();
    int[] succeeded = {0};
    // a launcher of its own, without the listeners the build's runner registers: these failures are data, not the build's
    Launcher launcher = LauncherFactory.create(LauncherConfig.builder()
        .enableTestExecutionListenerAutoRegistration(false)
        .enableLauncherSessionListenerAutoRegistration(false)
        .enableLauncherDiscoveryListenerAutoRegistration(false)
        .enablePostDiscoveryFilterAutoRegistration(false)
        .enableTestEngineAutoRegistration(true)
        .build());
    launcher.execute(request, new TestExecutionListener() {
      @Override
      public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest()) {
          if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
            failed.add("(container " + id.getDisplayName() + ": " + result.getThrowable().map(Throwable::toString).orElse("?") + ")");
          }
          return;
        }
        String name = id.getSource().filter(org.junit.platform.engine.support.descriptor.MethodSource.class::isInstance)
            .map(s -> ((org.junit.platform.engine.support.descriptor.MethodSource) s).getMethodName()).orElse(id.getDisplayName());
        if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
          succeeded[0]++;
        } else if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
          skipped.add(name + ": " + result.getThrowable().map(Throwable::getMessage).orElse("aborted")); // an assumption
        } else {
          failed.add(name);
        }
      }

      @Override
      public void executionSkipped(TestIdentifier id, String reason) {
        skipped.add(id.getDisplayName() + ": " + reason);
      }
    });
    return new KitRun(failed, succeeded[0], skipped);
  }

  /** The kit's checks of a write guard of the router's own, skipped for a router that claims none. */
  private static final int GUARDED_WRITE_CHECKS = 6;

  @Test
  void theKitPassesTheSameRouterWithoutABug() {
    KitRun run = runKit(CorrectRouterKit.class);
    assertThat(run.failed()).as("a correct router fails no kit test").isEmpty();
    assertThat(run.skipped()).as("only the guarded-write checks are skipped, for a router that claims no guard")
        .hasSize(GUARDED_WRITE_CHECKS).allMatch(s -> s.contains("claims no write guard"));
    assertThat(run.succeeded()).as("kit tests run").isEqualTo(17);
  }

  @Test
  void theKitPassesARouterWithACorrectWriteGuardOfItsOwn() {
    KitRun run = runKit(CorrectGuardedRouterKit.class);
    assertThat(run.failed()).as("a correct guarded router fails no kit test").isEmpty();
    assertThat(run.skipped()).as("every check ran").isEmpty();
    assertThat(run.succeeded()).as("kit tests run").isEqualTo(17 + GUARDED_WRITE_CHECKS);
  }

  static Stream<Arguments> brokenRouters() {
    return Stream.of(
        Arguments.of("writes twice per apply", WritesTwicePerApplyKit.class,
            Set.of("oneWritePerChange", "planCompletesWithOneWritePerStage")),
        Arguments.of("writes when nothing changed", WritesWhenNothingChangedKit.class,
            Set.of("applyingTheCurrentSplitWritesNothing")),
        Arguments.of("verify that always says VERIFIED", AlwaysVerifiedKit.class,
            Set.of("verifyDoesNotClaimAnUnappliedSplit")),
        Arguments.of("backend call before validate", CallsTheBackendBeforeValidatingKit.class,
            Set.of("invalidSplitsRejectedBeforeAnyBackendCall")),
        Arguments.of("caching current()", CachesCurrentKit.class,
            Set.of("currentReadsTheBackendEveryTime", "driftDuringABakeIsReportedAndNotOverwritten",
                "unmappedStateDuringABakeIsReportedAsDrift")),
        Arguments.of("apply that changes something besides weights", ChangesMoreThanWeightsKit.class,
            Set.of("applyChangesNothingButTheWeights")),
        Arguments.of("apply that is not idempotent", NotIdempotentKit.class,
            Set.of("applyIsIdempotent", "applyChangesNothingButTheWeights", "roundTripsEveryExpressibleSplit",
                "planCompletesWithOneWritePerStage", "rollbackRestoresTheExactPriorSplit")),
        Arguments.of("a write guard that writes over another writer", GuardThatWritesOverAnotherWriterKit.class,
            Set.of("refusedGuardOnAnotherSplitIsDrift", "refusedGuardOnAnUnmappedStateIsDrift", "targetInPlaceWritesNothing",
                "aPlanWhoseRollbackGuardIsRefusedReportsDrift")),
        Arguments.of("a guarded write answered with the state before it", AnswersWithTheStateBeforeItsWriteKit.class,
            Set.of("answersWithTheStateItWrote", "conditionalRollbackIsOneRequest")),
        Arguments.of("a 'conditional' write that reads first", ReadsBeforeItsConditionalWriteKit.class,
            Set.of("conditionalRollbackIsOneRequest")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenRouters")
  void theKitFailsABrokenRouter(String bug, Class<? extends RouterContractTest> kit, Set<String> caughtBy) {
    KitRun run = runKit(kit);
    CAUGHT.put(bug, run.failed());
    assertThat(run.failed()).as("the kit tests that failed for the bug: %s", bug).isEqualTo(new TreeSet<>(caughtBy));
    assertThat(run.skipped()).as("every check ran, but the guarded-write checks of a router that claims no guard")
        .allMatch(s -> s.contains("claims no write guard"));
  }

  @AfterAll
  static void logWhichKitTestCaughtWhichBug() {
    StringBuilder table = new StringBuilder("\nbroken router                                  | kit tests that failed\n");
    table.append("-".repeat(47)).append("+").append("-".repeat(60)).append('\n');
    Map<String, Set<String>> ordered = new LinkedHashMap<>();
    brokenRouters().forEach(a -> ordered.put((String) a.get()[0], CAUGHT.getOrDefault((String) a.get()[0], Set.of())));
    ordered.forEach((bug, caught) -> table.append(String.format("%-46s | %s%n", bug, String.join(", ", caught))));
    LOG.info("RouterContractTest against broken routers:{}", table);
    List<String> missed = new ArrayList<>();
    ordered.forEach((bug, caught) -> {
      if (caught.isEmpty()) {
        missed.add(bug);
      }
    });
    assertThat(missed).as("broken routers the kit did not catch").isEmpty();
  }
}
