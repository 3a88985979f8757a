package io.bluegreen.dynamodb;

import io.bluegreen.dynamodb.internal.LockItem;
import io.bluegreen.dynamodb.support.DynamoDbClients;
import io.bluegreen.dynamodb.support.MotoDynamoDb;
import io.bluegreen.testkit.RouteLockContractTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@link DynamoDbRouteLock} passes the lock kit on moto server, whose DynamoDB honours condition
 * expressions: two clients are two machines, the kit's virtual clock judges expiry, the kit runs the
 * heartbeats. Takeover waits the lease (30 s) plus the clock-skew margin (10 s). The thief overwrites
 * the item with a plain PutItem, as a plan on a machine whose clock runs far ahead would. The outage
 * sends the lock's requests to a closed local port (connection refused: DynamoDB unreachable).
 */
class DynamoDbRouteLockContractTest extends RouteLockContractTest {

  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration MARGIN = Duration.ofSeconds(10);

  @Override
  protected LockFixture createFixture() {
    MotoDynamoDb moto = MotoDynamoDb.create();
    DynamoDbClients.Outage outage = new DynamoDbClients.Outage();
    DynamoDbClient mine = DynamoDbClients.client(moto.endpoint, null, outage);
    DynamoDbClient other = moto.newClient();
    return LockFixture.builder(lock(moto, mine)).contender(lock(moto, other))
        .leaseDuration(LEASE).takeoverAfter(LEASE.plus(MARGIN))
        .thief((route, owner) -> {
          Instant now = clock().instant().truncatedTo(ChronoUnit.MILLIS);
          LockItem stolen = LockItem.held(route, owner, UUID.randomUUID().toString(), moto.version(route) + 1, now, now, now.plus(LEASE));
          moto.admin.putItem(r -> r.tableName(moto.table).item(stolen.toAttributes(Duration.ofDays(7))));
        })
        .outage(outage::begin)
        .onClose(() -> {
          mine.close();
          other.close();
          moto.close();
        })
        .build();
  }

  private DynamoDbRouteLock lock(MotoDynamoDb moto, DynamoDbClient client) {
    return DynamoDbRouteLock.builder(client).tableName(moto.table).leaseDuration(LEASE).clockSkewMargin(MARGIN)
        .time(clock()).scheduler(heartbeat()).build();
  }
}
