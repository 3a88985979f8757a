package io.bluegreen.aws;

import static io.bluegreen.aws.support.FakeElb.BLUE;
import static io.bluegreen.aws.support.FakeElb.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.aws.gate.TargetHealthGate;
import io.bluegreen.aws.support.AwsClients;
import io.bluegreen.aws.support.FakeElb;
import io.bluegreen.core.Environment;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.Outcome;
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
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * What moto cannot show, on a scripted ELBv2 endpoint (WireMock): throttling, 5xx on the rollback
 * write, a permanent error mid-plan, latency and timeouts, Retry-After, and AWS not returning the
 * OIDC client secret.
 */
class AlbListenerRouterWireMockTest {

  private static final Environment BLUE_ENV = Environment.of("blue");
  private static final Environment GREEN_ENV = Environment.of("green");
  private static final Map<String, Integer> ALL_BLUE = Map.of(BLUE, 100, GREEN, 0);

  private FakeElb elb;
  private ElasticLoadBalancingV2Client client;

  @BeforeEach
  void start() {
    elb = FakeElb.start();
    client = elb.client();
  }

  @AfterEach
  void stop() {
    client.close();
    elb.close();
  }

  private AlbListenerRouter router() {
    return router(client, Duration.ofSeconds(30));
  }

  private static AlbListenerRouter router(ElasticLoadBalancingV2Client client, Duration callTimeout) {
    return AlbListenerRouter.builder(client).listenerArn(FakeElb.LISTENER).environment(BLUE_ENV, BLUE).environment(GREEN_ENV, GREEN)
        .callTimeout(callTimeout).build();
  }

  private static SwitchPlan.Builder plan(AlbListenerRouter router, VirtualClock clock, HealthGate gate, RecordingListener events) {
    return SwitchPlan.builder().router(router).from(BLUE_ENV).to(GREEN_ENV)
        .schedule(StageSchedule.sourceWeights(Duration.ofMinutes(5), 90, 70, 50, 25, 0))
        .gate(gate).gateInterval(Duration.ofSeconds(30)).lock(new InProcessRouteLock()).listener(events)
        .waitForClientConvergence(false).time(clock);
  }

  private static Map<String, String> withoutWeights(Map<String, String> flat) {
    Map<String, String> m = new TreeMap<>(flat);
    m.keySet().removeIf(k -> k.endsWith(".Weight"));
    return m;
  }

