package io.bluegreen.route53.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.route53.support.FakeRoute53;
import io.bluegreen.route53.support.Route53Clients;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.Route53Client;

class HealthCheckGateTest {

  private static final String ID = "2b1d6f3e-0c7a-4c55-9f0e-4d2a8b6c1e90";
  private static final String OK = "Success: HTTP Status Code 200, OK";
  private static final String FAIL = "Failure: HTTP Status Code 503, Service Unavailable";
  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private FakeRoute53 fake;
  private Route53Client client;

  @BeforeEach
  void start() {
    fake = FakeRoute53.start("example.com");
    client = Route53Clients.create(fake.endpoint(), null);
  }

  @AfterEach
  void stop() {
    client.close();
    fake.close();
  }

  private static GateContext ctx() {
    return GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 2).from(BLUE).to(GREEN)
        .split(TrafficSplit.of(BLUE, 50, GREEN, 50)).now(Instant.parse("2026-01-01T00:00:00Z")).build();
  }

  @Test
  void healthyWhenMoreThanHalfOfTheCheckersReportSuccess() {
    fake.healthCheck(ID, OK, OK, OK, FAIL);
    GateResult r = HealthCheckGate.of(client, ID).check(ctx());
    assertThat(r.status()).isEqualTo(GateResult.Status.HEALTHY);
    assertThat(r.reason()).contains("3/4");
  }

  @Test
  void unhealthyAtHalfOrLessNamingAFailure() {
    fake.healthCheck(ID, OK, OK, FAIL, FAIL);
    GateResult r = HealthCheckGate.of(client, ID).check(ctx());
    assertThat(r.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(r.reason()).contains("2/4").contains("503").contains("more than 50%");
  }

  @Test
  void theShareIsConfigurable() {
    fake.healthCheck(ID, OK, FAIL, FAIL, FAIL, FAIL);
    assertThat(HealthCheckGate.builder(client, ID).healthyShare(0.18).build().check(ctx()).isHealthy())
        .as("20% > 18%, Route 53's own rule").isTrue();
    assertThat(HealthCheckGate.of(client, ID).check(ctx()).isUnhealthy()).isTrue();
  }

  @Test
  void inconclusiveWhileNoCheckerHasReported() {
    fake.healthCheck(ID);
    assertThat(HealthCheckGate.of(client, ID).check(ctx()).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
  }

  @Test
  void aMissingHealthCheckIsUnhealthyAndThrottlingInconclusive() {
    GateResult missing = HealthCheckGate.of(client, ID).check(ctx());
    assertThat(missing.status()).isEqualTo(GateResult.Status.UNHEALTHY);
    assertThat(missing.reason()).contains("does not exist");

    fake.healthCheck(ID, OK);
    fake.failNext("GET", "/2013-04-01/healthcheck/.*", 400, "Throttling", "Rate exceeded", 1);
    HealthCheckGate gate = HealthCheckGate.of(client, ID);
    GateResult throttled = gate.check(ctx());
    assertThat(throttled.status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(throttled.reason()).contains("Throttling");
    assertThat(gate.check(ctx()).isHealthy()).isTrue();
  }

  @Test
  void validatesItsInputWithoutCallingAws() {
    assertThatThrownBy(() -> HealthCheckGate.of(client, "not-a-uuid")).hasMessageContaining("a UUID");
    assertThatThrownBy(() -> HealthCheckGate.builder(client, ID).healthyShare(1.5)).hasMessageContaining("out of range");
    assertThatThrownBy(() -> HealthCheckGate.of(null, ID)).hasMessageContaining("Route53Client.create()");
    assertThat(HealthCheckGate.builder(client, ID).name("green-endpoint").build().name()).isEqualTo("green-endpoint");
    assertThat(fake.requests()).isZero();
  }
}
