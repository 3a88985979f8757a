package io.bluegreen.route53;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.route53.support.MotoRoute53;
import io.bluegreen.route53.support.RequestCounter;
import io.bluegreen.route53.support.Route53Clients;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Issue 15 on moto, counted request by request for fleets of 10, 250 and 2,000 record groups: the
 * router guards its own writes (READ_THEN_WRITE), so a stage and a rollback each list the record
 * fleet twice (the drift read before the write, one read once the change is INSYNC) where the
 * engine's read, apply and verify listed it three times, plus the ChangeResourceRecordSets requests
 * Route 53's limits need and one GetChange per request not answered INSYNC. Prints the counts.
 */
class Route53GuardedWriteRequestsTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private Route53Client admin;
  private RequestCounter counter;
  private Route53Client client;

  @BeforeEach
  void clients() {
    URI endpoint = MotoRoute53.endpoint();
    admin = Route53Clients.create(endpoint, null);
    counter = new RequestCounter();
    client = Route53Clients.create(endpoint, counter);
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  private WeightedRecordRouter fleet(int groups) {
    MotoRoute53 zone = MotoRoute53.createZone(admin); // a zone of its own: list pages hold only this fleet
    List<ResourceRecordSet> sets = new ArrayList<>();
    List<WeightedRecord> records = new ArrayList<>();
    for (int i = 0; i < groups; i++) {
      String name = zone.name(String.format("svc-%04d", i));
      sets.add(MotoRoute53.aRecord(name, "svc" + i + "-blue", 100, 60, null, "10.0." + (i / 250) + "." + (i % 250)));
      sets.add(MotoRoute53.aRecord(name, "svc" + i + "-green", 0, 60, null, "10.1." + (i / 250) + "." + (i % 250)));
      Map<Environment, String> ids = new LinkedHashMap<>();
      ids.put(BLUE, "svc" + i + "-blue");
      ids.put(GREEN, "svc" + i + "-green");
      records.add(WeightedRecord.of(name, "A", ids));
    }
    zone.create(sets);
    return WeightedRecordRouter.builder(client).hostedZoneId(zone.zoneId()).records(records).build();
  }

  /** Requests by operation from StageStarted to StageVerified of each stage, and from RollbackStarted to RollbackCompleted. */
  private final class Spans {
    final List<Map<String, Long>> stages = new ArrayList<>();
    Map<String, Long> rollback = Map.of();
    private Map<String, Long> mark = Map.of();

    void on(SwitchEvent e) {
      if (e instanceof SwitchEvent.StageStarted || e instanceof SwitchEvent.RollbackStarted) {
        mark = counter.snapshot();
      } else if (e instanceof SwitchEvent.StageVerified) {
        stages.add(since());
      } else if (e instanceof SwitchEvent.RollbackCompleted) {
        rollback = since();
      }
    }

    private Map<String, Long> since() {
      Map<String, Long> d = new TreeMap<>();
      counter.snapshot().forEach((op, n) -> {
        long delta = n - mark.getOrDefault(op, 0L);
        if (delta > 0) {
          d.put(op, delta);
        }
      });
      return d;
    }
  }

  @ParameterizedTest(name = "{0} record groups")
  @ValueSource(ints = {10, 250, 2000})
  void aStageAndARollbackListTheFleetTwice(int groups) {
    WeightedRecordRouter router = fleet(groups);
    assertThat(router.capabilities().writeGuard()).isEqualTo(WriteGuard.READ_THEN_WRITE);
    long before = counter.count("ListResourceRecordSets");
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE));
    long listsPerRead = counter.count("ListResourceRecordSets") - before;

    Spans spans = new Spans();
    SwitchResult r = SwitchPlan.builder().router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100))
        .gate(ScriptedGate.unhealthyDuringStage(3, "green broke")).gateInterval(Duration.ofMinutes(5))
        .lock(new InProcessRouteLock()).time(VirtualClock.create()).listener(spans::on).build().execute();

    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.isTrafficNowVerified()).as(r.summary()).isTrue();
    assertThat(spans.stages).hasSize(3);
    for (int i = 0; i < spans.stages.size(); i++) {
      Map<String, Long> stage = spans.stages.get(i);
      System.out.printf("Route 53, %d groups, stage %d: %s (one read of the fleet = %d list requests)%n", groups, i + 1, stage,
          listsPerRead);
      assertThat(stage.get("ListResourceRecordSets")).as("stage %d: the drift read and the read after INSYNC", i + 1)
          .isEqualTo(2 * listsPerRead);
      assertThat(stage.getOrDefault("GetChange", 0L)).as("GetChange only for requests not answered INSYNC")
          .isLessThanOrEqualTo(stage.get("ChangeResourceRecordSets"));
    }
    System.out.printf("Route 53, %d groups, rollback: %s%n", groups, spans.rollback);
    assertThat(spans.rollback.get("ListResourceRecordSets")).isEqualTo(2 * listsPerRead);
    assertThat(spans.rollback.get("ChangeResourceRecordSets")).isEqualTo(spans.stages.get(0).get("ChangeResourceRecordSets"));
  }
}
