package io.bluegreen.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.dynamodb.support.FakeLockTable;
import io.bluegreen.dynamodb.support.FakeLockTable.Target;
import io.bluegreen.testkit.InMemoryRouter;
import io.bluegreen.testkit.LogCapture;
import io.bluegreen.testkit.ManualScheduler;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.SecretCanaries;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * No secret leaves the process (DynamoDB lock): a DynamoDB client with canary session credentials
 * takes, renews and releases the route lock of real plans at DEBUG, against a lock table whose
 * errors (on acquire, on a heartbeat) and a proxy's page echo the credentials. No canary may appear
 * in a log line, an event, an exception message anywhere in a cause chain, a {@code toString()} or
 * a summary.
 */
class DynamoDbCanaryTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final Duration BEAT = Duration.ofSeconds(10);

  private final SecretCanaries canaries = new SecretCanaries()
      .excuseLogsOf("software.amazon.awssdk", "the AWS SDK's own DEBUG lines: its request signer logs the canonical request"
          + " with X-Amz-Security-Token, its retry strategy the service's error message (see the README: keep it at INFO)")
      .excuseLogsOf("org.eclipse.jetty", "WireMock's Jetty, the test's fake DynamoDB, logs the request headers it receives");
  private final String accessKeyId = canaries.plant("AWS access key id", "ASIACANARYDDB9K4M1ZQ");
  private final String secretKey = canaries.plant("AWS secret key");
  private final String sessionToken = canaries.plant("AWS session token");
  private final FakeLockTable table = FakeLockTable.start();
  private final DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(table.endpoint()).region(Region.US_EAST_1)
      .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(accessKeyId, secretKey, sessionToken)))
      .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(10)))
      .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  private final VirtualClock clock = VirtualClock.create();
  private final ManualScheduler heartbeat = new ManualScheduler();
  private final RecordingListener events = new RecordingListener();
  private LogCapture logs;

  @BeforeEach
  void start() {
    assertThat(LogCapture.isInstalled()).as("the capturing SLF4J provider must be this JVM's (surefire sets slf4j.provider)").isTrue();
    logs = LogCapture.start();
  }

  @AfterEach
  void stop() {
    logs.close();
    dynamo.close();
    table.close();
  }

  private String echo() {
    return "The security token " + sessionToken + " of access key " + accessKeyId + " (secret " + secretKey + ") is invalid";
  }

  private String awsError(String code) {
    return "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + code + "\",\"message\":\"" + echo() + "\"}";
  }

  private DynamoDbRouteLock lock() {
    return DynamoDbRouteLock.builder(dynamo).tableName("bluegreen-locks").leaseDuration(Duration.ofSeconds(30)).heartbeat(BEAT).time(clock)
        .scheduler(heartbeat).build();
  }

  private SwitchResult run(Consumer<FakeLockTable> atFirstCheck) {
    boolean[] done = {false};
    ScriptedGate beating = ScriptedGate.of("runs-the-heartbeat", ctx -> {
      if (!done[0]) {
        done[0] = true;
        atFirstCheck.accept(table);
      }
      heartbeat.runPeriodicTasks();
      return GateResult.healthy();
    });
    InMemoryRouter router = InMemoryRouter.builder().routeId("memory/checkout").environments(BLUE, GREEN).build();
    return SwitchPlan.builder().name("dynamodb-canary").router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofSeconds(40), 10, 100)).gate(beating).gateInterval(BEAT).lock(lock())
        .owner("pipeline-A@runner-1").time(clock).listener(events).build().execute();
  }

  @Test
  void aPlanHoldingTheLockLeaksNothing() {
    SwitchResult result = run(t -> { });
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertNoLeaks("completed plan", result);
  }

  @Test
  void anAcquireDeniedWithTheCredentialsEchoedLeaksNothing() {
    table.answerNext(Target.GET_ITEM, 1, 400, "application/x-amz-json-1.0", awsError("UnrecognizedClientException"));
    SwitchResult denied = run(t -> { });
    assertThat(denied.outcome()).as(denied.summary()).isEqualTo(Outcome.ABORTED);

    table.answerNext(Target.GET_ITEM, 1, 403, "text/html", "<html>Forbidden: " + echo() + "</html>");
    Throwable direct = catchThrowable(() -> lock().acquire("memory/checkout", "pipeline-A"));
    assertThat(direct).isNotNull();
    assertNoLeaks("acquire denied", denied, direct);
  }

  @Test
  void aHeartbeatFailingWithTheCredentialsEchoedLeaksNothing() {
    SwitchResult result = run(t -> t.answerNext(Target.RENEWAL, 10, 500, "application/x-amz-json-1.0", awsError("InternalServerError")));
    assertThat(result.outcome()).as(result.summary()).isNotEqualTo(Outcome.COMPLETED);
    assertNoLeaks("heartbeat failing", result);
  }

  private void assertNoLeaks(String where, Object... things) {
    canaries.check(where, things);
    canaries.check(where + ": events", events.events());
    canaries.checkLogs(logs);
    assertThat(logs.lines()).as("DEBUG lines were captured").anySatisfy(l -> assertThat(l.level()).isEqualTo(Level.DEBUG));
    assertThat(logs.lines()).as("bluegreen's lines were captured").anySatisfy(l -> assertThat(l.logger()).startsWith("io.bluegreen"));
    canaries.assertNoLeaks();
  }
}
