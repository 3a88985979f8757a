package io.bluegreen.route53;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ChangeResourceRecordSetsRequest;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * The router against moto server: records keep every field but the weight through switches and
 * rollbacks, and fleets of record groups switch in as few ChangeResourceRecordSets requests as
 * Route 53's limits allow.
 */
class WeightedRecordRouterMotoTest {

  private static final Logger LOG = LoggerFactory.getLogger(WeightedRecordRouterMotoTest.class);
  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private URI endpoint;
  private Route53Client admin;
  private RequestCounter counter;
  private Route53Client client;

  @BeforeEach
  void clients() {
    endpoint = MotoRoute53.endpoint();
    admin = Route53Clients.create(endpoint, null);
    counter = new RequestCounter();
    client = Route53Clients.create(endpoint, counter);
  }

  @AfterEach
  void close() {
    // null when moto is not running and the test was skipped in @BeforeEach
    if (client != null) {
      client.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  private static Map<Environment, String> ids(String prefix) {
    Map<Environment, String> m = new LinkedHashMap<>();
    m.put(BLUE, prefix + "-blue");
    m.put(GREEN, prefix + "-green");
    return m;
  }

  private static SwitchPlan.Builder plan(WeightedRecordRouter router, Environment from, Environment to, StageSchedule schedule,
      ScriptedGate gate) {
    VirtualClock clock = VirtualClock.create();
    return SwitchPlan.builder().router(router).from(from).to(to).schedule(schedule).gate(gate).gateInterval(Duration.ofSeconds(10))
        .lock(new InProcessRouteLock()).time(clock);
  }

  /** Every record of the zone by SetIdentifier, with the weight taken out. */
  private static Map<String, ResourceRecordSet> withoutWeights(MotoRoute53 zone, Set<String> setIds) {
    Map<String, ResourceRecordSet> m = new HashMap<>();
    for (ResourceRecordSet r : zone.listAll()) {
      if (r.setIdentifier() != null && setIds.contains(r.setIdentifier())) {
        m.put(r.setIdentifier(), r.toBuilder().weight(null).build());
      }
    }
    return m;
  }

  private static Map<String, Long> weights(MotoRoute53 zone, String prefix) {
    Map<String, Long> m = new HashMap<>();
    for (ResourceRecordSet r : zone.listAll()) {
      if (r.setIdentifier() != null && r.name().startsWith(prefix)) {
        m.put(r.setIdentifier(), r.weight());
      }
    }
    return m;
  }

  @Test
  void plainAndAliasRecordsKeepEveryOtherFieldThroughASwitchAndARollback() {
    MotoRoute53 zone = MotoRoute53.sharedZone(admin);
    String plain = zone.name(MotoRoute53.randomLabel());
    String alias = zone.name(MotoRoute53.randomLabel());
    String hc = zone.createHealthCheck();
    String p = plain.substring(0, 12);
    String a = alias.substring(0, 12);
    zone.create(List.of(
        MotoRoute53.aRecord(plain, p + "-blue", 100, 300, null, "192.0.2.10", "192.0.2.11"),
        MotoRoute53.aRecord(plain, p + "-green", 0, 300, hc, "192.0.2.20", "192.0.2.21"),
        MotoRoute53.aliasRecord(alias, a + "-blue", 100, "blue-lb-123.us-east-1.elb.amazonaws.com."),
        MotoRoute53.aliasRecord(alias, a + "-green", 0, "green-lb-456.us-east-1.elb.amazonaws.com.")));
    Set<String> setIds = Set.of(p + "-blue", p + "-green", a + "-blue", a + "-green");
    Map<String, ResourceRecordSet> before = withoutWeights(zone, setIds);
    assertThat(before).hasSize(4);
    assertThat(before.get(p + "-green").healthCheckId()).isEqualTo(hc);
    assertThat(before.get(a + "-green").aliasTarget().dnsName()).startsWith("green-lb-456");
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId(zone.zoneId())
        .record(plain, "A", ids(p)).record(alias, "A", ids(a)).build();

    SwitchResult switched = plan(router, BLUE, GREEN, StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100),
        ScriptedGate.healthy()).build().execute();

    assertThat(switched.outcome()).as(switched.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(switched.clientsFollowBy()).as("TTL 300 s").contains(switched.events(SwitchEvent.StageVerified.class).get(1).at()
        .plusSeconds(300));
    assertThat(weights(zone, "")).containsEntry(p + "-green", 100L).containsEntry(p + "-blue", 0L)
        .containsEntry(a + "-green", 100L).containsEntry(a + "-blue", 0L);
    assertThat(withoutWeights(zone, setIds)).as("all fields but the weight, after the switch").isEqualTo(before);

    SwitchResult rolledBack = plan(router, GREEN, BLUE, StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100),
        ScriptedGate.unhealthyDuringStage(1, "blue broke")).build().execute();

    assertThat(rolledBack.outcome()).as(rolledBack.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(weights(zone, "")).containsEntry(p + "-green", 100L).containsEntry(p + "-blue", 0L);
    assertThat(withoutWeights(zone, setIds)).as("all fields but the weight, after the rollback").isEqualTo(before);
  }

  private record Fleet(MotoRoute53 zone, WeightedRecordRouter router, int groups, String prefix) {
  }

  private Fleet fleet(int groups) {
    MotoRoute53 zone = MotoRoute53.sharedZone(admin);
    String prefix = MotoRoute53.randomLabel();
    List<ResourceRecordSet> sets = new ArrayList<>();
    List<WeightedRecord> records = new ArrayList<>();
    for (int i = 0; i < groups; i++) {
      String name = zone.name(String.format("%s-%04d", prefix, i));
      sets.add(MotoRoute53.aRecord(name, "svc" + i + "-blue", 100, 60, null, "10.0." + (i / 250) + "." + (i % 250)));
      sets.add(MotoRoute53.aRecord(name, "svc" + i + "-green", 0, 60, null, "10.1." + (i / 250) + "." + (i % 250)));
      records.add(WeightedRecord.of(name, "A", ids("svc" + i)));
    }
    zone.create(sets);
    return new Fleet(zone, WeightedRecordRouter.builder(client).hostedZoneId(zone.zoneId()).records(records).build(), groups, prefix);
  }

  /** Route 53's limits, counted independently of the router's own code. */
  private static void assertWithinRoute53Limits(ChangeResourceRecordSetsRequest request) {
    int elements = 0;
    int chars = 0;
    for (Change c : request.changeBatch().changes()) {
      int factor = c.action() == ChangeAction.UPSERT ? 2 : 1;
      for (ResourceRecord r : c.resourceRecordSet().resourceRecords()) {
        elements += factor;
        chars += factor * r.value().length();
      }
    }
    assertThat(elements).as("ResourceRecord elements, UPSERT counted twice").isLessThanOrEqualTo(1000);
    assertThat(chars).as("characters in Value elements, UPSERT counted twice").isLessThanOrEqualTo(32_000);
    assertThat(request.changeBatch().changes()).hasSizeLessThanOrEqualTo(1000);
    Map<String, Long> perName = request.changeBatch().changes().stream()
        .collect(Collectors.groupingBy(c -> c.resourceRecordSet().name(), Collectors.counting()));
    assertThat(perName.values()).as("no record group split across requests").allMatch(n -> n == 2);
  }

  @Test
  void twoHundredRecordGroupsSwitchWithOneRequestPerStage() {
    Fleet fleet = fleet(200);
    StageSchedule schedule = StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100);
    long requestsBefore = counter.total();

    // gates (and the drift read that goes with each poll: a read of every group) polled once per 5-minute bake
    SwitchResult result = plan(fleet.router(), BLUE, GREEN, schedule, ScriptedGate.healthy()).gateInterval(Duration.ofMinutes(5)).build()
        .execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(counter.writes()).as("one ChangeResourceRecordSets request per stage").isEqualTo(3);
    assertThat(counter.writeRequests()).allSatisfy(w -> {
      assertThat(w.changeBatch().changes()).hasSize(400);
      assertWithinRoute53Limits(w);
    });
    Map<String, Long> weights = weights(fleet.zone(), fleet.prefix());
    for (int i = 0; i < fleet.groups(); i++) {
      assertThat(weights).containsEntry("svc" + i + "-green", 100L).containsEntry("svc" + i + "-blue", 0L);
    }
    LOG.info("fleet of 200 groups: {} requests for 3 stages ({}), {} writes", counter.total() - requestsBefore, counter.snapshot(),
        counter.writes());
  }

  @Test
  void sixHundredRecordGroupsSplitIntoAsFewRequestsAsTheLimitsAllow() {
    Fleet fleet = fleet(600);
    StageSchedule schedule = StageSchedule.targetWeights(Duration.ofMinutes(5), 50, 100);

    // gates (and the drift read that goes with each poll: a read of every group) polled once per 5-minute bake
    SwitchResult result = plan(fleet.router(), BLUE, GREEN, schedule, ScriptedGate.healthy()).gateInterval(Duration.ofMinutes(5)).build()
        .execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    // 1,200 UPSERTs of one value each count 2,400 ResourceRecord elements: at least ceil(2400 / 1000) = 3 requests per stage
    assertThat(counter.writes()).isEqualTo(2 * 3);
    counter.writeRequests().forEach(WeightedRecordRouterMotoTest::assertWithinRoute53Limits);
    assertThat(counter.writeRequests().stream().mapToInt(w -> w.changeBatch().changes().size()).sum()).isEqualTo(2 * 1200);
    Map<String, Long> weights = weights(fleet.zone(), fleet.prefix());
    for (int i = 0; i < fleet.groups(); i++) {
      assertThat(weights).containsEntry("svc" + i + "-green", 100L).containsEntry("svc" + i + "-blue", 0L);
    }
    assertThat(fleet.router().current()).isEqualTo(TrafficSplit.allTo(GREEN));
    LOG.info("fleet of 600 groups: {} for 2 stages; requests per stage: {}", counter.snapshot(),
        counter.writeRequests().stream().map(w -> w.changeBatch().changes().size()).toList());
  }

  @Test
  void readsOfAFleetShareListPages() {
    Fleet fleet = fleet(200);
    long before = counter.count("ListResourceRecordSets");

    assertThat(fleet.router().current()).isEqualTo(TrafficSplit.allTo(BLUE));

    long reads = counter.count("ListResourceRecordSets") - before;
    assertThat(reads).as("400 records read in pages of up to 300, not one call per group").isLessThanOrEqualTo(3);
  }
}
