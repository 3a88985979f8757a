package io.bluegreen.core;

import static io.bluegreen.core.PlanFixture.BLUE;
import static io.bluegreen.core.PlanFixture.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.bluegreen.testkit.EvidenceLog;
import io.bluegreen.testkit.InMemoryRouter;
import java.time.Duration;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue of the core: each input is rejected with a message that says what to fix,
 * before the router sees a single request.
 */
class SwitchPlanValidationTest {

  private static final Duration MIN = Duration.ofMinutes(1);

  /** A case: what it is, how to attempt it given a fresh fixture, and words the message must contain. */
  @SuppressWarnings("deprecation") // clock(..) and sleeper(..) are refused unless they are one object
  static Stream<Arguments> badInputs() {
    return Stream.of(
        bad("weight below 0", f -> TrafficSplit.of(BLUE, -10, GREEN, 110), "0 to 100"),
        bad("weight above 100", f -> TrafficSplit.of(BLUE, 0, GREEN, 101), "0 to 100"),
        bad("weights not summing to 100", f -> TrafficSplit.of(BLUE, 60, GREEN, 30), "sum to 100"),
        bad("same environment twice in a split", f -> TrafficSplit.of(BLUE, 50, BLUE, 50), "appears twice"),
        bad("empty stages", f -> StageSchedule.targetWeights(MIN), "at least one stage"),
        bad("stages not ending at 100", f -> StageSchedule.targetWeights(MIN, 10, 50, 90), "add a final stage at 100"),
        bad("non-increasing stages", f -> StageSchedule.targetWeights(MIN, 50, 25, 100), "increase strictly"),
        bad("repeated stage", f -> StageSchedule.targetWeights(MIN, 50, 50, 100), "increase strictly"),
        bad("stage at 0", f -> StageSchedule.targetWeights(MIN, 0, 100), "1 to 100"),
        bad("negative stage hold", f -> StageSchedule.linear(25, Duration.ofSeconds(-5)), "negative"),
        bad("source weights ending above 0", f -> StageSchedule.sourceWeights(MIN, 90, 50), "must send 100%"),
        bad("from == to", f -> f.plan().from(BLUE).to(BLUE).build(), "two different environments"),
        bad("from null", f -> f.plan().from(null).build(), "from is null"),
        bad("to null", f -> f.plan().to(null).build(), "to is null"),
        bad("router null", f -> f.plan().router(null).build(), "router is null"),
        bad("schedule null", f -> f.plan().schedule(null).build(), "schedule is null"),
        bad("environment the router does not know", f -> f.plan().to(Environment.of("purple")).build(), "not routed by"),
        bad("weighted plan on an atomic-only router", f -> new PlanFixture(InMemoryRouter.builder().environments(BLUE, GREEN).atomicOnly()
            .build()).plan().schedule(StageSchedule.linear(25, MIN)).build(), "atomic-only"),
        bad("weights off the router's granularity", f -> new PlanFixture(InMemoryRouter.builder().environments(BLUE, GREEN)
            .capabilities(RouterCapabilities.builder().granularityPercent(5).build()).build()).plan()
            .schedule(StageSchedule.targetWeights(MIN, 12, 100)).build(), "multiples of 5"),
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
        bad("virtual clock with the default (real) sleeper", f -> SwitchPlan.builder().router(f.router).from(BLUE).to(GREEN)
            .clock(f.clock).build(), "time(...)"),
        bad("real clock with a virtual sleeper", f -> SwitchPlan.builder().router(f.router).from(BLUE).to(GREEN)
            .sleeper(f.clock).build(), "not the same object"),
        bad("a clock and a sleeper that are two virtual clocks", f -> SwitchPlan.builder().router(f.router).from(BLUE).to(GREEN)
            .clock(f.clock).sleeper(io.bluegreen.testkit.VirtualClock.create()).build(), "not the same object"),
        bad("time(...) and a clock naming another object", f -> f.plan().clock(java.time.Clock.systemUTC()).build(),
            "keep time(...) only"),
        bad("null lock", f -> f.plan().lock(null).build(), "lock is null"),
        bad("blank owner", f -> f.plan().owner("  ").build(), "owner is blank"),
        bad("plan name with a newline", f -> f.plan().name("deploy\nINFO all good").build(), "printable"),
        bad("rollbackTo naming an unknown environment", f -> f.plan().rollbackTo(TrafficSplit.allTo(Environment.of("purple"))).build(),
            "not routed by"),
        bad("environment name with spaces", f -> Environment.of("my env"), "letters, digits"),
        bad("retry attempts 0", f -> RetryPolicy.builder().maxAttempts(0).build(), "1 (no retry) to 100"),
        bad("retry jitter 1.5", f -> RetryPolicy.builder().jitter(1.5).build(), "jitter"),
        bad("retry max backoff below initial", f -> RetryPolicy.builder().initialBackoff(Duration.ofSeconds(5))
            .maxBackoff(Duration.ofSeconds(1)).build(), "at least initialBackoff"),
        bad("canary at 100", f -> StageSchedule.canary(100, MIN), "allAtOnce"),
        bad("approval timeout zero", f -> Stage.of(50, MIN).withApproval(Duration.ZERO), "positive"));
  }

  private static Arguments bad(String what, Function<PlanFixture, Object> attempt, String hint) {
    return Arguments.of(what, attempt, hint);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void rejectedBeforeAnyBackendCall(String what, Function<PlanFixture, Object> attempt, String hint) {
    PlanFixture f = new PlanFixture();
    Throwable thrown = catchThrowable(() -> attempt.apply(f));
    assertThat(thrown).as(what).isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(hint);
    assertThat(f.router.requestCount()).as("backend requests after: " + what).isZero();
    assertThat(f.router.writeCount()).isZero();
    EvidenceLog.badInput("bluegreen-core", what, thrown.getMessage(), f.router.requestCount());
  }

  @org.junit.jupiter.api.Test
  void theCatalogueIsLargeEnough() {
    assertThat(badInputs().count()).isGreaterThanOrEqualTo(20);
  }
}
