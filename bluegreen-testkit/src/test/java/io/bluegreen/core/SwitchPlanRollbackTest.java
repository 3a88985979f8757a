package io.bluegreen.core;

import static io.bluegreen.core.PlanFixture.permanentError;
import static io.bluegreen.core.PlanFixture.split;
import static io.bluegreen.core.PlanFixture.transientError;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.testkit.ScriptedGate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Everything that ends in a rollback, and what the result says afterwards. */
class SwitchPlanRollbackTest {

  @Test
  void unhealthyAtSecondFiveOfATenMinuteBakeRollsBackAtOnce() {
    PlanFixture f = new PlanFixture();
    ScriptedGate gate = ScriptedGate.unhealthyInStageAfter(1, Duration.ofSeconds(5), "HTTP 503 from green");
    SwitchResult r = f.plan().schedule(StageSchedule.canary(10, Duration.ofMinutes(10))).gate(gate).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    SwitchEvent.StageVerified verified = r.events(SwitchEvent.StageVerified.class).get(0);
    SwitchEvent.GateChecked unhealthy = r.events(SwitchEvent.GateChecked.class).stream()
        .filter(g -> g.result().isUnhealthy()).findFirst().orElseThrow();
    SwitchEvent.RollbackStarted rollback = r.events(SwitchEvent.RollbackStarted.class).get(0);
    assertThat(Duration.between(verified.at(), unhealthy.at())).isEqualTo(Duration.ofSeconds(5));
    assertThat(rollback.at()).isEqualTo(unhealthy.at());
    assertThat(f.clock.elapsed()).isLessThan(Duration.ofSeconds(10));
    assertThat(f.router.writes()).containsExactly(split(90, 10), split(100, 0));
    assertThat(r.failedStage()).contains(1);
    assertThat(r.reason()).contains("HTTP 503 from green").contains("stage 1/2");
    assertThat(r.summary()).startsWith("ROLLED_BACK at stage 1/2").endsWith("traffic now blue=100 green=0 (verified)");
  }

