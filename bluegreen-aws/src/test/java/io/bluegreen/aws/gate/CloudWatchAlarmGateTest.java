package io.bluegreen.aws.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.TrafficSplit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.CompositeAlarm;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsRequest;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;

/**
 * {@link CloudWatchAlarmGate} on an in-process CloudWatch double. (The AWS SDK 2.40 CloudWatch client
 * speaks Smithy RPC v2 CBOR, which moto 5.2.5 does not serve, so moto cannot stand in here.)
 */
class CloudWatchAlarmGateTest {

  private static final GateContext CONTEXT = GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 2)
      .from(Environment.of("blue")).to(Environment.of("green")).split(TrafficSplit.of(Environment.of("blue"), 90, Environment.of("green"), 10))
      .now(Instant.parse("2026-01-01T00:00:00Z")).build();

  /** Holds alarms by name and answers DescribeAlarms for the names asked, like CloudWatch. */
  private static final class FakeCloudWatch implements CloudWatchClient {
    final Map<String, String[]> metricAlarms = new LinkedHashMap<>();
    final Map<String, String[]> compositeAlarms = new LinkedHashMap<>();
    final List<DescribeAlarmsRequest> requests = new ArrayList<>();
    RuntimeException failure;

    @Override
    public DescribeAlarmsResponse describeAlarms(DescribeAlarmsRequest request) {
      requests.add(request);
      if (failure != null) {
        throw failure;
      }
      List<MetricAlarm> metrics = new ArrayList<>();
      List<CompositeAlarm> composites = new ArrayList<>();
      for (String name : request.alarmNames()) {
        String[] m = metricAlarms.get(name);
        if (m != null && request.alarmTypes().contains(AlarmType.METRIC_ALARM)) {
          metrics.add(MetricAlarm.builder().alarmName(name).stateValue(m[0]).stateReason(m[1]).build());
        }
        String[] c = compositeAlarms.get(name);
        if (c != null && request.alarmTypes().contains(AlarmType.COMPOSITE_ALARM)) {
          composites.add(CompositeAlarm.builder().alarmName(name).stateValue(c[0]).stateReason(c[1]).build());
        }
      }
      return DescribeAlarmsResponse.builder().metricAlarms(metrics).compositeAlarms(composites).build();
    }

    @Override
    public String serviceName() {
      return "cloudwatch";
    }

    @Override
    public void close() {
    }
  }

  private final FakeCloudWatch cloudWatch = new FakeCloudWatch();

  @Test
  void unhealthyWhileAnyNamedAlarmIsInAlarm() {
    cloudWatch.metricAlarms.put("shop-5xx", new String[] {"OK", "quiet"});
    cloudWatch.compositeAlarms.put("shop-slo", new String[] {"OK", "quiet"});
    CloudWatchAlarmGate gate = CloudWatchAlarmGate.builder(cloudWatch).alarms("shop-5xx", "shop-slo").build();
    assertThat(gate.check(CONTEXT).status()).isEqualTo(GateResult.Status.HEALTHY);

    cloudWatch.compositeAlarms.put("shop-slo", new String[] {"ALARM", "error budget burning 14x"});
    GateResult r = gate.check(CONTEXT);
    assertThat(r.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(r.reason()).contains("shop-slo").contains("error budget burning 14x").doesNotContain("shop-5xx");

    DescribeAlarmsRequest sent = cloudWatch.requests.get(0);
    assertThat(sent.alarmNames()).containsExactly("shop-5xx", "shop-slo");
    assertThat(sent.alarmTypes()).containsExactlyInAnyOrder(AlarmType.METRIC_ALARM, AlarmType.COMPOSITE_ALARM);
  }

  @Test
  void insufficientDataIsHealthyByDefaultAndConfigurable() {
    cloudWatch.metricAlarms.put("shop-5xx", new String[] {"INSUFFICIENT_DATA", "no data points"});
    assertThat(CloudWatchAlarmGate.builder(cloudWatch).alarm("shop-5xx").build().check(CONTEXT).status()).isEqualTo(GateResult.Status.HEALTHY);
    GateResult strict = CloudWatchAlarmGate.builder(cloudWatch).alarm("shop-5xx").insufficientDataAs(GateResult.Status.UNHEALTHY).build()
        .check(CONTEXT);
    assertThat(strict.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(strict.reason()).contains("INSUFFICIENT_DATA");
  }

  @Test
  void aMissingAlarmIsInconclusiveAndSaysWhatToFix() {
    cloudWatch.metricAlarms.put("shop-5xx", new String[] {"OK", "quiet"});
    GateResult r = CloudWatchAlarmGate.builder(cloudWatch).alarms("shop-5xx", "shop-5XX-typo").build().check(CONTEXT);
    assertThat(r.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(r.reason()).contains("shop-5XX-typo").contains("not found").contains("fix the name");
  }

  @Test
  void anAlarmInAlarmWinsOverAMissingOne() {
    cloudWatch.metricAlarms.put("shop-5xx", new String[] {"ALARM", "5xx > 10"});
    assertThat(CloudWatchAlarmGate.builder(cloudWatch).alarms("shop-5xx", "missing").build().check(CONTEXT).status())
        .isEqualTo(GateResult.Status.UNHEALTHY);
  }

  @Test
  void awsErrorsAreInconclusiveWithTheErrorCodeAndTheIamAction() {
    cloudWatch.failure = CloudWatchException.builder().statusCode(403).message("denied")
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied").errorMessage("not authorized").build()).build();
    GateResult r = CloudWatchAlarmGate.builder(cloudWatch).alarm("shop-5xx").build().check(CONTEXT);
    assertThat(r.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(r.reason()).contains("AccessDenied").contains("cloudwatch:DescribeAlarms");
  }

  @Test
  void builderRejectsBadConfiguration() {
    assertThatThrownBy(() -> CloudWatchAlarmGate.builder(cloudWatch).build()).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining(".alarm(");
    assertThatThrownBy(() -> CloudWatchAlarmGate.builder(cloudWatch).alarm(" ")).isInstanceOf(InvalidConfigurationException.class);
    String[] many = IntStream.range(0, 101).mapToObj(i -> "a" + i).toArray(String[]::new);
    assertThatThrownBy(() -> CloudWatchAlarmGate.builder(cloudWatch).alarms(many).build()).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("at most 100");
    assertThatThrownBy(() -> CloudWatchAlarmGate.builder(null)).isInstanceOf(InvalidConfigurationException.class);
  }
}
