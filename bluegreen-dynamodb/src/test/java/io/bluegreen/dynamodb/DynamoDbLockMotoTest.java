package io.bluegreen.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.LockUnavailableException;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.dynamodb.support.MotoDynamoDb;
import io.bluegreen.testkit.ManualScheduler;
import io.bluegreen.testkit.VirtualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * The lock on moto server: the item exactly as stored through a lifecycle (fencing version, TTL,
 * release that keeps the counter, takeover), the table helper, and the README's IAM policy against
 * the operations the lock really sends.
 */
class DynamoDbLockMotoTest {

  private static final String ROUTE = "route53/Z0123456789ABCDEFGHIJ/api.example.com./A";

  private final MotoDynamoDb moto = MotoDynamoDb.create();
  private final VirtualClock clock = VirtualClock.create();
  private final ManualScheduler heartbeat = new ManualScheduler();

  @AfterEach
  void stop() {
    moto.close();
  }

  private DynamoDbRouteLock lock(DynamoDbClient client) {
    return DynamoDbRouteLock.builder(client).tableName(moto.table).time(clock).scheduler(heartbeat).build();
  }

  private Map<String, AttributeValue> item() {
    return moto.item(ROUTE).orElseThrow();
  }

  @Test
  void theItemThroughALifecycle() {
    RouteLock.Lease a = lock(moto.dynamo).acquire(ROUTE, "pipeline-A@runner-1");
    Map<String, AttributeValue> held = item();
    assertThat(held.get("owner").s()).isEqualTo("pipeline-A@runner-1");
    assertThat(held.get("version").n()).isEqualTo("1");
    assertThat(held.get("acquiredAt").s()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(held.get("expiresAt").s()).isEqualTo("2026-01-01T00:00:30Z");
    assertThat(held.get("leaseId").s()).hasSize(36);
    assertThat(Long.parseLong(held.get("ttl").n())).as("TTL: expiry + 7 days, in epoch seconds")
        .isEqualTo(Instant.parse("2026-01-08T00:00:30Z").getEpochSecond());
    assertThat(a.fencingToken()).hasValue(1);

    clock.advance(Duration.ofSeconds(10));
    heartbeat.runPeriodicTasks();
    assertThat(item().get("renewedAt").s()).isEqualTo("2026-01-01T00:00:10Z");
    assertThat(item().get("expiresAt").s()).isEqualTo("2026-01-01T00:00:40Z");
    assertThat(item().get("leaseId").s()).isEqualTo(held.get("leaseId").s());
    assertThat(item().get("version").n()).as("renewals keep the version").isEqualTo("1");

    a.close();
    Map<String, AttributeValue> released = item();
    assertThat(released).doesNotContainKeys("owner", "leaseId", "expiresAt");
    assertThat(released.get("version").n()).as("release keeps the fencing counter").isEqualTo("1");
    assertThat(released.get("releasedBy").s()).isEqualTo("pipeline-A@runner-1");
    assertThat(released.get("releasedAt").s()).isEqualTo("2026-01-01T00:00:10Z");

    assertThat(lock(moto.dynamo).read(ROUTE)).hasValueSatisfying(r -> {
      assertThat(r.isHeld()).isFalse();
      assertThat(r.version()).isEqualTo(1);
      assertThat(r.owner()).isEmpty();
      assertThat(r.takeoverAt()).isEmpty();
    });
    RouteLock.Lease b = lock(moto.newClient()).acquire(ROUTE, "pipeline-B@runner-2");
    assertThat(b.fencingToken()).hasValue(2);
    assertThat(item().get("version").n()).isEqualTo("2");
    assertThat(lock(moto.dynamo).read(ROUTE)).hasValueSatisfying(r -> {
      assertThat(r.owner()).contains("pipeline-B@runner-2");
      assertThat(r.version()).isEqualTo(2);
      assertThat(r.acquiredAt()).contains(Instant.parse("2026-01-01T00:00:10Z"));
      assertThat(r.expiresAt()).contains(Instant.parse("2026-01-01T00:00:40Z"));
      assertThat(r.takeoverAt()).as("expiry + the 10 s margin").contains(Instant.parse("2026-01-01T00:00:50Z"));
    });
    assertThat(lock(moto.dynamo).read("never/locked")).isEmpty();

    // B's process dies without releasing: C waits lease + margin on its own clock, then takes over
    clock.advance(Duration.ofSeconds(39));
    assertThatThrownBy(() -> lock(moto.newClient()).acquire(ROUTE, "pipeline-C@runner-3"))
        .isInstanceOf(LockUnavailableException.class)
        .hasMessageContaining("is locked by pipeline-B@runner-2 (DynamoDB table " + moto.table + ", version 2, since"
            + " 2026-01-01T00:00:10Z, expires at 2026-01-01T00:00:40Z unless renewed; another plan may take it over from"
            + " 2026-01-01T00:00:50Z (expiry + 10 s clock-skew margin))");
    clock.advance(Duration.ofSeconds(1));
    RouteLock.Lease c = lock(moto.newClient()).acquire(ROUTE, "pipeline-C@runner-3");
    assertThat(c.fencingToken()).hasValue(3);
    assertThat(item().get("owner").s()).isEqualTo("pipeline-C@runner-3");
    assertThat(b.isHeld()).isFalse();
    c.close();
  }

  @Test
  void createTableMakesTheKeyAndTtlAndKeepsAnExistingTable() {
    TableDescription t = moto.admin.describeTable(r -> r.tableName(moto.table)).table();
    assertThat(t.keySchema()).singleElement().satisfies(k -> {
      assertThat(k.attributeName()).isEqualTo("routeId");
      assertThat(k.keyType()).isEqualTo(KeyType.HASH);
    });
    assertThat(moto.admin.describeTimeToLive(r -> r.tableName(moto.table)).timeToLiveDescription())
        .satisfies(d -> {
          assertThat(d.timeToLiveStatus()).isEqualTo(TimeToLiveStatus.ENABLED);
          assertThat(d.attributeName()).isEqualTo("ttl");
        });
    RouteLock.Lease lease = lock(moto.dynamo).acquire(ROUTE, "pipeline-A");
    DynamoDbRouteLock.createTable(moto.admin, moto.table); // again: kept, items and all
    assertThat(item().get("owner").s()).isEqualTo("pipeline-A");
    lease.close();
  }

  @Test
  void createTableRefusesATableWithAnotherKey() {
    String other = moto.table + "-other";
    moto.admin.createTable(r -> r.tableName(other).billingMode("PAY_PER_REQUEST")
        .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH)).attributeDefinitions(a -> a.attributeName("id").attributeType("S")));
    try {
      assertThatThrownBy(() -> DynamoDbRouteLock.createTable(moto.admin, other))
          .isInstanceOf(InvalidConfigurationException.class)
          .hasMessageContaining("exists with key [id HASH]: a lock table needs exactly the partition key routeId (type S)");
    } finally {
      moto.admin.deleteTable(r -> r.tableName(other));
    }
  }

  @Test
  void aMissingTableIsNamedWithWhatToDo() {
    DynamoDbRouteLock lock = DynamoDbRouteLock.builder(moto.dynamo).tableName("no-such-table").time(clock).scheduler(heartbeat).build();
    assertThatThrownBy(() -> lock.acquire(ROUTE, "pipeline-A"))
        .hasMessageStartingWith("DynamoDB GetItem on lock table no-such-table failed: ResourceNotFoundException (HTTP 400)")
        .hasMessageContaining("create the table (DynamoDbRouteLock.createTable");
  }

  @Test
  void theLockCallsExactlyTheActionsOfTheReadmePolicy() throws IOException {
    // a whole lifecycle: acquire, a contender refused, renew, expiry takeover, a late heartbeat, releases
    DynamoDbRouteLock a = lock(moto.dynamo);
    RouteLock.Lease first = a.acquire(ROUTE, "pipeline-A");
    assertThatThrownBy(() -> a.acquire(ROUTE, "pipeline-B")).isInstanceOf(LockUnavailableException.class);
    clock.advance(Duration.ofSeconds(10));
    heartbeat.runPeriodicTasks();
    clock.advance(Duration.ofSeconds(41));
    RouteLock.Lease second = a.acquire(ROUTE, "pipeline-B");
    heartbeat.runPeriodicTasks(); // first: ran out; second: renewed
    first.close();
    second.close();
    Set<String> used = new TreeSet<>();
    moto.operations.sent().forEach(op -> used.add("dynamodb:" + op));

    String readme = Files.readString(Path.of("README.md"));
    Matcher policy = Pattern.compile("\"Sid\": \"BlueGreenRouteLock\",\\s*\"Effect\": \"Allow\",\\s*\"Action\": \\[([^\\]]*)\\]")
        .matcher(readme);
    assertThat(policy.find()).as("README.md has the lock's IAM policy").isTrue();
    Set<String> granted = new TreeSet<>();
    Matcher action = Pattern.compile("\"([^\"]+)\"").matcher(policy.group(1));
    while (action.find()) {
      granted.add(action.group(1));
    }
    assertThat(used).as("operations the lock sent vs the README's policy").isEqualTo(granted).containsExactly("dynamodb:GetItem",
        "dynamodb:PutItem");
  }
}
