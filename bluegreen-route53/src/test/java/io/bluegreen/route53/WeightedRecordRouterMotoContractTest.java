package io.bluegreen.route53;

import io.bluegreen.core.Environment;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.route53.support.MotoRoute53;
import io.bluegreen.route53.support.RequestCounter;
import io.bluegreen.route53.support.Route53Clients;
import io.bluegreen.testkit.RouterContractTest;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * The router against moto server, an independent Route 53 implementation: the real SDK client over
 * HTTP on 127.0.0.1. Each test gets its own randomly named record group with a weighted A record per
 * environment (blue 100, green 0). moto always reports changes INSYNC. Another writer changes the
 * records with ChangeResourceRecordSets through a client of its own. The router writes as built by
 * default (READ_THEN_WRITE); {@link WeightedRecordRouterConditionalMotoContractTest} runs the same
 * kit with conditionalWrites(true).
 */
class WeightedRecordRouterMotoContractTest extends RouterContractTest {

  /** @return whether the router under test is built with conditionalWrites(true) */
  protected boolean conditionalWrites() {
    return false;
  }

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  @Override
  protected RouterFixture createFixture() {
    URI endpoint = MotoRoute53.endpoint();
    Route53Client admin = Route53Clients.create(endpoint, null);
    MotoRoute53 zone = MotoRoute53.sharedZone(admin);
    String name = zone.name(MotoRoute53.randomLabel());
    zone.create(List.of(
        MotoRoute53.aRecord(name, "api-blue", 100, 60, null, "192.0.2.10"),
        MotoRoute53.aRecord(name, "api-green", 0, 60, null, "192.0.2.20")));
    RequestCounter counter = new RequestCounter();
    Route53Client client = Route53Clients.create(endpoint, counter);
    WeightedRecordRouter router = WeightedRecordRouter.builder(client)
        .hostedZoneId(zone.zoneId())
        .record(name, "A", Map.of(BLUE, "api-blue", GREEN, "api-green"))
        .conditionalWrites(conditionalWrites())
        .endpointEnforcesExactDeletes(true) // the test moto checks ChangeBatches as Route 53 does (scripts/lib/moto_server.py)
        .build();
    return RouterFixture.of(router, BLUE, GREEN, counter::total, counter::writes, () -> {
      client.close();
      admin.close();
    }).withOutOfBand(new OutOfBandWriter() {
      @Override
      public void write(TrafficSplit split) {
        zone.upsert(List.of(
            MotoRoute53.aRecord(name, "api-blue", split.weightOf(BLUE), 60, null, "192.0.2.10"),
            MotoRoute53.aRecord(name, "api-green", split.weightOf(GREEN), 60, null, "192.0.2.20")));
      }

      @Override
      public String writeUnmapped() {
        // green's record replaced by a red one that takes all traffic (two records, as moto pages them)
        zone.change(List.of(
            Change.builder().action(ChangeAction.DELETE) // exactly as it is now, as Route 53 requires of a DELETE
                .resourceRecordSet(zone.group(name).stream().filter(r -> "api-green".equals(r.setIdentifier())).findFirst()
                    .orElseThrow()).build(),
            Change.builder().action(ChangeAction.CREATE)
                .resourceRecordSet(MotoRoute53.aRecord(name, "api-red", 100, 60, null, "192.0.2.30")).build(),
            Change.builder().action(ChangeAction.UPSERT)
                .resourceRecordSet(MotoRoute53.aRecord(name, "api-blue", 0, 60, null, "192.0.2.10")).build()));
        return "api-red=100";
      }
    }).withEverythingButWeights(() -> zone.group(name).stream()
        .sorted(Comparator.comparing(ResourceRecordSet::setIdentifier))
        .map(r -> r.toBuilder().weight(null).build().toString()).collect(Collectors.joining("\n")));
  }
}
