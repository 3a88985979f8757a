package io.bluegreen.core;

import static io.bluegreen.core.PlanFixture.permanentError;
import static io.bluegreen.core.PlanFixture.split;
import static io.bluegreen.core.PlanFixture.transientError;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.event.Slf4jSwitchListener;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.testkit.ScriptedGate;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * What a result may claim: drift to anything is noticed (during bakes, at the final read, before
 * and inside a rollback) and never overwritten; what was last read, and when; writes apart from
 * attempts; interrupts reported as interrupts; readiness waited for within the grace; no write
 * without the lock; and the wording. Each nested group answers one point of issue 10.
 */
class SwitchPlanTruthTest {

  /** A gate that runs {@code action} once, the first time the plan's time reaches {@code offset} into stage {@code stage}'s bake. */
  private static ScriptedGate once(int stage, Duration offset, Runnable action, Instant[] when) {
    AtomicBoolean done = new AtomicBoolean();
    return ScriptedGate.of("operator-at-the-console", ctx -> {
      if (ctx.stageNumber().orElse(0) == stage && !ctx.now().isBefore(ctx.phaseStartedAt().plus(offset)) && done.compareAndSet(false, true)) {
        action.run();
        when[0] = ctx.now();
      }
      return GateResult.healthy();
    });
  }

  @Nested
  class DriftDuringAndAfterBakes {

    @Test
    void driftDuringTheFinalStagesBakeIsNoticedWithinOneGateIntervalAndNotOverwritten() {
      PlanFixture f = new PlanFixture();
      Instant[] changed = new Instant[1];
      // an operator puts everything back on blue 2 minutes into the final 10-minute bake
      SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(10), 50, 100))
          .gate(once(2, Duration.ofMinutes(2), () -> f.router.changeExternally(split(100, 0)), changed)).build().execute();

      assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED); // before: COMPLETED, "traffic now blue=0 green=100 (verified)"
      assertThat(r.cause()).get().isInstanceOf(DriftDetectedException.class);
      SwitchEvent.DriftDetected drift = r.events(SwitchEvent.DriftDetected.class).get(0);
      assertThat(drift.expected()).isEqualTo(split(0, 100));
      assertThat(drift.actual()).contains(split(100, 0));
      assertThat(Duration.between(changed[0], drift.at())).isLessThanOrEqualTo(Duration.ofSeconds(1)); // the gate interval
      assertThat(f.router.writes()).as("no write after the drift").containsExactly(split(50, 50), split(0, 100));
      assertThat(f.router.peek()).as("the operator's split stands").isEqualTo(split(100, 0));
      assertThat(r.events(SwitchEvent.RollbackStarted.class)).isEmpty();
      assertThat(r.trafficNow()).contains(split(100, 0));
      assertThat(r.isTrafficNowVerified()).isFalse();
      assertThat(r.summary()).contains("traffic now blue=100 green=0 (last read, not verified)");
    }

    @Test
    void driftDuringThePostSwitchBakeIsNoticedWithinOneGateInterval() {
      PlanFixture f = new PlanFixture();
      Instant start = f.clock.instant();
      AtomicBoolean done = new AtomicBoolean();
      ScriptedGate post = ScriptedGate.of("post", ctx -> {
        if (!ctx.now().isBefore(start.plusSeconds(90)) && done.compareAndSet(false, true)) {
          f.router.changeExternally(split(100, 0));
        }
        return GateResult.healthy();
      });
      SwitchResult r = f.plan().schedule(StageSchedule.allAtOnce(Duration.ofMinutes(1))).postSwitchGate(post)
          .postSwitchBake(Duration.ofMinutes(5)).build().execute();
      assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED);
      assertThat(r.reason()).contains("expected blue=0 green=100 but found blue=100 green=0");
      assertThat(f.router.writes()).containsExactly(split(0, 100));
      assertThat(f.clock.elapsed()).isLessThan(Duration.ofSeconds(92));
    }

    @Test
    void driftAfterTheLastBakeIsCaughtByTheFinalRead() {
      PlanFixture f = new PlanFixture();
      SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 50, 100)).listener(e -> {
        if (e instanceof SwitchEvent.StageCompleted c && c.stageNumber() == 2) {
          f.router.changeExternally(split(100, 0)); // an HTTPRoute put back to 100/0 as the plan finishes
        }
      }).build().execute();
      assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED);
      assertThat(r.events(SwitchEvent.DriftDetected.class)).singleElement()
          .satisfies(d -> assertThat(d.actual()).contains(split(100, 0)));
      assertThat(r.trafficNow()).contains(split(100, 0));
      assertThat(f.router.peek()).isEqualTo(split(100, 0));
    }

    @Test
    void aCompletedPlanEndsWithOneFinalReadThatShowsItsSplit() {
      PlanFixture f = new PlanFixture();
      SwitchResult r = f.plan().schedule(StageSchedule.allAtOnce()).build().execute();
      assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
      // snapshot, read before the write, final read
      assertThat(f.router.readCount()).isEqualTo(3);
      assertThat(r.isTrafficNowVerified()).as("the final read shows the verified split").isTrue();
      assertThat(r.traffic().at()).contains(r.finishedAt());
    }

    @Test
    void theRouteIsReadOncePerGatePollDuringABake() {
      PlanFixture f = new PlanFixture();
      SwitchResult r = f.plan().gateInterval(Duration.ofSeconds(10)).schedule(StageSchedule.allAtOnce(Duration.ofMinutes(1)))
          .gate(ScriptedGate.healthy()).build().execute();
      assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
      // polls at 0, 10, ..., 60 s: the first follows the verification, the 6 others read; plus snapshot, pre-write and final reads
      assertThat(f.router.readCount()).isEqualTo(6 + 3);
    }
  }

  @Nested
  class DriftToAStateNoEnvironmentMapsTo {

    private void assertUnmappedDrift(SwitchResult r, String state) {
      assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED);
      assertThat(r.cause()).get().isInstanceOf(DriftDetectedException.class);
      assertThat(r.events(SwitchEvent.DriftDetected.class)).singleElement().satisfies(d -> {
        assertThat(d.found()).contains(state);
        assertThat(d.actual()).isEmpty();
      });
      assertThat(r.trafficNow()).as("no stale split").isEmpty();
      assertThat(r.traffic().kind()).isEqualTo(TrafficObservation.Kind.UNMAPPED);
      assertThat(r.traffic().unmappedState()).contains(state);
      assertThat(r.summary()).contains("traffic now in a state no environment maps to (" + state + ")");
    }

    @Test
    void beforeTheFirstWrite() {
      PlanFixture f = new PlanFixture();
      f.router.changeExternallyToUnmapped("selector version=red");
      SwitchResult r = f.plan().build().execute();
      assertUnmappedDrift(r, "selector version=red"); // before: ABORTED with a plain read failure, trafficNow blue=100
      assertThat(r.events(SwitchEvent.DriftDetected.class).get(0).expected()).as("nothing was expected yet").isNull();
      assertThat(r.writes()).isZero();
      assertThat(r.writeAttempts()).isZero();
    }

    @Test
    void betweenStages() {
      PlanFixture f = new PlanFixture();
      SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100)).listener(e -> {
        if (e instanceof SwitchEvent.StageCompleted c && c.stageNumber() == 1) {
          f.router.changeExternallyToUnmapped("selector version=red");
        }
      }).build().execute();
      assertUnmappedDrift(r, "selector version=red"); // before: ROLLBACK_FAILED "restore it by hand", trafficNow blue=90 green=10
      assertThat(r.events(SwitchEvent.DriftDetected.class).get(0).expected()).isEqualTo(split(90, 10));
      assertThat(f.router.writes()).as("no rollback write over it").containsExactly(split(90, 10));
      assertThat(f.router.peekUnmapped()).contains("selector version=red");
    }

    @Test
    void duringABake() {
      PlanFixture f = new PlanFixture();
      Instant[] changed = new Instant[1];
      SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(10), 10, 100))
          .gate(once(1, Duration.ofMinutes(3), () -> f.router.changeExternallyToUnmapped("weights app-red=100"), changed))
          .build().execute();
      assertUnmappedDrift(r, "weights app-red=100");
      assertThat(Duration.between(changed[0], r.events(SwitchEvent.DriftDetected.class).get(0).at()))
          .isLessThanOrEqualTo(Duration.ofSeconds(1));
      assertThat(f.router.writes()).containsExactly(split(90, 10));
    }

    @Test
    void atTheFinalRead() {
      PlanFixture f = new PlanFixture();
      SwitchResult r = f.plan().listener(e -> {
        if (e instanceof SwitchEvent.StageCompleted) {
          f.router.changeExternallyToUnmapped("selector version=red");
        }
      }).build().execute();
      assertUnmappedDrift(r, "selector version=red"); // before: COMPLETED
      assertThat(f.router.writes()).containsExactly(split(0, 100));
    }

    @Test
    void beforeTheRollback() {
      PlanFixture f = new PlanFixture();
      ScriptedGate gate = ScriptedGate.of("breaks-and-someone-moves-the-route", ctx -> {
        f.router.changeExternallyToUnmapped("selector version=red");
        return GateResult.unhealthy("HTTP 503 from green");
      });
      SwitchResult r = f.plan().schedule(StageSchedule.canary(10, Duration.ofMinutes(1))).gate(gate).build().execute();
      assertUnmappedDrift(r, "selector version=red"); // before: ROLLBACK_FAILED "restore it by hand"
      assertThat(r.reason()).contains("HTTP 503 from green").contains("did not roll back");
      assertThat(f.router.writes()).containsExactly(split(90, 10));
    }

    @Test
    void insideTheRollback() {
      PlanFixture f = new PlanFixture();
      f.router.failWritesOf(split(100, 0), 1, () -> {
        f.router.changeExternallyToUnmapped("selector version=red");
        return transientError("HTTP 500");
      });
      SwitchResult r = f.plan().schedule(StageSchedule.canary(10, Duration.ofMinutes(1)))
          .gate(ScriptedGate.unhealthyDuringStage(1, "down")).build().execute();
      assertUnmappedDrift(r, "selector version=red");
      assertThat(f.router.writes()).containsExactly(split(90, 10));
    }
  }

  @Nested
  class TrafficNowIsNeverStale {

    @Test
    void aFailedLastReadIsUnknownWithWhatWasLastSeenAndWhen() {
      PlanFixture f = new PlanFixture();
      f.router.failWritesOf(split(100, 0), 1000, () -> {
        f.router.failNextReads(1000, () -> transientError("connection refused"));
        return permanentError("AccessDenied: role lost its permissions");
      });
      SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 25, 100))
          .gate(ScriptedGate.unhealthyDuringStage(1, "HTTP 503")).build().execute();
      assertThat(r.outcome()).isEqualTo(Outcome.ROLLBACK_FAILED);
      assertThat(r.trafficNow()).as("before: the stale blue=75 green=25").isEmpty();
      TrafficObservation seen = r.traffic();
      assertThat(seen.kind()).isEqualTo(TrafficObservation.Kind.UNKNOWN);
      assertThat(seen.failure()).get().asString().contains("connection refused");
      assertThat(seen.lastSeen()).get().satisfies(last -> assertThat(last.split()).contains(split(75, 25)));
      Instant lastSeenAt = seen.lastSeen().orElseThrow().at().orElseThrow();
      assertThat(r.summary()).contains("traffic now UNKNOWN: the last read failed (connection refused); last seen blue=75 green=25 at "
          + lastSeenAt);
      assertThat(r.events(SwitchEvent.RollbackFailed.class)).singleElement()
          .satisfies(e -> assertThat(e.lastRead()).isEmpty());
    }

    @Test
    void aPlanThatLostTheLockRaceSaysItNeverReadTheRoute() throws Exception {
      PlanFixture f = new PlanFixture();
      try (RouteLock.Lease held = f.lock.acquire(f.router.routeId(), "pipeline-41@build-7")) {
        SwitchResult r = f.plan().build().execute();
        assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(r.traffic().kind()).isEqualTo(TrafficObservation.Kind.NOT_READ);
        assertThat(r.summary()).contains("traffic not read: the plan stopped before reading the route")
            .doesNotContain("could not be read");
      }
    }

    @Test
    void whatWasReadIsReportedWithWhen() {
      PlanFixture f = new PlanFixture();
      SwitchResult r = f.plan().schedule(StageSchedule.allAtOnce(Duration.ofMinutes(3))).build().execute();
      assertThat(r.traffic().kind()).isEqualTo(TrafficObservation.Kind.SPLIT);
      assertThat(r.traffic().split()).contains(split(0, 100));
      assertThat(r.traffic().isVerified()).isTrue();
      assertThat(r.traffic().at()).contains(f.clock.instant());
    }
  }

  @Nested
  class WritesApartFromAttempts {

    @Test
    void aRefusedOnlyWriteIsNotAChange() {
      PlanFixture f = new PlanFixture();
      f.router.failWritesOf(split(0, 100), 1, () -> permanentError("HTTP 403 Forbidden: cannot update services"));
      SwitchResult r = f.plan().build().execute();
      // before: ROLLED_BACK ... restored blue=100 green=0, writes() = 1
      assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED);
      assertThat(r.reason()).contains("HTTP 403").contains("nothing changed: memory/checkout still holds blue=100 green=0 as found");
      assertThat(r.writes()).isZero();
      assertThat(r.writeAttempts()).isEqualTo(1);
      assertThat(r.events(SwitchEvent.RollbackStarted.class)).isEmpty();
      assertThat(r.summary()).doesNotContain("restored").contains("no write (1 attempt) reached the backend")
          .contains("traffic now blue=100 green=0");
      assertThat(f.router.writeCount()).isZero();
    }

    @Test
    void aRefusedWriteOnARouteThatCannotBeReadRollsBackToBeSafe() {
      PlanFixture f = new PlanFixture();
      f.router.failWritesOf(split(0, 100), 1, () -> {
        f.router.failNextReads(40, () -> transientError("connection refused"));
        return permanentError("HTTP 403 Forbidden");
      });
      SwitchResult r = f.plan().build().execute();
      assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(f.router.peek()).isEqualTo(split(100, 0));
    }

    @Test
    void aWriteRetriedAfterA503IsOneWriteOfTwoAttempts() {
      PlanFixture f = new PlanFixture();
      f.router.failNextWrites(1, () -> transientError("HTTP 503"));
      SwitchResult r = f.plan().build().execute();
      assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
      assertThat(r.writes()).isEqualTo(1);
      assertThat(r.writeAttempts()).isEqualTo(2);
      assertThat(r.summary()).startsWith("COMPLETED: blue -> green in 1 write (2 attempts);"); // before: "in 2 writes"
    }

    @Test
    void aFailedAttemptThatLandedCountsAsTheWrite() {
      PlanFixture f = new PlanFixture();
      f.router.failNextWritesAfterLanding(1, () -> transientError("read timed out"));
      SwitchResult r = f.plan().build().execute();
      assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
      assertThat(r.writes()).isEqualTo(1);
      assertThat(r.writeAttempts()).isEqualTo(2);
    }

    @Test
    void aFailedOnlyAttemptThatLandedIsAChangeAndIsRolledBack() {
      PlanFixture f = new PlanFixture();
      f.router.failNextWritesAfterLanding(1, () -> permanentError("connection reset after the request was sent"));
      SwitchResult r = f.plan().build().execute();
      assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(r.writes()).as("the landed attempt and the rollback").isEqualTo(2);
      assertThat(r.writeAttempts()).isEqualTo(2);
      assertThat(f.router.writes()).containsExactly(split(0, 100), split(100, 0));
    }
  }

  @Nested
  class Interrupts {

    @Test
    void anInterruptInsideAGatesCallIsReportedAsAnInterruptNotAsTheGatesVerdict() throws Exception {
      PlanFixture f = new PlanFixture();
      // what HttpHealthGate or EndpointsReadyGate do when the interrupt lands in their HTTP call: restore the flag, answer
      HealthGate endpoints = HealthGate.of("endpoints-ready(default/app-service)", ctx -> {
        Thread.currentThread().interrupt();
        return GateResult.unhealthy("GET endpointslices was interrupted");
      });
      PlanFixture.OwnThreadRun run = PlanFixture.executeOnOwnThread(f.plan().schedule(StageSchedule.canary(10, Duration.ofMinutes(5)))
          .gate(endpoints).build());
      SwitchResult r = run.result();
      assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
      // before: "gate endpoints-ready(...) UNHEALTHY during stage 1/2: ... was interrupted", blaming green
      assertThat(r.reason()).startsWith("interrupted while checking gate endpoints-ready(default/app-service)")
          .doesNotContain("UNHEALTHY");
      assertThat(r.events(SwitchEvent.GateChecked.class)).noneMatch(g -> g.result().isUnhealthy());
      assertThat(f.router.peek()).isEqualTo(split(100, 0));
      assertThat(r.isTrafficNowVerified()).isTrue();
      assertThat(run.stillInterrupted()).as("the interrupt is restored for the caller").isTrue();
    }

    @Test
    void anInterruptInsideARouterCallIsReportedAsAnInterrupt() throws Exception {
      PlanFixture f = new PlanFixture();
      SwitchPlan plan = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100)).listener(e -> {
        if (e instanceof SwitchEvent.StageCompleted c && c.stageNumber() == 1) {
          f.router.failNextReads(1, () -> {
            Thread.currentThread().interrupt();
            return permanentError("GET services/app-service was interrupted");
          });
        }
      }).build();
      PlanFixture.OwnThreadRun run = PlanFixture.executeOnOwnThread(plan);
      SwitchResult r = run.result();
      assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(r.reason()).startsWith("interrupted during read before stage 2");
      assertThat(f.router.peek()).isEqualTo(split(100, 0));
      assertThat(run.stillInterrupted()).isTrue();
    }
  }

  @Nested
  class PreSwitchReadinessWithinTheGrace {

    @Test
    void aTargetThatBecomesReadyWithinTheGraceIsSwitchedTo() {
      PlanFixture f = new PlanFixture();
      f.router.notReadyFor(3, "Service default/app-service would select version=green, but none of the 2 Pods is ready");
      SwitchResult r = f.plan().gateInterval(Duration.ofSeconds(10)).gateGrace(Duration.ofMinutes(2)).build().execute();
      assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED); // before: ABORTED at once
      assertThat(f.clock.sleeps()).startsWith(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10));
      SwitchEvent.StageApplied applied = r.events(SwitchEvent.StageApplied.class).get(0);
      assertThat(Duration.between(r.startedAt(), applied.at())).isEqualTo(Duration.ofSeconds(30));
      assertThat(r.events(SwitchEvent.Notice.class)).anySatisfy(n -> {
        assertThat(n.message()).contains("waiting up to PT2M").contains("none of the 2 Pods is ready");
        assertThat(n.level()).isEqualTo(SwitchEvent.Notice.Level.INFO);
      });
    }

    @Test
    void aTargetThatIsNotReadyWithinTheGraceIsRefusedNamingWhatIsNotReady() {
      PlanFixture f = new PlanFixture();
      f.router.notReadyFor(1000, "Service default/app-green has no ready endpoint (0 of 3 ready)");
      SwitchResult r = f.plan().gateInterval(Duration.ofSeconds(10)).gateGrace(Duration.ofMinutes(2)).build().execute();
      assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
      assertThat(r.reason()).contains("not ready within the gate grace of PT2M").contains("app-green has no ready endpoint (0 of 3 ready)");
      assertThat(f.clock.elapsed()).isEqualTo(Duration.ofMinutes(2));
      assertThat(f.router.writeCount()).isZero();
      assertThat(r.writeAttempts()).isZero();
    }

    @Test
    void aMissingResourceStillAbortsAtOnce() {
      PlanFixture f = new PlanFixture();
      f.router.failPreflight("Service default/app-green not found: create it or fix the mapping");
      SwitchResult r = f.plan().gateGrace(Duration.ofMinutes(2)).build().execute();
      assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
      assertThat(f.clock.elapsed()).isZero();
      assertThat(r.reason()).contains("not found");
    }
  }

  @Nested
  class NoWriteWithoutTheLock {

    /** A lock whose lease can be revoked, as a DynamoDB or Kubernetes lease is when its heartbeat fails. */
    final class RevocableLock implements RouteLock {
      final InProcessRouteLock inner = new InProcessRouteLock();
      final AtomicBoolean revoked = new AtomicBoolean();
      int isHeldChecks;

      @Override
      public Lease acquire(String routeId, String owner) {
        Lease lease = inner.acquire(routeId, owner);
        return new Lease() {
          @Override
          public String routeId() {
            return lease.routeId();
          }

          @Override
          public String owner() {
            return lease.owner();
          }

          @Override
          public boolean isHeld() {
            isHeldChecks++;
            return !revoked.get() && lease.isHeld();
          }

          @Override
          public void close() {
            lease.close();
          }
        };
      }
    }

    @Test
    void aRetriedAttemptChecksTheLockFirst() {
      PlanFixture f = new PlanFixture();
      RevocableLock lock = new RevocableLock();
      f.router.failNextWrites(1, () -> {
        lock.revoked.set(true); // the lease's heartbeat failed while the write was in flight
        return transientError("HTTP 503");
      });
      SwitchResult r = f.plan().lock(lock).build().execute();
      assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED); // before: the retry wrote without the lock
      assertThat(r.reason()).contains("lost the lock on memory/checkout");
      assertThat(f.router.writes()).isEmpty();
      assertThat(r.writeAttempts()).isEqualTo(1);
    }

    @Test
    void everyRollbackAttemptChecksTheLockFirst() {
      PlanFixture f = new PlanFixture();
      RevocableLock lock = new RevocableLock();
      f.router.failWritesOf(split(100, 0), 1, () -> {
        lock.revoked.set(true);
        return transientError("HTTP 500");
      });
      SwitchResult r = f.plan().lock(lock).schedule(StageSchedule.canary(10, Duration.ofMinutes(1)))
          .gate(ScriptedGate.unhealthyDuringStage(1, "down")).build().execute();
      assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED);
      assertThat(r.reason()).contains("did not roll back because the lock on memory/checkout was lost");
      assertThat(f.router.writes()).containsExactly(split(90, 10));
      assertThat(r.writeAttempts()).isEqualTo(2);
    }

    @Test
    void theLockIsCheckedImmediatelyBeforeEveryWrite() {
      PlanFixture f = new PlanFixture();
      RevocableLock lock = new RevocableLock();
      int[] checksAtWrite = new int[3];
      int[] i = {0};
      Router spy = onApply(f.router, () -> checksAtWrite[i[0]++] = lock.isHeldChecks);
      SwitchResult r = f.plan().router(spy).lock(lock).schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 50, 100)).build()
          .execute();
      assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
      assertThat(checksAtWrite[0]).isPositive();
      assertThat(checksAtWrite[1]).isGreaterThan(checksAtWrite[0]);
      assertThat(checksAtWrite[2]).isGreaterThan(checksAtWrite[1]);
    }
  }

  /** {@code router}, running {@code action} just before each apply. */
  static Router onApply(Router router, Runnable action) {
    return new Router() {
      @Override
      public String routeId() {
        return router.routeId();
      }

      @Override
      public List<Environment> environments() {
        return router.environments();
      }

      @Override
      public RouterCapabilities capabilities() {
        return router.capabilities();
      }

      @Override
      public TrafficSplit current() {
        return router.current();
      }

      @Override
      public void apply(TrafficSplit target) {
        action.run();
        router.apply(target);
      }

      @Override
      public Verification verify(TrafficSplit expected) {
        return router.verify(expected);
      }
    };
  }

  @Nested
  class Wording {

    @Test
    void nothingWasWrittenIsSaidOnce() {
      PlanFixture f = new PlanFixture();
      f.router.failPreflight("Service default/app-green not found: create it; nothing was written");
      SwitchResult r = f.plan().build().execute();
      assertThat(r.summary()).containsOnlyOnce("nothing was written");
    }

    @Test
    void informationIsLoggedAtInfoAndWarningsAtWarn() {
      PlanFixture f = PlanFixture.startingAt(split(0, 100));
      f.router.addNotice("target group stickiness is on");
      List<String> lines = new ArrayList<>();
      Logger log = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class}, (p, m, a) -> {
        if (a != null && a.length > 1 && m.getName().matches("info|warn|error|debug") && a[0] instanceof String format) {
          Object[] args = a.length == 2 && a[1] instanceof Object[] arr ? arr : java.util.Arrays.copyOfRange(a, 1, a.length);
          String text = format;
          for (Object arg : args) {
            text = text.replaceFirst("\\{}", java.util.regex.Matcher.quoteReplacement(String.valueOf(arg)));
          }
          lines.add(m.getName().toUpperCase(java.util.Locale.ROOT) + " " + text);
        }
        return m.getReturnType() == boolean.class ? Boolean.TRUE : null;
      });
      SwitchResult r = f.plan().defaultLogging(false).listener(new Slf4jSwitchListener(log)).build().execute();
      assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
      assertThat(lines).anyMatch(l -> l.startsWith("INFO ") && l.contains("already in place: nothing to write")); // before: WARN
      assertThat(lines).noneMatch(l -> l.startsWith("WARN ") && l.contains("already in place"));
      assertThat(lines).anyMatch(l -> l.startsWith("WARN ") && l.contains("stickiness is on"));
    }

    @Test
    void plansWithDefaultNamesInOneJvmHaveTheirOwnOwners() {
      PlanFixture f = new PlanFixture();
      SwitchResult first = f.plan().name("blue->green").build().execute();
      SwitchResult second = SwitchPlan.builder().router(f.router).from(PlanFixture.GREEN).to(PlanFixture.BLUE).lock(f.lock)
          .time(f.clock).build().execute();
      SwitchResult third = SwitchPlan.builder().router(f.router).from(PlanFixture.BLUE).to(PlanFixture.GREEN).lock(f.lock)
          .time(f.clock).build().execute();
      String a = first.events(SwitchEvent.LockAcquired.class).get(0).owner();
      String c = third.events(SwitchEvent.LockAcquired.class).get(0).owner();
      assertThat(a).matches("blue->green@\\d+@.+/[0-9a-f]{6}");
      assertThat(c).matches("blue->green@\\d+@.+/[0-9a-f]{6}").isNotEqualTo(a);
      assertThat(second.outcome()).isEqualTo(Outcome.COMPLETED);
    }
  }
}
