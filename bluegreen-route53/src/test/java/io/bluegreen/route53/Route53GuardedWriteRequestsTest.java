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
import io.bluegreen.route53.support.PendingChanges;
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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Issue 15 on moto, counted request by request for fleets of 10, 250 and 2,000 record groups. By
 * default the router guards its own writes (READ_THEN_WRITE), so a stage and a rollback each list
 * the record fleet twice (the drift read before the write, one read once the change is INSYNC) where
 * the engine's read, apply and verify listed it three times, plus the ChangeResourceRecordSets
 * requests Route 53's limits need and one GetChange per request not answered INSYNC. With
 * conditionalWrites(true) (CONDITIONAL) the write goes first: a stage and a rollback are the
 * ChangeResourceRecordSets requests alone when Route 53 answers INSYNC (moto always does), and the
 * requests, GetChange while PENDING and one read of the fleet when it answers PENDING (as Route 53
 * does: {@link PendingChanges}). Prints the counts.
 */
class Route53GuardedWriteRequestsTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private Route53Client admin;
  private RequestCounter counter;
  private Route53Client client;
  private MotoRoute53 fleetZone;

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
    return fleet(groups, false);
  }

  private WeightedRecordRouter fleet(int groups, boolean conditional) {
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
    fleetZone = zone;
    return WeightedRecordRouter.builder(client).hostedZoneId(zone.zoneId()).records(records).conditionalWrites(conditional).endpointEnforcesExactDeletes(true).build();
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

  @ParameterizedTest(name = "{0} record groups, changes answered {1}")
  @CsvSource({"10, INSYNC", "250, INSYNC", "2000, INSYNC", "10, PENDING", "250, PENDING", "2000, PENDING"})
  void conditionalWritesGoFirst(int groups, String answered) {
    boolean pending = answered.equals("PENDING");
    if (pending) {
      client.close();
      client = Route53Clients.createWith(MotoRoute53.endpoint(), Duration.ofSeconds(60), new PendingChanges(1), counter);
    }
    WeightedRecordRouter router = fleet(groups, true);
    assertThat(router.capabilities().writeGuard()).isEqualTo(WriteGuard.CONDITIONAL);
    long before = counter.count("ListResourceRecordSets");
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE));
    long listsPerRead = counter.count("ListResourceRecordSets") - before;
    List<ResourceRecordSet> atStart = fleetZone.listAll();

    Spans spans = new Spans();
    int[] verdictAt = {-1};
    SwitchResult r = SwitchPlan.builder().router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100))
        .gate(ScriptedGate.unhealthyDuringStage(3, "green broke")).gateInterval(Duration.ofMinutes(5))
        .lock(new InProcessRouteLock()).time(VirtualClock.create()).listener(e -> {
          spans.on(e);
          if (e instanceof SwitchEvent.GateChecked g && g.result().status() == io.bluegreen.core.GateResult.Status.UNHEALTHY) {
            verdictAt[0] = counter.operations().size(); // the verdict
          }
        }).build().execute();

    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.isTrafficNowVerified()).as(r.summary()).isTrue();
    assertThat(spans.stages).hasSize(3);
    long changesPerStage = spans.stages.get(0).get("ChangeResourceRecordSets");
    assertThat(changesPerStage).as("DELETE + CREATE count like UPSERT: %d groups need %d requests", groups, (groups + 249) / 250)
        .isEqualTo((groups + 249) / 250);
    for (int i = 0; i < spans.stages.size(); i++) {
      Map<String, Long> stage = spans.stages.get(i);
      System.out.printf("Route 53 conditional writes, %d groups, changes answered %s, stage %d: %s (one read of the fleet = %d list"
          + " requests)%n", groups, answered, i + 1, stage, listsPerRead);
      assertThat(stage.get("ChangeResourceRecordSets")).as("stage %d", i + 1).isEqualTo(changesPerStage);
      if (pending) {
        assertThat(stage.get("ListResourceRecordSets")).as("stage %d: one read, once INSYNC", i + 1).isEqualTo(listsPerRead);
        assertThat(stage.get("GetChange")).as("stage %d: GetChange while PENDING, then once INSYNC", i + 1).isGreaterThanOrEqualTo(2);
        assertThat(stage).as("stage %d", i + 1).containsOnlyKeys("ChangeResourceRecordSets", "GetChange", "ListResourceRecordSets");
      } else {
        assertThat(stage).as("stage %d: answered INSYNC, the write is its own verification", i + 1)
            .containsOnlyKeys("ChangeResourceRecordSets");
      }
    }
    System.out.printf("Route 53 conditional writes, %d groups, changes answered %s, rollback: %s%n", groups, answered, spans.rollback);
    assertThat(counter.operations().get(verdictAt[0])).as("the first request after the UNHEALTHY verdict")
        .isEqualTo("ChangeResourceRecordSets");
    assertThat(spans.rollback.get("ChangeResourceRecordSets")).isEqualTo(changesPerStage);
    assertThat(spans.rollback.getOrDefault("ListResourceRecordSets", 0L)).isEqualTo(pending ? listsPerRead : 0L);
    assertThat(fleetZone.listAll()).as("the exact records of the start: weights, values, TTLs")
        .containsExactlyInAnyOrderElementsOf(atStart);
  }
}
