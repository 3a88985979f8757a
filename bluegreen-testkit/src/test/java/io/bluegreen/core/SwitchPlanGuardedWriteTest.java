package io.bluegreen.core;

import static io.bluegreen.core.PlanFixture.BLUE;
import static io.bluegreen.core.PlanFixture.GREEN;
import static io.bluegreen.core.PlanFixture.permanentError;
import static io.bluegreen.core.PlanFixture.split;
import static io.bluegreen.core.PlanFixture.transientError;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.testkit.InMemoryRouter;
import io.bluegreen.testkit.ScriptedGate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Routers that guard their own writes ({@link WriteGuard#CONDITIONAL}, {@link
 * WriteGuard#READ_THEN_WRITE}): the engine writes through {@link Router#applyIfUnchanged} with no
 * read before and no read back, the guard is the drift check, and the truths of issue 10 still hold
 * (reads at every bake poll and at the end, writes apart from attempts, the lock before every write).
 * Request counts come from the router's backend; nothing here is timed.
 */
class SwitchPlanGuardedWriteTest {

  private static InMemoryRouter router(WriteGuard guard) {
    return InMemoryRouter.builder().routeId("memory/checkout").environments(BLUE, GREEN).writeGuard(guard).build();
  }

  /** Counts the backend requests made between a RollbackStarted and a RollbackCompleted event. */
  private static final class RollbackRequests {
    final AtomicInteger atStart = new AtomicInteger(-1);
    final AtomicInteger atEnd = new AtomicInteger(-1);

    SwitchPlan.Builder on(SwitchPlan.Builder plan, InMemoryRouter router) {
      return plan.listener(e -> {
        if (e instanceof SwitchEvent.RollbackStarted) {
          atStart.set(router.requestCount());
        } else if (e instanceof SwitchEvent.RollbackCompleted) {
          atEnd.set(router.requestCount());
        }
      });
    }

    int count() {
      assertThat(atStart.get()).as("RollbackStarted seen").isNotNegative();
      assertThat(atEnd.get()).as("RollbackCompleted seen").isNotNegative();
      return atEnd.get() - atStart.get();
    }
  }

  @Test
  void aConditionalRouterWritesEachStageInOneRequestWithNoReadBeforeOrBack() {
    PlanFixture f = new PlanFixture(router(WriteGuard.CONDITIONAL));
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 50, 100)).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    // snapshot read + preflight + 3 guarded writes + the final read
    assertThat(f.router.requestCount()).isEqualTo(1 + 1 + 3 + 1);
    assertThat(f.router.readCount()).isEqualTo(2);
    assertThat(f.router.verifyCount()).isZero();
    assertThat(f.router.writes()).containsExactly(split(90, 10), split(50, 50), split(0, 100));
    assertThat(r.writes()).isEqualTo(3);
    assertThat(r.writeAttempts()).isEqualTo(3);
    assertThat(r.isTrafficNowVerified()).isTrue();
    assertThat(r.events(SwitchEvent.StageApplied.class)).allMatch(SwitchEvent.StageApplied::written);
  }

  @Test
  void bakesStillReadTheRouteAtEveryPollAndThePlanEndsOnAFinalRead() {
    PlanFixture f = new PlanFixture(router(WriteGuard.CONDITIONAL));
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofSeconds(30), 50, 100)).gateInterval(Duration.ofSeconds(10))
        .gate(ScriptedGate.healthy()).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    // per stage: the guarded write, then a 30 s bake polled at 0, 10, 20, 30 s: a read at each poll but the first
    assertThat(f.router.readCount()).isEqualTo(1 + 2 * 3 + 1);
    assertThat(f.router.requestCount()).isEqualTo(1 + 1 + 2 * (1 + 3) + 1);
  }

  @Test
  void unhealthyToRollbackVerifiedIsOneRequestOnAConditionalRouter() {
    PlanFixture f = new PlanFixture(router(WriteGuard.CONDITIONAL));
    RollbackRequests counted = new RollbackRequests();
    SwitchResult r = counted.on(f.plan(), f.router).schedule(StageSchedule.canary(10, Duration.ofMinutes(10)))
        .gate(ScriptedGate.unhealthyInStageAfter(1, Duration.ofSeconds(5), "HTTP 503 from green")).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(counted.count()).as("backend requests from RollbackStarted to RollbackCompleted").isEqualTo(1);
    assertThat(f.router.writes()).containsExactly(split(90, 10), split(100, 0));
    assertThat(r.trafficNow()).contains(split(100, 0));
    assertThat(r.isTrafficNowVerified()).isTrue();
    assertThat(r.writes()).isEqualTo(2);
  }

  @Test
  void unhealthyToRollbackVerifiedIsTwoRequestsOnAReadThenWriteRouter() {
    PlanFixture f = new PlanFixture(router(WriteGuard.READ_THEN_WRITE));
    RollbackRequests counted = new RollbackRequests();
    SwitchResult r = counted.on(f.plan(), f.router).schedule(StageSchedule.canary(10, Duration.ofMinutes(10)))
        .gate(ScriptedGate.unhealthyInStageAfter(1, Duration.ofSeconds(5), "HTTP 503 from green")).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(counted.count()).as("the guard's read, then the write").isEqualTo(2);
    assertThat(f.router.verifyCount()).isZero();
    assertThat(r.isTrafficNowVerified()).isTrue();
  }

  @Test
  void theEngineGuardedPathStillTakesReadWriteAndVerifyForARollback() {
    PlanFixture f = new PlanFixture(router(WriteGuard.ENGINE));
    RollbackRequests counted = new RollbackRequests();
    SwitchResult r = counted.on(f.plan(), f.router).schedule(StageSchedule.canary(10, Duration.ofMinutes(10)))
        .gate(ScriptedGate.unhealthyInStageAfter(1, Duration.ofSeconds(5), "HTTP 503 from green")).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(counted.count()).as("read (drift check), write, verify").isEqualTo(3);
  }

  @Test
  void aGuardRefusedBeforeAStageWriteIsDriftAndNothingIsWrittenOverIt() {
    PlanFixture f = new PlanFixture(router(WriteGuard.CONDITIONAL));
    // another writer acts right after stage 1 is verified: no bake read before stage 2's write sees it
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100))
        .listener(e -> {
          if (e instanceof SwitchEvent.StageVerified v && v.stageNumber() == 1) {
            f.router.changeExternally(split(60, 40));
          }
        }).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.cause()).containsInstanceOf(DriftDetectedException.class);
    assertThat(f.router.guardRefusals()).isEqualTo(1);
    assertThat(f.router.writes()).containsExactly(split(90, 10));
    assertThat(f.router.peek()).isEqualTo(split(60, 40));
    assertThat(r.writes()).isEqualTo(1);
    assertThat(r.writeAttempts()).as("a refused guard is not a write attempt").isEqualTo(1);
    assertThat(r.trafficNow()).contains(split(60, 40));
    List<SwitchEvent.DriftDetected> drift = r.events(SwitchEvent.DriftDetected.class);
    assertThat(drift).singleElement().satisfies(d -> {
      assertThat(d.expected()).isEqualTo(split(90, 10));
      assertThat(d.actual()).contains(split(60, 40));
    });
    assertThat(r.events(SwitchEvent.RollbackStarted.class)).isEmpty();
  }

  @Test
  void aGuardRefusedByTheRollbackWriteIsDriftAndTheOtherWritersSplitStands() {
    PlanFixture f = new PlanFixture(router(WriteGuard.CONDITIONAL));
    SwitchResult r = f.plan().schedule(StageSchedule.canary(10, Duration.ofMinutes(10)))
        .gate(ScriptedGate.unhealthyInStageAfter(1, Duration.ofSeconds(5), "HTTP 503 from green"))
        .listener(e -> {
          if (e instanceof SwitchEvent.RollbackStarted) {
            f.router.changeExternally(split(30, 70));
          }
        }).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("did not roll back");
    assertThat(f.router.guardRefusals()).isEqualTo(1);
    assertThat(f.router.peek()).isEqualTo(split(30, 70));
    assertThat(f.router.writes()).containsExactly(split(90, 10));
    assertThat(r.trafficNow()).contains(split(30, 70));
  }

  @Test
  void aRollbackGuardOnAStateNoEnvironmentMapsToIsDriftNamingIt() {
    PlanFixture f = new PlanFixture(router(WriteGuard.CONDITIONAL));
    SwitchResult r = f.plan().schedule(StageSchedule.canary(10, Duration.ofMinutes(10)))
        .gate(ScriptedGate.unhealthyInStageAfter(1, Duration.ofSeconds(5), "HTTP 503 from green"))
        .listener(e -> {
          if (e instanceof SwitchEvent.RollbackStarted) {
            f.router.changeExternallyToUnmapped("backend red=100");
          }
        }).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.events(SwitchEvent.DriftDetected.class)).singleElement()
        .satisfies(d -> assertThat(d.found()).contains("backend red=100"));
    assertThat(r.traffic().kind()).isEqualTo(TrafficObservation.Kind.UNMAPPED);
    assertThat(f.router.writes()).containsExactly(split(90, 10));
  }

  @Test
  void aWriteThatLandedWithItsReplyLostIsOneWriteOfTwoAttempts() {
    PlanFixture f = new PlanFixture(router(WriteGuard.CONDITIONAL));
    f.router.failNextWritesAfterLanding(1, () -> transientError("connection reset after the update was stored"));
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100)).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.router.writes()).containsExactly(split(90, 10), split(0, 100));
    assertThat(r.writes()).isEqualTo(2);
    assertThat(r.writeAttempts()).isEqualTo(3);
    assertThat(r.events(SwitchEvent.RetryScheduled.class)).hasSize(1);
  }

  @Test
  void aRollbackAfterAWriteThatLandedWithoutAReplyRestoresFromItAndCountsIt() {
    PlanFixture f = new PlanFixture(router(WriteGuard.CONDITIONAL));
    // stage 2's write lands, then fails for good: the route holds a split the plan attempted but never saw
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100))
        .listener(e -> {
          if (e instanceof SwitchEvent.StageVerified v && v.stageNumber() == 1) {
            f.router.failNextWritesAfterLanding(1, () -> permanentError("the reply was a 400 from a proxy, the write landed"));
          }
        }).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(f.router.writes()).containsExactly(split(90, 10), split(0, 100), split(100, 0));
    assertThat(f.router.guardRefusals()).as("the rollback's guard found the landed write once, then wrote from it").isEqualTo(1);
    assertThat(r.writes()).isEqualTo(3);
    assertThat(r.trafficNow()).contains(split(100, 0));
    assertThat(r.isTrafficNowVerified()).isTrue();
    assertThat(r.events(SwitchEvent.DriftDetected.class)).isEmpty();
  }

  @Test
  void theLockIsCheckedBeforeEveryGuardedWrite() {
    PlanFixture f = new PlanFixture(router(WriteGuard.CONDITIONAL));
    io.bluegreen.core.lock.RouteLock lock = new io.bluegreen.core.lock.RouteLock() {
      @Override
      public Lease acquire(String routeId, String owner) {
        AtomicInteger checks = new AtomicInteger();
        return new Lease() {
          @Override
          public String routeId() {
            return routeId;
          }

          @Override
          public String owner() {
            return owner;
          }

          @Override
          public boolean isHeld() {
            return checks.incrementAndGet() <= 2; // held for stage 1 (the engine's check and the attempt's), lost after
          }

          @Override
          public void close() {
          }
        };
      }
    };
    SwitchResult r = f.plan().lock(lock).schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100)).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("lost the lock");
    assertThat(f.router.writes()).containsExactly(split(90, 10));
  }

  @Test
  void aWrapperThatClaimsTheGuardButDoesNotForwardItStillSwitchesCorrectlyTheLongWay() {
    InMemoryRouter inner = router(WriteGuard.CONDITIONAL);
    Router wrapper = new Router() {
      @Override
      public String routeId() {
        return inner.routeId();
      }

      @Override
      public List<Environment> environments() {
        return inner.environments();
      }

      @Override
      public RouterCapabilities capabilities() {
        return inner.capabilities();
      }

      @Override
      public TrafficSplit current() {
        return inner.current();
      }

      @Override
      public void apply(TrafficSplit target) {
        inner.apply(target);
      }

      @Override
      public Verification verify(TrafficSplit expected) {
        return inner.verify(expected);
      }
    };
    PlanFixture f = new PlanFixture(inner);
    SwitchResult r = f.plan().router(wrapper).schedule(StageSchedule.canary(10, Duration.ofMinutes(10)))
        .gate(ScriptedGate.unhealthyInStageAfter(1, Duration.ofSeconds(5), "HTTP 503 from green")).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(inner.writes()).containsExactly(split(90, 10), split(100, 0));
    assertThat(r.isTrafficNowVerified()).isTrue();
    assertThat(inner.guardRefusals()).isZero();
  }

  @Test
  void aPendingAnswerFromTheGuardedWriteIsPolledThroughVerify() {
    PlanFixture f = new PlanFixture(router(WriteGuard.CONDITIONAL));
    f.router.verifyPendingAfterEachWrite(2);
    SwitchResult r = f.plan().schedule(StageSchedule.allAtOnce()).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.router.verifyCount()).isEqualTo(3);
    assertThat(f.clock.sleeps()).startsWith(Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(r.isTrafficNowVerified()).isTrue();
  }
}
