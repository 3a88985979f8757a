package io.bluegreen.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.dynamodb.support.DynamoDbClients;
import io.bluegreen.dynamodb.support.FakeLockTable;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import io.bluegreen.testkit.InMemoryRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Every invalid input to bluegreen-dynamodb's public API ({@link DynamoDbRouteLock}, its builder,
 * {@code createTable}, and a plan built with the lock) is rejected with an
 * {@link InvalidConfigurationException} whose message names the problem and says what to pass
 * instead, before any request reaches DynamoDB. The client points at a scripted lock table on
 * WireMock and records every request the SDK sends; after each case both must be zero. Each case is
 * recorded for docs/RELIABILITY.md once it passed ({@link Evidence}).
 */
@Evidence(backend = "WireMock: a hand-written DynamoDB lock table (FakeLockTable), counting every request the SDK sends")
class DynamoDbBadInputCatalogueTest {

  private static final String MODULE = "bluegreen-dynamodb";
  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private static FakeLockTable table;
  private static DynamoDbClients.Operations operations;
  private static DynamoDbClient client;

  @BeforeAll
  static void start() {
    table = FakeLockTable.start();
    operations = new DynamoDbClients.Operations();
    client = DynamoDbClients.client(table.endpoint(), operations);
  }

  @AfterAll
  static void stop() {
    client.close();
    table.close();
  }

  /** One invalid input: what it is, how it is passed, and what the message must say. */
  record Case(String input, ThrowingCallable call, List<String> mustSay) {
    @Override
    public String toString() {
      return input;
    }
  }

  private static Case bad(String input, ThrowingCallable call, String... mustSay) {
    return new Case(input, call, List.of(mustSay));
  }

  private static DynamoDbRouteLock.Builder lock() {
    return DynamoDbRouteLock.builder(client).tableName("bluegreen-locks");
  }

  private static SwitchPlan planOnRoute(String routeId) {
    InMemoryRouter router = InMemoryRouter.builder().routeId(routeId).environments(BLUE, GREEN).build();
    return SwitchPlan.builder().router(router).from(BLUE).to(GREEN).schedule(StageSchedule.allAtOnce(Duration.ZERO))
        .lock(lock().build()).build();
  }

