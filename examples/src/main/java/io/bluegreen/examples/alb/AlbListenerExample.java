package io.bluegreen.examples.alb;

import io.bluegreen.aws.AlbListenerRouter;
import io.bluegreen.aws.gate.TargetHealthGate;
import io.bluegreen.core.Environment;
import io.bluegreen.core.Redaction;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.examples.EventPrinter;
import io.bluegreen.testkit.VirtualClock;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;

/**
 * The common gradual ALB shift: the listener's forward action sends everything to target group blue;
 * move it to green with blue keeping 90, 70, 50, 25, then 0 percent, five minutes per stage, while a
 * {@link TargetHealthGate} checks that every green target stays healthy, and roll back to the exact
 * weights found if one does not. One ModifyListener per stage.
 *
 * <p>Where it runs: against real AWS with {@code --listener-arn ARN --blue-tg ARN --green-tg ARN
 * --region REGION} (your default credentials; real time); else against the moto server named by
 * {@code BLUEGREEN_MOTO_ENDPOINT}, where it first creates the load balancer ({@link MotoAlb}); else
 * against {@link FakeAlb}, an in-process WireMock fake of the four ELBv2 calls it needs. On the local
 * fakes the bakes run in simulated time.
 *
 * <pre>{@code
 * mvn -B -q -Pdemo verify -Ddemo.main=io.bluegreen.examples.alb.AlbListenerExample        # in-process fake
 * mvn -B -q -Pdemo verify -Ddemo.main=io.bluegreen.examples.alb.AlbListenerExample \
 *     -Ddemo.args="--listener-arn arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2
 *                  --blue-tg arn:aws:...:targetgroup/shop-blue/73e2d6bc24d8a067 --green-tg arn:aws:...:targetgroup/shop-green/2453ed029918f21f
 *                  --region eu-west-1"                                                       # real AWS
 *
 * SwitchResult result = AlbListenerExample.run(elb, listenerArn, blueTg, greenTg, null, System.out);   // real time
 * }</pre>
 *
 * <p>IAM: elasticloadbalancing:DescribeListeners, ModifyListener, DescribeTargetGroups,
 * DescribeTargetHealth (see the bluegreen-aws README).
 */
public final class AlbListenerExample {

  /** Region of the local fakes. */
  static final Region LOCAL_REGION = Region.US_EAST_1;
  /** Credentials of the local fakes (they check none). */
  static final StaticCredentialsProvider LOCAL_CREDENTIALS = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

  private AlbListenerExample() {
  }

