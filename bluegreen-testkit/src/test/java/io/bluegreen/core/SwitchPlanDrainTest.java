package io.bluegreen.core;

import static io.bluegreen.core.PlanFixture.BLUE;
import static io.bluegreen.core.PlanFixture.GREEN;
import static io.bluegreen.core.PlanFixture.permanentError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.drain.DrainEstimate;
import io.bluegreen.core.drain.DrainReport;
import io.bluegreen.core.drain.DrainWindow;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.testkit.ScriptedGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The drain after the last stage (or a rollback): the window from the backends and the router's
 * client convergence, reported from the verified split on; with drainUntil the plan waits, on its time
 * source and bounded, until the window has passed and every drain gate is HEALTHY; the switch's
 * outcome never depends on it.
 */
class SwitchPlanDrainTest {

  private static final StageSchedule STAGES = StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100);

  private static DrainWindow window(Duration d, String why) {
    return env -> DrainEstimate.of(d, why + " of " + env.name());
  }

  @Test
  void thePlanWaitsForTheWindowAndTheDrainGateThenReportsBlueDrained() {
    PlanFixture f = new PlanFixture();
    List<GateContext> calls = new ArrayList<>();
    Instant[] inFlightZeroAt = new Instant[1];
    HealthGate inFlight = HealthGate.of("blue in-flight", ctx -> {
      calls.add(ctx);
      if (inFlightZeroAt[0] == null) {
        inFlightZeroAt[0] = ctx.now().plusSeconds(40);   // blue's requests finish 40 s after the first check
      }
      return ctx.now().isBefore(inFlightZeroAt[0]) ? GateResult.unhealthy("3 requests in flight") : GateResult.healthy("0 in flight");
    });

    SwitchResult r = f.plan().schedule(STAGES).drainWindow(window(Duration.ofSeconds(30), "termination grace"))
        .drainGate(inFlight).drainUntil(Duration.ofMinutes(10)).gateInterval(Duration.ofSeconds(5)).build().execute();

    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
    Instant since = r.events(SwitchEvent.StageVerified.class).get(1).at();
    DrainReport d = r.drain().orElseThrow();
    assertThat(d.environment()).isEqualTo(BLUE);
    assertThat(d.since()).isEqualTo(since);
    assertThat(d.window()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.basis()).containsExactly("termination grace of blue");
    assertThat(calls).as("the gate is asked only once the window has passed").allSatisfy(c -> {
      assertThat(c.phase()).isEqualTo(GateContext.Phase.DRAIN);
      assertThat(c.draining()).contains(BLUE);
      assertThat(c.now()).isAfterOrEqualTo(since.plusSeconds(30));
    });
    assertThat(r.sourceDrainedAt()).contains(inFlightZeroAt[0]);
    assertThat(d.notConfirmed()).isEmpty();
    List<SwitchEvent> t = r.timeline();
    assertThat(t.get(t.size() - 2)).isInstanceOf(SwitchEvent.DrainFinished.class);
    assertThat(r.summary()).contains("blue drained at " + inFlightZeroAt[0]);
  }

  @Test
  void aDrainNotConfirmedWithinTheBoundIsReportedAndTheSwitchStaysCompleted() {
    PlanFixture f = new PlanFixture();
    SwitchResult r = f.plan().schedule(STAGES).drainGate(ScriptedGate.sequence(GateResult.unhealthy("websockets still open")).named("ws"))
        .drainUntil(Duration.ofMinutes(2)).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(r.sourceDrainedAt()).isEmpty();
    assertThat(r.drain().orElseThrow().notConfirmed()).hasValueSatisfying(s -> assertThat(s).contains("drain gate ws UNHEALTHY",
        "websockets still open", "after drainUntil PT2M"));
    Instant since = r.drain().orElseThrow().since();
    assertThat(r.finishedAt()).isEqualTo(since.plus(Duration.ofMinutes(2)));
  }

  @Test
  void aWindowLongerThanTheBoundIsNotWaitedFor() {
    PlanFixture f = new PlanFixture();
    f.router.clientConvergence(Duration.ofHours(1));
    SwitchResult r = f.plan().schedule(STAGES).waitForClientConvergence(false).drainUntil(Duration.ofMinutes(10)).build().execute();

    DrainReport d = r.drain().orElseThrow();
    assertThat(d.window()).as("the router's client convergence counts").isEqualTo(Duration.ofHours(1));
    assertThat(d.notConfirmed()).hasValueSatisfying(s -> assertThat(s).contains("ends at", "after drainUntil's bound"));
    assertThat(r.finishedAt()).as("no wait after the final stage's bake").isEqualTo(d.since().plus(Duration.ofMinutes(1)));
  }

  @Test
  void withoutDrainUntilTheWindowIsReportedWithoutWaiting() {
    PlanFixture f = new PlanFixture();
    SwitchResult r = f.plan().schedule(STAGES).drainWindow(window(Duration.ofMinutes(5), "deregistration delay")).build().execute();

    DrainReport d = r.drain().orElseThrow();
    assertThat(d.windowEndsAt()).isEqualTo(d.since().plus(Duration.ofMinutes(5)));
    assertThat(d.drainedAt()).isEmpty();
    assertThat(d.notConfirmed()).isEmpty();
    assertThat(r.finishedAt()).as("no wait after the final stage's bake").isEqualTo(d.since().plus(Duration.ofMinutes(1)));
    assertThat(r.summary()).contains("blue safe to take down after " + d.windowEndsAt());
  }

  @Test
  void aRollbackReportsTheDrainOfGreen() {
    PlanFixture f = new PlanFixture();
    List<GateContext> drains = new ArrayList<>();
    SwitchResult r = f.plan().schedule(STAGES).gate(ScriptedGate.unhealthyDuringStage(2, "5xx"))
        .drainWindow(window(Duration.ofSeconds(20), "grace")).drainGate(HealthGate.of("in-flight", ctx -> {
          drains.add(ctx);
          return GateResult.healthy();
        })).drainUntil(Duration.ofMinutes(5)).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    DrainReport d = r.drain().orElseThrow();
    assertThat(d.environment()).isEqualTo(GREEN);
    assertThat(d.since()).isEqualTo(r.events(SwitchEvent.RollbackCompleted.class).get(0).at());
    assertThat(d.drainedAt()).contains(d.since().plusSeconds(20));
    assertThat(drains).extracting(c -> c.draining().orElseThrow()).containsOnly(GREEN);
  }

  @Test
  void aDrainWindowThatCannotBeReadIsANoticeAndTheOthersStillCount() {
    PlanFixture f = new PlanFixture();
    DrainWindow broken = env -> {
      throw permanentError("AccessDenied: DescribeTargetGroupAttributes");
    };
    SwitchResult r = f.plan().schedule(STAGES).drainWindow(broken).drainWindow(window(Duration.ofSeconds(10), "grace")).build().execute();

    assertThat(r.drain().orElseThrow().window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(r.events(SwitchEvent.Notice.class)).anySatisfy(n -> assertThat(n.message()).contains("AccessDenied"));
  }

  @Test
  void withoutDrainSettingsNothingIsReported() {
    PlanFixture f = new PlanFixture();
    SwitchResult r = f.plan().schedule(STAGES).build().execute();
    assertThat(r.drain()).isEmpty();
    assertThat(r.events(SwitchEvent.DrainStarted.class)).isEmpty();
    assertThat(r.summary()).doesNotContain("drain");
  }

  @Test
  void drainGatesWithoutDrainUntilAreRefusedByBuild() {
    PlanFixture f = new PlanFixture();
    assertThatThrownBy(() -> f.plan().drainGate(ScriptedGate.healthy()).build()).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("drainUntil");
  }
}