  private static List<Case> catalogue() {
    String tooLong = "alb/" + "x".repeat(2045);           // 2049 bytes
    String tooLongUtf8 = "route53/" + "é".repeat(1021);   // 8 + 2042 = 2050 bytes, 1029 characters
    List<Case> cases = new ArrayList<>();

    // the table
    cases.add(bad("table name never set", () -> DynamoDbRouteLock.builder(client).build(), "tableName is not set",
        ".tableName(\"bluegreen-locks\")"));
    cases.add(bad("table name of 2 characters \"lk\"", () -> lock().tableName("lk"), "is not a valid DynamoDB table name",
        "3-255 characters"));
    cases.add(bad("table name of 256 characters", () -> lock().tableName("t".repeat(256)), "is not a valid DynamoDB table name",
        "3-255 characters"));
    cases.add(bad("table name with a space \"route locks\"", () -> lock().tableName("route locks"), "is not a valid DynamoDB table name",
        "A-Z a-z 0-9 _ - ."));
    cases.add(bad("table name given as an ARN", () -> lock().tableName("arn:aws:dynamodb:us-east-1:123456789012:table/bluegreen-locks"),
        "is not a valid DynamoDB table name", "e.g. bluegreen-locks"));
    cases.add(bad("table name null", () -> lock().tableName(null), "tableName is null"));
    cases.add(bad("createTable with an invalid name \"a/b\"", () -> DynamoDbRouteLock.createTable(client, "a/b"),
        "is not a valid DynamoDB table name"));
    cases.add(bad("client null", () -> DynamoDbRouteLock.builder(null), "client is null"));

    // lease, heartbeat, margin, TTL
    cases.add(bad("lease duration zero", () -> lock().leaseDuration(Duration.ZERO), "leaseDuration"));
    cases.add(bad("lease duration negative (-30 s)", () -> lock().leaseDuration(Duration.ofSeconds(-30)), "leaseDuration"));
    cases.add(bad("lease duration of 500 ms", () -> lock().leaseDuration(Duration.ofMillis(500)), "at least 1 s", "e.g. 30s"));
    cases.add(bad("lease duration with a fraction of a millisecond (30.0005 s)",
        () -> lock().leaseDuration(Duration.ofSeconds(30).plusNanos(500_000)), "whole milliseconds"));
    cases.add(bad("lease shorter than the heartbeat (lease 10 s, heartbeat 15 s)",
        () -> lock().leaseDuration(Duration.ofSeconds(10)).heartbeat(Duration.ofSeconds(15)).build(),
        "heartbeat PT15S is too long for leaseDuration PT10S", "at most PT5S"));
    cases.add(bad("heartbeat equal to the lease (30 s)", () -> lock().heartbeat(Duration.ofSeconds(30)).build(),
        "is too long for leaseDuration PT30S", "renew at least twice per lease"));
    cases.add(bad("heartbeat over half the lease (16 s of 30 s)", () -> lock().heartbeat(Duration.ofSeconds(16)).build(),
        "one failed renewal does not lose the lock"));
    cases.add(bad("heartbeat zero", () -> lock().heartbeat(Duration.ZERO), "heartbeat"));
    cases.add(bad("heartbeat under 1 ms", () -> lock().heartbeat(Duration.ofNanos(500_000)).build(), "shorter than 1 ms"));
    cases.add(bad("clock-skew margin negative", () -> lock().clockSkewMargin(Duration.ofSeconds(-1)), "clockSkewMargin"));
    cases.add(bad("stale-item TTL of 1 hour", () -> lock().staleItemTtl(Duration.ofHours(1)), "too short", "at least 1 day"));
    cases.add(bad("time source null", () -> lock().time(null), "time is null"));
    cases.add(bad("scheduler null", () -> lock().scheduler(null), "scheduler is null"));

    // route ids and owners
    cases.add(bad("route id of 2049 bytes, at plan build", () -> planOnRoute(tooLong), "is 2049 bytes long",
        "at most 2048 bytes", "use another RouteLock"));
    cases.add(bad("route id of 1029 characters but 2050 UTF-8 bytes, at plan build", () -> planOnRoute(tooLongUtf8),
        "is 2050 bytes long", "at most 2048 bytes"));
    cases.add(bad("route id of 2049 bytes, at acquire", () -> lock().build().acquire(tooLong, "pipeline-A"), "is 2049 bytes long"));
    cases.add(bad("route id blank", () -> lock().build().acquire("  ", "pipeline-A"), "routeId is blank"));
    cases.add(bad("owner blank", () -> lock().build().acquire("alb/listener", " "), "owner is blank"));
    return cases;
  }

  static Stream<Case> cases() {
    return catalogue().stream();
  }

  @Test
  void theCasesAreDistinctAndEnough() {
    List<Case> cases = catalogue();
    assertThat(cases.stream().map(Case::input).distinct()).as("distinct cases").hasSameSizeAs(cases).hasSizeGreaterThanOrEqualTo(20);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyBadInputIsRejectedBeforeAnyRequest(Case c) {
    int backendBefore = table.requests();
    int sentBefore = operations.count();
    Throwable thrown = catchThrowable(c.call());
    long backendSeen = table.requests() - backendBefore;
    long sent = operations.count() - sentBefore;

    assertThat(thrown).as(c.input()).isInstanceOf(InvalidConfigurationException.class);
    assertThat(thrown.getMessage()).as(c.input()).contains(c.mustSay());
    assertThat(backendSeen).as("requests that reached the fake table for " + c.input()).isZero();
    assertThat(sent).as("requests the SDK sent for " + c.input()).isZero();
    EvidenceLog.badInput(MODULE, c.input(), thrown.getMessage(), Math.max(backendSeen, sent));
  }
}
