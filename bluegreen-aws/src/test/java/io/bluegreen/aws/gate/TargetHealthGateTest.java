package io.bluegreen.aws.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.aws.support.FakeElb;
import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.TrafficSplit;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/** {@link TargetHealthGate} verdicts for every ALB target state, served over the wire by the scripted ELBv2 endpoint. */
class TargetHealthGateTest {

  private static final GateContext CONTEXT = GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 2)
      .from(Environment.of("blue")).to(Environment.of("green")).split(TrafficSplit.of(Environment.of("blue"), 90, Environment.of("green"), 10))
      .now(Instant.parse("2026-01-01T00:00:00Z")).build();

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

  private GateResult check(TargetHealthGate.Builder gate, String... states) {
    elb.targetHealth(FakeElb.GREEN, states);
    return gate.build().check(CONTEXT);
  }

  private TargetHealthGate.Builder gate() {
    return TargetHealthGate.builder(client, FakeElb.GREEN);
  }

  @Test
  void healthyWhenEnoughTargetsAreHealthy() {
    GateResult r = check(gate(), "healthy", "healthy");
    assertThat(r.status()).isEqualTo(GateResult.Status.HEALTHY);
    assertThat(r.reason()).contains("2/2 targets healthy");
    assertThat(check(gate().minHealthy(3), "healthy", "healthy").status()).isEqualTo(GateResult.Status.UNHEALTHY);
  }

  @Test
  void unhealthyTargetsFailTheGateUnlessTolerated() {
    GateResult r = check(gate(), "healthy", "healthy", "unhealthy/Target.Timeout");
    assertThat(r.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(r.reason()).contains("1 target is unhealthy").contains("Target.Timeout");
    assertThat(check(gate().maxUnhealthy(1), "healthy", "healthy", "unhealthy/Target.Timeout").status()).isEqualTo(GateResult.Status.HEALTHY);
    assertThat(check(gate().maxUnhealthy(1).minHealthyPercent(80), "healthy", "healthy", "unhealthy/Target.Timeout").status())
        .as("2 of 3 is below 80%").isEqualTo(GateResult.Status.UNHEALTHY);
  }

  @Test
  void initialTargetsMakeItInconclusiveUntilTheThresholdIsMet() {
    GateResult r = check(gate(), "initial/Elb.RegistrationInProgress", "initial/Elb.InitialHealthChecking");
    assertThat(r.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(r.reason()).contains("initial health checks");
    assertThat(check(gate(), "healthy", "initial/Elb.InitialHealthChecking").status())
        .as("a new target warming up does not block a group that already meets the threshold").isEqualTo(GateResult.Status.HEALTHY);
  }

  @Test
  void drainingTargetsAreLeavingAndCountNeitherWay() {
    assertThat(check(gate().minHealthyPercent(100), "healthy", "draining/Target.DeregistrationInProgress",
        "unhealthy.draining/Target.DeregistrationInProgress").status()).isEqualTo(GateResult.Status.HEALTHY);
    assertThat(check(gate(), "draining/Target.DeregistrationInProgress").status()).isEqualTo(GateResult.Status.UNHEALTHY);
  }

  @Test
  void unusedAndUnavailableTargetsAreUnderstood() {
    GateResult notInUse = check(gate(), "unused/Target.NotInUse", "unused/Target.NotInUse");
    assertThat(notInUse.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(notInUse.reason()).contains("Target.NotInUse").contains("not in use");
    GateResult stopped = check(gate(), "unused/Target.InvalidState");
    assertThat(stopped.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    GateResult unavailable = check(gate(), "unavailable/Target.HealthCheckDisabled");
    assertThat(unavailable.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(unavailable.reason()).contains("unavailable");
  }

  @Test
  void noTargetsIsUnhealthy() {
    GateResult r = check(gate());
    assertThat(r.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(r.reason()).contains("no registered targets");
  }

  @Test
  void awsFailuresAreInconclusiveButAMissingGroupIsUnhealthy() {
    elb.failNext("DescribeTargetHealth", 1, 400, "Throttling");
    GateResult throttled = gate().build().check(CONTEXT);
    assertThat(throttled.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(throttled.reason()).contains("Throttling");

    String missing = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gone/0123456789abcdef";
    GateResult gone = TargetHealthGate.of(client, missing).check(CONTEXT);
    assertThat(gone.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(gone.reason()).contains("does not exist").contains("TargetGroupNotFound");
  }

  @Test
  void builderValidatesBeforeAnyCall() {
    assertThatThrownBy(() -> TargetHealthGate.builder(client, "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("not a target group ARN").hasMessageContaining("load balancer ARN");
    assertThatThrownBy(() -> gate().minHealthy(0)).isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("use 1 or more");
    assertThatThrownBy(() -> gate().minHealthyPercent(101)).isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("0 to 100");
    assertThatThrownBy(() -> gate().maxUnhealthy(-1)).isInstanceOf(InvalidConfigurationException.class);
    assertThat(elb.counter.total()).isZero();
    assertThat(gate().name("green-targets").build().name()).isEqualTo("green-targets");
    assertThat(gate().build().name()).isEqualTo("target-health(shop-green/2453ed029918f21f)");
  }
}