  @Test
  void throttledWriteIsRetriedByThePlanNotByTheRouterThenSucceeds() {
    elb.failNext("ModifyListener", 1, 400, "Throttling");
    AlbListenerRouter router = router();

    // the router itself never loops: one request, a transient failure naming the AWS code
    assertThatThrownBy(() -> router.apply(TrafficSplit.of(BLUE_ENV, 90, GREEN_ENV, 10)))
        .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.isTransient()).isTrue())
        .hasMessageContaining("Throttling").hasMessageContaining("ModifyListener");
    assertThat(elb.counter.count("ModifyListener")).isEqualTo(1);
    assertThat(elb.weights()).isEqualTo(ALL_BLUE);

    elb.failNext("ModifyListener", 1, 400, "ThrottlingException");
    RecordingListener events = new RecordingListener();
    SwitchResult result = plan(router, VirtualClock.create(), ScriptedGate.healthy(), events).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(events.ofType(SwitchEvent.RetryScheduled.class)).singleElement()
        .satisfies(r -> assertThat(r.error()).contains("ThrottlingException"));
    assertThat(elb.counter.count("ModifyListener")).as("1 direct + 5 stages + 1 retried").isEqualTo(7);
    assertThat(elb.weights()).isEqualTo(Map.of(BLUE, 0, GREEN, 100));
  }

  @Test
  void a500OnTheRollbackWriteIsRetriedAndTheRollbackRestoresTheExactListener() {
    // the first write back to blue=100 green=0 (the rollback) gets a 500
    elb.failWhen("ModifyListener", p -> FakeElb.weightsSent(p).equals(ALL_BLUE), 1, 500, "InternalFailure");
    RecordingListener events = new RecordingListener();

    SwitchResult result = plan(router(), VirtualClock.create(), ScriptedGate.unhealthyDuringStage(2, "p99 latency 4s"), events).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(events.ofType(SwitchEvent.RetryScheduled.class)).singleElement()
        .satisfies(r -> assertThat(r.error()).contains("InternalFailure").contains("HTTP 500"));
    assertThat(elb.requests("ModifyListener")).extracting(FakeElb::weightsSent)
        .containsExactly(Map.of(BLUE, 90, GREEN, 10), Map.of(BLUE, 70, GREEN, 30), ALL_BLUE, ALL_BLUE);
    assertThat(result.trafficNow()).contains(TrafficSplit.allTo(BLUE_ENV, GREEN_ENV));
    assertThat(result.isTrafficNowVerified()).isTrue();
    assertThat(elb.actions()).as("every action and field is back as it was").isEqualTo(elb.initialActions());
  }

  @Test
  void aPermanentErrorMidPlanFailsAtOnceAndRollsBack() {
    elb.failWhen("ModifyListener", p -> FakeElb.weightsSent(p).equals(Map.of(BLUE, 50, GREEN, 50)), 1, 400, "ValidationError");
    RecordingListener events = new RecordingListener();

    SwitchResult result = plan(router(), VirtualClock.create(), ScriptedGate.healthy(), events).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.failedStage()).contains(3);
    assertThat(result.reason()).contains("ValidationError").contains("ModifyListener");
    assertThat(events.ofType(SwitchEvent.RetryScheduled.class)).as("permanent: not retried").isEmpty();
    assertThat(elb.counter.count("ModifyListener")).as("2 stages + the failed one + the rollback").isEqualTo(4);
    assertThat(elb.actions()).isEqualTo(elb.initialActions());
  }

  @Test
  void accessDeniedSaysWhichPermissionToGrant() {
    elb.failNext("ModifyListener", 1, 403, "AccessDenied");
    assertThatThrownBy(() -> router().apply(TrafficSplit.allTo(GREEN_ENV, BLUE_ENV)))
        .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.isTransient()).isFalse())
        .hasMessageContaining("AccessDenied").hasMessageContaining("grant elasticloadbalancing:ModifyListener");
  }

  @Test
  void latencyWithinTheCallTimeoutOnlySlowsThingsDown() {
    elb.delayNext("DescribeListeners", 2, 150).delayNext("ModifyListener", 1, 150);
    AlbListenerRouter router = router(client, Duration.ofSeconds(5));
    router.apply(TrafficSplit.of(BLUE_ENV, 75, GREEN_ENV, 25));
    assertThat(router.current()).isEqualTo(TrafficSplit.of(BLUE_ENV, 75, GREEN_ENV, 25));
    assertThat(elb.counter.count("ModifyListener")).isEqualTo(1);
  }

  @Test
  void aWriteThatTimesOutAfterLandingIsRetriedWithoutASecondWrite() {
    // the first write lands but answers after 1.2 s; the call timeout is 400 ms
    elb.delayNext("ModifyListener", 1, 1200);
    AlbListenerRouter router = router(client, Duration.ofMillis(400));
    assertThatThrownBy(() -> router.apply(TrafficSplit.of(BLUE_ENV, 90, GREEN_ENV, 10)))
        .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.isTransient()).isTrue())
        .hasMessageContaining("timed out");

    RecordingListener events = new RecordingListener();
    SwitchResult result = plan(router, VirtualClock.create(), ScriptedGate.healthy(), events)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100)).build().execute();
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(elb.counter.count("ModifyListener")).as("the timed-out write + stage 2; stage 1 found its split in place").isEqualTo(2);
  }

  @Test
  void aTimedOutStageWriteIsRetriedByThePlanAndWrittenOnce() {
    AlbListenerRouter router = router(client, Duration.ofMillis(400));
    elb.delayNext("ModifyListener", 1, 1200);
    RecordingListener events = new RecordingListener();

    SwitchResult result = plan(router, VirtualClock.create(), ScriptedGate.healthy(), events).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(events.ofType(SwitchEvent.RetryScheduled.class)).singleElement().satisfies(r -> assertThat(r.error()).contains("timed out"));
    assertThat(elb.counter.count("ModifyListener")).as("the slow write landed; its retry found the split in place").isEqualTo(5);
  }

  @Test
  void retryAfterFromTheServerIsPassedToThePlan() {
    elb.failNextWithHeaders("ModifyListener", 503, "ServiceUnavailable", Map.of("Retry-After", "7"));
    assertThatThrownBy(() -> router().apply(TrafficSplit.allTo(GREEN_ENV, BLUE_ENV)))
        .isInstanceOfSatisfying(RouterException.class, e -> {
          assertThat(e.isTransient()).isTrue();
          assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
        });

    elb.failNextWithHeaders("ModifyListener", 503, "ServiceUnavailable", Map.of("Retry-After", "7"));
    RecordingListener events = new RecordingListener();
    SwitchResult result = plan(router(), VirtualClock.create(), ScriptedGate.healthy(), events).schedule(StageSchedule.allAtOnce()).build()
        .execute();
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(events.ofType(SwitchEvent.RetryScheduled.class)).singleElement()
        .satisfies(r -> assertThat(r.backoff()).isGreaterThanOrEqualTo(Duration.ofSeconds(7)));
  }

  @Test
  void unreachableEndpointIsTransient() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    try (ElasticLoadBalancingV2Client nowhere = AwsClients.elb(URI.create("http://127.0.0.1:" + closedPort), null)) {
      assertThatThrownBy(() -> router(nowhere, Duration.ofSeconds(5)).current())
          .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.isTransient()).isTrue())
          .hasMessageContaining("DescribeListeners");
    }
  }

  @Test
  void oidcActionReadWithoutItsSecretIsResubmittedWithUseExistingClientSecret() {
    AlbListenerRouter router = router();
    router.apply(TrafficSplit.of(BLUE_ENV, 50, GREEN_ENV, 50));

    Map<String, String> sent = elb.requests("ModifyListener").get(0);
    assertThat(sent).containsEntry("DefaultActions.member.1.AuthenticateOidcConfig.UseExistingClientSecret", "true")
        .doesNotContainKey("DefaultActions.member.1.AuthenticateOidcConfig.ClientSecret")
        .containsEntry("DefaultActions.member.1.Type", "authenticate-oidc")
        .containsEntry("DefaultActions.member.2.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds", "3600");
    assertThat(withoutWeights(elb.actions())).as("nothing but weights changed").isEqualTo(withoutWeights(elb.initialActions()));
    assertThat(elb.weights()).isEqualTo(Map.of(BLUE, 50, GREEN, 50));
  }

  @Test
  void targetHealthTurningUnhealthyAtStage3RollsBackToThePriorWeights() {
    elb.listenerActions(Map.of(
        "member.1.Type", "forward",
        "member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", "${BLUE}",
        "member.1.ForwardConfig.TargetGroups.member.1.Weight", "95",
        "member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn", "${GREEN}",
        "member.1.ForwardConfig.TargetGroups.member.2.Weight", "5"));
    Map<String, String> prior = elb.actions();
    RecordingListener events = new RecordingListener(e -> {
      if (e instanceof SwitchEvent.StageApplied s && s.stageNumber() == 3) {
        elb.targetHealth(GREEN, "healthy", "unhealthy/Target.ResponseCodeMismatch");
      }
    });

    SwitchResult result = plan(router(), VirtualClock.create(), TargetHealthGate.of(client, GREEN), events).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.failedStage()).contains(3);
    assertThat(result.reason()).contains("unhealthy").contains("Target.ResponseCodeMismatch");
    assertThat(result.trafficNow()).contains(TrafficSplit.of(BLUE_ENV, 95, GREEN_ENV, 5));
    assertThat(elb.actions()).isEqualTo(prior);
  }
}
