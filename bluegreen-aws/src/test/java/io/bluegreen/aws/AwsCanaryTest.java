package io.bluegreen.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.bluegreen.aws.gate.CloudWatchAlarmGate;
import io.bluegreen.aws.gate.CloudWatchMetricGate;
import io.bluegreen.aws.gate.TargetHealthGate;
import io.bluegreen.aws.support.FakeElb;
import io.bluegreen.core.BlueGreenException;
import io.bluegreen.core.DryRunReport;
import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.RetryPolicy;
import io.bluegreen.core.Router;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.analysis.Condition;
import io.bluegreen.testkit.LogCapture;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.SecretCanaries;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchServiceClientConfiguration;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsRequest;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * No secret leaves the process (AWS): an ELBv2 client with canary session credentials (access key
 * id, secret key, session token) runs real plans through both ALB routers, the target-health gate
 * and the CloudWatch alarm gate at DEBUG, against listeners and rules whose DescribeListeners /
 * DescribeRules replies carry an authenticate-oidc action with a canary client secret, and against
 * 401/403/400/5xx replies that echo the credentials and the client secret back. No canary may
 * appear in a log line, an event, an exception message anywhere in a cause chain, a {@code
 * toString()} or a summary.
 */
class AwsCanaryTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private final SecretCanaries canaries = new SecretCanaries()
      .excuseLogsOf("software.amazon.awssdk", "the AWS SDK's own DEBUG lines: its request signer logs the canonical request"
          + " with X-Amz-Security-Token, its retry strategy the service's error message (see the README: keep it at INFO)")
      .excuseLogsOf("org.eclipse.jetty", "WireMock's Jetty, the test's fake AWS endpoint, logs the request headers it receives");
  private final String accessKeyId = canaries.plant("AWS access key id", "ASIACANARY7Q2X9K4M1Z");
  private final String secretKey = canaries.plant("AWS secret key");
  private final String sessionToken = canaries.plant("AWS session token");
  private final String clientSecret = canaries.plant("OIDC client secret");
  private final StaticCredentialsProvider credentials =
      StaticCredentialsProvider.create(AwsSessionCredentials.create(accessKeyId, secretKey, sessionToken));
  private final VirtualClock clock = VirtualClock.create();
  private final RecordingListener events = new RecordingListener();
  private FakeElb elb;
  private ElasticLoadBalancingV2Client client;
  private LogCapture logs;

  @BeforeEach
  void start() {
    assertThat(LogCapture.isInstalled()).as("the capturing SLF4J provider must be this JVM's (surefire sets slf4j.provider)").isTrue();
    elb = FakeElb.start();
    Map<String, String> listener = new LinkedHashMap<>(elb.initialActions());
    listener.put("member.1.AuthenticateOidcConfig.ClientSecret", clientSecret);
    elb.listenerActions(listener);
    Map<String, String> rule = new LinkedHashMap<>();
    listener.forEach((k, v) -> {
      if (k.startsWith("member.1.")) {
        rule.put(k, v);
      }
    });
    elb.ruleActions().forEach((k, v) -> rule.put("member.2." + k.substring("member.1.".length()), v));
    rule.put("member.2.Order", "2");
    elb.ruleActions(rule);
    client = ElasticLoadBalancingV2Client.builder().endpointOverride(elb.endpoint()).region(Region.US_EAST_1).credentialsProvider(credentials)
        .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(20)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    logs = LogCapture.start();
  }

  @AfterEach
  void stop() {
    logs.close();
    client.close();
    elb.close();
  }

  private AlbListenerRouter listenerRouter() {
    return AlbListenerRouter.builder(client).listenerArn(FakeElb.LISTENER).environment(BLUE, FakeElb.BLUE).environment(GREEN, FakeElb.GREEN)
        .build();
  }

  private AlbRuleRouter ruleRouter() {
    return AlbRuleRouter.builder(client).ruleArn(FakeElb.RULE).environment(BLUE, FakeElb.BLUE).environment(GREEN, FakeElb.GREEN).build();
  }

  private SwitchPlan.Builder plan(Router router) {
    return SwitchPlan.builder().name("alb-canary").router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100))
        .retry(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(100)).build())
        .rollbackRetry(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(100)).build())
        .gateInterval(Duration.ofSeconds(20)).clock(clock).sleeper(clock).waitForClientConvergence(false).listener(events);
  }

  /**
   * The next requests of {@code action} get this error; its message echoes every secret the request
   * carried: the credentials always, the OIDC client secret when the request sent it (a write).
   */
  private StubMapping answer(String action, int status, String code) {
    boolean write = action.startsWith("Modify");
    String message = "User with access key " + accessKeyId + " (secret " + secretKey + ", session " + sessionToken + ") may not "
        + (write ? "set ClientSecret " + clientSecret : "call " + action) + "; see https://iam.example/?X-Amz-Security-Token=" + sessionToken;
    return elb.server().stubFor(post(anyUrl()).withRequestBody(containing("Action=" + action)).atPriority(1)
        .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "text/xml").withBody(
            "<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message
                + "</Message></Error><RequestId>c0ffee00-0000-4000-8000-000000000001</RequestId></ErrorResponse>")));
  }

  /** The next requests of {@code action} get a reply that is no AWS error document (a proxy's page) echoing the credentials. */
  private void answerFromAProxy(String action, int status) {
    elb.server().stubFor(post(anyUrl()).withRequestBody(containing("Action=" + action)).atPriority(1)
        .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "text/html").withBody(
            "<html><body>denied: X-Amz-Security-Token: " + sessionToken + " Credential=" + accessKeyId + "/20260101/us-east-1</body></html>")));
  }

  @Test
  void completedPlansOnAListenerAndARuleWithAnOidcClientSecretLeakNothing() {
    TargetHealthGate health = TargetHealthGate.builder(client, FakeElb.GREEN).build();
    for (Router router : new Router[] {listenerRouter(), ruleRouter()}) {
      DryRunReport report = plan(router).build().dryRun();
      SwitchResult result = plan(router).preSwitchGate(health).gate(health).build().execute();
      assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      canaries.check("completed plan on " + router.routeId(), result, report, router);
    }
    assertThat(elb.requests("ModifyListener").get(0)).as("the OIDC action was sent back with its secret, untouched")
        .containsEntry("DefaultActions.member.1.AuthenticateOidcConfig.ClientSecret", clientSecret);
    assertNoLeaks("completed plans", health, client);
  }

  @Test
  void aWriteDenied403EchoingTheCredentialsChangesNothingAndLeaksNothing() {
    answer("ModifyListener", 403, "AccessDenied");
    SwitchResult result = plan(listenerRouter()).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(result.summary()).contains("nothing changed");
    assertThat(result.reason()).contains("AccessDenied");
    assertNoLeaks("403 on ModifyListener", result);
  }

  @Test
  void aValidationErrorEchoingTheClientSecretAndA5xxFromAProxyLeakNothing() {
    StubMapping validation = answer("ModifyRule", 400, "ValidationError");
    SwitchResult invalid = plan(ruleRouter()).build().execute();
    assertThat(invalid.outcome()).as(invalid.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(invalid.summary()).contains("nothing changed");

    elb.server().removeStub(validation);
    answerFromAProxy("ModifyListener", 503);
    SwitchResult proxied = plan(listenerRouter()).build().execute();
    assertThat(proxied.outcome()).as(proxied.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(proxied.summary()).contains("nothing changed");
    assertNoLeaks("400 ValidationError and a proxy's 503", invalid, proxied);
  }

  @Test
  void readsAnswered401FailDryRunsAndPlansWithoutLeaking() {
    answer("DescribeListeners", 401, "InvalidClientTokenId");
    answer("DescribeRules", 401, "ExpiredToken");
    for (Router router : new Router[] {listenerRouter(), ruleRouter()}) {
      Throwable dryRun = catchThrowable(() -> plan(router).build().dryRun());
      assertThat(dryRun).as(router.routeId()).isInstanceOf(BlueGreenException.class);
      SwitchResult result = plan(router).build().execute();
      assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
      canaries.check("401 on the reads of " + router.routeId(), dryRun, result);
    }
    assertNoLeaks("401 on every read");
  }

  @Test
  void gatesFailingWithEchoedCredentialsLeakNothing() {
    answer("DescribeTargetHealth", 403, "AccessDenied");
    GateContext ctx = GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 1)
        .from(BLUE).to(GREEN).split(TrafficSplit.allTo(BLUE)).now(Instant.EPOCH).build();
    TargetHealthGate health = TargetHealthGate.builder(client, FakeElb.GREEN).build();
    GateResult healthResult = health.check(ctx);
    assertThat(healthResult.isHealthy()).isFalse();

    CloudWatchClient cloudWatch = new EchoingCloudWatch();
    CloudWatchAlarmGate alarms = CloudWatchAlarmGate.builder(cloudWatch).alarm("shop-5xx").build();
    GateResult alarmResult = alarms.check(ctx);
    assertThat(alarmResult.isHealthy()).isFalse();
    CloudWatchMetricGate ratio = CloudWatchMetricGate.albTarget5xxRatio(cloudWatch, "app/shop/50dc6c495c0c9188",
        "targetgroup/shop-green/2453ed029918f21f").successCondition(Condition.below(0.01)).build();
    GateResult ratioResult = ratio.check(ctx);
    assertThat(ratioResult.isHealthy()).isFalse();

    AlbListenerRouter router = AlbListenerRouter.builder(client).listenerArn(FakeElb.LISTENER).environment(BLUE, FakeElb.BLUE)
        .environment(GREEN, FakeElb.GREEN).minHealthyTargets(0).build();
    SwitchResult result = plan(router).gate(ScriptedGate.healthy()).gate(health).gate(alarms).gate(ratio).gateGrace(Duration.ofMinutes(1))
        .build().execute();
    assertThat(result.outcome()).as(result.summary()).isIn(Outcome.ROLLED_BACK, Outcome.ABORTED);
    assertNoLeaks("403 on the gates' reads", healthResult, alarmResult, ratioResult, result, health, alarms, ratio);
  }

  /** A CloudWatch client whose calls fail with an error echoing its caller's credentials, as a real client's would. */
  private final class EchoingCloudWatch implements CloudWatchClient {
    @Override
    public DescribeAlarmsResponse describeAlarms(DescribeAlarmsRequest request) {
      throw echoing();
    }

    private CloudWatchException echoing() {
      String message = "The security token " + sessionToken + " of " + accessKeyId + " is invalid";
      return (CloudWatchException) CloudWatchException.builder().statusCode(403).message(message)
          .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidClientTokenId").errorMessage(message).serviceName("CloudWatch")
              .rawResponse(SdkBytes.fromUtf8String("{\"message\":\"" + message + " secret " + secretKey + "\"}")).build())
          .build();
    }

    @Override
    public GetMetricDataResponse getMetricData(GetMetricDataRequest request) {
      throw echoing();
    }

    @Override
    public CloudWatchServiceClientConfiguration serviceClientConfiguration() {
      return CloudWatchServiceClientConfiguration.builder().region(Region.US_EAST_1).credentialsProvider(credentials).build();
    }

    @Override
    public String serviceName() {
      return "cloudwatch";
    }

    @Override
    public void close() {
    }
  }

  private void assertNoLeaks(String where, Object... things) {
    canaries.check(where, things);
    canaries.check(where + ": events", events.events());
    canaries.checkLogs(logs);
    assertThat(logs.lines("io.bluegreen", Level.DEBUG)).as("DEBUG lines of bluegreen were captured").isNotEmpty();
    canaries.assertNoLeaks();
  }
}
