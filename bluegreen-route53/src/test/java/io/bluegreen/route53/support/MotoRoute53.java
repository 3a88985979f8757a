package io.bluegreen.route53.support;

import io.bluegreen.testkit.ExternalPeer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.AliasTarget;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.HealthCheckType;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * A hosted zone of its own on moto server (independent Route 53 implementation), named randomly so
 * tests never collide. Records are created through the SDK.
 */
public final class MotoRoute53 implements AutoCloseable {

  private final Route53Client admin;
  private final String zoneId;
  private final String zoneName;

  private MotoRoute53(Route53Client admin, String zoneId, String zoneName) {
    this.admin = admin;
    this.zoneId = zoneId;
    this.zoneName = zoneName;
  }

  /** @return moto's endpoint, or the test is skipped (fails on CI) */
  public static URI endpoint() {
    return ExternalPeer.require("BLUEGREEN_MOTO_ENDPOINT", "moto server", "run ./scripts/test.sh");
  }

  /**
   * Creates a zone with a random name. moto's zone ids are 15 random capitals and digits, most not
   * starting with 'Z' as Route 53's do: the router accepts them as they are.
   *
   * @param admin a client for set-up (not the one under test, so set-up is not counted)
   * @return the zone
   */
  public static MotoRoute53 createZone(Route53Client admin) {
    String name = "bg-" + UUID.randomUUID().toString().substring(0, 12) + ".test.";
    String id = admin.createHostedZone(r -> r.name(name).callerReference(UUID.randomUUID().toString())).hostedZone().id();
    return new MotoRoute53(admin, id.replace("/hostedzone/", ""), name);
  }

  private static MotoRoute53 shared;

  /**
   * One zone per test JVM, created on first use: each test uses its own random record names in
   * it, which is a fresh backend for a router that only touches its own records.
   *
   * @param admin a client for set-up
   * @return the shared zone
   */
  public static synchronized MotoRoute53 sharedZone(Route53Client admin) {
    if (shared == null) {
      shared = createZone(admin);
    }
    return new MotoRoute53(admin, shared.zoneId, shared.zoneName);
  }

  /** @return a random label, e.g. svc-1a2b3c4d */
  public static String randomLabel() {
    return "svc-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** @return the bare zone id */
  public String zoneId() {
    return zoneId;
  }

  /** @return the zone name with a trailing dot */
  public String zoneName() {
    return zoneName;
  }

  /**
   * @param label a label below the zone
   * @return label.zone.
   */
  public String name(String label) {
    return label + "." + zoneName;
  }

  /**
   * @param name record name
   * @param setId SetIdentifier
   * @param weight Route 53 weight
   * @param ttl TTL seconds
   * @param healthCheckId a health check id or null
   * @param values record values
   * @return an A record set
   */
  public static ResourceRecordSet aRecord(String name, String setId, long weight, long ttl, String healthCheckId, String... values) {
    List<ResourceRecord> rr = new ArrayList<>();
    for (String v : values) {
      rr.add(ResourceRecord.builder().value(v).build());
    }
    return ResourceRecordSet.builder().name(name).type(RRType.A).setIdentifier(setId).weight(weight).ttl(ttl)
        .resourceRecords(rr).healthCheckId(healthCheckId).build();
  }

  /**
   * @param name record name
   * @param setId SetIdentifier
   * @param weight Route 53 weight
   * @param dnsName alias target
   * @return an alias A record set (no TTL of its own)
   */
  public static ResourceRecordSet aliasRecord(String name, String setId, long weight, String dnsName) {
    return ResourceRecordSet.builder().name(name).type(RRType.A).setIdentifier(setId).weight(weight)
        .aliasTarget(AliasTarget.builder().hostedZoneId("Z35SXDOTRQ7X7K").dnsName(dnsName).evaluateTargetHealth(true).build())
        .build();
  }

  /**
   * Creates records, many per request.
   *
   * @param sets the record sets
   */
  public void create(List<ResourceRecordSet> sets) {
    for (int i = 0; i < sets.size(); i += 500) {
      List<Change> changes = sets.subList(i, Math.min(sets.size(), i + 500)).stream()
          .map(s -> Change.builder().action(ChangeAction.CREATE).resourceRecordSet(s).build()).toList();
      admin.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(changes)));
    }
  }

  /**
   * Creates or replaces records in one ChangeResourceRecordSets, as another writer would.
   *
   * @param sets the record sets
   */
  public void upsert(List<ResourceRecordSet> sets) {
    change(sets.stream().map(s -> Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(s).build()).toList());
  }

  /**
   * Sends changes in one ChangeResourceRecordSets, as another writer would.
   *
   * @param changes the changes
   */
  public void change(List<Change> changes) {
    admin.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(changes)));
  }

  /**
   * @param name a record name
   * @return the record sets with that name (one page from it: a group's records)
   */
  public List<ResourceRecordSet> group(String name) {
    return admin.listResourceRecordSets(r -> r.hostedZoneId(zoneId).startRecordName(name).maxItems("20")).resourceRecordSets().stream()
        .filter(r -> r.name().equals(name)).toList();
  }

  /** @return every record set of the zone */
  public List<ResourceRecordSet> listAll() {
    return admin.listResourceRecordSetsPaginator(r -> r.hostedZoneId(zoneId)).resourceRecordSets().stream().toList();
  }

  /** @return a new HTTP health check's id */
  public String createHealthCheck() {
    return admin.createHealthCheck(r -> r.callerReference(UUID.randomUUID().toString())
        .healthCheckConfig(c -> c.type(HealthCheckType.HTTP).ipAddress("192.0.2.10").port(80).resourcePath("/health")))
        .healthCheck().id();
  }

  @Override
  public void close() {
    // moto keeps everything in memory; zones have random names, so leaving them is harmless
  }
}
