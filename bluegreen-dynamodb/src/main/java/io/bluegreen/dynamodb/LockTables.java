package io.bluegreen.dynamodb;

import io.bluegreen.core.InvalidConfigurationException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/** Creates and checks lock tables for {@link DynamoDbRouteLock#createTable}. */
final class LockTables {

  private static final Logger LOG = LoggerFactory.getLogger(DynamoDbRouteLock.class);

  private LockTables() {
  }

  static void create(DynamoDbClient dynamo, String table) {
    try {
      dynamo.createTable(r -> r.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
          .keySchema(KeySchemaElement.builder().attributeName(DynamoDbRouteLock.PARTITION_KEY).keyType(KeyType.HASH).build())
          .attributeDefinitions(AttributeDefinition.builder().attributeName(DynamoDbRouteLock.PARTITION_KEY)
              .attributeType(ScalarAttributeType.S).build()));
      LOG.info("created lock table {}", table);
    } catch (ResourceInUseException e) {
      LOG.info("lock table {} exists already", table);
    }
    TableDescription description;
    try (DynamoDbWaiter waiter = dynamo.waiter()) {
      description = waiter.waitUntilTableExists(r -> r.tableName(table)).matched().response()
          .orElseThrow(() -> new IllegalStateException("table " + table + " did not become active")).table();
    }
    checkKey(table, description);
    TimeToLiveStatus ttl = dynamo.describeTimeToLive(r -> r.tableName(table)).timeToLiveDescription().timeToLiveStatus();
    if (ttl != TimeToLiveStatus.ENABLED && ttl != TimeToLiveStatus.ENABLING) {
      dynamo.updateTimeToLive(r -> r.tableName(table).timeToLiveSpecification(s -> s.enabled(true)
          .attributeName(DynamoDbRouteLock.TTL_ATTRIBUTE)));
      LOG.info("turned on TTL on attribute {} of lock table {}", DynamoDbRouteLock.TTL_ATTRIBUTE, table);
    }
  }

  private static void checkKey(String table, TableDescription description) {
    List<KeySchemaElement> key = description.keySchema();
    boolean ok = key.size() == 1 && key.get(0).attributeName().equals(DynamoDbRouteLock.PARTITION_KEY)
        && description.attributeDefinitions().stream().anyMatch(a -> a.attributeName().equals(DynamoDbRouteLock.PARTITION_KEY)
            && a.attributeType() == ScalarAttributeType.S);
    if (!ok) {
      throw new InvalidConfigurationException("table " + table + " exists with key " + key.stream().map(k -> k.attributeName() + " "
          + k.keyTypeAsString()).toList() + ": a lock table needs exactly the partition key " + DynamoDbRouteLock.PARTITION_KEY
          + " (type S); pick another table name");
    }
  }
}
