package io.bluegreen.aws.support;

import io.bluegreen.aws.AlbListenerRouter;
import io.bluegreen.core.Environment;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.dynamodb.DynamoDbRouteLock;
import io.bluegreen.dynamodb.LockRecord;
import io.bluegreen.testkit.ChildJvm;
import io.bluegreen.testkit.CrashResumeContractTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * The ALB plan of {@code AlbCrashResumeTest} and {@code AlbLockRaceTest}, locked with a
 * {@link DynamoDbRouteLock}, and a {@code main} that runs it in a child JVM in real time, printing one
 * line per event the tests wait for ({@code READY}, {@code LOCKED <fencing token>},
 * {@code STAGE_STARTED <n>}, {@code STAGE_VERIFIED <n> <split>}, {@code FINISHED <outcome> <summary>}).
 *
 * <pre>{@code
 * java -cp <test classpath> io.bluegreen.aws.support.AlbLockedPlan crash <elb endpoint> <dynamodb endpoint> <table>
 *     <listener arn> <blue tg> <green tg> <runner name> <owner>
 * }</pre>
 *
 * <p>Modes: {@code crash} runs {@link CrashResumeContractTest#SCHEDULE} at once; {@code race} prints {@code READY} and
 * waits for a {@code GO} line on stdin, then runs {@link #RACE_SCHEDULE}. Every ELB request carries the
 * header {@value #RUNNER_HEADER} with the runner's name, so the test's recording proxy can tell who
 * wrote what.
 */
public final class AlbLockedPlan {

  /** Three stages of 1 s: long enough that the loser of a race surely tries while the winner runs. */
  public static final StageSchedule RACE_SCHEDULE = StageSchedule.targetWeights(Duration.ofSeconds(1), 10, 50, 100);
  /** How long the lock stays valid without a heartbeat. */
  public static final Duration LEASE = Duration.ofSeconds(10);
  /** How long past its expiry another runner still waits. */
  public static final Duration MARGIN = Duration.ofSeconds(5);
  /** Names the runner on every ELB request. */
  public static final String RUNNER_HEADER = "X-Bluegreen-Runner";
  public static final Environment BLUE = Environment.of("blue");
  public static final Environment GREEN = Environment.of("green");

  private AlbLockedPlan() {
  }

  /**
   * @param elb the ELB client
   * @param listenerArn the listener
   * @param blueTg blue's target group
   * @param greenTg green's target group
   * @param lock the route lock
   * @param owner the plan's identity in the lock
   * @param schedule the stages
   * @return the plan, without time or listeners
   */
  public static SwitchPlan.Builder plan(ElasticLoadBalancingV2Client elb, String listenerArn, String blueTg, String greenTg,
      RouteLock lock, String owner, StageSchedule schedule) {
    AlbListenerRouter router = AlbListenerRouter.builder(elb).listenerArn(listenerArn).environment(BLUE, blueTg)
        .environment(GREEN, greenTg).build();
    return SwitchPlan.builder().name("alb-locked").router(router).from(BLUE).to(GREEN).schedule(schedule)
        .gateInterval(Duration.ofMillis(250)).lock(lock).owner(owner).waitForClientConvergence(false);
  }

  /**
   * @param dynamo the DynamoDB client
   * @param table the lock table
   * @param time the lock's time
   * @return the lock every run of these plans uses
   */
  public static DynamoDbRouteLock lock(DynamoDbClient dynamo, String table, InstantSource time) {
    return DynamoDbRouteLock.builder(dynamo).tableName(table).leaseDuration(LEASE).heartbeat(Duration.ofSeconds(2))
        .clockSkewMargin(MARGIN).time(time).build();
  }

  /**
   * @param dynamo the DynamoDB client
   * @param table the lock table
   * @param routeId the route
   * @return the route's lock item as the crash-resume kit sees it
   */
  public static CrashResumeContractTest.LockState lockState(DynamoDbClient dynamo, String table, String routeId) {
    LockRecord r = lock(dynamo, table, Clock.systemUTC()).read(routeId).orElseThrow();
    return new CrashResumeContractTest.LockState(r.owner().orElse(null), r.version(), r.takeoverAt().orElse(null));
  }

  /**
   * @param endpoint where to send ELB requests (the test's recording proxy)
   * @param runner the runner's name, sent in {@value #RUNNER_HEADER}
   * @return an ELB client with SDK retries off
   */
  public static ElasticLoadBalancingV2Client elb(URI endpoint, String runner) {
    return ElasticLoadBalancingV2Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
        .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(60)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).putHeader(RUNNER_HEADER, runner))
        .build();
  }

  /**
   * @param endpoint moto's endpoint
   * @return a DynamoDB client with SDK retries off
   */
  public static DynamoDbClient dynamo(URI endpoint) {
    return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
        .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(10)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  /**
   * Runs the plan in real time.
   *
   * @param args mode, ELB endpoint, DynamoDB endpoint, table, listener ARN, blue TG, green TG, runner, owner
   * @throws Exception if stdin cannot be read
   */
  public static void main(String[] args) throws Exception {
    boolean race = args[0].equals("race");
    try (ElasticLoadBalancingV2Client elb = elb(URI.create(args[1]), args[7]); DynamoDbClient dynamo = dynamo(URI.create(args[2]))) {
      SwitchPlan plan = plan(elb, args[4], args[5], args[6], lock(dynamo, args[3], Clock.systemUTC()), args[8],
          race ? RACE_SCHEDULE : CrashResumeContractTest.SCHEDULE).listener(ChildJvm.progressPrinter(System.out)).build();
      if (race) {
        System.out.println("READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        do {
          line = in.readLine();
        } while (line != null && !line.equals("GO"));
      }
      ChildJvm.runAndReport(plan, System.out);
    }
    System.exit(0);
  }
}
