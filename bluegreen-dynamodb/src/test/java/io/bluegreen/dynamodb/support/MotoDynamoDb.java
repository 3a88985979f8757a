package io.bluegreen.dynamodb.support;

import io.bluegreen.dynamodb.DynamoDbRouteLock;
import io.bluegreen.testkit.ExternalPeer;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A fresh lock table in moto server (random name), a client to it that records its operations, and an admin client. */
public final class MotoDynamoDb implements AutoCloseable {

  public final URI endpoint;
  public final String table;
  /** Records the operations of {@link #dynamo}: give this one to the code under test. */
  public final DynamoDbClients.Operations operations = new DynamoDbClients.Operations();
  public final DynamoDbClient dynamo;
  /** For setting up and inspecting; not recorded. */
  public final DynamoDbClient admin;

  /** @return the moto endpoint, or skip (fail on CI) when moto is not running */
  public static URI endpoint() {
    return ExternalPeer.require("BLUEGREEN_MOTO_ENDPOINT", "moto server", "run ./scripts/test.sh");
  }

  /** @return a fresh lock table */
  public static MotoDynamoDb create() {
    return new MotoDynamoDb(endpoint());
  }

  private MotoDynamoDb(URI endpoint) {
    this.endpoint = endpoint;
    this.admin = DynamoDbClients.client(endpoint, null);
    this.dynamo = DynamoDbClients.client(endpoint, operations);
    this.table = "bluegreen-locks-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    DynamoDbRouteLock.createTable(admin, table);
  }

  /** @return a new client to the same table (another machine), recording nothing */
  public DynamoDbClient newClient() {
    return DynamoDbClients.client(endpoint, null);
  }

  /** @param routeId a route @return its lock item as stored, if any */
  public Optional<Map<String, AttributeValue>> item(String routeId) {
    Map<String, AttributeValue> item = admin.getItem(r -> r.tableName(table).consistentRead(true)
        .key(Map.of(DynamoDbRouteLock.PARTITION_KEY, AttributeValue.fromS(routeId)))).item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
  }

  /** @param routeId a route @param attribute a string attribute @return its value, or null */
  public String string(String routeId, String attribute) {
    return item(routeId).map(i -> i.get(attribute)).map(AttributeValue::s).orElse(null);
  }

  /** @param routeId a route @return the item's version, or 0 */
  public long version(String routeId) {
    return item(routeId).map(i -> i.get("version")).map(v -> Long.parseLong(v.n())).orElse(0L);
  }

  @Override
  public void close() {
    try {
      admin.deleteTable(r -> r.tableName(table));
    } catch (RuntimeException ignored) {
      // a leftover table in moto harms no other test (names are random)
    }
    dynamo.close();
    admin.close();
  }
}
