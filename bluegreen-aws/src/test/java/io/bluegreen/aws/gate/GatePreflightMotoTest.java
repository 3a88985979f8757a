package io.bluegreen.aws.gate;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.aws.AlbListenerRouter;
import io.bluegreen.aws.support.MotoAlb;
import io.bluegreen.core.Environment;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.testkit.ExternalPeer;
import io.bluegreen.testkit.VirtualClock;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.ComparisonOperator;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

/**
 * A gate watching something that does not exist stops the plan before its first write, as a stage
 * gate too (found from outside: a TargetHealthGate on a missing target group and a CloudWatchAlarmGate
 * with a misspelt alarm each sent 10% of the traffic to green before the plan rolled back). On moto
 * server, counting ModifyListener requests.
 */
class GatePreflightMotoTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private MotoAlb alb;
  private CloudWatchClient cloudWatch;

  @BeforeEach
  void start() {
    URI moto = ExternalPeer.require("BLUEGREEN_MOTO_ENDPOINT", "moto server", "run ./scripts/test.sh");
    alb = MotoAlb.create(MotoAlb.options());
    cloudWatch = CloudWatchClient.builder().endpointOverride(moto).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
        .httpClientBuilder(ApacheHttpClient.builder()).build();
  }

  @AfterEach
  void stop() {
    if (cloudWatch != null) {
      cloudWatch.close();
    }
    if (alb != null) {
      alb.close();
    }
  }

  private SwitchResult planWithStageGate(HealthGate gate) {
    AlbListenerRouter router = AlbListenerRouter.builder(alb.elb).listenerArn(alb.listenerArn).environment(BLUE, alb.blueTg)
        .environment(GREEN, alb.greenTg).build();
    return SwitchPlan.builder().router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100))
        .gate(gate).gateInterval(Duration.ofSeconds(30)).gateGrace(Duration.ofMinutes(2))
        .time(VirtualClock.create()).build().execute();
  }

  private String alarm(String state) {
    String name = "green-5xx-" + UUID.randomUUID().toString().substring(0, 8);
    cloudWatch.putMetricAlarm(r -> r.alarmName(name).namespace("AWS/ApplicationELB").metricName("HTTPCode_Target_5XX_Count")
        .statistic(Statistic.SUM).period(60).evaluationPeriods(1).threshold(10.0)
        .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD));
    cloudWatch.setAlarmState(r -> r.alarmName(name).stateValue(state).stateReason("set by the test"));
    return name;
  }

  @Test
  void aTargetHealthGateOnAMissingTargetGroupAbortsBeforeAnyWrite() {
    String missing = alb.greenTg.substring(0, alb.greenTg.lastIndexOf('/') + 1) + "0123456789abcdef";
    SwitchResult result = planWithStageGate(TargetHealthGate.of(alb.elb, missing));

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("failed its preflight").contains("does not exist").contains("0123456789abcdef");
    assertThat(alb.counter.count("ModifyListener")).as("no write reached the listener").isZero();
    assertThat(result.writes()).isZero();
    assertThat(result.trafficNow()).contains(TrafficSplit.allTo(BLUE, GREEN));
  }

  @Test
  void aTargetHealthGateOnAnExistingGroupPassesItsPreflightAndThePlanCompletes() {
    SwitchResult result = planWithStageGate(TargetHealthGate.of(alb.elb, alb.greenTg));

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(alb.counter.count("ModifyListener")).isEqualTo(3);
  }

  @Test
  void anAlarmGateWithAMisspeltAlarmAbortsBeforeAnyWriteNamingIt() {
    String ok = alarm("OK");
    SwitchResult result = planWithStageGate(CloudWatchAlarmGate.builder(cloudWatch).alarms(ok, ok + "-typo").build());

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("failed its preflight").contains("[" + ok + "-typo] not found").contains("create it or fix the name");
    assertThat(result.reason()).containsOnlyOnce("cloudwatch-alarms[");
    assertThat(alb.counter.count("ModifyListener")).as("no write reached the listener").isZero();
    assertThat(result.writes()).isZero();
  }

  @Test
  void anAlarmGateWhoseAlarmsExistPassesItsPreflight() {
    String ok = alarm("OK");
    SwitchResult completed = planWithStageGate(CloudWatchAlarmGate.builder(cloudWatch).alarm(ok).build());
    assertThat(completed.outcome()).as(completed.summary()).isEqualTo(Outcome.COMPLETED);

  }

  @Test
  void anAlarmInAlarmPassesThePreflightAndRollsTheStageBack() {
    String firing = alarm("ALARM");
    SwitchResult rolledBack = planWithStageGate(CloudWatchAlarmGate.builder(cloudWatch).alarm(firing).build());
    assertThat(rolledBack.outcome()).as("an alarm in ALARM is for the stage's checks, not the preflight: " + rolledBack.summary())
        .isEqualTo(Outcome.ROLLED_BACK);
    assertThat(rolledBack.reason()).contains(firing).contains("in ALARM");
    assertThat(alb.counter.count("ModifyListener")).as("stage 1 and its rollback").isEqualTo(2);
  }
}
