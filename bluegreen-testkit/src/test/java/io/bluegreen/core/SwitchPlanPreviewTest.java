package io.bluegreen.core;

import static io.bluegreen.core.PlanFixture.BLUE;
import static io.bluegreen.core.PlanFixture.GREEN;
import static io.bluegreen.core.PlanFixture.permanentError;
import static io.bluegreen.core.PlanFixture.split;
import static io.bluegreen.core.PlanFixture.transientError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.testkit.InMemoryPreviewRoute;
import io.bluegreen.testkit.ScriptedGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The preview phase: opened after the preflight and before the pre-switch gates, checked by the
 * preview gates with nothing written to the route, closed on every way out (completed, rolled back,
 * timed out, aborted, interrupted, drifted, a preview gate failing, a failure while opening it), a
 * preview left by a dead run removed and named, a close that fails reported, never hidden.
 */
class SwitchPlanPreviewTest {

  private static final StageSchedule STAGES = StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 50, 100);

  private static int index(List<SwitchEvent> timeline, Class<? extends SwitchEvent> type) {
    for (int i = 0; i < timeline.size(); i++) {
      if (type.isInstance(timeline.get(i))) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void thePreviewOpensAfterThePreflightIsCheckedWhileProductionStaysOnBlueAndClosesWhenThePlanEnds() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create();
    List<TrafficSplit> productionDuringPreview = new ArrayList<>();
    List<PreviewEndpoint> seen = new ArrayList<>();
    HealthGate smoke = HealthGate.of("smoke through the preview", ctx -> {
      seen.add(ctx.preview().orElseThrow());
      productionDuringPreview.add(f.router.peek());
      assertThat(preview.isOpen()).isTrue();
      return GateResult.healthy("checkout works");
    });

    SwitchResult r = f.plan().schedule(STAGES).preview(preview).previewGate(smoke).preSwitchGate(ScriptedGate.healthy()).build().execute();

    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
    List<SwitchEvent> t = r.timeline();
    assertThat(index(t, SwitchEvent.PreflightPassed.class)).isLessThan(index(t, SwitchEvent.PreviewOpened.class));
    int previewGate = indexOfGate(t, GateContext.Phase.PREVIEW);
    assertThat(index(t, SwitchEvent.PreviewOpened.class)).isLessThan(previewGate);
    assertThat(previewGate).isLessThan(indexOfGate(t, GateContext.Phase.PRE_SWITCH));
    assertThat(indexOfGate(t, GateContext.Phase.PRE_SWITCH)).isLessThan(index(t, SwitchEvent.StageApplied.class));
    assertThat(index(t, SwitchEvent.PreviewClosed.class)).isGreaterThan(index(t, SwitchEvent.StageCompleted.class))
        .isLessThan(index(t, SwitchEvent.PlanFinished.class));
    assertThat(productionDuringPreview).as("production traffic while the preview is checked").containsOnly(split(100, 0));
    assertThat(seen).singleElement().satisfies(e -> {
      assertThat(e.environment()).isEqualTo(GREEN);
      assertThat(e.headers()).containsEntry("X-Preview", "green-token");
    });
    assertThat(preview.isOpen()).isFalse();
    assertThat(preview.opens()).isEqualTo(1);
    assertThat(r.preview()).contains(seen.get(0));
    assertThat(r.previewLeftOpen()).isEmpty();
    assertThat(r.writes()).as("route writes only; the preview's are its own").isEqualTo(3);
    assertThat(r.events(SwitchEvent.PreviewOpened.class)).singleElement().asString().doesNotContain("green-token");
  }

  private static int indexOfGate(List<SwitchEvent> timeline, GateContext.Phase phase) {
    for (int i = 0; i < timeline.size(); i++) {
      if (timeline.get(i) instanceof SwitchEvent.GateChecked g && g.phase() == phase) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void aPreviewGateThatFailsAbortsWithNothingWrittenToTheRouteAndClosesThePreview() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create();
    SwitchResult r = f.plan().schedule(STAGES).preview(preview)
        .previewGate(ScriptedGate.sequence(GateResult.unhealthy("checkout answers 500")).named("smoke")).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("preview gate smoke is UNHEALTHY", "checkout answers 500", "nothing was written");
    assertThat(f.router.writeCount()).isZero();
    assertThat(preview.isOpen()).isFalse();
    assertThat(r.events(SwitchEvent.PreviewClosed.class)).hasSize(1);
  }

  @Test
  void anInconclusivePreviewGateIsGivenTheGateGraceThenAborts() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create();
    SwitchResult r = f.plan().schedule(STAGES).preview(preview).gateGrace(Duration.ofSeconds(30)).gateInterval(Duration.ofSeconds(5))
        .previewGate(ScriptedGate.sequence(GateResult.inconclusive("warming up")).named("smoke")).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("still INCONCLUSIVE after PT30S", "warming up");
    assertThat(f.clock.elapsed()).isEqualTo(Duration.ofSeconds(30));
    assertThat(f.router.writeCount()).isZero();
    assertThat(preview.isOpen()).isFalse();
  }

  @Test
  void thePreviewIsClosedAfterARollback() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create();
    SwitchResult r = f.plan().schedule(STAGES).preview(preview).gate(ScriptedGate.unhealthyDuringStage(2, "5xx")).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(preview.isOpen()).isFalse();
    List<SwitchEvent> t = r.timeline();
    assertThat(index(t, SwitchEvent.RollbackCompleted.class)).isLessThan(index(t, SwitchEvent.PreviewClosed.class));
  }

  @Test
  void thePreviewIsClosedAfterATimeout() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create();
    SwitchResult r = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(10), 10, 100)).timeout(Duration.ofMinutes(5))
        .preview(preview).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.reason()).contains("timed out");
    assertThat(preview.isOpen()).isFalse();
  }

  @Test
  void thePreviewIsClosedAfterADrift() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create();
    SwitchResult r = f.plan().schedule(STAGES).preview(preview)
        .gate(HealthGate.of("someone else", ctx -> {
          if (ctx.stageNumber().orElse(0) == 1) {
            f.router.changeExternally(split(70, 30));
          }
          return GateResult.healthy();
        })).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.events(SwitchEvent.DriftDetected.class)).isNotEmpty();
    assertThat(preview.isOpen()).isFalse();
  }

  @Test
  void thePreviewIsClosedAfterAnAbortAndAfterAnInterrupt() throws Exception {
    for (boolean interrupt : new boolean[] {false, true}) {
      PlanFixture f = new PlanFixture();
      InMemoryPreviewRoute preview = InMemoryPreviewRoute.create();
      CountDownLatch inStage = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      HealthGate blocking = HealthGate.of("slow", ctx -> {
        if (ctx.phase() == GateContext.Phase.STAGE) {
          inStage.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return GateResult.healthy();
      });
      Thread[] runner = new Thread[1];
      SwitchExecution run = f.plan().schedule(STAGES).preview(preview).gate(blocking).build().start(cmd -> {
        runner[0] = new Thread(cmd, "plan");
        runner[0].start();
      });
      assertThat(inStage.await(10, TimeUnit.SECONDS)).isTrue();
      if (interrupt) {
        runner[0].interrupt();
      } else {
        run.abort("operator said stop");
      }
      release.countDown();
      SwitchResult r = run.await(Duration.ofSeconds(10));

      assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(preview.isOpen()).as(interrupt ? "after an interrupt" : "after an abort").isFalse();
      assertThat(r.previewLeftOpen()).isEmpty();
    }
  }

  @Test
  void aFailureWhileOpeningThePreviewAbortsAndRemovesWhatTheOpenWrote() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create().failOpensAfterLanding(1, () -> permanentError("rule limit reached"));

    SwitchResult r = f.plan().schedule(STAGES).preview(preview).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("rule limit reached", "nothing was written");
    assertThat(f.router.writeCount()).isZero();
    assertThat(preview.isOpen()).as("what the failed open wrote is removed").isFalse();
    assertThat(r.events(SwitchEvent.PreviewClosed.class)).singleElement().satisfies(c -> assertThat(c.removed()).contains("opened by"));
    assertThat(r.events(SwitchEvent.PreviewOpened.class)).isEmpty();
  }

  @Test
  void aTransientFailureWhileOpeningIsRetried() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create().failOpensAfterLanding(1, () -> transientError("throttled"));

    SwitchResult r = f.plan().schedule(STAGES).preview(preview).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(preview.opens()).isEqualTo(2);
    assertThat(preview.writes()).as("the retry found it open: one write to open, one to close").isEqualTo(2);
  }

  @Test
  void aPreviewLeftByADeadRunIsRemovedAndNamedBeforeThisRunOpensItsOwn() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create().leftOpenBy("crashed-pipeline@runner-1", GREEN);

    SwitchResult r = f.plan().schedule(STAGES).preview(preview).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(r.events(SwitchEvent.PreviewLeftoverRemoved.class)).singleElement()
        .satisfies(e -> assertThat(e.removed()).contains("crashed-pipeline@runner-1"));
    List<SwitchEvent> t = r.timeline();
    assertThat(index(t, SwitchEvent.PreviewLeftoverRemoved.class)).isLessThan(index(t, SwitchEvent.PreviewOpened.class));
    assertThat(preview.isOpen()).isFalse();
  }

  @Test
  void aPreviewThatCannotBeClosedIsReportedAndTheOutcomeStands() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create();
    HealthGate revokes = HealthGate.of("permission revoked mid-plan", ctx -> {
      preview.failCloses(1, () -> permanentError("AccessDenied: DeleteRule"));
      return GateResult.healthy();
    });

    SwitchResult r = f.plan().schedule(STAGES).preview(preview).gate(revokes).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(r.previewLeftOpen()).hasValueSatisfying(s -> assertThat(s).contains("AccessDenied: DeleteRule", "the next run"));
    assertThat(r.summary()).contains("PREVIEW LEFT OPEN");
    assertThat(r.events(SwitchEvent.PreviewCloseFailed.class)).hasSize(1);
    assertThat(preview.isOpen()).isTrue();
  }

  @Test
  void aPreviewPreflightFailureAbortsBeforeAnyWrite() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create().failPreflight("priority 7 is taken by rule r-1");

    SwitchResult r = f.plan().schedule(STAGES).preview(preview).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("priority 7 is taken");
    assertThat(f.router.writeCount()).isZero();
    assertThat(preview.opens()).isZero();
    assertThat(preview.closes()).as("nothing was written, so nothing is closed").isZero();
  }

  @Test
  void aPreviewNotServedYetIsPolledWithBackoffBeforeItsGates() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create().servedAfter(3);

    SwitchResult r = f.plan().schedule(STAGES).preview(preview).previewGate(ScriptedGate.healthy()).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(f.clock.sleeps().subList(0, 3)).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
  }

  @Test
  void aPreviewNeverServedAbortsAfterTheVerifyTimeout() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create().servedAfter(1_000);

    SwitchResult r = f.plan().schedule(STAGES).preview(preview).verifyTimeout(Duration.ofSeconds(20)).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("not served within PT20S");
    assertThat(f.router.writeCount()).isZero();
    assertThat(preview.isOpen()).isFalse();
  }

  @Test
  void previewGatesWithoutAPreviewAreRefusedByBuild() {
    PlanFixture f = new PlanFixture();
    assertThatThrownBy(() -> f.plan().previewGate(ScriptedGate.healthy()).build()).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("no preview route");
  }

  @Test
  void aDryRunChecksThePreviewAndOpensNothing() {
    PlanFixture f = new PlanFixture();
    InMemoryPreviewRoute preview = InMemoryPreviewRoute.create();

    DryRunReport report = f.plan().schedule(STAGES).preview(preview).build().dryRun();

    assertThat(report.notices()).anySatisfy(n -> assertThat(n).startsWith("would open preview of green").doesNotContain("green-token"));
    assertThat(preview.writes()).isZero();
    assertThatThrownBy(() -> f.plan().preview(InMemoryPreviewRoute.create().failPreflight("host taken")).build().dryRun())
        .isInstanceOf(PreflightException.class).hasMessageContaining("host taken");
  }
}
