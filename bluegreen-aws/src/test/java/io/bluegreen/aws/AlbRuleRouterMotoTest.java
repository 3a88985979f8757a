package io.bluegreen.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.aws.gate.TargetHealthGate;
import io.bluegreen.aws.support.MotoAlb;
import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Rule;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;

/** {@link AlbRuleRouter} against moto server: conditions untouched, one ModifyRule per stage, exact rollback. */
class AlbRuleRouterMotoTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private MotoAlb alb;

  @AfterEach
  void close() {
    if (alb != null) {
      alb.close();
    }
  }

  private AlbRuleRouter router(String ruleArn) {
    return AlbRuleRouter.builder(alb.elb).ruleArn(ruleArn).environment(BLUE, alb.blueTg).environment(GREEN, alb.greenTg).build();
  }

  private SwitchPlan plan(AlbRuleRouter router, VirtualClock clock, io.bluegreen.core.HealthGate gate, RecordingListener events) {
    return SwitchPlan.builder().router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.sourceWeights(Duration.ofMinutes(2), 90, 70, 50, 25, 0))
        .gate(gate).gateInterval(Duration.ofSeconds(30)).lock(new InProcessRouteLock()).listener(events)
        .time(clock).build();
  }

  @Test
  void stagedSwitchWritesOneModifyRulePerStageAndLeavesConditionsAlone() {
    alb = MotoAlb.create(MotoAlb.options().rule().oidc().stickiness(120));
    Rule before = alb.rule();
    List<Long> writesAtStage = new ArrayList<>();
    RecordingListener events = new RecordingListener(e -> {
      if (e instanceof SwitchEvent.StageApplied) {
        writesAtStage.add(alb.counter.count("ModifyRule"));
      }
    });
    VirtualClock clock = VirtualClock.create();

    SwitchResult result = plan(router(alb.ruleArn), clock, TargetHealthGate.of(alb.elb, alb.greenTg), events).execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(writesAtStage).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(alb.counter.count("ModifyListener")).isZero();
    Rule after = alb.rule();
    assertThat(after.conditions()).isEqualTo(before.conditions());
    assertThat(after.priority()).isEqualTo(before.priority());
    assertThat(after.actions().get(0)).isEqualTo(before.actions().get(0));
    assertThat(after.actions().get(1).forwardConfig().targetGroupStickinessConfig())
        .isEqualTo(before.actions().get(1).forwardConfig().targetGroupStickinessConfig());
    assertThat(after.actions().get(1).forwardConfig().targetGroups()).extracting(TargetGroupTuple::weight).containsExactly(0, 100);
    assertThat(clock.elapsed()).isGreaterThanOrEqualTo(Duration.ofMinutes(4 * 2)); // final stage baked the 120 s stickiness
  }

  @Test
  void failedStageRestoresTheExactPriorRule() {
    alb = MotoAlb.create(MotoAlb.options().rule().oidc());
    AlbRuleRouter router = router(alb.ruleArn);
    router.apply(TrafficSplit.of(BLUE, 95, GREEN, 5));
    Rule before = alb.rule();

    SwitchResult result = plan(router, VirtualClock.create(), ScriptedGate.unhealthyDuringStage(3, "5xx rate 12%"), new RecordingListener())
        .execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.trafficNow()).contains(TrafficSplit.of(BLUE, 95, GREEN, 5));
    assertThat(alb.rule()).isEqualTo(before);
  }

  @Test
  void theDefaultRuleIsRefusedWithAPointerToTheListenerRouter() {
    alb = MotoAlb.create(MotoAlb.options());
    Rule defaultRule = alb.admin.describeRules(r -> r.listenerArn(alb.listenerArn)).rules().stream()
        .filter(Rule::isDefault).findFirst().orElseThrow();
    AlbRuleRouter router = router(defaultRule.ruleArn());
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    assertThatThrownBy(() -> router.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("default rule").hasMessageContaining("AlbListenerRouter");
    assertThatThrownBy(() -> router.apply(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(RouterException.class)
        .hasMessageContaining("AlbListenerRouter");
    assertThat(alb.counter.writes()).isZero();
  }

  @Test
  void aMissingRuleIsAPermanentFailureNamingTheAwsErrorCode() {
    alb = MotoAlb.create(MotoAlb.options().rule());
    String missing = alb.ruleArn.substring(0, alb.ruleArn.lastIndexOf('/') + 1) + "0123456789abcdef";
    AlbRuleRouter router = router(missing);
    assertThatThrownBy(router::current).isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.isTransient()).isFalse())
        .hasMessageContaining("RuleNotFound");
    assertThatThrownBy(() -> router.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("does not exist");
  }
}
