package io.bluegreen.route53.support;

import io.bluegreen.core.Environment;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.dynamodb.DynamoDbRouteLock;
import io.bluegreen.dynamodb.LockRecord;
import io.bluegreen.route53.WeightedRecordRouter;
import io.bluegreen.testkit.ChildJvm;
import io.bluegreen.testkit.CrashResumeContractTest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * The Route 53 plan of {@code Route53CrashResumeTest} — weighted records {@code <name>} A,
 * SetIdentifiers {@code <label>-blue} / {@code <label>-green}, {@link CrashResumeContractTest#SCHEDULE} — locked with a
 * {@link DynamoDbRouteLock}, and a {@code main} that runs it in a child JVM in real time, printing
 * the lines of {@link ChildJvm#progressPrinter}.
 *
 * <pre>{@code
 * java -cp <test classpath> io.bluegreen.route53.support.Route53LockedPlan <route53 endpoint> <dynamodb endpoint> <table>
 *     <zone id> <record name> <label> <owner> [conditional]
 * }</pre>
 */
public final class Route53LockedPlan {

  /** How long the lock stays valid without a heartbeat. */
  public static final Duration LEASE = Duration.ofSeconds(10);
  /** How long past its expiry another runner still waits. */
  public static final Duration MARGIN = Duration.ofSeconds(5);
  public static final Environment BLUE = Environment.of("blue");
  public static final Environment GREEN = Environment.of("green");

  private Route53LockedPlan() {
  }

  /**
   * @param route53 the Route 53 client
   * @param zoneId the hosted zone
   * @param name the record name
   * @param label the SetIdentifiers' prefix
   * @return the router every run uses
   */
  public static WeightedRecordRouter router(Route53Client route53, String zoneId, String name, String label) {
    return router(route53, zoneId, name, label, false);
  }

  /**
   * @param route53 the Route 53 client
   * @param zoneId the hosted zone
   * @param name the record name
   * @param label the SetIdentifiers' prefix
   * @param conditional whether the router is built with conditionalWrites(true)
   * @return the router every run uses
   */
  public static WeightedRecordRouter router(Route53Client route53, String zoneId, String name, String label, boolean conditional) {
    Map<Environment, String> ids = new LinkedHashMap<>();
    ids.put(BLUE, label + "-blue");
    ids.put(GREEN, label + "-green");
    return WeightedRecordRouter.builder(route53).hostedZoneId(zoneId).record(name, "A", ids).conditionalWrites(conditional).endpointEnforcesExactDeletes(true).build();
  }

  /**
   * @param router the router
   * @param lock the route lock
   * @param owner the plan's identity in the lock
   * @return the plan, without time or listeners
   */
  public static SwitchPlan.Builder plan(WeightedRecordRouter router, RouteLock lock, String owner) {
    return SwitchPlan.builder().name("route53-locked").router(router).from(BLUE).to(GREEN).schedule(CrashResumeContractTest.SCHEDULE)
        .gateInterval(Duration.ofMillis(250)).lock(lock).owner(owner).waitForClientConvergence(false);
  }

  /**
   * @param dynamo the DynamoDB client
   * @param table the lock table
   * @param time the lock's time
   * @return the lock every run uses
   */
  public static DynamoDbRouteLock lock(DynamoDbClient dynamo, String table, InstantSource time) {
    return DynamoDbRouteLock.create(dynamo, b -> b.tableName(table).leaseDuration(LEASE).heartbeat(Duration.ofSeconds(2))
        .clockSkewMargin(MARGIN).time(time));
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

  /** @param endpoint moto @return a DynamoDB client with SDK retries off */
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
   * @param args Route 53 endpoint, DynamoDB endpoint, table, zone id, record name, label, owner, and
   *     optionally "conditional" (the router built with conditionalWrites(true))
   */
  public static void main(String[] args) {
    try (Route53Client route53 = Route53Clients.create(URI.create(args[0]), null, Duration.ofSeconds(120));
        DynamoDbClient dynamo = dynamo(URI.create(args[1]))) {
      SwitchPlan plan = plan(router(route53, args[3], args[4], args[5],
          args.length > 7 && args[7].equals("conditional")), lock(dynamo, args[2], Clock.systemUTC()), args[6])
          .listener(ChildJvm.progressPrinter(System.out)).build();
      ChildJvm.runAndReport(plan, System.out);
    }
    System.exit(0);
  }
}
