package io.bluegreen.core;

import static io.bluegreen.core.PlanFixture.split;
import static io.bluegreen.core.PlanFixture.startAndAwaitApproval;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Approval, abort, dry run, resume, drift, the route lock and pre-switch gates. */
class SwitchPlanControlTest {

  private static final Duration WAIT = Duration.ofSeconds(10);


  @Test
  void approvalPausesUntilApproved() throws Exception {
    PlanFixture f = new PlanFixture();
    SwitchExecution run = startAndAwaitApproval(f.plan()
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100).withApprovalBefore(2, null)));
    assertThat(run.awaitingApproval()).contains(2);
    assertThat(f.router.peek()).as("stage 2 not applied before approval").isEqualTo(split(90, 10));
    assertThat(run.approve()).isTrue();
    SwitchResult r = run.await(WAIT);
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(r.events(SwitchEvent.ApprovalGranted.class)).singleElement().extracting(SwitchEvent.ApprovalGranted::stageNumber).isEqualTo(2);
    assertThat(run.approve()).as("nothing left to approve").isFalse();
  }

  @Test
  void abortWhileWaitingForApprovalRollsBack() throws Exception {
    PlanFixture f = new PlanFixture();
    SwitchExecution run = startAndAwaitApproval(f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 25, 100).withApprovalBefore(2, null)));
    run.abort("release manager said no");
    SwitchResult r = run.await(WAIT);
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("aborted while waiting for approval of stage 2: release manager said no");
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
  }

  @Test
  void abortBeforeTheFirstWriteWritesNothing() throws Exception {
    PlanFixture f = new PlanFixture();
    SwitchExecution run = startAndAwaitApproval(f.plan().schedule(StageSchedule.allAtOnce().withApprovalBefore(1, null)));
    run.abort("change freeze");
    SwitchResult r = run.await(WAIT);
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.summary()).startsWith("ABORTED before any write").contains("change freeze").contains("traffic now blue=100 green=0");
    assertThat(f.router.writeCount()).isZero();
  }

  @Test
  void approvalTimeoutAbortsAndRollsBackOnThePlansClock() {
    PlanFixture f = new PlanFixture();
    SwitchResult r = f.plan()
        .schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100).withApprovalBefore(2, Duration.ofHours(4)))
        .build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("approval of stage 2 was not given within PT4H");
    assertThat(f.clock.elapsed()).isBetween(Duration.ofHours(4), Duration.ofHours(4).plusSeconds(5));
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
  }

  @Test
  void aListenerCanApproveSynchronously() {
    PlanFixture f = new PlanFixture();
    SwitchExecution[] run = new SwitchExecution[1];
    CountDownLatch started = new CountDownLatch(1);
    SwitchPlan plan = f.plan().schedule(StageSchedule.allAtOnce().withApprovalBefore(1, Duration.ofMinutes(5)))
        .listener(e -> {
          if (e instanceof SwitchEvent.ApprovalRequested) {
            try {
              started.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
              Thread.currentThread().interrupt();
            }
            run[0].approve();
          }
        }).build();
    run[0] = plan.start(r -> {
      Thread t = new Thread(r);
      t.start();
    });
    started.countDown();
    assertThat(run[0].result().join().outcome()).isEqualTo(Outcome.COMPLETED);
  }

  @Test
  void abortDuringABakeRollsBackWithinAGateInterval() throws Exception {
    PlanFixture f = new PlanFixture();
    CountDownLatch baking = new CountDownLatch(1);
    CountDownLatch aborted = new CountDownLatch(1);
    SwitchPlan plan = f.plan().schedule(StageSchedule.canary(10, Duration.ofDays(1)))
        .gate(ScriptedGate.of("waits-for-abort", ctx -> {
          baking.countDown();
          try {
            aborted.await(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return GateResult.healthy();
        })).build();
    SwitchExecution run = plan.start();
    assertThat(baking.await(10, TimeUnit.SECONDS)).isTrue();
    run.abort("found a bug in green");
    aborted.countDown();
    SwitchResult r = run.await(WAIT);
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("aborted: found a bug in green");
    assertThat(f.clock.elapsed()).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void dryRunDescribesEveryWriteAndWritesNothing() {
    PlanFixture f = new PlanFixture();
    f.router.clientConvergence(Duration.ofSeconds(300)).addNotice("stickiness is on");
    SwitchPlan plan = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(2), 10, 50, 100).withApprovalBefore(3, null)).build();
    DryRunReport report = plan.dryRun();
    assertThat(report.writes()).extracting(DryRunReport.PlannedWrite::after).containsExactly(split(90, 10), split(50, 50), split(0, 100));
    assertThat(report.writes()).extracting(DryRunReport.PlannedWrite::before).containsExactly(split(100, 0), split(90, 10), split(50, 50));
    assertThat(report.writes().get(2).approvalFirst()).isTrue();
    assertThat(report.writes().get(2).hold()).as("final bake covers client convergence").isEqualTo(Duration.ofSeconds(300));
    assertThat(report.rollbackTarget()).isEqualTo(split(100, 0));
    assertThat(report.describe()).contains("stage 2: write blue=50 green=50").contains("notice: stickiness is on").contains("nothing written");
    assertThat(f.router.writeCount()).isZero();
    assertThat(f.lock.isLocked(f.router.routeId())).isFalse();
  }

  @Test
  void dryRunSurfacesPreflightProblems() {
    PlanFixture f = new PlanFixture();
    f.router.failPreflight("green has 0 ready endpoints");
    assertThatThrownBy(() -> f.plan().build().dryRun()).isInstanceOf(PreflightException.class).hasMessageContaining("0 ready endpoints");
    assertThat(f.router.writeCount()).isZero();
  }

  @Test
  void resumesFromAHalfWaySplitWithoutDoubleShifting() {
    PlanFixture f = PlanFixture.startingAt(split(50, 50));
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 25, 50, 75, 100)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.router.writes()).containsExactly(split(25, 75), split(0, 100));
    assertThat(r.events(SwitchEvent.Notice.class)).extracting(SwitchEvent.Notice::message)
        .anyMatch(m -> m.contains("resuming") && m.contains("stages 1-3 are behind it"));
    assertThat(r.events(SwitchEvent.StageStarted.class)).extracting(SwitchEvent.StageStarted::stageNumber).containsExactly(4, 5);
  }

  @Test
  void runningAFinishedPlanAgainWritesNothing() {
    PlanFixture f = PlanFixture.startingAt(split(0, 100));
    SwitchResult r = f.plan().schedule(StageSchedule.linear(25, Duration.ofMinutes(1))).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(r.writes()).isZero();
    assertThat(f.router.writeCount()).isZero();
    assertThat(r.reason()).contains("already in place");
    assertThat(r.isTrafficNowVerified()).isTrue();
  }

  @Test
  void driftStopsThePlanWithoutFightingTheOtherWriter() {
    PlanFixture f = new PlanFixture();
    SwitchPlan plan = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 50, 100))
        .listener(e -> {
          if (e instanceof SwitchEvent.StageCompleted c && c.stageNumber() == 1) {
            f.router.changeExternally(split(100, 0)); // someone runs a manual rollback meanwhile
          }
        }).build();
    SwitchResult r = plan.execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("changed by someone else").contains("expected blue=90 green=10 but found blue=100 green=0");
    assertThat(r.cause()).get().isInstanceOf(DriftDetectedException.class);
    assertThat(f.router.writes()).as("no write after the drift").containsExactly(split(90, 10));
    assertThat(r.trafficNow()).contains(split(100, 0));
    assertThat(r.events(SwitchEvent.DriftDetected.class)).hasSize(1);
    assertThat(r.events(SwitchEvent.RollbackStarted.class)).isEmpty();
  }

  @Test
  void aRetriedWriteNeverOverwritesAnotherWriter() {
    PlanFixture f = new PlanFixture();
    // the first write of stage 1 fails transiently; meanwhile an operator moves the route by hand
    f.router.failNextWrites(1, () -> {
      f.router.changeExternally(split(60, 40));
      return PlanFixture.transientError("HTTP 503");
    });
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.cause()).get().isInstanceOf(DriftDetectedException.class);
    assertThat(f.router.peek()).as("the operator's split stands").isEqualTo(split(60, 40));
    assertThat(f.router.writes()).isEmpty();
    assertThat(r.trafficNow()).contains(split(60, 40));
    assertThat(r.events(SwitchEvent.DriftDetected.class)).singleElement()
        .satisfies(d -> assertThat(d.actual()).contains(split(60, 40)));
  }

  @Test
  void aRetriedRollbackNeverOverwritesAnotherWriter() {
    PlanFixture f = new PlanFixture();
    f.router.failWritesOf(split(100, 0), 1, () -> {
      f.router.changeExternally(split(0, 100)); // someone finishes the switch by hand
      return PlanFixture.transientError("HTTP 500");
    });
    SwitchResult r = f.plan().schedule(StageSchedule.canary(10, Duration.ofMinutes(1)))
        .gate(ScriptedGate.unhealthyDuringStage(1, "down")).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("did not roll back").contains("changed by someone else");
    assertThat(f.router.peek()).isEqualTo(split(0, 100));
  }

  @Test
  void driftToAStateThatMapsToNoSplitIsReportedAsSuch() {
    PlanFixture f = new PlanFixture();
    f.router.failNextWrites(1, () -> new DriftDetectedException(split(100, 0), "selector version=canary", f.router.routeId()));
    SwitchResult r = f.plan().build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.trafficNow()).isEmpty();
    assertThat(r.summary()).contains("a state no environment maps to (selector version=canary)")
        .contains("traffic now in a state no environment maps to (selector version=canary)");
    assertThat(r.traffic().unmappedState()).contains("selector version=canary");
  }

  @Test
  void driftDetectedByTheRouterItselfAlsoStops() {
    PlanFixture f = new PlanFixture();
    f.router.failNextWrites(1, () -> new DriftDetectedException(split(100, 0), split(60, 40), f.router.routeId()));
    SwitchResult r = f.plan().build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.trafficNow()).contains(split(60, 40));
  }

  @Test
  void onlyOnePlanPerRouteAtATime() throws Exception {
    PlanFixture f = new PlanFixture();
    RouteLock.Lease held = f.lock.acquire(f.router.routeId(), "pipeline-41@build-7");
    try {
      SwitchResult r = f.plan().build().execute();
      assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
      assertThat(r.reason()).contains("locked by pipeline-41@build-7");
      assertThat(r.cause()).get().isInstanceOf(LockUnavailableException.class);
      assertThat(f.router.requestCount()).as("not even a read").isZero();
    } finally {
      held.close();
    }
    assertThat(f.plan().build().execute().outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.lock.isLocked(f.router.routeId())).as("released at the end").isFalse();
  }

  @Test
  void lostLockStopsBeforeTheNextWrite() {
    PlanFixture f = new PlanFixture();
    RouteLock.Lease[] lease = new RouteLock.Lease[1];
    RouteLock stealable = (route, owner) -> lease[0] = f.lock.acquire(route, owner);
    SwitchPlan plan = f.plan().lock(stealable).schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100))
        .listener(e -> {
          if (e instanceof SwitchEvent.StageCompleted) {
            lease[0].close(); // e.g. a Lease that expired while the process was paused
          }
        }).build();
    SwitchResult r = plan.execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("lost the lock");
    assertThat(f.router.writes()).containsExactly(split(90, 10));
  }

  @Test
  void unhealthyPreSwitchGateAbortsWithNothingWritten() {
    PlanFixture f = new PlanFixture();
    SwitchResult r = f.plan().preSwitchGate(ScriptedGate.sequence(GateResult.unhealthy("green has 0/3 ready pods")).named("green-ready"))
        .build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("pre-switch gate green-ready is UNHEALTHY: green has 0/3 ready pods").contains("nothing was written");
    assertThat(f.router.writeCount()).isZero();
  }

  @Test
  void preSwitchGateMayTakeTheGraceToBecomeHealthy() {
    PlanFixture f = new PlanFixture();
    ScriptedGate gate = ScriptedGate.sequence(GateResult.inconclusive("rolling out"), GateResult.inconclusive("rolling out"),
        GateResult.healthy());
    SwitchResult r = f.plan().preSwitchGate(gate).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(gate.calls()).allMatch(c -> c.phase() == GateContext.Phase.PRE_SWITCH);
  }

  @Test
  void failedPreflightAbortsWithNothingWritten() {
    PlanFixture f = new PlanFixture();
    f.router.failPreflight("Service default/app-green selects no ready endpoint: scale it up first");
    SwitchResult r = f.plan().build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("selects no ready endpoint");
    assertThat(f.router.writeCount()).isZero();
  }

  @Test
  void trafficOnAThirdEnvironmentIsRefused() {
    Environment grey = Environment.of("grey");
    PlanFixture f = new PlanFixture(io.bluegreen.testkit.InMemoryRouter.builder().routeId("memory/3")
        .environments(PlanFixture.BLUE, PlanFixture.GREEN, grey)
        .initial(TrafficSplit.builder().put(PlanFixture.BLUE, 90).put(grey, 10).put(PlanFixture.GREEN, 0).build()).build());
    SwitchResult r = f.plan().build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("traffic goes to grey");
    assertThat(f.router.writeCount()).isZero();
  }

  @Test
  void aPlanCanRunAgainAfterItFinished() {
    PlanFixture f = new PlanFixture();
    SwitchPlan forward = f.plan().build();
    assertThat(forward.execute().outcome()).isEqualTo(Outcome.COMPLETED);
    SwitchPlan back = f.plan().from(PlanFixture.GREEN).to(PlanFixture.BLUE).listener(new RecordingListener()).build();
    assertThat(back.execute().outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
  }
}
