package io.bluegreen.core;

import static io.bluegreen.core.PlanFixture.BLUE;
import static io.bluegreen.core.PlanFixture.GREEN;
import static io.bluegreen.core.PlanFixture.split;
import static io.bluegreen.core.PlanFixture.transientError;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.testkit.ScriptedGate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Forward behaviour: every preset, verification, baking, retries, convergence. */
class SwitchPlanStagesTest {

  private final PlanFixture f = new PlanFixture();

  @Test
  void allAtOnceIsOneWrite() {
    SwitchResult r = f.plan().schedule(StageSchedule.allAtOnce()).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.router.writes()).containsExactly(split(0, 100));
    assertThat(r.trafficNow()).contains(split(0, 100));
    assertThat(r.isTrafficNowVerified()).isTrue();
    assertThat(r.writes()).isEqualTo(1);
  }

  @Test
  void linearWritesEachStepAndBakesEach() {
    ScriptedGate gate = ScriptedGate.healthy();
    SwitchResult r = f.plan().schedule(StageSchedule.linear(25, Duration.ofMinutes(5))).gate(gate).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.router.writes()).containsExactly(split(75, 25), split(50, 50), split(25, 75), split(0, 100));
    assertThat(f.clock.elapsed()).isGreaterThanOrEqualTo(Duration.ofMinutes(20)).isLessThan(Duration.ofMinutes(21));
    // polled every second through each 5-minute bake
    assertThat(gate.checkCount()).isBetween(4 * 300, 4 * 302);
    assertThat(r.stagesCompleted()).isEqualTo(4);
  }

  @Test
  void canaryHoldsAtTheCanaryThenSwitches() {
    SwitchResult r = f.plan().schedule(StageSchedule.canary(10, Duration.ofMinutes(15))).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.router.writes()).containsExactly(split(90, 10), split(0, 100));
    List<SwitchEvent.StageApplied> applied = r.events(SwitchEvent.StageApplied.class);
    assertThat(Duration.between(applied.get(0).at(), applied.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void explicitWeights() {
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 25, 50, 100)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.router.writes()).containsExactly(split(90, 10), split(75, 25), split(50, 50), split(0, 100));
  }

  @Test
  void scheduleWrittenAsTheOldSidesWeights() {
    SwitchResult r = f.plan().schedule(StageSchedule.sourceWeights(Duration.ofMinutes(1), 90, 70, 50, 25, 0)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.router.writes()).containsExactly(split(90, 10), split(70, 30), split(50, 50), split(25, 75), split(0, 100));
  }

  @Test
  void eventsTellTheStoryInOrder() {
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 50, 100)).gate(ScriptedGate.healthy()).build().execute();
    List<Class<?>> kinds = r.timeline().stream().filter(e -> !(e instanceof SwitchEvent.GateChecked))
        .<Class<?>>map(Object::getClass).toList();
    assertThat(kinds).containsExactly(SwitchEvent.PlanStarted.class, SwitchEvent.LockAcquired.class, SwitchEvent.SnapshotTaken.class,
        SwitchEvent.PreflightPassed.class,
        SwitchEvent.StageStarted.class, SwitchEvent.StageApplied.class, SwitchEvent.StageVerified.class, SwitchEvent.StageCompleted.class,
        SwitchEvent.StageStarted.class, SwitchEvent.StageApplied.class, SwitchEvent.StageVerified.class, SwitchEvent.StageCompleted.class,
        SwitchEvent.PlanFinished.class);
    assertThat(r.timeline()).isEqualTo(f.events.events());
    assertThat(r.summary()).startsWith("COMPLETED: blue -> green in 2 writes; traffic now blue=0 green=100 (verified)");
  }

  @Test
  void waitsForPendingVerificationBeforeBaking() {
    f.router.verifyPendingAfterEachWrite(3);
    SwitchResult r = f.plan().schedule(StageSchedule.allAtOnce()).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.router.verifyCount()).isEqualTo(4);
    SwitchEvent.StageVerified verified = r.events(SwitchEvent.StageVerified.class).get(0);
    // polled with backoff: 200 + 400 + 800 ms
    assertThat(verified.took()).isEqualTo(Duration.ofMillis(1400));
  }

  @Test
  void transientWriteFailuresAreRetriedWithBackoff() {
    f.router.failNextWrites(2, () -> transientError("HTTP 503 from backend"));
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 50, 100)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    List<SwitchEvent.RetryScheduled> retries = r.events(SwitchEvent.RetryScheduled.class);
    assertThat(retries).hasSize(2);
    assertThat(retries.get(0).operation()).isEqualTo("apply blue=50 green=50");
    assertThat(retries.get(0).error()).contains("503");
    assertThat(retries.get(1).backoff()).isGreaterThan(Duration.ZERO);
    assertThat(f.router.writes()).containsExactly(split(50, 50), split(0, 100));
  }

  @Test
  void transientReadFailuresAreRetried() {
    f.router.failNextReads(2, () -> transientError("connection reset"));
    SwitchResult r = f.plan().build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(r.events(SwitchEvent.RetryScheduled.class)).hasSize(2);
  }

  @Test
  void finalStageBakesAtLeastTheClientConvergenceTimeAndSaysWhenClientsFollow() {
    f.router.clientConvergence(Duration.ofSeconds(60)).addNotice("records have a TTL of 60s");
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofSeconds(5), 50, 100)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    List<SwitchEvent.StageVerified> verified = r.events(SwitchEvent.StageVerified.class);
    SwitchEvent.StageCompleted last = r.events(SwitchEvent.StageCompleted.class).get(1);
    assertThat(Duration.between(verified.get(1).at(), last.at())).isGreaterThanOrEqualTo(Duration.ofSeconds(60));
    assertThat(r.clientsFollowBy()).contains(verified.get(1).at().plusSeconds(60));
    assertThat(r.events(SwitchEvent.Notice.class)).extracting(SwitchEvent.Notice::message).contains("records have a TTL of 60s");
  }

  @Test
  void convergenceBakeCanBeTurnedOff() {
    f.router.clientConvergence(Duration.ofHours(1));
    SwitchResult r = f.plan().waitForClientConvergence(false).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.clock.elapsed()).isLessThan(Duration.ofMinutes(1));
    assertThat(r.clientsFollowBy()).isPresent();
  }

  @Test
  void inconclusiveGateIsWaitedForWithinTheGrace() {
    ScriptedGate gate = ScriptedGate.sequence(GateResult.inconclusive("targets initial"), GateResult.inconclusive("targets initial"),
        GateResult.healthy());
    SwitchResult r = f.plan().gate(gate).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(gate.checkCount()).isEqualTo(3);
  }

  @Test
  void postSwitchGatesAreCheckedAfterTheLastStage() {
    ScriptedGate post = ScriptedGate.healthy().named("post");
    SwitchResult r = f.plan().postSwitchGate(post).postSwitchBake(Duration.ofSeconds(30)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(post.calls()).allMatch(c -> c.phase() == GateContext.Phase.POST_SWITCH);
    assertThat(post.checkCount()).isBetween(30, 32);
  }

  @Test
  void listenerFailuresNeverBreakASwitch() {
    SwitchResult r = f.plan().listener(e -> {
      throw new IllegalStateException("listener bug");
    }).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
  }

  @Test
  void gatesSeeTheSplitInPlaceAndTheStage() {
    ScriptedGate gate = ScriptedGate.healthy();
    f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 30, 100)).gate(gate).build().execute();
    assertThat(gate.calls()).extracting(GateContext::split).containsExactly(split(70, 30), split(0, 100));
    assertThat(gate.calls()).extracting(c -> c.stageNumber().orElseThrow()).containsExactly(1, 2);
    assertThat(gate.calls().get(0).to()).isEqualTo(GREEN);
    assertThat(gate.calls().get(0).from()).isEqualTo(BLUE);
  }
}
