package io.bluegreen.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.aws.gate.TargetHealthGate;
import io.bluegreen.aws.support.MotoAlb;
import io.bluegreen.core.Environment;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.PreflightReport;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;

/** {@link AlbListenerRouter} and {@link TargetHealthGate} against moto server: staged switches, rollback, preflight. */
class AlbListenerRouterMotoTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private final List<MotoAlb> albs = new ArrayList<>();

  @AfterEach
  void close() {
    albs.forEach(MotoAlb::close);
  }

  private MotoAlb alb(MotoAlb.Options options) {
    MotoAlb alb = MotoAlb.create(options);
    albs.add(alb);
    return alb;
  }

  private static AlbListenerRouter router(MotoAlb alb) {
    return AlbListenerRouter.builder(alb.elb).listenerArn(alb.listenerArn).environment(BLUE, alb.blueTg).environment(GREEN, alb.greenTg).build();
  }

  private static SwitchPlan.Builder plan(AlbListenerRouter router, VirtualClock clock, HealthGate gate, RecordingListener events) {
    return SwitchPlan.builder().router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.sourceWeights(Duration.ofMinutes(5), 90, 70, 50, 25, 0))
        .gate(gate).gateInterval(Duration.ofSeconds(30))
        .lock(new InProcessRouteLock()).listener(events)
        .time(clock);
  }

  private static Map<String, Integer> weights(Action forward) {
    return forward.forwardConfig().targetGroups().stream().collect(Collectors.toMap(TargetGroupTuple::targetGroupArn, TargetGroupTuple::weight));
  }

  private static Action forwardOf(List<Action> actions) {
    return actions.stream().filter(a -> "forward".equals(a.typeAsString())).findFirst().orElseThrow();
  }

  @Test
  void stagedSwitchWithTargetHealthGateEndsAllOnGreenAndKeepsOidcAndStickiness() {
    MotoAlb alb = alb(MotoAlb.options().oidc().stickiness(3600));
    List<Action> before = alb.listenerActions();
    AlbListenerRouter router = router(alb);
    TargetHealthGate gate = TargetHealthGate.builder(alb.elb, alb.greenTg).minHealthy(2).build();
    VirtualClock clock = VirtualClock.create();
    List<Long> writesAtStage = new ArrayList<>();
    RecordingListener events = new RecordingListener(e -> {
      if (e instanceof SwitchEvent.StageApplied) {
        writesAtStage.add(alb.counter.count("ModifyListener"));
      }
    });

    SwitchResult result = plan(router, clock, gate, events).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(writesAtStage).as("ModifyListener requests counted at each StageApplied: one per stage").containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(alb.counter.count("ModifyListener")).isEqualTo(5);
    assertThat(result.writes()).isEqualTo(5);
    assertThat(events.ofType(SwitchEvent.StageApplied.class)).extracting(s -> s.target().weightOf(BLUE)).containsExactly(90, 70, 50, 25, 0);
    assertThat(events.ofType(SwitchEvent.GateChecked.class)).isNotEmpty().allMatch(g -> g.result().status() == GateResult.Status.HEALTHY);

    List<Action> after = alb.listenerActions();
    assertThat(weights(forwardOf(after))).isEqualTo(Map.of(alb.blueTg, 0, alb.greenTg, 100));
    assertThat(after).hasSameSizeAs(before);
    assertThat(after.get(0)).as("the authenticate-oidc action, its Order included, is unchanged").isEqualTo(before.get(0));
    assertThat(forwardOf(after).forwardConfig().targetGroupStickinessConfig()).isEqualTo(forwardOf(before).forwardConfig().targetGroupStickinessConfig());
    assertThat(forwardOf(after).order()).isEqualTo(forwardOf(before).order());

    // stickiness: reported before the first write, and the final stage baked at least its duration
    assertThat(events.ofType(SwitchEvent.PreflightPassed.class)).singleElement().extracting(SwitchEvent.PreflightPassed::clientConvergence)
        .isEqualTo(Duration.ofHours(1));
    assertThat(events.ofType(SwitchEvent.Notice.class)).anyMatch(n -> n.message().contains("stickiness is on"));
    assertThat(clock.elapsed()).isGreaterThanOrEqualTo(Duration.ofMinutes(4 * 5).plusHours(1));
    assertThat(result.clientsFollowBy()).isPresent();
    assertThat(router.groupStickinessDuration()).contains(Duration.ofHours(1));
  }

  @Test
  void targetHealthGateTurningUnhealthyAtStage3RestoresTheExactPriorListener() {
    MotoAlb alb = alb(MotoAlb.options().oidc().stickiness(600));
    List<Action> before = alb.listenerActions();
    AlbListenerRouter router = router(alb);
    TargetHealthGate gate = TargetHealthGate.of(alb.elb, alb.greenTg);
    VirtualClock clock = VirtualClock.create();
    // green's targets go away while stage 3 (blue=50 green=50) is applied: the gate then sees none
    RecordingListener events = new RecordingListener(e -> {
      if (e instanceof SwitchEvent.StageApplied s && s.stageNumber() == 3) {
        alb.deregisterAll(alb.greenTg);
      }
    });

    SwitchResult result = plan(router, clock, gate, events).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.failedStage()).contains(3);
    assertThat(result.reason()).contains("no registered targets");
    assertThat(result.trafficNow()).contains(TrafficSplit.of(BLUE, 100, GREEN, 0));
    assertThat(result.isTrafficNowVerified()).isTrue();
    assertThat(alb.counter.count("ModifyListener")).as("3 stages + 1 rollback").isEqualTo(4);
    assertThat(alb.listenerActions()).as("the whole action list is back as it was, weights, OIDC and stickiness included").isEqualTo(before);
  }

  @Test
  void preflightRefusesATargetWithoutHealthyTargetsAndWritesNothing() {
    MotoAlb alb = alb(MotoAlb.options().greenTargets(0));
    AlbListenerRouter router = router(alb);

    assertThatThrownBy(() -> router.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("0 healthy targets").hasMessageContaining("at least 1");

    VirtualClock clock = VirtualClock.create();
    SwitchResult result = plan(router, clock, TargetHealthGate.of(alb.elb, alb.greenTg), new RecordingListener()).build().execute();
    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(result.summary()).contains("0 healthy targets");
    assertThat(alb.counter.writes()).isZero();
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
  }

  @Test
  void preflightHonoursMinHealthyTargets() {
    MotoAlb alb = alb(MotoAlb.options().greenTargets(2));
    AlbListenerRouter three = AlbListenerRouter.builder(alb.elb).listenerArn(alb.listenerArn).environment(BLUE, alb.blueTg)
        .environment(GREEN, alb.greenTg).minHealthyTargets(3).build();
    assertThatThrownBy(() -> three.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("2 healthy targets").hasMessageContaining("at least 3");
    PreflightReport ok = router(alb).preflight(TrafficSplit.allTo(GREEN, BLUE));
    assertThat(ok.clientConvergence()).isZero();
    assertThat(alb.counter.writes()).isZero();
  }

  @Test
  void preflightRefusesMissingResources() {
    MotoAlb alb = alb(MotoAlb.options());
    String missingTg = alb.greenTg.substring(0, alb.greenTg.lastIndexOf('/') + 1) + "0123456789abcdef";
    AlbListenerRouter missingGroup = AlbListenerRouter.builder(alb.elb).listenerArn(alb.listenerArn).environment(BLUE, alb.blueTg)
        .environment(GREEN, missingTg).build();
    assertThatThrownBy(() -> missingGroup.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining(missingTg).hasMessageContaining("does not exist");

    String missingListener = alb.listenerArn.substring(0, alb.listenerArn.lastIndexOf('/') + 1) + "0123456789abcdef";
    AlbListenerRouter noListener = AlbListenerRouter.builder(alb.elb).listenerArn(missingListener).environment(BLUE, alb.blueTg)
        .environment(GREEN, alb.greenTg).build();
    assertThatThrownBy(() -> noListener.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("does not exist").hasMessageContaining("ListenerNotFound");
    assertThatThrownBy(noListener::current).isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.isTransient()).isFalse())
        .hasMessageContaining("ListenerNotFound");
    assertThat(alb.counter.writes()).isZero();
  }

  @Test
  void preflightRefusesATargetGroupOfAnotherLoadBalancer() {
    MotoAlb alb = alb(MotoAlb.options());
    MotoAlb other = alb(MotoAlb.options());
    AlbListenerRouter router = AlbListenerRouter.builder(alb.elb).listenerArn(alb.listenerArn).environment(BLUE, alb.blueTg)
        .environment(GREEN, other.greenTg).build();
    assertThatThrownBy(() -> router.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("is attached to").hasMessageContaining(alb.loadBalancerArn);
  }

  @Test
  void aTargetGroupNoListenerUsesYetPassesPreflightWithANoticeAndIsAddedByTheFirstWrite() {
    MotoAlb alb = alb(MotoAlb.options());
    String fresh = alb.newTargetGroup("next", 2);
    AlbListenerRouter router = AlbListenerRouter.builder(alb.elb).listenerArn(alb.listenerArn).environment(BLUE, alb.blueTg)
        .environment(GREEN, fresh).build();
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));

    PreflightReport report = router.preflight(TrafficSplit.allTo(GREEN, BLUE));
    assertThat(report.notices()).singleElement().asString().contains("not attached to any load balancer yet");

    router.apply(TrafficSplit.of(BLUE, 90, GREEN, 10));
    assertThat(weights(forwardOf(alb.listenerActions()))).isEqualTo(Map.of(alb.blueTg, 90, alb.greenTg, 0, fresh, 10));
  }

  @Test
  void legacySingleTargetGroupForwardIsReadAndRewrittenAsForwardConfig() {
    MotoAlb alb = alb(MotoAlb.options().oidc().legacyForward());
    List<Action> before = alb.listenerActions();
    assertThat(forwardOf(before).targetGroupArn()).isEqualTo(alb.blueTg);
    AlbListenerRouter router = router(alb);

    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    router.apply(TrafficSplit.allTo(BLUE, GREEN));
    assertThat(alb.counter.writes()).as("already in place: nothing written").isZero();

    router.apply(TrafficSplit.of(BLUE, 90, GREEN, 10));
    List<Action> after = alb.listenerActions();
    assertThat(forwardOf(after).targetGroupArn()).isNull();
    assertThat(weights(forwardOf(after))).isEqualTo(Map.of(alb.blueTg, 90, alb.greenTg, 10));
    assertThat(after.get(0)).isEqualTo(before.get(0));
    assertThat(router.current()).isEqualTo(TrafficSplit.of(BLUE, 90, GREEN, 10));
  }

  @Test
  void unmanagedTargetGroupsArePreservedAndMustNotReceiveTraffic() {
    MotoAlb alb = alb(MotoAlb.options().extraTargetGroup());
    AlbListenerRouter router = router(alb);
    router.apply(TrafficSplit.of(BLUE, 25, GREEN, 75));
    List<TargetGroupTuple> groups = forwardOf(alb.listenerActions()).forwardConfig().targetGroups();
    assertThat(groups).extracting(TargetGroupTuple::targetGroupArn).containsExactly(alb.blueTg, alb.extraTg, alb.greenTg);
    assertThat(groups).extracting(TargetGroupTuple::weight).containsExactly(25, 0, 75);

    // someone sends traffic to the unmanaged group: the router refuses to describe a partial truth
    List<Action> actions = alb.listenerActions();
    Action forward = forwardOf(actions);
    Action skewed = forward.toBuilder().forwardConfig(forward.forwardConfig().toBuilder().targetGroups(
        TargetGroupTuple.builder().targetGroupArn(alb.blueTg).weight(25).build(),
        TargetGroupTuple.builder().targetGroupArn(alb.extraTg).weight(10).build(),
        TargetGroupTuple.builder().targetGroupArn(alb.greenTg).weight(75).build()).build()).build();
    alb.admin.modifyListener(r -> r.listenerArn(alb.listenerArn).defaultActions(skewed));
    assertThatThrownBy(router::current).isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.isTransient()).isFalse())
        .hasMessageContaining(alb.extraTg).hasMessageContaining("not mapped");
  }
}