  @Test
  void rollbackRestoresANonTrivialSnapshotExactly() {
    PlanFixture f = PlanFixture.startingAt(split(70, 30));
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 75, 100))
        .gate(ScriptedGate.unhealthyDuringStage(2, "error rate 12%")).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(f.router.peek()).isEqualTo(split(70, 30));
    assertThat(f.router.writes()).containsExactly(split(50, 50), split(25, 75), split(70, 30));
    assertThat(r.snapshot()).contains(split(70, 30));
    assertThat(r.trafficNow()).contains(split(70, 30));
    assertThat(r.events(SwitchEvent.RollbackCompleted.class)).singleElement()
        .extracting(SwitchEvent.RollbackCompleted::split).isEqualTo(split(70, 30));
  }

  @Test
  void rollbackToAnExplicitSplitWhenAsked() {
    PlanFixture f = PlanFixture.startingAt(split(50, 50));
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 25, 50, 75, 100))
        .rollbackTo(split(100, 0)).gate(ScriptedGate.unhealthyDuringStage(3, "boom")).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
  }

  @Test
  void anExplicitRollbackTargetIsRestoredEvenWhenTheResumedRunFailsBeforeItsFirstWrite() {
    PlanFixture f = PlanFixture.startingAt(split(50, 50)); // left half-way by a crashed run
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 25, 50, 75, 100))
        .rollbackTo(split(100, 0))
        .preSwitchGate(ScriptedGate.sequence(GateResult.unhealthy("green is crash-looping"))).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("green is crash-looping");
    assertThat(f.router.writes()).containsExactly(split(100, 0));
    assertThat(r.trafficNow()).contains(split(100, 0));
  }

  @Test
  void withoutAnExplicitTargetAFailureBeforeTheFirstWriteLeavesTrafficWhereItWas() {
    PlanFixture f = PlanFixture.startingAt(split(50, 50));
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 25, 50, 75, 100))
        .preSwitchGate(ScriptedGate.sequence(GateResult.unhealthy("green is crash-looping"))).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(f.router.writeCount()).isZero();
    assertThat(r.trafficNow()).contains(split(50, 50));
  }

  @Test
  void permanentWriteErrorMidPlanRollsBack() {
    PlanFixture f = new PlanFixture();
    f.router.failWritesOf(split(50, 50), 1, () -> permanentError("AccessDenied: not allowed to modify"));
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 50, 100)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("apply blue=50 green=50 failed: AccessDenied");
    assertThat(r.cause()).get().isInstanceOf(RouterException.class);
    assertThat(r.events(SwitchEvent.RetryScheduled.class)).as("permanent errors are not retried").isEmpty();
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
  }

  @Test
  void transientErrorsThatNeverStopExhaustRetriesThenRollBack() {
    PlanFixture f = new PlanFixture();
    f.router.failWritesOf(split(0, 100), 100, () -> transientError("Throttling: rate exceeded"));
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 50, 100))
        .retry(RetryPolicy.builder().maxAttempts(3).build()).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("still failing after 3 attempts");
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
  }

  @Test
  void rollbackIsRetriedHarderThanForwardWrites() {
    PlanFixture f = new PlanFixture();
    f.router.failWritesOf(split(100, 0), 6, () -> transientError("HTTP 500"));
    SwitchResult r = f.plan().retry(RetryPolicy.builder().maxAttempts(2).build())
        .schedule(StageSchedule.canary(10, Duration.ofMinutes(1))).gate(ScriptedGate.unhealthyDuringStage(1, "down")).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.events(SwitchEvent.RetryScheduled.class)).filteredOn(e -> e.operation().startsWith("rollback")).hasSize(6);
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
  }

  @Test
  void rollbackThatCannotBeDoneIsReportedAsRollbackFailedWithTheSplitLastRead() {
    PlanFixture f = new PlanFixture();
    f.router.failWritesOf(split(100, 0), 1000, () -> permanentError("AccessDenied: role lost its permissions"));
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 25, 100))
        .gate(ScriptedGate.unhealthyDuringStage(1, "HTTP 503")).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLBACK_FAILED);
    assertThat(r.trafficNow()).contains(split(75, 25));
    assertThat(r.isTrafficNowVerified()).isFalse();
    assertThat(r.reason()).contains("HTTP 503").contains("rollback to blue=100 green=0 failed").contains("AccessDenied");
    assertThat(r.summary()).contains("traffic now blue=75 green=25 (last read, not verified)");
    assertThat(r.events(SwitchEvent.RollbackFailed.class)).singleElement()
        .extracting(SwitchEvent.RollbackFailed::lastRead).isEqualTo(java.util.Optional.of(split(75, 25)));
  }

  @Test
  void rollbackThatNeverVerifiesIsRollbackFailed() {
    PlanFixture f = new PlanFixture();
    f.router.verifyPendingAfterEachWrite(1_000_000);
    SwitchResult r = f.plan().verifyTimeout(Duration.ofSeconds(30)).rollbackVerifyTimeout(Duration.ofMinutes(2)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLBACK_FAILED);
    assertThat(r.reason()).contains("was not verified within PT30S").contains("rollback to blue=100 green=0 failed")
        .contains("not verified within PT2M");
  }

  @Test
  void forwardWriteThatNeverVerifiesRollsBack() {
    PlanFixture f = new PlanFixture();
    f.router.verifyPendingAfterEachWrite(20);
    SwitchResult r = f.plan().verifyTimeout(Duration.ofSeconds(1)).build().execute();
    // the rollback's own verification also polls, within its bound
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("blue=0 green=100 was not verified within PT1S");
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
  }

  @Test
  void aWriteThatLandedButReportedAnErrorIsNotMistakenForDrift() {
    PlanFixture f = new PlanFixture();
    f.router.failNextWritesAfterLanding(1, () -> transientError("read timed out"));
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 50, 100)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(r.events(SwitchEvent.DriftDetected.class)).isEmpty();
    assertThat(f.router.writes()).containsExactly(split(50, 50), split(0, 100));
  }

  @Test
  void interruptRollsBackAndKeepsTheInterruptFlag() throws Exception {
    PlanFixture f = new PlanFixture();
    SwitchPlan plan = f.plan().schedule(StageSchedule.canary(10, Duration.ofMinutes(30)))
        .listener(e -> {
          if (e instanceof SwitchEvent.StageVerified) {
            Thread.currentThread().interrupt(); // what a pipeline's cancel does to the plan's thread
          }
        }).build();
    PlanFixture.OwnThreadRun run = PlanFixture.executeOnOwnThread(plan);
    SwitchResult r = run.result();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).startsWith("interrupted");
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
    assertThat(run.stillInterrupted()).as("the interrupt is restored for the caller").isTrue();
  }

  @Test
  void planTimeoutRollsBack() {
    PlanFixture f = new PlanFixture();
    SwitchResult r = f.plan().schedule(StageSchedule.linear(25, Duration.ofMinutes(10))).timeout(Duration.ofMinutes(25)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("timed out after PT25M");
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
    assertThat(f.clock.elapsed()).isLessThan(Duration.ofMinutes(26));
  }

  @Test
  void gateStillInconclusiveAfterTheGraceFailsTheStage() {
    PlanFixture f = new PlanFixture();
    ScriptedGate gate = ScriptedGate.sequence(GateResult.inconclusive("no data points"));
    SwitchResult r = f.plan().gate(gate).gateGrace(Duration.ofMinutes(1)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("still INCONCLUSIVE PT1M after the bake").contains("no data points");
  }

  @Test
  void postSwitchGateFailureRollsBack() {
    PlanFixture f = new PlanFixture();
    Instant start = f.clock.instant();
    SwitchResult r = f.plan().postSwitchGate(ScriptedGate.unhealthyAt(start.plusSeconds(20), "p99 latency 2s"))
        .postSwitchBake(Duration.ofMinutes(1)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("post-switch").contains("p99 latency 2s");
    assertThat(f.router.writes()).containsExactly(split(0, 100), split(100, 0));
  }

  @Test
  void aGateThatThrowsIsInconclusiveNotFatal() {
    PlanFixture f = new PlanFixture();
    int[] calls = {0};
    HealthGate flaky = HealthGate.of("flaky", ctx -> {
      if (calls[0]++ == 0) {
        throw new IllegalStateException("metrics backend hiccup");
      }
      return GateResult.healthy();
    });
    SwitchResult r = f.plan().gate(flaky).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    List<SwitchEvent.GateChecked> checks = r.events(SwitchEvent.GateChecked.class);
    assertThat(checks.get(0).result().status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(checks.get(0).result().reason()).contains("metrics backend hiccup");
  }
}
