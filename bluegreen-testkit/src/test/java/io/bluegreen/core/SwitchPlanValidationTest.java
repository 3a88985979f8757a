package io.bluegreen.core;

import static io.bluegreen.core.PlanFixture.BLUE;
import static io.bluegreen.core.PlanFixture.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import io.bluegreen.testkit.InMemoryRouter;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue of the core: each input, given to a plan (or to the builder of a plan), is
 * rejected with a message that says what to fix, before the plan's router sees a single request.
 *
 * <p>Every attempt gets its routers from a {@link Fixture}, which builds each router when the attempt
 * asks for it and counts the requests of every router it built: the count is always that of the
 * routers the attempt used. {@link #everyRowFailsWhenTheRouterReadsWhileItIsBuilt} and
 * {@link #theRowsOnRouterCapabilitiesFailWhenTheRouterReadsDuringPlanBuild} prove the rows can fail:
 * run against a router that reads its backend while being configured, every row fails.
 */
@Evidence(backend = "InMemoryRouter (bluegreen-testkit), in the test's JVM")
class SwitchPlanValidationTest {

  private static final Duration MIN = Duration.ofMinutes(1);

  /** A case: what it is, how to attempt it given a fresh fixture, and words the message must contain. */
  @SuppressWarnings("deprecation") // clock(..) and sleeper(..) are refused unless they are one object
  static Stream<Arguments> badInputs() {
    return Stream.of(
        bad("weight below 0", f -> f.plan().rollbackTo(TrafficSplit.of(BLUE, -10, GREEN, 110)), "0 to 100"),
        bad("weight above 100", f -> f.plan().rollbackTo(TrafficSplit.of(BLUE, 0, GREEN, 101)), "0 to 100"),
        bad("weights not summing to 100", f -> f.plan().rollbackTo(TrafficSplit.of(BLUE, 60, GREEN, 30)), "sum to 100"),
        bad("same environment twice in a split", f -> f.plan().rollbackTo(TrafficSplit.of(BLUE, 50, BLUE, 50)), "appears twice"),
        bad("empty stages", f -> f.plan().schedule(StageSchedule.targetWeights(MIN)), "at least one stage"),
        bad("stages not ending at 100", f -> f.plan().schedule(StageSchedule.targetWeights(MIN, 10, 50, 90)), "add a final stage at 100"),
        bad("non-increasing stages", f -> f.plan().schedule(StageSchedule.targetWeights(MIN, 50, 25, 100)), "increase strictly"),
        bad("repeated stage", f -> f.plan().schedule(StageSchedule.targetWeights(MIN, 50, 50, 100)), "increase strictly"),
        bad("stage at 0", f -> f.plan().schedule(StageSchedule.targetWeights(MIN, 0, 100)), "1 to 100"),
        bad("negative stage hold", f -> f.plan().schedule(StageSchedule.linear(25, Duration.ofSeconds(-5))), "negative"),
        bad("source weights ending above 0", f -> f.plan().schedule(StageSchedule.sourceWeights(MIN, 90, 50)), "must send 100%"),
        bad("from == to", f -> f.plan().from(BLUE).to(BLUE).build(), "two different environments"),
        bad("from null", f -> f.plan().from(null).build(), "from is null"),
        bad("to null", f -> f.plan().to(null).build(), "to is null"),
        bad("router null", f -> f.plan().router(null).build(), "router is null"),
        bad("schedule null", f -> f.plan().schedule(null).build(), "schedule is null"),
        bad("environment the router does not know", f -> f.plan().to(Environment.of("purple")).build(), "not routed by"),
        bad("weighted plan on an atomic-only router", f -> f.plan(f.router(InMemoryRouter.Builder::atomicOnly))
            .schedule(StageSchedule.linear(25, MIN)).build(), "atomic-only"),
        bad("weights off the router's granularity", f -> f.plan(f.router(b -> b.capabilities(
            RouterCapabilities.builder().granularityPercent(5).build()))).schedule(StageSchedule.targetWeights(MIN, 12, 100)).build(), "multiples of 5"),
        bad("negative gate interval", f -> f.plan().gateInterval(Duration.ofSeconds(-1)).build(), "gateInterval"),
        bad("zero gate interval", f -> f.plan().gateInterval(Duration.ZERO).build(), "greater than zero"),
        bad("zero verify timeout", f -> f.plan().verifyTimeout(Duration.ZERO).build(), "verifyTimeout"),
        bad("negative plan timeout", f -> f.plan().timeout(Duration.ofMinutes(-1)).build(), "timeout"),
        bad("negative post-switch bake", f -> f.plan().postSwitchBake(Duration.ofSeconds(-1)).build(), "postSwitchBake is negative"),
        bad("negative gate grace", f -> f.plan().gateGrace(Duration.ofSeconds(-1)).build(), "gateGrace is negative"),
        bad("null gate", f -> f.plan().gate(null).build(), "gate is null"),
        bad("null pre-switch gate", f -> f.plan().preSwitchGate(null).build(), "preSwitchGate is null"),
        bad("null listener", f -> f.plan().listener(null).build(), "listener is null"),
        bad("null clock", f -> f.plan().clock(null).build(), "clock is null"),
        bad("null sleeper", f -> f.plan().sleeper(null).build(), "sleeper is null"),
        bad("null time source", f -> f.plan().time(null).build(), "time is null"),
        bad("virtual clock with the default (real) sleeper", f -> SwitchPlan.builder().router(f.router()).from(BLUE).to(GREEN)
            .clock(f.clock).build(), "time(...)"),
        bad("real clock with a virtual sleeper", f -> SwitchPlan.builder().router(f.router()).from(BLUE).to(GREEN)
            .sleeper(f.clock).build(), "not the same object"),
        bad("a clock and a sleeper that are two virtual clocks", f -> SwitchPlan.builder().router(f.router()).from(BLUE).to(GREEN)
            .clock(f.clock).sleeper(io.bluegreen.testkit.VirtualClock.create()).build(), "not the same object"),
        bad("time(...) and a clock naming another object", f -> f.plan().clock(java.time.Clock.systemUTC()).build(),
            "keep time(...) only"),
        bad("null lock", f -> f.plan().lock(null).build(), "lock is null"),
        bad("blank owner", f -> f.plan().owner("  ").build(), "owner is blank"),
        bad("plan name with a newline", f -> f.plan().name("deploy\nINFO all good").build(), "printable"),
        bad("rollbackTo naming an unknown environment", f -> f.plan().rollbackTo(TrafficSplit.allTo(Environment.of("purple"))).build(),
            "not routed by"),
        bad("environment name with spaces", f -> f.plan().to(Environment.of("my env")), "letters, digits"),
        bad("retry attempts 0", f -> f.plan().retry(RetryPolicy.builder().maxAttempts(0).build()), "1 (no retry) to 100"),
        bad("retry jitter 1.5", f -> f.plan().retry(RetryPolicy.builder().jitter(1.5).build()), "jitter"),
        bad("retry max backoff below initial", f -> f.plan().rollbackRetry(RetryPolicy.builder()
            .initialBackoff(Duration.ofSeconds(5)).maxBackoff(Duration.ofSeconds(1)).build()), "at least initialBackoff"),
        bad("canary at 100", f -> f.plan().schedule(StageSchedule.canary(100, MIN)), "allAtOnce"),
        bad("approval timeout zero", f -> f.plan().schedule(StageSchedule.builder()
            .stage(Stage.of(50, MIN).withApproval(Duration.ZERO)).stage(100, MIN).build()), "positive"));
  }

  private static Arguments bad(String what, Function<Fixture, Object> attempt, String hint) {
    return Arguments.of(what, attempt, hint);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void rejectedBeforeAnyBackendCall(String what, Function<Fixture, Object> attempt, String hint) {
    Fixture f = new Fixture(Misbehaviour.NONE);
    String message = check(what, attempt, hint, f);
    EvidenceLog.badInput("bluegreen-core", what, message, f.requests());
  }

  /**
   * The row's assertions: the exception and its advice; a router built for the attempt; no request to
   * any router it built (reads, writes, verifies and preflights all count).
   *
   * @return the exception's message
   */
  private static String check(String what, Function<Fixture, Object> attempt, String hint, Fixture f) {
    Throwable thrown = catchThrowable(() -> attempt.apply(f));
    assertThat(thrown).as(what).isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(hint);
    assertThat(f.routersBuilt()).as("routers the attempt was given: " + what).isPositive();
    assertThat(f.requests()).as("backend requests of the plan's routers after: " + what).isZero();
    assertThat(f.writes()).as("backend writes after: " + what).isZero();
    return thrown.getMessage();
  }

  @Test
  void theCatalogueIsLargeEnough() {
    assertThat(badInputs().count()).isGreaterThanOrEqualTo(20);
  }

  /** A mutated build: every router reads its backend once as it is built. Every row must fail, on the request count. */
  @Test
  void everyRowFailsWhenTheRouterReadsWhileItIsBuilt() {
    List<String> survivors = new ArrayList<>();
    badInputs().forEach(row -> {
      Object[] a = row.get();
      String what = (String) a[0];
      @SuppressWarnings("unchecked")
      Function<Fixture, Object> attempt = (Function<Fixture, Object>) a[1];
      Throwable failure = catchThrowable(() -> check(what, attempt, (String) a[2], new Fixture(Misbehaviour.READS_WHEN_BUILT)));
      if (!(failure instanceof AssertionError) || !failure.getMessage().contains("backend requests of the plan's routers")) {
        survivors.add(what + (failure == null ? " (passed)" : " (" + failure + ")"));
      }
    });
    assertThat(survivors).as("rows that did not fail on the request count against a router that reads while built").isEmpty();
  }

  /**
   * A mutated build closer to a real mistake: the router reads its backend whenever the plan's build()
   * asks it for its id, environments or capabilities. The two rows about the router's capabilities must
   * fail (they once counted the requests of a router the attempt never used, and could not).
   */
  @Test
  void theRowsOnRouterCapabilitiesFailWhenTheRouterReadsDuringPlanBuild() {
    List<String> rows = List.of("weighted plan on an atomic-only router", "weights off the router's granularity");
    badInputs().map(Arguments::get).filter(a -> rows.contains((String) a[0])).forEach(a -> {
      @SuppressWarnings("unchecked")
      Function<Fixture, Object> attempt = (Function<Fixture, Object>) a[1];
      Fixture mutant = new Fixture(Misbehaviour.READS_DURING_PLAN_BUILD);
      assertThatThrownBy(() -> check((String) a[0], attempt, (String) a[2], mutant)).as((String) a[0])
          .isInstanceOf(AssertionError.class).hasMessageContaining("backend requests of the plan's routers");
      assertThat(mutant.requests()).as("the mutant really read during build(): " + a[0]).isPositive();
    });
    assertThat(badInputs().map(Arguments::get).filter(a -> rows.contains((String) a[0]))).hasSize(2);
  }

  /** How the routers of a mutated build misbehave. */
  enum Misbehaviour {
    /** Routers that never call their backend before a plan runs. */
    NONE,
    /** Each router reads its backend once as it is built (a builder that checks the route exists). */
    READS_WHEN_BUILT,
    /** Each router reads its backend whenever asked for its id, environments or capabilities, as SwitchPlan.build() does. */
    READS_DURING_PLAN_BUILD
  }

  /**
   * What an attempt gets: a plan builder on a router, more routers on request, a virtual clock. Every
   * router is built when the attempt asks for it, and counted.
   */
  static final class Fixture {
    final VirtualClock clock = VirtualClock.create();
    private final Misbehaviour misbehaviour;
    private final List<InMemoryRouter> built = new ArrayList<>();

    Fixture(Misbehaviour misbehaviour) {
      this.misbehaviour = misbehaviour;
    }

    /** @return a router between blue and green, all traffic on blue */
    Router router() {
      return router(b -> b);
    }

    /** @return a router between blue and green, configured further by {@code configure} */
    Router router(UnaryOperator<InMemoryRouter.Builder> configure) {
      InMemoryRouter router = configure.apply(InMemoryRouter.builder().routeId("memory/checkout").environments(BLUE, GREEN)).build();
      built.add(router);
      return switch (misbehaviour) {
        case NONE -> router;
        case READS_WHEN_BUILT -> {
          router.current();
          yield router;
        }
        case READS_DURING_PLAN_BUILD -> new ReadingRouter(router);
      };
    }

    /** @return a plan builder on a new router, blue to green, virtual time */
    SwitchPlan.Builder plan() {
      return plan(router());
    }

    /** @return a plan builder on {@code router}, blue to green, virtual time */
    SwitchPlan.Builder plan(Router router) {
      return SwitchPlan.builder().name("checkout-2.0").router(router).from(BLUE).to(GREEN)
          .gateInterval(Duration.ofSeconds(1)).lock(new InProcessRouteLock()).time(clock).defaultLogging(false);
    }

    int routersBuilt() {
      return built.size();
    }

    long requests() {
      return built.stream().mapToLong(InMemoryRouter::requestCount).sum();
    }

    long writes() {
      return built.stream().mapToLong(InMemoryRouter::writeCount).sum();
    }
  }

  /** A router that reads its backend whenever it is asked what it is (the mistake the mutation models). */
  private static final class ReadingRouter implements Router {
    private final InMemoryRouter delegate;

    ReadingRouter(InMemoryRouter delegate) {
      this.delegate = delegate;
    }

    @Override
    public String routeId() {
      delegate.current();
      return delegate.routeId();
    }

    @Override
    public List<Environment> environments() {
      delegate.current();
      return delegate.environments();
    }

    @Override
    public RouterCapabilities capabilities() {
      delegate.current();
      return delegate.capabilities();
    }

    @Override
    public TrafficSplit current() {
      return delegate.current();
    }

    @Override
    public void apply(TrafficSplit target) {
      delegate.apply(target);
    }

    @Override
    public Verification verify(TrafficSplit expected) {
      return delegate.verify(expected);
    }
  }
}
