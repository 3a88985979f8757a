package io.bluegreen.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.aws.support.MotoAlb;
import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.Router;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 15 on moto, counted request by request: an ALB router guards its own writes
 * (READ_THEN_WRITE: ELBv2 has no conditional write), so a forward stage and a rollback are each one
 * Describe (the drift check) and one Modify, verified from the Modify's response with no read back.
 */
class AlbGuardedWriteRequestsTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private final List<MotoAlb> albs = new ArrayList<>();

  @AfterEach
  void close() {
    albs.forEach(MotoAlb::close);
  }

  private Router router(MotoAlb alb, boolean rule) {
    return rule
        ? AlbRuleRouter.builder(alb.elb).ruleArn(alb.ruleArn).environment(BLUE, alb.blueTg).environment(GREEN, alb.greenTg).build()
        : AlbListenerRouter.builder(alb.elb).listenerArn(alb.listenerArn).environment(BLUE, alb.blueTg).environment(GREEN, alb.greenTg).build();
  }

  /** The requests by operation between StageStarted and StageVerified of each stage, and between RollbackStarted and RollbackCompleted. */
  private static final class Spans {
    final MotoAlb alb;
    final List<Map<String, Long>> stages = new ArrayList<>();
    Map<String, Long> rollback = Map.of();
    private Map<String, Long> mark = Map.of();

    Spans(MotoAlb alb) {
      this.alb = alb;
    }

    void on(SwitchEvent e) {
      if (e instanceof SwitchEvent.StageStarted || e instanceof SwitchEvent.RollbackStarted) {
        mark = alb.counter.snapshot();
      } else if (e instanceof SwitchEvent.StageVerified) {
        stages.add(since());
      } else if (e instanceof SwitchEvent.RollbackCompleted) {
        rollback = since();
      }
    }

    private Map<String, Long> since() {
      Map<String, Long> d = new TreeMap<>();
      alb.counter.snapshot().forEach((op, n) -> {
        long delta = n - mark.getOrDefault(op, 0L);
        if (delta > 0) {
          d.put(op, delta);
        }
      });
      return d;
    }
  }

  private SwitchResult run(Router router, Spans spans, ScriptedGate gate) {
    return SwitchPlan.builder().router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 50, 100))
        .gate(gate).gateInterval(Duration.ofSeconds(30))
        .lock(new InProcessRouteLock()).listener(spans::on)
        .time(VirtualClock.create()).build().execute();
  }

  @ParameterizedTest(name = "rule={0}")
  @ValueSource(booleans = {false, true})
  void aStageIsOneDescribeAndOneModifyVerifiedFromTheModifysResponse(boolean rule) {
    MotoAlb alb = MotoAlb.create(rule ? MotoAlb.options().rule() : MotoAlb.options());
    albs.add(alb);
    Router router = router(alb, rule);
    assertThat(router.capabilities().writeGuard()).isEqualTo(WriteGuard.READ_THEN_WRITE);
    String describe = rule ? "DescribeRules" : "DescribeListeners";
    String modify = rule ? "ModifyRule" : "ModifyListener";
    Spans spans = new Spans(alb);
    SwitchResult r = run(router, spans, ScriptedGate.healthy());
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(spans.stages).hasSize(3);
    for (int i = 0; i < spans.stages.size(); i++) {
      System.out.printf("ALB %s stage %d: %s%n", rule ? "rule" : "listener", i + 1, spans.stages.get(i));
      assertThat(spans.stages.get(i)).as("stage %d", i + 1).isEqualTo(Map.of(describe, 1L, modify, 1L));
    }
  }

  @ParameterizedTest(name = "rule={0}")
  @ValueSource(booleans = {false, true})
  void aRollbackIsOneDescribeAndOneModifyVerifiedFromTheModifysResponse(boolean rule) {
    MotoAlb alb = MotoAlb.create(rule ? MotoAlb.options().rule() : MotoAlb.options());
    albs.add(alb);
    Spans spans = new Spans(alb);
    SwitchResult r = run(router(alb, rule), spans, ScriptedGate.unhealthyDuringStage(2, "green broke"));
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.isTrafficNowVerified()).as(r.summary()).isTrue();
    System.out.printf("ALB %s rollback: %s%n", rule ? "rule" : "listener", spans.rollback);
    assertThat(spans.rollback).isEqualTo(Map.of(rule ? "DescribeRules" : "DescribeListeners", 1L, rule ? "ModifyRule" : "ModifyListener", 1L));
  }
}
