package io.bluegreen.route53;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.bluegreen.core.DryRunReport;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.route53.gate.HealthCheckGate;
import io.bluegreen.route53.support.FakeRoute53;
import io.bluegreen.route53.support.Route53Clients;
import io.bluegreen.testkit.LogCapture;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * What new users hit first with Route 53 (issue 11 §3): a record outside the zone reported as such
 * through execute() and dryRun(); zone ids of local fakes that do not start with 'Z'; one exception
 * type from dryRun() for what is missing; what each write touches; the per-write log category; the
 * display order of the environments.
 */
class Route53RoughEdgesTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private FakeRoute53 fake;
  private Route53Client client;

  private void start(String zoneId) {
    fake = FakeRoute53.start("example.com", zoneId);
    client = Route53Clients.create(fake.endpoint(), null);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
      fake.close();
    }
  }

  private void records(String name, boolean green) {
    fake.addRecord("record-a-simple.xml", Map.of("name", name, "setId", "api-blue", "weight", "100", "ttl", "60", "value1", "192.0.2.10"));
    if (green) {
      fake.addRecord("record-a-simple.xml", Map.of("name", name, "setId", "api-green", "weight", "0", "ttl", "60", "value1", "192.0.2.20"));
    }
  }

  private SwitchPlan.Builder plan(WeightedRecordRouter router) {
    VirtualClock clock = VirtualClock.create();
    return SwitchPlan.builder().name("rough-edges").router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100)).lock(new InProcessRouteLock()).clock(clock).sleeper(clock);
  }

  @Test
  void aRecordOutsideTheZoneIsReportedAsSuchByExecuteAndDryRun() {
    start(FakeRoute53.ZONE_ID);
    records("api.example.com.", true);
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID)
        .record("app.example.net", "A", BLUE, "api-blue", GREEN, "api-green").build();

    Throwable dryRun = catchThrowable(() -> plan(router).build().dryRun());
    assertThat(dryRun).isInstanceOf(PreflightException.class)
        .hasMessageContaining("app.example.net. is not inside zone " + FakeRoute53.ZONE_ID + " (example.com.)")
        .hasMessageNotContaining("create that weighted record");

    SwitchResult result = plan(router).build().execute();
    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("app.example.net. is not inside zone").doesNotContain("create that weighted record");
    assertThat(fake.writes()).isZero();

    assertThatThrownBy(() -> router.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("is not inside zone").hasMessageNotContaining("create that weighted record");
  }

  @Test
  void aMissingSetIdentifierFailsTheDryRunWithAPreflightExceptionLikeAnyMissingResource() {
    start(FakeRoute53.ZONE_ID);
    records("api.example.com.", false);
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID)
        .record("api.example.com", "A", BLUE, "api-blue", GREEN, "api-green").build();

    assertThatThrownBy(() -> plan(router).build().dryRun()).isInstanceOf(PreflightException.class)
        .hasMessageContaining("has no record with SetIdentifier \"api-green\"").hasMessageContaining("create that weighted record");
  }

  @Test
  void aHealthCheckGateOnAMissingHealthCheckAbortsBeforeAnyChange() {
    start(FakeRoute53.ZONE_ID);
    records("api.example.com.", true);
    fake.healthCheck("2b1d6f3e-0c7a-4c55-9f0e-4d2a8b6c1e90", "Success: HTTP Status Code 200");
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID)
        .record("api.example.com", "A", BLUE, "api-blue", GREEN, "api-green").build();

    SwitchResult result = plan(router).gate(HealthCheckGate.of(client, "2b1d6f3e-0c7a-4c55-9f0e-4d2a8b6c1e91")).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("failed its preflight").contains("health check 2b1d6f3e-0c7a-4c55-9f0e-4d2a8b6c1e91 does not exist");
    assertThat(fake.writes()).as("no ChangeResourceRecordSets").isZero();
    assertThat(fake.weight("api.example.com.", "api-green")).isZero();
  }

  @Test
  void zoneIdsOfLocalFakesThatDoNotStartWithZAreAccepted() {
    String motoLike = "1L3QK0Z0B4GQ8Z9";
    start(motoLike);
    records("api.example.com.", true);
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId("/hostedzone/" + motoLike)
        .record("api.example.com", "A", BLUE, "api-blue", GREEN, "api-green").build();
    assertThat(router.hostedZoneId()).isEqualTo(motoLike);

    SwitchResult result = plan(router).build().execute();
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(fake.weight("api.example.com.", "api-green")).isEqualTo(100);

    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("z0123456789abc"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("(zone ids are upper case)");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("Z0123/456")).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("1 to 32 capital letters and digits");
  }

  @Test
  void theDryRunShowsTheRecordsEachWriteTouchesAndWhatItKeeps() {
    start(FakeRoute53.ZONE_ID);
    records("api.example.com.", true);
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID)
        .record("api.example.com", "A", BLUE, "api-blue", GREEN, "api-green").build();

    DryRunReport report = plan(router).build().dryRun();

    assertThat(report.writes()).extracting(w -> w.description().orElseThrow().touches()).containsExactly(
        "ChangeResourceRecordSets on zone " + FakeRoute53.ZONE_ID + " (1 request): UPSERT api.example.com. A \"api-blue\" weight 90,"
            + " \"api-green\" weight 10",
        "ChangeResourceRecordSets on zone " + FakeRoute53.ZONE_ID + " (1 request): UPSERT api.example.com. A \"api-blue\" weight 0,"
            + " \"api-green\" weight 100");
    assertThat(report.writes().get(0).description().orElseThrow().keeps())
        .containsExactly("the TTL, values, alias target, health check and every other field of those records",
            "every other record of zone " + FakeRoute53.ZONE_ID);
    assertThat(report.describe()).contains("    touches: ChangeResourceRecordSets on zone").contains("    keeps: the TTL");
    assertThat(fake.writes()).as("a dry run writes nothing").isZero();
  }

  @Test
  void writesAreLoggedUnderThePublicRoutersCategoryInTheOrderTheEnvironmentsWereMapped() {
    start(FakeRoute53.ZONE_ID);
    records("api.example.com.", true);
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID)
        .record("api.example.com", "A", BLUE, "api-blue", GREEN, "api-green").build();
    assertThat(router.environments()).containsExactly(BLUE, GREEN);

    SwitchResult result;
    try (LogCapture logs = LogCapture.start()) {
      result = plan(router).build().execute();
      assertThat(logs.lines(WeightedRecordRouter.class.getName(), Level.INFO)).anySatisfy(l -> assertThat(l.message()).contains("wrote"));
      assertThat(logs.lines()).filteredOn(l -> l.logger().startsWith("io.bluegreen")).extracting(LogCapture.Line::logger)
          .allSatisfy(category -> assertThat(category).doesNotContain(".internal.")).contains(WeightedRecordRouter.class.getName());
    }
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(result.trafficNow().orElseThrow()).hasToString("blue=0 green=100");
  }
}
