package io.bluegreen.examples.route53;

import java.net.URI;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * The records the example switches, created in a moto server (an independent AWS fake, e.g. the one
 * {@code ./scripts/test.sh} starts and names in {@code BLUEGREEN_MOTO_ENDPOINT}) through the SDK: a
 * hosted zone with a random name and weighted A records {@code api.<zone>} {@code api-blue} (weight
 * 100) and {@code api-green} (weight 0), TTL {@value FakeRoute53#TTL_SECONDS} s. Note that moto answers
 * GetChange with INSYNC at once, so the INSYNC wait is only visible with {@link FakeRoute53}.
 *
 * <pre>{@code
 * try (MotoRoute53 zone = MotoRoute53.create(URI.create(System.getenv("BLUEGREEN_MOTO_ENDPOINT")))) {
 *   WeightedRecordExample.run(zone.route53(), zone.zoneId(), zone.recordName(), VirtualClock.create(), System.out);
 * }
 * }</pre>
 */
public final class MotoRoute53 implements AutoCloseable {

  private final Route53Client route53;
  private final String zoneId;
  private final String recordName;

  private MotoRoute53(URI endpoint) {
    this.route53 = WeightedRecordExample.localClient(endpoint);
    String zone = "bg-" + UUID.randomUUID().toString().substring(0, 8) + ".test.";
    this.zoneId = createZone(zone);
    this.recordName = "api." + zone;
    List<Change> changes = List.of(record("api-blue", 100, "192.0.2.10"), record("api-green", 0, "192.0.2.20"));
    route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(changes)));
  }

  /**
   * @param endpoint the moto server, e.g. http://127.0.0.1:5000
   * @return the zone and records, created
   */
  public static MotoRoute53 create(URI endpoint) {
    return new MotoRoute53(endpoint);
  }

  /** moto's zone ids need not start with 'Z' as Route 53's do: the router accepts them as they are. */
  private String createZone(String name) {
    return route53.createHostedZone(r -> r.name(name).callerReference(UUID.randomUUID().toString())).hostedZone().id()
        .replace("/hostedzone/", "");
  }

  private Change record(String setId, long weight, String value) {
    return Change.builder().action(ChangeAction.CREATE).resourceRecordSet(ResourceRecordSet.builder()
        .name(recordName).type(RRType.A).setIdentifier(setId).weight(weight).ttl((long) FakeRoute53.TTL_SECONDS)
        .resourceRecords(ResourceRecord.builder().value(value).build()).build()).build();
  }

  /** @return a client of the moto server (closed with this) */
  public Route53Client route53() {
    return route53;
  }

  /** @return the bare hosted zone id */
  public String zoneId() {
    return zoneId;
  }

  /** @return the weighted record's name, e.g. api.bg-1a2b3c4d.test. */
  public String recordName() {
    return recordName;
  }

  /** Closes the client; moto keeps its zones in memory only, and this one has a random name. */
  @Override
  public void close() {
    route53.close();
  }
}
