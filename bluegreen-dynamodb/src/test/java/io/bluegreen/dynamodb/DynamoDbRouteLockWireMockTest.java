package io.bluegreen.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.BlueGreenException;
import io.bluegreen.core.Environment;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.LockUnavailableException;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.dynamodb.support.DynamoDbClients;
import io.bluegreen.dynamodb.support.FakeLockTable;
import io.bluegreen.dynamodb.support.FakeLockTable.Target;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import io.bluegreen.testkit.InMemoryRouter;
import io.bluegreen.testkit.ManualScheduler;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What moto cannot show, on a scripted lock table (WireMock): heartbeats that fail — the item stolen
 * ({@code ConditionalCheckFailedException} carrying the thief's item), deleted, throttled
 * ({@code ProvisionedThroughputExceededException}), HTTP 500, a connection reset — stop a real plan's
 * writes before the next one, with the reason in its result; and acquires whose put loses a race, or
 * lands while its reply is lost. Time is the plan's {@link VirtualClock}; heartbeats run when the
 * plan's gate runs them (a {@link ManualScheduler}), so nothing waits on the wall clock.
 */
@Evidence(backend = "WireMock: a hand-written DynamoDB lock table (FakeLockTable), through the real AWS SDK client")
class DynamoDbRouteLockWireMockTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final String ROUTE = "alb/arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2";
  private static final String TABLE = "bluegreen-locks";
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration BEAT = Duration.ofSeconds(10);

  private final FakeLockTable table = FakeLockTable.start();
  private final DynamoDbClients.Operations operations = new DynamoDbClients.Operations();
  private final DynamoDbClient dynamo = DynamoDbClients.client(table.endpoint(), operations);
  private final VirtualClock clock = VirtualClock.create();
  private final ManualScheduler heartbeat = new ManualScheduler();
  private final InMemoryRouter router = InMemoryRouter.builder().routeId(ROUTE).environments(BLUE, GREEN).build();

  @AfterEach
  void stop() {
    dynamo.close();
    table.close();
  }

  private DynamoDbRouteLock lock() {
    return DynamoDbRouteLock.builder(dynamo).tableName(TABLE).leaseDuration(LEASE).heartbeat(BEAT).time(clock).scheduler(heartbeat).build();
  }

  /** A plan 10/50/100 holding each stage 40 s, whose gate runs the heartbeat every 10 s (and {@code atFirstCheck} once). */
  private SwitchResult runPlan(Consumer<FakeLockTable> atFirstCheck, RecordingListener events) {
    boolean[] done = {false};
    ScriptedGate beating = ScriptedGate.of("runs-the-heartbeat", ctx -> {
      if (!done[0]) {
        done[0] = true;
        atFirstCheck.accept(table);
      }
      heartbeat.runPeriodicTasks();
      return GateResult.healthy();
    });
    return SwitchPlan.builder().name("heartbeat-loss").router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofSeconds(40), 10, 50, 100))
        .gate(beating).gateInterval(BEAT)
        .lock(lock()).owner("pipeline-A@runner-1")
        .time(clock).defaultLogging(false).listener(events)
        .build().execute();
  }

  private static String thiefItem(String owner) {
    return "\"Item\":{\"routeId\":{\"S\":\"" + ROUTE + "\"},\"version\":{\"N\":\"2\"},\"owner\":{\"S\":\"" + owner
        + "\"},\"leaseId\":{\"S\":\"d5b7c3a0-thief\"},\"acquiredAt\":{\"S\":\"2026-01-01T00:00:05Z\"},"
        + "\"expiresAt\":{\"S\":\"2026-01-01T00:00:35Z\"}}";
  }

  static Stream<Arguments> heartbeatFaults() {
    return Stream.of(
        Arguments.of("item stolen (ConditionalCheckFailedException with the thief's item)",
            (Consumer<FakeLockTable>) t -> t.failNext(Target.RENEWAL, 1, 400, "ConditionalCheckFailedException", thiefItem("hotfix@runner-9")),
            "was taken over by hotfix@runner-9 (version 2)"),
        Arguments.of("item deleted (ConditionalCheckFailedException, no item)",
            (Consumer<FakeLockTable>) t -> t.failNext(Target.RENEWAL, 1, 400, "ConditionalCheckFailedException", null),
            "was deleted"),
        Arguments.of("throttled (ProvisionedThroughputExceededException), persistent",
            (Consumer<FakeLockTable>) t -> t.failNext(Target.RENEWAL, 10, 400, "ProvisionedThroughputExceededException", null),
            "was not renewed within its lease of PT30S since 2026-01-01T00:00:00Z; last renewal failed: DynamoDB PutItem"
                + " ProvisionedThroughputExceededException (HTTP 400): throttled"),
        Arguments.of("HTTP 500 (InternalServerError), persistent",
            (Consumer<FakeLockTable>) t -> t.failNext(Target.RENEWAL, 10, 500, "InternalServerError", null),
            "last renewal failed: DynamoDB PutItem InternalServerError (HTTP 500): a DynamoDB server error"),
        Arguments.of("connection reset (DynamoDB unreachable), persistent",
            (Consumer<FakeLockTable>) t -> t.resetNext(Target.RENEWAL, 10, false),
            "last renewal failed: DynamoDB PutItem DynamoDB could not be reached"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("heartbeatFaults")
  void aHeartbeatLossStopsThePlanBeforeItsNextWriteWithTheReason(String fault, Consumer<FakeLockTable> inject, String why) {
    RecordingListener events = new RecordingListener();
    SwitchResult result = runPlan(inject, events);

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).startsWith("lost the lock on " + ROUTE + ": ").contains(why)
        .endsWith("(another plan may own the route now); stopping without writing");
    assertThat(router.writes()).as("stage 1 only: no write after the heartbeat was lost, no rollback either")
        .containsExactly(TrafficSplit.between(BLUE, GREEN, 10));
    assertThat(events.ofType(SwitchEvent.RollbackStarted.class)).isEmpty();
    assertThat(events.ofType(SwitchEvent.StageStarted.class)).extracting(SwitchEvent.StageStarted::stageNumber).containsExactly(1, 2);
    assertThat(events.ofType(SwitchEvent.LockAcquired.class)).singleElement()
        .satisfies(e -> assertThat(e.fencingToken()).hasValue(1));
    EvidenceLog.figure("DynamoDB heartbeat loss: " + fault, result.outcome() + " before the stage-2 write, writes " + result.writes()
        + "; reason: " + result.reason(), "DynamoDbRouteLockWireMockTest (bluegreen-dynamodb)");
  }

  @Test
  void oneThrottledHeartbeatIsRetriedAtTheNextBeatAndThePlanCompletes() {
    RecordingListener events = new RecordingListener();
    SwitchResult result = runPlan(t -> t.failNext(Target.RENEWAL, 1, 400, "ProvisionedThroughputExceededException", null), events);

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(router.writeCount()).isEqualTo(3);
    assertThat(table.item(ROUTE).has("owner")).as("released at the end").isFalse();
    assertThat(table.item(ROUTE).path("version").path("N").asText()).as("release keeps the fencing counter").isEqualTo("1");
    assertThat(table.item(ROUTE).path("releasedBy").path("S").asText()).isEqualTo("pipeline-A@runner-1");
  }

  @Test
  void aStolenLockIsNotReleasedByTheLoser() {
    RouteLock.Lease lease = lock().acquire(ROUTE, "pipeline-A");
    table.failNext(Target.RENEWAL, 1, 400, "ConditionalCheckFailedException", thiefItem("hotfix"));
    heartbeat.runPeriodicTasks();
    assertThat(lease.isHeld()).isFalse();
    assertThat(lease.lossReason()).hasValueSatisfying(r -> assertThat(r).contains("was taken over by hotfix (version 2)"));
    int before = operations.count();
    lease.close();
    assertThat(operations.since(before)).as("no release of a lock known to be someone else's").isEmpty();
  }

  @Test
  void aPutThatLosesTheRaceNamesTheWinnerFromTheFailedConditionsItem() {
    table.failNext(Target.ACQUIRE, 1, 400, "ConditionalCheckFailedException", thiefItem("pipeline-B@runner-2"));
    assertThatThrownBy(() -> lock().acquire(ROUTE, "pipeline-A"))
        .isInstanceOf(LockUnavailableException.class)
        .hasMessage("route " + ROUTE + " is locked by pipeline-B@runner-2 (DynamoDB table bluegreen-locks, version 2, since"
            + " 2026-01-01T00:00:05Z, expires at 2026-01-01T00:00:35Z unless renewed; another plan may take it over from"
            + " 2026-01-01T00:00:45Z (expiry + 10 s clock-skew margin)): only one plan may switch a route at a time; wait for it to"
            + " finish (or for its lock to expire) and retry")
        .satisfies(e -> assertThat(((LockUnavailableException) e).holder()).contains("pipeline-B@runner-2"));
    assertThat(operations.sent()).containsExactly("GetItem", "PutItem");
  }

  @Test
  void aPutWhoseReplyIsLostAfterItLandedHoldsTheLock() {
    table.resetNext(Target.ACQUIRE, 1, true);
    RouteLock.Lease lease = lock().acquire(ROUTE, "pipeline-A");
    assertThat(lease.isHeld()).isTrue();
    assertThat(lease.fencingToken()).hasValue(1);
    assertThat(operations.sent()).containsExactly("GetItem", "PutItem", "GetItem");
    lease.close();
  }

  @Test
  void aPutThatFailsWithoutLandingAbortsThePlanBeforeItReadsTheRoute() {
    table.failNext(Target.ACQUIRE, 1, 500, "InternalServerError", null);
    SwitchResult result = SwitchPlan.builder().router(router).from(BLUE).to(GREEN).schedule(StageSchedule.allAtOnce(Duration.ZERO))
        .lock(lock()).owner("pipeline-A").time(clock).defaultLogging(false).build().execute();
    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).isEqualTo("could not take the lock on " + ROUTE + ": DynamoDB PutItem on lock table bluegreen-locks"
        + " failed: InternalServerError (HTTP 500): a DynamoDB server error; nothing was changed on the route; run the plan again");
    assertThat(router.requestCount()).as("the route was never read").isZero();
  }

  static Stream<Arguments> acquireErrors() {
    return Stream.of(
        Arguments.of(400, "ResourceNotFoundException", "create the table (DynamoDbRouteLock.createTable, or the CloudFormation/CLI"
            + " definition in the bluegreen-dynamodb README)"),
        Arguments.of(400, "AccessDeniedException", "grant the plan's role dynamodb:GetItem and dynamodb:PutItem on the table"),
        Arguments.of(400, "ProvisionedThroughputExceededException", "throttled; nothing was changed on the route; run the plan again"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("acquireErrors")
  void acquireFailuresSayWhatToDo(int status, String code, String advice) {
    table.failNext(Target.GET_ITEM, 1, status, code, null);
    assertThatThrownBy(() -> lock().acquire(ROUTE, "pipeline-A"))
        .isInstanceOf(BlueGreenException.class).isNotInstanceOf(LockUnavailableException.class)
        .hasMessageStartingWith("DynamoDB GetItem on lock table bluegreen-locks failed: " + code)
        .hasMessageContaining(advice);
    assertThat(operations.sent()).containsExactly("GetItem");
  }

  @Test
  void heartbeatsAreScheduledAtTheConfiguredIntervalAndStopOnClose() {
    RouteLock.Lease lease = lock().acquire(ROUTE, "pipeline-A");
    assertThat(heartbeat.liveTasks()).singleElement().satisfies(t -> assertThat(t.periodMillis()).isEqualTo(BEAT.toMillis()));
    lease.close();
    assertThat(heartbeat.liveTasks()).isEmpty();
    assertThat(operations.sent()).containsExactly("GetItem", "PutItem", "PutItem");
    assertThat(List.of(lease.isHeld())).containsExactly(false);
  }
}
