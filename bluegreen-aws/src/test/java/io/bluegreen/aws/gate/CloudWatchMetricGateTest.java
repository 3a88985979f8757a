package io.bluegreen.aws.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.analysis.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.StatusCode;

/**
 * {@link CloudWatchMetricGate} on an in-process CloudWatch double that evaluates nothing: it answers
 * what each test scripts, and records the requests (moto evaluates no metric-math arithmetic, so the
 * ratio's request and answer shapes are checked here; {@link CloudWatchMetricGateMotoTest} reads real
 * PutMetricData datapoints back from moto).
 */
class CloudWatchMetricGateTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:10:00Z");
  private static final GateContext CONTEXT = GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 2)
      .from(Environment.of("blue")).to(Environment.of("green")).split(TrafficSplit.of(Environment.of("blue"), 90, Environment.of("green"), 10))
      .now(NOW).phaseStartedAt(NOW).build();

  private static final class FakeCloudWatch implements CloudWatchClient {
    final List<GetMetricDataRequest> requests = new ArrayList<>();
    Function<GetMetricDataRequest, GetMetricDataResponse> answer;

    @Override
    public GetMetricDataResponse getMetricData(GetMetricDataRequest request) {
      requests.add(request);
      return answer.apply(request);
    }

    @Override
    public String serviceName() {
      return "cloudwatch";
    }

    @Override
    public void close() {
    }
  }

  private static MetricDataResult result(String id, Double... values) {
    return MetricDataResult.builder().id(id).statusCode(StatusCode.COMPLETE).values(values).build();
  }

  private final FakeCloudWatch cloudWatch = new FakeCloudWatch();

  private CloudWatchMetricGate.Builder ratio() {
    return CloudWatchMetricGate.albTarget5xxRatio(cloudWatch, "app/shop/1", "targetgroup/green/2")
        .successCondition(Condition.below(0.01)).failureCondition(Condition.atLeast(0.05)).minSamples(100);
  }

  @Test
  void sendsTheExpressionOverTheWindowEndingAtThePlansTime() {
    cloudWatch.answer = r -> GetMetricDataResponse.builder().metricDataResults(result("requests", 600.0, 580.0), result("result", 0.002, 0.5))
        .build();
    GateResult r = ratio().build().check(CONTEXT);
    assertThat(r.status()).isEqualTo(GateResult.Status.HEALTHY);
    assertThat(r.reason()).startsWith("measurement 1: 0.002 (1180 samples, 2 datapoints, newest), value < 0.01");
    GetMetricDataRequest sent = cloudWatch.requests.get(0);
    assertThat(sent.endTime()).isEqualTo(NOW);
    assertThat(sent.startTime()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
    assertThat(sent.metricDataQueries()).extracting(MetricDataQuery::id).containsExactly("errors", "requests", "result");
    assertThat(sent.metricDataQueries().get(2).expression()).isEqualTo("FILL(errors, 0) / requests");
    assertThat(sent.metricDataQueries().get(0).metricStat().metric().metricName()).isEqualTo("HTTPCode_Target_5XX_Count");
    assertThat(sent.metricDataQueries().get(0).metricStat().metric().dimensions()).extracting(d -> d.name() + "=" + d.value())
        .containsExactly("LoadBalancer=app/shop/1", "TargetGroup=targetgroup/green/2");
    assertThat(sent.metricDataQueries().get(0).returnData()).isFalse();
  }

  @Test
  void aSpikeFailsNoDatapointIsNoDataAndErrorsAreNeverAPass() {
    cloudWatch.answer = r -> GetMetricDataResponse.builder().metricDataResults(result("requests", 900.0), result("result", 0.31)).build();
    GateResult spike = ratio().build().check(CONTEXT);
    assertThat(spike.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(spike.reason()).startsWith("failed (1) > failureLimit (0) at measurement 1: 0.31 (900 samples, 1 datapoint, newest), value >= 0.05");

    cloudWatch.answer = r -> GetMetricDataResponse.builder().metricDataResults(result("requests"), result("result")).build();
    GateResult none = ratio().inconclusiveLimit(1).build().check(CONTEXT);
    assertThat(none.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(none.reason()).contains("no data (no datapoint of FILL(errors, 0) / requests in the PT5M before 2026-01-01T00:10:00Z)");

    cloudWatch.answer = r -> {
      throw CloudWatchException.builder().statusCode(400).awsErrorDetails(AwsErrorDetails.builder().errorCode("Throttling")
          .errorMessage("Rate exceeded").build()).build();
    };
    CloudWatchMetricGate g = ratio().consecutiveErrorLimit(1).build();
    assertThat(g.check(CONTEXT).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    GateResult second = g.check(CONTEXT);
    assertThat(second.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(second.reason()).contains("consecutiveErrors (2) > consecutiveErrorLimit (1)").contains("Throttling");

    cloudWatch.answer = r -> GetMetricDataResponse.builder().metricDataResults(MetricDataResult.builder().id("result")
        .statusCode(StatusCode.INTERNAL_ERROR).build()).build();
    assertThat(ratio().build().check(CONTEXT).reason()).contains("error: CloudWatch could not compute result (InternalError)");
  }

  @Test
  void aRefusedExpressionAbortsAtPreflight() {
    cloudWatch.answer = r -> {
      throw CloudWatchException.builder().statusCode(400).awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationError")
          .errorMessage("Error in expression 'result': Unrecognized token").build()).build();
    };
    CloudWatchMetricGate g = CloudWatchMetricGate.builder(cloudWatch).metric("errors", m -> m.period(60).stat("Sum")
        .metric(x -> x.namespace("AWS/ApplicationELB").metricName("HTTPCode_Target_5XX_Count"))).expression("errors /")
        .successCondition(Condition.below(1)).build();
    assertThatThrownBy(() -> g.preflight(CONTEXT)).isInstanceOf(PreflightException.class)
        .hasMessageContaining("ValidationError").hasMessageContaining("The expression was: errors /");
  }

  @Test
  void badInputIsRejectedAtBuild() {
    assertThatThrownBy(() -> CloudWatchMetricGate.builder(cloudWatch).expression("x").successCondition(Condition.below(1)).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("has no metric");
    assertThatThrownBy(() -> CloudWatchMetricGate.builder(cloudWatch).metric("Errors", m -> { }))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid GetMetricData id");
    assertThatThrownBy(() -> CloudWatchMetricGate.builder(cloudWatch).metric("errors", m -> m.period(60)))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("needs a metric");
    assertThatThrownBy(() -> ratio().samplesFrom("nope").build()).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("samplesFrom(\"nope\") names no metric");
    assertThatThrownBy(() -> ratio().successCondition(Condition.below(0.1)).build()).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("both hold for 0.05 <= value < 0.1");
  }
}
