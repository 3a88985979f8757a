package io.bluegreen.aws.gate;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.analysis.Condition;
import io.bluegreen.testkit.ExternalPeer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

/**
 * {@link CloudWatchMetricGate} reading back datapoints written with PutMetricData to moto server.
 * moto computes MetricStat statistics per period but evaluates no metric-math arithmetic (an
 * expression may only name another query), so the expression here is the id of the errors metric;
 * the ratio's shape is covered by {@link CloudWatchMetricGateTest}.
 */
class CloudWatchMetricGateMotoTest {

  @Test
  void judgesTheNewestDatapointInTheWindowWithTheSamplesBehindIt() {
    URI moto = ExternalPeer.require("BLUEGREEN_MOTO_ENDPOINT", "moto server", "run ./scripts/test.sh");
    try (CloudWatchClient cw = CloudWatchClient.builder().endpointOverride(moto).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
        .httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD)).build()) {
      String tg = "targetgroup/green-" + UUID.randomUUID().toString().substring(0, 8) + "/1";
      Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(20));
      List<MetricDatum> data = new ArrayList<>();
      for (int minute = 0; minute < 10; minute++) {
        Instant at = t0.plus(Duration.ofMinutes(minute)).plusSeconds(5);
        double errors = minute < 6 ? 0 : 40;   // errors from minute 6 on
        data.add(MetricDatum.builder().metricName("HTTPCode_Target_5XX_Count").timestamp(at).value(errors).unit(StandardUnit.COUNT)
            .dimensions(d -> d.name("TargetGroup").value(tg)).build());
        data.add(MetricDatum.builder().metricName("RequestCount").timestamp(at).value(600.0).unit(StandardUnit.COUNT)
            .dimensions(d -> d.name("TargetGroup").value(tg)).build());
      }
      cw.putMetricData(r -> r.namespace("AWS/ApplicationELB").metricData(data));

      CloudWatchMetricGate gate = CloudWatchMetricGate.builder(cw)
          .metric("errors", m -> m.period(60).stat("Sum").metric(x -> x.namespace("AWS/ApplicationELB")
              .metricName("HTTPCode_Target_5XX_Count").dimensions(d -> d.name("TargetGroup").value(tg))))
          .metric("requests", m -> m.period(60).stat("Sum").metric(x -> x.namespace("AWS/ApplicationELB")
              .metricName("RequestCount").dimensions(d -> d.name("TargetGroup").value(tg))))
          .expression("errors").samplesFrom("requests").window(Duration.ofMinutes(3))
          .successCondition(Condition.below(5)).minSamples(1000).build();

      GateResult healthy = gate.check(context(t0.plus(Duration.ofMinutes(5)), t0));
      assertThat(healthy.status()).as(healthy.reason()).isEqualTo(GateResult.Status.HEALTHY);
      assertThat(healthy.measurements()).containsEntry("value", 0.0).containsEntry("samples", 1800.0);

      GateResult spike = gate.check(context(t0.plus(Duration.ofMinutes(8)), t0.plus(Duration.ofMinutes(8))));
      assertThat(spike.status()).as(spike.reason()).isEqualTo(GateResult.Status.UNHEALTHY);
      assertThat(spike.measurements()).containsEntry("value", 40.0);
    }
  }

  private static GateContext context(Instant now, Instant phaseStart) {
    Environment blue = Environment.of("blue");
    Environment green = Environment.of("green");
    return GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 2).from(blue).to(green)
        .split(TrafficSplit.of(blue, 50, green, 50)).now(now).phaseStartedAt(phaseStart).build();
  }
}
