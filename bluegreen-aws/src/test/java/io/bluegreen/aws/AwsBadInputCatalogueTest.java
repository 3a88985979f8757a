package io.bluegreen.aws;

import static io.bluegreen.aws.support.FakeElb.BLUE;
import static io.bluegreen.aws.support.FakeElb.GREEN;
import static io.bluegreen.aws.support.FakeElb.LISTENER;
import static io.bluegreen.aws.support.FakeElb.RULE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.bluegreen.aws.gate.CloudWatchAlarmGate;
import io.bluegreen.aws.gate.TargetHealthGate;
import io.bluegreen.aws.support.AwsClients;
import io.bluegreen.aws.support.FakeElb;
import io.bluegreen.aws.support.RequestCounter;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * The catalogue of invalid inputs to bluegreen-aws's public API: each is rejected with an {@link
 * InvalidConfigurationException} whose message says what to fix, before a single request reaches AWS.
 * Every client in the fixture (ELBv2 in the listener's region, ELBv2 in another region, CloudWatch)
 * points at one WireMock server and counts what it sends; each case asserts that the server's journal
 * and the clients' counters are both empty, and records the case for docs/RELIABILITY.md ({@link
 * EvidenceLog#badInput}).
 */
@Evidence(backend = "WireMock: a hand-written ELBv2 and CloudWatch fake (FakeElb), counting every request the SDK sends")
class AwsBadInputCatalogueTest {

  private static final String PREFIX = "arn:aws:elasticloadbalancing:us-east-1:123456789012:";
  private static final Environment BLUE_ENV = Environment.of("blue");
  private static final Environment GREEN_ENV = Environment.of("green");
  private static final Environment RED_ENV = Environment.of("red");

  private static FakeElb backend;

  /** Clients pointed at the fake, counting every request they send. */
  static final class Fixture implements AutoCloseable {
    final RequestCounter counter = new RequestCounter();
    final ElasticLoadBalancingV2Client elb = AwsClients.elb(backend.endpoint(), counter);
    final ElasticLoadBalancingV2Client elbInEuWest1 = ElasticLoadBalancingV2Client.builder().region(Region.EU_WEST_1)
        .endpointOverride(backend.endpoint()).credentialsProvider(credentials()).httpClientBuilder(ApacheHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).addExecutionInterceptor(counter)).build();
    final CloudWatchClient cloudWatch = CloudWatchClient.builder().region(Region.US_EAST_1)
        .endpointOverride(backend.endpoint()).credentialsProvider(credentials()).httpClientBuilder(ApacheHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).addExecutionInterceptor(counter)).build();

    AlbListenerRouter.Builder listener() {
      return AlbListenerRouter.builder(elb).listenerArn(LISTENER);
    }

    AlbRuleRouter.Builder rule() {
      return AlbRuleRouter.builder(elb).ruleArn(RULE);
    }

    AlbListenerRouter listenerRouter() {
      return listener().environment(BLUE_ENV, BLUE).environment(GREEN_ENV, GREEN).build();
    }

    TargetHealthGate.Builder targetHealth() {
      return TargetHealthGate.builder(elb, GREEN);
    }

    CloudWatchAlarmGate.Builder alarms() {
      return CloudWatchAlarmGate.builder(cloudWatch);
    }

    private static StaticCredentialsProvider credentials() {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    }

    @Override
    public void close() {
      elb.close();
      elbInEuWest1.close();
      cloudWatch.close();
    }
  }

  /** One attempt to use the API with a bad input. */
  @FunctionalInterface
  interface Attempt {
    Object run(Fixture f) throws Exception;
  }

  private static Arguments bad(String input, Attempt attempt, String... hints) {
    return Arguments.of(input, attempt, List.of(hints));
  }

  static Stream<Arguments> catalogue() {
    List<Arguments> cases = new ArrayList<>();

    // ARNs of the wrong kind, malformed, or from somewhere else
    cases.add(bad("AlbListenerRouter listener ARN \"listener-1\" (not an ARN)", f -> f.listener().listenerArn("listener-1"),
        "is not an Application Load Balancer listener ARN", "expected arn:aws:elasticloadbalancing:<region>:<account>:listener/app/"));
    cases.add(bad("AlbListenerRouter given a listener rule ARN", f -> f.listener().listenerArn(RULE),
        "it is a listener rule ARN: use AlbRuleRouter for rules"));
    cases.add(bad("AlbRuleRouter given a listener ARN", f -> AlbRuleRouter.builder(f.elb).ruleArn(LISTENER),
        "it is a listener ARN: use AlbListenerRouter"));
    cases.add(bad("AlbListenerRouter given a Network Load Balancer listener (listener/net/...)",
        f -> f.listener().listenerArn(PREFIX + "listener/net/shop-nlb/50dc6c495c0c9188/f2f7dc8efc522ab2"),
        "Network or Gateway Load Balancer", "use an Application Load Balancer"));
    cases.add(bad("AlbListenerRouter given a Gateway Load Balancer listener (listener/gwy/...)",
        f -> f.listener().listenerArn(PREFIX + "listener/gwy/shop-gwlb/50dc6c495c0c9188/f2f7dc8efc522ab2"),
        "Network or Gateway Load Balancer"));
    cases.add(bad("AlbRuleRouter given a Network Load Balancer listener rule (listener-rule/net/...)",
        f -> AlbRuleRouter.builder(f.elb).ruleArn(PREFIX + "listener-rule/net/shop-nlb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"),
        "Network or Gateway Load Balancer"));
    cases.add(bad("AlbListenerRouter given the load balancer's ARN instead of a listener's",
        f -> f.listener().listenerArn(FakeElb.LOAD_BALANCER), "it is a load balancer ARN: pass the ARN of one of its listeners"));
    cases.add(bad("AlbListenerRouter given a target group ARN as the listener", f -> f.listener().listenerArn(BLUE),
        "it is a target group ARN", "expected arn:aws:elasticloadbalancing:<region>:<account>:listener/app/"));
    cases.add(bad("listener ARN with an 11-digit account id", f -> f.listener().listenerArn(LISTENER.replace("123456789012", "12345678901")),
        "expected arn:aws:elasticloadbalancing:<region>:<account>:listener/app/"));
    cases.add(bad("environment mapped to a listener ARN instead of a target group", f -> f.listener().environment(GREEN_ENV, LISTENER),
        "target group ARN of green", "is not a target group ARN", "it is a listener ARN, not a target group's"));
    cases.add(bad("environment mapped to the load balancer's ARN instead of a target group",
        f -> f.rule().environment(BLUE_ENV, FakeElb.LOAD_BALANCER), "target group ARN of blue", "it is a load balancer ARN, not a target group's"));
    cases.add(bad("target group ARN with a 33-character name (ALB allows 32)",
        f -> f.listener().environment(GREEN_ENV, PREFIX + "targetgroup/" + "g".repeat(33) + "/2453ed029918f21f"),
        "is not a target group ARN", "expected arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>"));
    cases.add(bad("target group in another region (eu-west-1) than the listener (us-east-1)",
        f -> f.listener().environment(BLUE_ENV, BLUE.replace("us-east-1", "eu-west-1")).environment(GREEN_ENV, GREEN).build(),
        "region eu-west-1", "an ALB forwards only to target groups of its own account and region"));
    cases.add(bad("target group in another account (210987654321) than the rule (123456789012)",
        f -> f.rule().environment(BLUE_ENV, BLUE).environment(GREEN_ENV, GREEN.replace("123456789012", "210987654321")).build(),
        "account 210987654321", "own account and region"));
    cases.add(bad("target group in another partition (aws-cn) than the listener (aws)",
        f -> f.listener().environment(BLUE_ENV, BLUE).environment(GREEN_ENV, GREEN.replace("arn:aws:", "arn:aws-cn:")
            .replace("us-east-1", "cn-north-1")).build(),
        "partition aws-cn", "own account and region"));
    cases.add(bad("ELBv2 client built for eu-west-1, listener in us-east-1",
        f -> AlbListenerRouter.builder(f.elbInEuWest1).listenerArn(LISTENER).environment(BLUE_ENV, BLUE).environment(GREEN_ENV, GREEN).build(),
        "configured for region eu-west-1", "build the client with .region(Region.of(\"us-east-1\"))"));

    // mappings
    cases.add(bad("six environments on one listener (an ALB forward action takes at most 5 target groups)", f -> {
      AlbListenerRouter.Builder b = f.listener();
      IntStream.range(0, 6).forEach(i -> b.environment("env" + i, PREFIX + "targetgroup/shop-" + i + "/73e2d6bc24d8a06" + i));
      return b.build();
    }, "maps 6 environments", "map at most 5"));
    cases.add(bad("environment blue mapped twice", f -> f.listener().environment(BLUE_ENV, BLUE).environment(BLUE_ENV, GREEN),
        "environment blue is mapped twice", "map each environment to one target group"));
    cases.add(bad("one target group mapped to both blue and green", f -> f.rule().environment(BLUE_ENV, BLUE).environment(GREEN_ENV, BLUE),
        "mapped to both blue and green", "give each environment its own target group"));
    cases.add(bad("only one environment mapped", f -> f.listener().environment(BLUE_ENV, BLUE).build(),
        "needs at least two environments", "call .environment(\"blue\", blueTargetGroupArn).environment(\"green\", greenTargetGroupArn)"));
    cases.add(bad("no environment mapped", f -> f.rule().build(), "needs at least two environments", "none is"));

    // nulls and blanks
    cases.add(bad("AlbListenerRouter built without a listener ARN",
        f -> AlbListenerRouter.builder(f.elb).environment(BLUE_ENV, BLUE).environment(GREEN_ENV, GREEN).build(),
        "listenerArn is not set", "call .listenerArn("));
    cases.add(bad("AlbRuleRouter built without a rule ARN",
        f -> AlbRuleRouter.builder(f.elb).environment(BLUE_ENV, BLUE).environment(GREEN_ENV, GREEN).build(),
        "ruleArn is not set", "call .ruleArn("));
    cases.add(bad("null listener ARN", f -> f.listener().listenerArn(null), "listener ARN is null", "pass a value"));
    cases.add(bad("blank rule ARN \"  \"", f -> AlbRuleRouter.builder(f.elb).ruleArn("  "), "listener rule ARN is blank", "pass a non-empty value"));
    cases.add(bad("null target group ARN for green", f -> f.listener().environment(GREEN_ENV, null), "target group ARN of green is null"));
    cases.add(bad("null environment", f -> f.listener().environment((Environment) null, GREEN), "environment is null"));
    cases.add(bad("null ElasticLoadBalancingV2Client", f -> AlbListenerRouter.builder(null), "ElasticLoadBalancingV2Client is null"));
    cases.add(bad("null configure callback to AlbRuleRouter.create", f -> AlbRuleRouter.create(f.elb, null), "configure is null"));

    // settings
    cases.add(bad("minHealthyTargets -1", f -> f.listener().minHealthyTargets(-1), "minHealthyTargets -1 is negative", "use 1 or more"));
    cases.add(bad("callTimeout zero", f -> f.rule().callTimeout(Duration.ZERO), "callTimeout must be positive", "pass a duration greater than zero"));
    cases.add(bad("callTimeout -5 s", f -> f.listener().callTimeout(Duration.ofSeconds(-5)), "callTimeout must be positive"));
    cases.add(bad("callTimeout null", f -> f.listener().callTimeout(null), "callTimeout is null"));

    // splits and plans the router cannot express
    cases.add(bad("apply() of a split naming red, which the router does not map",
        f -> { f.listenerRouter().apply(TrafficSplit.of(BLUE_ENV, 50, RED_ENV, 50)); return null; },
        "environment red is not routed by aws/alb/" + LISTENER, "add it to the router's environment mapping"));
    cases.add(bad("three-way split blue=50 green=30 red=20 on a blue/green router",
        f -> { f.listenerRouter().validate(TrafficSplit.of(Map.of(BLUE_ENV, 50, GREEN_ENV, 30, RED_ENV, 20))); return null; },
        "environment red is not routed by"));
    cases.add(bad("plan from blue to red, which the router does not map",
        f -> SwitchPlan.builder().router(f.listenerRouter()).from(BLUE_ENV).to(RED_ENV)
            .schedule(StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100)).build(),
        "environment red is not routed by aws/alb/", "map it in the router's configuration"));
    cases.add(bad("plan whose rollbackTo split sends traffic to red",
        f -> SwitchPlan.builder().router(f.listenerRouter()).from(BLUE_ENV).to(GREEN_ENV)
            .rollbackTo(TrafficSplit.of(BLUE_ENV, 90, RED_ENV, 10)).build(),
        "environment red is not routed by"));

    // TargetHealthGate
    cases.add(bad("TargetHealthGate minHealthyPercent 101", f -> f.targetHealth().minHealthyPercent(101), "minHealthyPercent 101 is out of range", "use 0 to 100"));
    cases.add(bad("TargetHealthGate minHealthyPercent -1", f -> f.targetHealth().minHealthyPercent(-1), "minHealthyPercent -1 is out of range", "use 0 to 100"));
    cases.add(bad("TargetHealthGate minHealthy 0", f -> f.targetHealth().minHealthy(0), "minHealthy 0 is below 1", "use 1 or more"));
    cases.add(bad("TargetHealthGate maxUnhealthy -1", f -> f.targetHealth().maxUnhealthy(-1), "maxUnhealthy -1 is negative", "use 0"));
    cases.add(bad("TargetHealthGate on a listener ARN instead of a target group", f -> TargetHealthGate.builder(f.elb, LISTENER),
        "is not a target group ARN", "it is a listener ARN, not a target group's", "expected arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>"));
    cases.add(bad("TargetHealthGate with a client built for eu-west-1 on a target group in us-east-1",
        f -> TargetHealthGate.builder(f.elbInEuWest1, GREEN).build(),
        "configured for region eu-west-1", "build the client with .region(Region.of(\"us-east-1\"))"));
    cases.add(bad("TargetHealthGate with a null client", f -> TargetHealthGate.builder(null, GREEN), "ElasticLoadBalancingV2Client is null"));
    cases.add(bad("TargetHealthGate named \"\"", f -> f.targetHealth().name(""), "gate name is blank"));
    cases.add(bad("TargetHealthGate callTimeout -1 ms", f -> f.targetHealth().callTimeout(Duration.ofMillis(-1)), "callTimeout must be positive"));

    // CloudWatchAlarmGate
    cases.add(bad("CloudWatchAlarmGate with no alarm", f -> f.alarms().build(), "watches no alarm", "call .alarm(\"name\") at least once"));
    cases.add(bad("CloudWatchAlarmGate with 101 alarms (DescribeAlarms takes 100 names)",
        f -> f.alarms().alarms(IntStream.rangeClosed(1, 101).mapToObj(i -> "shop-green-" + i).toList()).build(),
        "watches 101 alarms", "at most 100", "split them over several gates"));
    cases.add(bad("CloudWatchAlarmGate alarm name \" \"", f -> f.alarms().alarm(" "), "alarm name is blank"));
    cases.add(bad("CloudWatchAlarmGate alarm name of 256 characters", f -> f.alarms().alarm("a".repeat(256)), "longer than CloudWatch's 255 characters"));
    cases.add(bad("CloudWatchAlarmGate alarms((String[]) null)", f -> f.alarms().alarms((String[]) null), "alarm names is null"));
    cases.add(bad("CloudWatchAlarmGate insufficientDataAs(null)", f -> f.alarms().insufficientDataAs(null), "insufficientDataAs is null"));
    cases.add(bad("CloudWatchAlarmGate with a null client", f -> CloudWatchAlarmGate.builder(null), "CloudWatchClient is null"));
    cases.add(bad("CloudWatchAlarmGate callTimeout zero", f -> f.alarms().alarm("shop-green-5xx").callTimeout(Duration.ZERO), "callTimeout must be positive"));
    return cases.stream();
  }

  @BeforeAll
  static void start() {
    backend = FakeElb.start();
  }

  @AfterAll
  static void stop() {
    backend.close();
  }

  @DisplayName("rejected before any request:")
  @ParameterizedTest(name = "{0}")
  @MethodSource("catalogue")
  void rejectedBeforeAnyRequest(String input, Attempt attempt, List<String> hints) {
    backend.reset();
    try (Fixture f = new Fixture()) {
      Throwable thrown = catchThrowable(() -> attempt.run(f));

      long requestsSeen = backend.server().getAllServeEvents().size();
      assertThat(thrown).as(input).isInstanceOf(InvalidConfigurationException.class);
      for (String hint : hints) {
        assertThat(thrown.getMessage()).as(input).contains(hint);
      }
      assertThat(requestsSeen).as("requests that reached the backend after: " + input).isZero();
      assertThat(f.counter.total()).as("requests the clients sent after: " + input).isZero();
      EvidenceLog.badInput("bluegreen-aws", input, thrown.getMessage(), requestsSeen + f.counter.total());
    }
  }
}
