package io.bluegreen.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.testkit.InMemoryRouter;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.tck.MeterRegistryAssert;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real plans on a virtual clock, their meters asserted with Micrometer's own test support. */
class MicrometerSwitchListenerTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final Duration BAKE = Duration.ofMinutes(5);
  private static final String ROUTE = "memory/checkout";

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final VirtualClock clock = VirtualClock.create();
  private final InMemoryRouter router = InMemoryRouter.builder().routeId(ROUTE).environments(BLUE, GREEN).build();

  private SwitchPlan.Builder plan(ScriptedGate gate) {
    return SwitchPlan.builder().name("checkout-2.0").router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(BAKE, 10, 50, 100)).gate(gate).gateInterval(Duration.ofSeconds(30)).time(clock)
        .listener(MicrometerSwitchListener.of(registry, Tags.of("team", "shop")));
  }

  private Tags route() {
    return Tags.of("route", ROUTE, "team", "shop");
  }

  @Test
  void aCompletedPlan() {
    SwitchResult result = plan(ScriptedGate.healthy().named("green health")).build().execute();
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);

    MeterRegistryAssert.assertThat(registry)
        .hasMeterWithNameAndTags("bluegreen.plans", route().and("outcome", "completed"))
        .doesNotHaveMeterWithNameAndTags("bluegreen.plans", route().and("outcome", "rolled_back"))
        .hasTimerWithNameAndTags("bluegreen.plan.duration", route().and("outcome", "completed"))
        .hasTimerWithNameAndTags("bluegreen.stage.duration", route().and("stage", "1").and("result", "completed"))
        .hasTimerWithNameAndTags("bluegreen.stage.duration", route().and("stage", "3").and("result", "completed"))
        .doesNotHaveTimerWithName("bluegreen.rollback.duration")
        .hasMeterWithNameAndTags("bluegreen.gate.checks", route().and("gate", "green health").and("status", "healthy"));

    assertThat(registry.get("bluegreen.plans").tags(route().and("outcome", "completed")).counter().count()).isEqualTo(1.0);
    for (String stage : new String[] {"1", "2", "3"}) {
      Timer t = registry.get("bluegreen.stage.duration").tags("stage", stage, "result", "completed").timer();
      assertThat(t.count()).isEqualTo(1);
      assertThat(t.totalTime(TimeUnit.SECONDS)).as("stage %s bakes 5 min on the plan's clock", stage).isEqualTo(300.0);
    }
    assertThat(registry.get("bluegreen.plan.duration").timer().totalTime(TimeUnit.SECONDS)).isEqualTo(900.0);
    assertThat(registry.get("bluegreen.route.weight").tags("environment", "green").gauge().value()).isEqualTo(100.0);
    assertThat(registry.get("bluegreen.route.weight").tags("environment", "blue").gauge().value()).isEqualTo(0.0);
    assertThat(registry.get("bluegreen.route.weight").gauge().getId().getBaseUnit()).isEqualTo("percent");
    // 11 polls per 5-minute bake (0, 30, ... 300 s) in 3 stages
    assertThat(registry.get("bluegreen.gate.checks").tags("status", "healthy").counter().count()).isEqualTo(33.0);
  }

  @Test
  void aRolledBackPlan() {
    // green goes bad 90 s into stage 2's bake
    SwitchResult result = plan(ScriptedGate.unhealthyInStageAfter(2, Duration.ofSeconds(90), "HTTP 503").named("green health"))
        .build().execute();
    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);

    MeterRegistryAssert.assertThat(registry)
        .hasMeterWithNameAndTags("bluegreen.plans", route().and("outcome", "rolled_back"))
        .doesNotHaveMeterWithNameAndTags("bluegreen.plans", route().and("outcome", "completed"))
        .hasTimerWithNameAndTags("bluegreen.stage.duration", route().and("stage", "1").and("result", "completed"))
        .hasTimerWithNameAndTags("bluegreen.stage.duration", route().and("stage", "2").and("result", "failed"))
        .doesNotHaveTimerWithNameAndTags("bluegreen.stage.duration", route().and("stage", "3"))
        .hasTimerWithNameAndTags("bluegreen.rollback.duration", route().and("result", "completed"))
        .hasMeterWithNameAndTags("bluegreen.gate.checks", route().and("gate", "green health").and("status", "unhealthy"));

    assertThat(registry.get("bluegreen.plans").tags("outcome", "rolled_back").counter().count()).isEqualTo(1.0);
    assertThat(registry.get("bluegreen.stage.duration").tags("stage", "2", "result", "failed").timer().totalTime(TimeUnit.SECONDS))
        .isEqualTo(90.0);
    assertThat(registry.get("bluegreen.rollback.duration").timer().count()).isEqualTo(1);
    assertThat(registry.get("bluegreen.route.weight").tags("environment", "blue").gauge().value()).isEqualTo(100.0);
    assertThat(registry.get("bluegreen.route.weight").tags("environment", "green").gauge().value()).isEqualTo(0.0);
    assertThat(registry.get("bluegreen.gate.checks").tags("status", "unhealthy").counter().count()).isEqualTo(1.0);
  }

  @Test
  void onePlanAfterAnotherAddUpAndWeightsFollowTheLastRead() {
    plan(ScriptedGate.healthy()).build().execute();
    router.changeExternally(TrafficSplit.of(BLUE, 100, GREEN, 0));
    SwitchResult second = plan(ScriptedGate.unhealthyInStageAfter(1, Duration.ZERO, "down")).build().execute();
    assertThat(second.outcome()).as(second.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(registry.get("bluegreen.plans").tags("outcome", "completed").counter().count()).isEqualTo(1.0);
    assertThat(registry.get("bluegreen.plans").tags("outcome", "rolled_back").counter().count()).isEqualTo(1.0);
    assertThat(registry.get("bluegreen.route.weight").tags("environment", "green").gauge().value()).isEqualTo(0.0);
  }

  @Test
  void anAbortedPlanIsCountedWithNoStageTimer() {
    router.failPreflight("target group has no healthy target");
    SwitchResult result = plan(ScriptedGate.healthy()).build().execute();
    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    MeterRegistryAssert.assertThat(registry).hasMeterWithNameAndTags("bluegreen.plans", route().and("outcome", "aborted"))
        .doesNotHaveTimerWithName("bluegreen.stage.duration").doesNotHaveTimerWithName("bluegreen.rollback.duration");
    assertThat(registry.get("bluegreen.route.weight").tags("environment", "blue").gauge().value()).isEqualTo(100.0);
  }
}
