package io.bluegreen.route53.internal;

import io.bluegreen.core.RouterException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsRequest;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsResponse;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Reads the record sets of many (name, type) groups of one zone with as few
 * ListResourceRecordSets calls as it can: it starts a listing at the first group not yet read,
 * follows the pages (IsTruncated, NextRecordName, NextRecordType, NextRecordIdentifier) while the
 * next page starts on a group it still needs, and collects every wanted group it passes on the
 * way. Groups that sit next to each other in the zone's order (the usual case for a fleet that is
 * named alike) are read a page of up to 300 records at a time.
 *
 * <p>Correctness does not depend on reproducing Route 53's sort order: a group counts as read only
 * once the listing has moved past it, or a listing started at it found nothing.
 *
 * <pre>{@code
 * Map<Key, List<ResourceRecordSet>> groups =
 *     RecordReader.read(route53, "Z0123456789ABC", Map.of(new Key("api.example.com.", "A"), 2));
 * }</pre>
 */
public final class RecordReader {

  /** Logs under the public router's category, as the README lists. */
  private static final Logger LOG = LoggerFactory.getLogger("io.bluegreen.route53.WeightedRecordRouter");
  /** ListResourceRecordSets returns at most 300 records per page. */
  public static final int MAX_PAGE = 300;
  private static final int MAX_REQUESTS = 10_000;

  /** A record group: a normalised name and a type. */
  public record Key(String name, String type) {
    @Override
    public String toString() {
      return name + " " + type;
    }
  }

  private RecordReader() {
  }

  /**
   * @param route53 the client
   * @param zoneId the bare hosted zone id
   * @param wanted each group and how many records it is expected to hold
   * @return every record of each wanted group, by group (empty list when it has none)
   * @throws RouterException if a call fails (transient or permanent)
   */
  public static Map<Key, List<ResourceRecordSet>> read(Route53Client route53, String zoneId, Map<Key, Integer> wanted) {
    Map<Key, Map<String, ResourceRecordSet>> found = new LinkedHashMap<>();
    List<Key> order = new ArrayList<>(wanted.keySet());
    order.sort(Comparator.comparing((Key k) -> Route53Names.sortKey(k.name(), k.type())));
    for (Key k : order) {
      found.put(k, new LinkedHashMap<>());
    }
    Set<Key> complete = new HashSet<>();
    int requests = 0;
    while (true) {
      Key start = null;
      for (Key k : order) {
        if (!complete.contains(k)) {
          start = k;
          break;
        }
      }
      if (start == null) {
        break;
      }
      String name = start.name();
      String type = start.type();
      String identifier = null;
      while (true) {
        if (++requests > MAX_REQUESTS) {
          throw RouterException.permanentFailure("reading " + wanted.size() + " record groups of zone " + zoneId
              + " took more than " + MAX_REQUESTS + " ListResourceRecordSets calls; giving up", null);
        }
        Key pageStart = new Key(name, type);
        int remaining = 0;
        for (Key k : order) {
          if (!complete.contains(k)) {
            remaining += Math.max(0, wanted.get(k) - found.get(k).size());
          }
        }
        ListResourceRecordSetsRequest request = ListResourceRecordSetsRequest.builder().hostedZoneId(zoneId)
            .startRecordName(name).startRecordType(type).startRecordIdentifier(identifier)
            .maxItems(Integer.toString(Math.max(2, Math.min(MAX_PAGE, remaining)))).build();
        ListResourceRecordSetsResponse page;
        try {
          page = route53.listResourceRecordSets(request);
        } catch (SdkException e) {
          throw Route53Errors.wrap(route53, "ListResourceRecordSets on zone " + zoneId + " from " + pageStart, e);
        }
        int added = 0;
        Key prev = null;
        List<ResourceRecordSet> records = page.hasResourceRecordSets() ? page.resourceRecordSets() : List.of();
        for (ResourceRecordSet r : records) {
          Key key = new Key(Route53Names.normaliseRead(r.name()), r.typeAsString());
          if (prev == null && !key.equals(pageStart)) {
            complete.add(pageStart); // nothing (more) at the start position
          }
          if (prev != null && !key.equals(prev)) {
            complete.add(prev);
          }
          Map<String, ResourceRecordSet> group = found.get(key);
          if (group != null && group.putIfAbsent(Objects.toString(r.setIdentifier(), ""), r) == null) {
            added++;
          }
          prev = key;
        }
        if (records.isEmpty()) {
          complete.add(pageStart);
        }
        if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextRecordName() == null) {
          if (prev != null) {
            complete.add(prev);
          }
          complete.add(pageStart);
          break;
        }
        Key next = new Key(Route53Names.normaliseRead(page.nextRecordName()), page.nextRecordTypeAsString());
        if (prev != null && !next.equals(prev)) {
          complete.add(prev);
        }
        if (!found.containsKey(next) || complete.contains(next)) {
          break; // the next page starts on something we do not need: start afresh at the next group instead
        }
        boolean sameStart = next.equals(pageStart) && Objects.equals(page.nextRecordIdentifier(), identifier);
        if (sameStart && added == 0) {
          throw RouterException.permanentFailure("ListResourceRecordSets on zone " + zoneId + " returned the same page"
              + " again for " + next + " (no NextRecordIdentifier?); cannot read the group completely", null);
        }
        name = page.nextRecordName();
        type = page.nextRecordTypeAsString();
        identifier = page.nextRecordIdentifier();
      }
    }
    LOG.debug("read {} record groups of zone {} in {} ListResourceRecordSets calls", wanted.size(), zoneId, requests);
    Map<Key, List<ResourceRecordSet>> result = new LinkedHashMap<>();
    for (Key k : wanted.keySet()) {
      result.put(k, List.copyOf(found.get(k).values()));
    }
    return result;
  }
}
