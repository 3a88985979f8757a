package io.bluegreen.core;

import static io.bluegreen.core.PlanFixture.BLUE;
import static io.bluegreen.core.PlanFixture.GREEN;
import static io.bluegreen.core.PlanFixture.split;
import static io.bluegreen.core.PlanFixture.startAndAwaitApproval;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** One time source: what a plan accepts as its time, and approvals and aborts from another thread on virtual time. */
class SwitchPlanTimeTest {

  private static final Duration WAIT = Duration.ofSeconds(10);


  @Test
  void aPlanTakesOneObjectThatTellsTimeAndSleeps() {
    PlanFixture f = new PlanFixture();
    SwitchPlan plan = f.plan().build();
    assertThat(plan.time()).isSameAs(f.clock);
    assertThat(plan.clock().instant()).isEqualTo(f.clock.instant());
    assertThat(SwitchPlan.builder().router(f.router).from(BLUE).to(GREEN).build().time()).isSameAs(TimeSource.system());
  }

  @Test
  @SuppressWarnings("deprecation")
  void theOldClockAndSleeperPairStillBuildsWhenItIsOneObject() {
    PlanFixture f = new PlanFixture();
    SwitchPlan plan = SwitchPlan.builder().router(f.router).from(BLUE).to(GREEN).lock(f.lock)
        .schedule(StageSchedule.allAtOnce(Duration.ofMinutes(10))).clock(f.clock).sleeper(f.clock).build();
    assertThat(plan.time()).isSameAs(f.clock);
    assertThat(plan.execute().outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.clock.elapsed()).isGreaterThanOrEqualTo(Duration.ofMinutes(10));
  }

  @Test
  @SuppressWarnings("deprecation")
  void aVirtualClockWithTheRealSleeperIsRefusedInsteadOfSpinning() {
    PlanFixture f = new PlanFixture();
    // before: this built, and a plan with a bake slept 13 million times in 2 s of one busy core
    assertThatThrownBy(() -> SwitchPlan.builder().router(f.router).from(BLUE).to(GREEN).clock(f.clock).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("not the same object").hasMessageContaining("time(...)");
    assertThatThrownBy(() -> SwitchPlan.builder().router(f.router).from(BLUE).to(GREEN).clock(f.clock).sleeper(VirtualClock.create())
        .build()).isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("time(...)");
    assertThat(f.router.requestCount()).isZero();
  }

  @Test
  void everyWaitOfABakeGoesThroughTheTimeSourceAndIsLogged() {
    PlanFixture f = new PlanFixture();
    SwitchResult r = f.plan().gateInterval(Duration.ofSeconds(10)).schedule(StageSchedule.allAtOnce(Duration.ofMinutes(1))).build()
        .execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.clock.sleeps()).isEqualTo(Collections.nCopies(6, Duration.ofSeconds(10)));
    assertThat(f.clock.sleepCount()).isEqualTo(6);
  }

  @Test
  void retryBackoffGoesThroughTheTimeSource() {
    PlanFixture f = new PlanFixture();
    f.router.failNextWrites(2, () -> PlanFixture.transientError("HTTP 503"));
    SwitchResult r = f.plan().retry(RetryPolicy.builder().jitter(0).initialBackoff(Duration.ofMillis(250)).build()).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.clock.sleeps()).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500));
  }

  @Test
  void anApprovalFromAnotherThreadBeforeTheVirtualDeadlineAlwaysWins() throws Exception {
    // before: the plan slept through its 30 virtual seconds in microseconds of real time, and the approval lost the race
    for (int run = 0; run < 20; run++) {
      PlanFixture f = new PlanFixture();
      SwitchExecution execution = startAndAwaitApproval(f.plan()
          .schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100).withApprovalBefore(2, Duration.ofSeconds(30))));
      assertThat(execution.approve()).as("run %d: stage 2 still waits", run).isTrue();
      SwitchResult r = execution.await(WAIT);
      assertThat(r.outcome()).as("run %d: %s", run, r.summary()).isEqualTo(Outcome.COMPLETED);
      assertThat(f.clock.elapsed()).as("the wait moved no virtual time").isLessThan(Duration.ofSeconds(30));
    }
  }

  @Test
  void anAbortFromAnotherThreadBeforeTheVirtualDeadlineAlwaysWins() throws Exception {
    PlanFixture f = new PlanFixture();
    SwitchExecution execution = startAndAwaitApproval(f.plan()
        .schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100).withApprovalBefore(2, Duration.ofMinutes(5))));
    execution.abort("release manager said no");
    SwitchResult r = execution.await(WAIT);
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("release manager said no");
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
  }

  @Test
  void aTestMakesTheApprovalTimeoutFireByMovingTheClockPastTheDeadline() throws Exception {
    PlanFixture f = new PlanFixture();
    SwitchExecution execution = startAndAwaitApproval(f.plan()
        .schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100).withApprovalBefore(2, Duration.ofHours(4))));
    f.clock.advance(Duration.ofHours(3));
    assertThat(execution.awaitingApproval()).as("3 of 4 hours: still waiting").contains(2);
    assertThat(execution.isDone()).isFalse();
    f.clock.advance(Duration.ofHours(1));
    SwitchResult r = execution.await(WAIT);
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("approval of stage 2 was not given within PT4H");
    assertThat(execution.approve()).as("too late").isFalse();
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
  }

  @Test
  void withoutAHandleTheApprovalTimeoutRunsOnThePlansTime() {
    PlanFixture f = new PlanFixture();
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100).withApprovalBefore(2, Duration.ofHours(4)))
        .build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(f.clock.elapsed()).isEqualTo(Duration.ofHours(4));
  }

  @Test
  void anApprovalNobodyCanGiveStopsInsteadOfWaitingForever() {
    PlanFixture f = new PlanFixture();
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ZERO, 10, 100).withApprovalBefore(2, null)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("gives nobody a handle to approve it").contains("start()");
    assertThat(f.router.peek()).isEqualTo(split(100, 0));
  }
}
