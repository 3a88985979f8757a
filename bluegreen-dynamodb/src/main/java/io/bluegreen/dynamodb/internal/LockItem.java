package io.bluegreen.dynamodb.internal;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One route's lock item as stored in the table, and its mapping to DynamoDB attributes. A held item
 * has an owner and a lease id; a released one keeps only the route id, the version (so the fencing
 * counter survives a release) and who released it when. Not part of the public API.
 *
 * <pre>{@code
 * LockItem held = LockItem.held(routeId, "pipeline-42", leaseId, 7, now, now, now.plus(lease));
 * dynamo.putItem(r -> r.tableName(table).item(held.toAttributes(ttl)));
 * }</pre>
 *
 * @param routeId the partition key
 * @param version the fencing counter: +1 on every acquisition
 * @param owner the holder's identity, or null when released
 * @param leaseId a random id per acquisition, or null when released
 * @param acquiredAt when the holder acquired it (holder's clock), or null
 * @param renewedAt the holder's last renewal (holder's clock), or null
 * @param expiresAt when the lease runs out without renewal (holder's clock), or null
 * @param releasedAt when it was released, or null
 * @param releasedBy who released it, or null
 */
public record LockItem(String routeId, long version, String owner, String leaseId, Instant acquiredAt, Instant renewedAt,
    Instant expiresAt, Instant releasedAt, String releasedBy) {

  /** Partition key (S). */
  public static final String ROUTE_ID = "routeId";
  /** Fencing counter (N). */
  public static final String VERSION = "version";
  /** Holder identity (S). */
  public static final String OWNER = "owner";
  /** Random id of one acquisition (S). */
  public static final String LEASE_ID = "leaseId";
  /** ISO-8601 instant (S). */
  public static final String ACQUIRED_AT = "acquiredAt";
  /** ISO-8601 instant (S). */
  public static final String RENEWED_AT = "renewedAt";
  /** ISO-8601 instant (S). */
  public static final String EXPIRES_AT = "expiresAt";
  /** ISO-8601 instant (S). */
  public static final String RELEASED_AT = "releasedAt";
  /** Identity (S). */
  public static final String RELEASED_BY = "releasedBy";
  /** DynamoDB TTL attribute: epoch seconds (N) after which DynamoDB may delete a stale item. */
  public static final String TTL = "ttl";

  /**
   * @return a held item
   * @param routeId route
   * @param owner holder
   * @param leaseId this acquisition's id
   * @param version fencing counter
   * @param acquiredAt acquisition time
   * @param renewedAt last renewal
   * @param expiresAt expiry without renewal
   */
  public static LockItem held(String routeId, String owner, String leaseId, long version, Instant acquiredAt, Instant renewedAt,
      Instant expiresAt) {
    return new LockItem(routeId, version, owner, leaseId, acquiredAt, renewedAt, expiresAt, null, null);
  }

  /** @return this item renewed at {@code now} until {@code expiresAt} */
  public LockItem renewed(Instant now, Instant newExpiry) {
    return new LockItem(routeId, version, owner, leaseId, acquiredAt, now, newExpiry, null, null);
  }

  /** @return this item released by its owner at {@code now}: the version stays */
  public LockItem released(Instant now) {
    return new LockItem(routeId, version, null, null, null, null, null, now, owner);
  }

  /** @return whether someone holds (or held, until expiry) this item */
  public boolean isHeld() {
    return owner != null && leaseId != null;
  }

  /**
   * @param ttlAfter how long after the item's last relevant instant DynamoDB may delete it
   * @return the attributes to write
   */
  public Map<String, AttributeValue> toAttributes(java.time.Duration ttlAfter) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put(ROUTE_ID, s(routeId));
    item.put(VERSION, AttributeValue.fromN(Long.toString(version)));
    putIfSet(item, OWNER, owner);
    putIfSet(item, LEASE_ID, leaseId);
    putIfSet(item, ACQUIRED_AT, acquiredAt);
    putIfSet(item, RENEWED_AT, renewedAt);
    putIfSet(item, EXPIRES_AT, expiresAt);
    putIfSet(item, RELEASED_AT, releasedAt);
    putIfSet(item, RELEASED_BY, releasedBy);
    Instant last = expiresAt != null ? expiresAt : releasedAt;
    if (last != null) {
      item.put(TTL, AttributeValue.fromN(Long.toString(last.plus(ttlAfter).getEpochSecond())));
    }
    return item;
  }

  /**
   * @param attributes an item read from the table (null or empty: no item)
   * @return the item, if there is one
   */
  public static Optional<LockItem> from(Map<String, AttributeValue> attributes) {
    if (attributes == null || attributes.isEmpty() || !attributes.containsKey(ROUTE_ID)) {
      return Optional.empty();
    }
    return Optional.of(new LockItem(string(attributes, ROUTE_ID), number(attributes, VERSION), string(attributes, OWNER),
        string(attributes, LEASE_ID), instant(attributes, ACQUIRED_AT), instant(attributes, RENEWED_AT), instant(attributes, EXPIRES_AT),
        instant(attributes, RELEASED_AT), string(attributes, RELEASED_BY)));
  }

  private static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  private static void putIfSet(Map<String, AttributeValue> item, String name, Object value) {
    if (value != null) {
      item.put(name, s(value.toString()));
    }
  }

  private static String string(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null || v.s() == null || v.s().isEmpty() ? null : v.s();
  }

  private static long number(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    if (v == null || v.n() == null) {
      return 0;
    }
    try {
      return Long.parseLong(v.n());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Instant instant(Map<String, AttributeValue> item, String name) {
    String v = string(item, name);
    if (v == null) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
