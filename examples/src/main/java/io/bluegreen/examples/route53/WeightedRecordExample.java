package io.bluegreen.examples.route53;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Redaction;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.examples.EventPrinter;
import io.bluegreen.route53.WeightedRecordRouter;
import io.bluegreen.route53.gate.HealthCheckGate;
import io.bluegreen.testkit.VirtualClock;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * A blue-green switch in DNS: weighted A records {@code api.example.com} with SetIdentifiers
 * {@code api-blue} (weight 100) and {@code api-green} (weight 0); move them to green at 10%, 50%, 100%.
 * Every write waits until Route 53 reports the change INSYNC before the stage bakes, and the last
 * stage bakes at least the records' TTL (300 s here, longer than the 1-minute stages), because
 * resolvers keep serving the old answer that long; {@code result.clientsFollowBy()} says when clients
 * should have moved.
 *
 * <p>Where it runs: against real Route 53 with {@code --hosted-zone-id Z... --record api.example.com}
 * (SetIdentifiers api-blue and api-green, or {@code --blue-set-id} / {@code --green-set-id};
 * optionally {@code --health-check-id ID} to gate on green's Route 53 health check; your default
 * credentials; real time); else against the moto server named by {@code BLUEGREEN_MOTO_ENDPOINT} (it
 * creates a zone, {@link MotoRoute53}); else against {@link FakeRoute53}, an in-process WireMock fake
 * whose GetChange answers PENDING twice per change. On the local fakes time is simulated.
 *
 * <pre>{@code
 * mvn -B -q -Pdemo verify -Ddemo.main=io.bluegreen.examples.route53.WeightedRecordExample     # in-process fake
 * mvn -B -q -Pdemo verify -Ddemo.main=io.bluegreen.examples.route53.WeightedRecordExample \
 *     -Ddemo.args="--hosted-zone-id Z0123456789ABCDEFGHIJ --record api.example.com"           # real Route 53
 *
 * SwitchResult result = WeightedRecordExample.run(route53, "Z0123456789ABCDEFGHIJ", "api.example.com", null, System.out);
 * result.clientsFollowBy();   // final verification + TTL
 * }</pre>
 *
 * <p>IAM: route53:GetHostedZone, ListResourceRecordSets, ChangeResourceRecordSets, GetChange (and
 * GetHealthCheckStatus with a health check); see the bluegreen-route53 README.
 */
public final class WeightedRecordExample {

  private static final List<String> OPTIONS = List.of("--hosted-zone-id", "--record", "--blue-set-id", "--green-set-id", "--health-check-id");

  private WeightedRecordExample() {
  }