  /**
   * Runs the shift against real AWS, moto or the in-process fake (see the class comment); exits 0 when
   * it COMPLETED.
   *
   * @param args {@code --listener-arn ARN --blue-tg ARN --green-tg ARN --region REGION}, or none
   */
  public static void main(String[] args) {
    Map<String, String> options = options(args);
    SwitchResult result;
    if (options.containsKey("--listener-arn")) {
      try (ElasticLoadBalancingV2Client elb = ElasticLoadBalancingV2Client.builder()
          .region(Region.of(options.getOrDefault("--region", "us-east-1")))
          .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))   // the plan retries, with backoff
          .build()) {
        result = run(elb, options.get("--listener-arn"), required(options, "--blue-tg"), required(options, "--green-tg"), null, System.out);
      }
    } else {
      result = runLocally(System.getenv("BLUEGREEN_MOTO_ENDPOINT"), System.out);
    }
    System.exit(result.isSuccess() ? 0 : 1);
  }

  /**
   * Runs the shift against a local fake, in simulated time, and stops what it started.
   *
   * @param motoEndpoint a moto server to use, or null (or blank) for the in-process WireMock fake
   * @param out where progress goes
   * @return what the plan did
   */
  public static SwitchResult runLocally(String motoEndpoint, PrintStream out) {
    if (motoEndpoint != null && !motoEndpoint.isBlank()) {
      try (MotoAlb alb = MotoAlb.create(URI.create(motoEndpoint.trim()))) {
        out.println("ELBv2: moto server at " + Redaction.uri(motoEndpoint) + " (created load balancer, listener and target groups)");
        return run(alb.elb(), alb.listenerArn(), alb.blueTg(), alb.greenTg(), VirtualClock.create(), out);
      }
    }
    try (FakeAlb alb = FakeAlb.start(); ElasticLoadBalancingV2Client elb = localClient(alb.endpoint())) {
      out.println("ELBv2: " + alb + " (set BLUEGREEN_MOTO_ENDPOINT to use moto server instead)");
      return run(elb, FakeAlb.LISTENER, FakeAlb.BLUE, FakeAlb.GREEN, VirtualClock.create(), out);
    }
  }

  /**
   * The example itself: shift {@code listenerArn}'s forward action from {@code blueTg} to {@code greenTg}.
   *
   * @param elb an ELBv2 client (not closed here)
   * @param listenerArn the listener
   * @param blueTg blue's target group ARN
   * @param greenTg green's target group ARN
   * @param simulatedTime a virtual clock to run the bakes in simulated time, or null for real time
   * @param out where progress goes
   * @return what the plan did
   */
  public static SwitchResult run(ElasticLoadBalancingV2Client elb, String listenerArn, String blueTg, String greenTg,
      VirtualClock simulatedTime, PrintStream out) {
    Environment blue = Environment.of("blue");
    Environment green = Environment.of("green");

    AlbListenerRouter router = AlbListenerRouter.builder(elb)
        .listenerArn(listenerArn)
        .environment(blue, blueTg)
        .environment(green, greenTg)
        .build();                                     // ARNs validated here, before any AWS call

    SwitchPlan.Builder plan = SwitchPlan.builder()
        .router(router).from(blue).to(green)
        .schedule(StageSchedule.sourceWeights(Duration.ofMinutes(5), 90, 70, 50, 25, 0))   // blue keeps 90, 70, 50, 25, 0
        .gate(TargetHealthGate.builder(elb, greenTg).minHealthyPercent(100).build())
        .gateInterval(Duration.ofSeconds(15))
        .listener(new EventPrinter(out)).defaultLogging(false);
    if (simulatedTime != null) {
      plan.time(simulatedTime);   // 25 minutes of bakes in milliseconds
    }

    SwitchResult result = plan.build().execute();
    out.println(result.summary());
    out.println("listener forwards: " + forwardWeights(elb, listenerArn, blueTg, greenTg));
    return result;
  }

  /**
   * @param elb an ELBv2 client
   * @param listenerArn the listener
   * @param blueTg blue's target group, shown as "blue"
   * @param greenTg green's target group, shown as "green"
   * @return the weights of the listener's forward action, read from ELBv2, e.g. {@code blue=0 green=100}
   */
  public static String forwardWeights(ElasticLoadBalancingV2Client elb, String listenerArn, String blueTg, String greenTg) {
    List<String> parts = new ArrayList<>();
    elb.describeListeners(r -> r.listenerArns(listenerArn)).listeners().get(0).defaultActions().stream()
        .filter(a -> a.forwardConfig() != null)
        .flatMap(a -> a.forwardConfig().targetGroups().stream())
        .forEach((TargetGroupTuple t) -> parts.add((t.targetGroupArn().equals(blueTg) ? "blue" : t.targetGroupArn().equals(greenTg) ? "green"
            : t.targetGroupArn()) + "=" + t.weight()));
    return String.join(" ", parts);
  }

  /**
   * @param endpoint a local fake (moto or {@link FakeAlb})
   * @return a client for it: static test credentials, us-east-1, SDK retries off (the plan retries)
   */
  public static ElasticLoadBalancingV2Client localClient(URI endpoint) {
    return ElasticLoadBalancingV2Client.builder()
        .endpointOverride(endpoint)
        .region(LOCAL_REGION)
        .credentialsProvider(LOCAL_CREDENTIALS)
        .httpClientBuilder(ApacheHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  private static Map<String, String> options(String[] args) {
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("options come in pairs: --listener-arn ARN --blue-tg ARN --green-tg ARN --region REGION");
    }
    Map<String, String> options = new java.util.LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!List.of("--listener-arn", "--blue-tg", "--green-tg", "--region").contains(args[i])) {
        throw new IllegalArgumentException("unknown option " + args[i] + ": use --listener-arn, --blue-tg, --green-tg, --region");
      }
      options.put(args[i], args[i + 1]);
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String v = options.get(name);
    if (v == null) {
      throw new IllegalArgumentException(name + " is required with --listener-arn; given: "
          + options.keySet().stream().collect(Collectors.joining(" ")));
    }
    return v;
  }
}
