package io.bluegreen.examples.route53;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.examples.Captured;
import io.bluegreen.testkit.ExternalPeer;
import io.bluegreen.testkit.VirtualClock;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.route53.Route53Client;

/** Runs the Route 53 example against the in-process fake (always) and moto server (when BLUEGREEN_MOTO_ENDPOINT is set). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WeightedRecordExampleTest {

  @Test
  void waitsForInsyncAfterEveryWriteAndBakesTheLastStageOneTtl() {
    Captured output = new Captured();
    try (FakeRoute53 dns = FakeRoute53.start(); Route53Client route53 = WeightedRecordExample.localClient(dns.endpoint())) {

      SwitchResult result = WeightedRecordExample.run(route53, FakeRoute53.ZONE_ID, FakeRoute53.RECORD, VirtualClock.create(), output.out());

      assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      assertThat(dns.weights()).as("weights read from the fake").isEqualTo(Map.of("api-blue", 0L, "api-green", 100L));
      assertThat(dns.changes()).as("one ChangeResourceRecordSets per stage").isEqualTo(3);
      assertThat(Collections.frequency(dns.getChangeAnswers(), "PENDING")).as("GetChange PENDING answers")
          .isEqualTo(3 * FakeRoute53.PENDING_POLLS);
      assertThat(Collections.frequency(dns.getChangeAnswers(), "INSYNC")).isEqualTo(3);
      List<SwitchEvent.StageVerified> verified = result.events(SwitchEvent.StageVerified.class);
      assertThat(verified).hasSize(3).allSatisfy(v -> assertThat(v.took()).as("waited for INSYNC").isPositive());
      SwitchEvent.StageCompleted last = result.events(SwitchEvent.StageCompleted.class).get(2);
      assertThat(Duration.between(verified.get(2).at(), last.at())).as("final bake: at least the TTL, not the 1-minute hold")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(FakeRoute53.TTL_SECONDS));
      assertThat(result.clientConvergence()).isEqualTo(Duration.ofSeconds(FakeRoute53.TTL_SECONDS));
      assertThat(result.clientsFollowBy()).contains(verified.get(2).at().plusSeconds(FakeRoute53.TTL_SECONDS));
    }
    assertThat(output.text()).contains("stage 3/3  blue=0 green=100", "baking the final stage", "weights now: {api-blue=0, api-green=100}",
        "clients follow by 2026-01-01T00:0");
  }

  @Test
  void theMainMethodsLocalRunCompletesAndShowsThePendingChanges() {
    Captured output = new Captured();
    SwitchResult result = WeightedRecordExample.runLocally(null, output.out());
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(output.text()).contains("in-process Route 53 fake", "GetChange answers: [PENDING, PENDING, INSYNC");
  }

  @Test
  void switchesTheRecordsOnMotoServer() {
    URI moto = ExternalPeer.require("BLUEGREEN_MOTO_ENDPOINT", "moto server", "run ./scripts/test.sh");
    Captured output = new Captured();
    try (MotoRoute53 zone = MotoRoute53.create(moto)) {

      SwitchResult result = WeightedRecordExample.run(zone.route53(), zone.zoneId(), zone.recordName(), VirtualClock.create(), output.out());

      assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      assertThat(WeightedRecordExample.weights(zone.route53(), zone.zoneId(), zone.recordName()))
          .as("read back from moto").isEqualTo(Map.of("api-blue", 0L, "api-green", 100L));
      assertThat(result.clientsFollowBy()).isPresent();
    }
    assertThat(output.text()).contains("stage 3/3  blue=0 green=100");
  }
}