  /**
   * Runs the switch against real Route 53, moto or the in-process fake (see the class comment); exits 0
   * when it COMPLETED.
   *
   * @param args {@code --hosted-zone-id Z... --record NAME [--blue-set-id ID --green-set-id ID --health-check-id ID]}, or none
   */
  public static void main(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!OPTIONS.contains(args[i]) || i + 1 == args.length) {
        throw new IllegalArgumentException("bad option " + args[i] + ": use " + OPTIONS + ", each with a value");
      }
      options.put(args[i], args[i + 1]);
    }
    SwitchResult result;
    if (options.containsKey("--hosted-zone-id")) {
      try (Route53Client route53 = Route53Client.builder()
          .region(Region.AWS_GLOBAL)
          .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))   // the plan retries, with backoff
          .build()) {
        result = run(route53, options.get("--hosted-zone-id"), options.getOrDefault("--record", "api.example.com"),
            options.getOrDefault("--blue-set-id", "api-blue"), options.getOrDefault("--green-set-id", "api-green"),
            options.get("--health-check-id"), null, System.out);
      }
    } else {
      result = runLocally(System.getenv("BLUEGREEN_MOTO_ENDPOINT"), System.out);
    }
    System.exit(result.isSuccess() ? 0 : 1);
  }

  /**
   * Runs the switch against a local fake, in simulated time, and stops what it started.
   *
   * @param motoEndpoint a moto server to use, or null (or blank) for the in-process WireMock fake
   * @param out where progress goes
   * @return what the plan did
   */
  public static SwitchResult runLocally(String motoEndpoint, PrintStream out) {
    if (motoEndpoint != null && !motoEndpoint.isBlank()) {
      try (MotoRoute53 zone = MotoRoute53.create(URI.create(motoEndpoint.trim()))) {
        out.println("Route 53: moto server at " + Redaction.uri(motoEndpoint) + " (created zone " + zone.zoneId() + " and records "
            + zone.recordName() + "; moto reports every change INSYNC at once)");
        return run(zone.route53(), zone.zoneId(), zone.recordName(), VirtualClock.create(), out);
      }
    }
    try (FakeRoute53 dns = FakeRoute53.start(); Route53Client route53 = localClient(dns.endpoint())) {
      out.println("Route 53: " + dns + " (GetChange answers PENDING " + FakeRoute53.PENDING_POLLS
          + " times per change; set BLUEGREEN_MOTO_ENDPOINT to use moto server instead)");
      SwitchResult result = run(route53, FakeRoute53.ZONE_ID, FakeRoute53.RECORD, VirtualClock.create(), out);
      out.println("GetChange answers: " + dns.getChangeAnswers());
      return result;
    }
  }

  /**
   * The example with the SetIdentifiers {@code api-blue} and {@code api-green} and no health check gate.
   *
   * @param route53 a Route 53 client (not closed here)
   * @param zoneId the hosted zone holding the records
   * @param recordName the weighted records' name
   * @param simulatedTime a virtual clock to run the bakes in simulated time, or null for real time
   * @param out where progress goes
   * @return what the plan did
   */
  public static SwitchResult run(Route53Client route53, String zoneId, String recordName, VirtualClock simulatedTime, PrintStream out) {
    return run(route53, zoneId, recordName, "api-blue", "api-green", null, simulatedTime, out);
  }

  /**
   * The example itself: move the weighted records {@code recordName} from blue's SetIdentifier to green's.
   *
   * @param route53 a Route 53 client (not closed here)
   * @param zoneId the hosted zone holding the records
   * @param recordName the weighted records' name
   * @param blueSetId SetIdentifier of blue's record
   * @param greenSetId SetIdentifier of green's record
   * @param greenHealthCheckId a Route 53 health check on green to gate on, or null
   * @param simulatedTime a virtual clock to run the bakes in simulated time, or null for real time
   * @param out where progress goes
   * @return what the plan did
   */
  public static SwitchResult run(Route53Client route53, String zoneId, String recordName, String blueSetId, String greenSetId,
      String greenHealthCheckId, VirtualClock simulatedTime, PrintStream out) {
    Environment blue = Environment.of("blue");
    Environment green = Environment.of("green");

    Map<Environment, String> setIds = new LinkedHashMap<>();
    setIds.put(blue, blueSetId);
    setIds.put(green, greenSetId);
    WeightedRecordRouter router = WeightedRecordRouter.builder(route53)
        .hostedZoneId(zoneId)
        .record(recordName, "A", setIds)
        .build();                                         // validated here, no AWS call

    SwitchPlan.Builder plan = SwitchPlan.builder()
        .router(router).from(blue).to(green)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 50, 100))  // the last stage bakes >= the TTL
        .verifyTimeout(Duration.ofMinutes(5))             // how long a write may stay PENDING before the plan rolls back
        .gateInterval(Duration.ofSeconds(30))
        .listener(new EventPrinter(out)).defaultLogging(false);
    if (greenHealthCheckId != null) {
      plan.gate(HealthCheckGate.of(route53, greenHealthCheckId));
    }
    if (simulatedTime != null) {
      plan.time(simulatedTime);   // minutes of bakes in milliseconds
    }

    SwitchResult result = plan.build().execute();
    out.println(result.summary());
    out.println("weights now: " + weights(route53, zoneId, recordName));
    out.println("clients follow by " + result.clientsFollowBy().map(t -> t + " (" + EventPrinter.human(Duration.between(result.startedAt(), t))
        + " after the start: the final write INSYNC, plus the TTL of " + result.clientConvergence().toSeconds() + " s)").orElse("-"));
    return result;
  }

  /**
   * @param route53 a Route 53 client
   * @param zoneId the hosted zone
   * @param recordName the weighted records' name
   * @return SetIdentifier to weight of the A records of that name, read from Route 53
   */
  public static Map<String, Long> weights(Route53Client route53, String zoneId, String recordName) {
    String name = recordName.endsWith(".") ? recordName : recordName + ".";
    return route53.listResourceRecordSets(r -> r.hostedZoneId(zoneId).startRecordName(name).startRecordType("A"))
        .resourceRecordSets().stream()
        .filter(s -> s.name().equalsIgnoreCase(name) && "A".equals(s.typeAsString()) && s.setIdentifier() != null)
        .collect(Collectors.toMap(ResourceRecordSet::setIdentifier, ResourceRecordSet::weight, (a, b) -> a, LinkedHashMap::new));
  }

  /**
   * @param endpoint a local fake (moto or {@link FakeRoute53})
   * @return a client for it: static test credentials, SDK retries off (the plan retries)
   */
  public static Route53Client localClient(URI endpoint) {
    return Route53Client.builder()
        .endpointOverride(endpoint)
        .region(Region.AWS_GLOBAL)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
        .httpClientBuilder(ApacheHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }
}
