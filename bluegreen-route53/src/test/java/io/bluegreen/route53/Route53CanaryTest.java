package io.bluegreen.route53;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.bluegreen.core.BlueGreenException;
import io.bluegreen.core.DryRunReport;
import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.RetryPolicy;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.route53.gate.HealthCheckGate;
import io.bluegreen.route53.support.FakeRoute53;
import io.bluegreen.testkit.LogCapture;
import io.bluegreen.testkit.RecordingListener;
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
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * No secret leaves the process (Route 53): a Route 53 client with canary session credentials runs
 * real plans through the weighted-record router and the health-check gate at DEBUG, against a
 * Route 53 fake whose 401/403 replies, 5xx replies and a proxy's non-Route 53 pages echo the
 * credentials back. No canary may appear in a log line, an event, an exception message anywhere in
 * a cause chain, a {@code toString()} or a summary.
 */
class Route53CanaryTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final String NAME = "api.example.com.";
  private static final String RRSET = "/2013-04-01/hostedzone/[^/]+/rrset/?";
  private static final String HEALTH_CHECK = "2b1d6f3e-0c7a-4c55-9f0e-4d2a8b6c1e90";

  private final SecretCanaries canaries = new SecretCanaries()
      .excuseLogsOf("software.amazon.awssdk", "the AWS SDK's own DEBUG lines: its request signer logs the canonical request"
          + " with X-Amz-Security-Token, its retry strategy the service's error message (see the README: keep it at INFO)")
      .excuseLogsOf("org.eclipse.jetty", "WireMock's Jetty, the test's fake AWS endpoint, logs the request headers it receives");
  private final String accessKeyId = canaries.plant("AWS access key id", "ASIACANARYR53X9K4M1Z");
  private final String secretKey = canaries.plant("AWS secret key");
  private final String sessionToken = canaries.plant("AWS session token");
  private final VirtualClock clock = VirtualClock.create();
  private final RecordingListener events = new RecordingListener();
  private FakeRoute53 fake;
  private Route53Client client;
  private LogCapture logs;

  @BeforeEach
  void start() {
    assertThat(LogCapture.isInstalled()).as("the capturing SLF4J provider must be this JVM's (surefire sets slf4j.provider)").isTrue();
    fake = FakeRoute53.start("example.com");
    fake.addRecord("record-a-simple.xml", Map.of("name", NAME, "setId", "api-blue", "weight", "100", "ttl", "60", "value1", "192.0.2.10"));
    fake.addRecord("record-a-simple.xml", Map.of("name", NAME, "setId", "api-green", "weight", "0", "ttl", "60", "value1", "192.0.2.20"));
    fake.healthCheck(HEALTH_CHECK, "Success", "Success", "Success");
    client = Route53Client.builder().endpointOverride(fake.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(accessKeyId, secretKey, sessionToken)))
        .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(30)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    logs = LogCapture.start();
  }

  @AfterEach
  void stop() {
    logs.close();
    client.close();
    fake.close();
  }

  private WeightedRecordRouter router() {
    Map<Environment, String> ids = new LinkedHashMap<>();
    ids.put(BLUE, "api-blue");
    ids.put(GREEN, "api-green");
    return WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID).record(NAME, "A", ids).build();
  }

  private SwitchPlan.Builder plan(WeightedRecordRouter router) {
    return SwitchPlan.builder().name("route53-canary").router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100))
        .retry(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(100)).build())
        .rollbackRetry(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(100)).build())
        .gateInterval(Duration.ofSeconds(20)).clock(clock).sleeper(clock).listener(events);
  }

  private String echo() {
    return "The security token " + sessionToken + " of access key " + accessKeyId + " (secret " + secretKey
        + ") is invalid; see https://sts.example/?X-Amz-Security-Token=" + sessionToken;
  }

  /** Matching requests get a Route 53 error document whose message echoes the caller's credentials. */
  private void answer(String method, String path, int status, String code) {
    fake.wireMock().stubFor(request(method, urlPathMatching(path)).atPriority(1).willReturn(aResponse().withStatus(status)
        .withHeader("Content-Type", "text/xml").withBody("<?xml version=\"1.0\"?><ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
            + "<Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + echo() + "</Message></Error>"
            + "<RequestId>c0ffee00-0000-4000-8000-000000000002</RequestId></ErrorResponse>")));
  }

  /** Matching requests get a proxy's page (no Route 53 error document) echoing the credentials. */
  private StubMapping answerFromAProxy(String method, String path, int status) {
    return fake.wireMock().stubFor(request(method, urlPathMatching(path)).atPriority(1).willReturn(aResponse().withStatus(status)
        .withHeader("Content-Type", "text/html").withBody("<html><body><h1>Forbidden</h1><p>" + echo()
            + " Credential=" + accessKeyId + "/20260101/us-east-1/route53/aws4_request</p></body></html>")));
  }

  @Test
  void aCompletedPlanWithAHealthCheckGateLeaksNothing() {
    HealthCheckGate gate = HealthCheckGate.of(client, HEALTH_CHECK);
    WeightedRecordRouter router = router();
    DryRunReport report = plan(router).build().dryRun();
    SwitchResult result = plan(router).gate(gate).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertNoLeaks("completed plan", result, report, router, gate);
  }

  @Test
  void aWriteDenied403EchoingTheCredentialsChangesNothingAndLeaksNothing() {
    answer("POST", RRSET, 403, "AccessDenied");
    SwitchResult result = plan(router()).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(result.summary()).contains("nothing changed");
    assertThat(result.reason()).contains("AccessDenied");
    assertNoLeaks("403 on ChangeResourceRecordSets", result);
  }

  @Test
  void aProxysPagesOn5xxAnd401LeakNothing() {
    StubMapping proxy = answerFromAProxy("POST", RRSET, 502);
    SwitchResult retried = plan(router()).build().execute();
    assertThat(retried.outcome()).as(retried.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(retried.summary()).contains("nothing changed");

    fake.wireMock().removeStub(proxy);
    answerFromAProxy("GET", RRSET, 401);
    Throwable dryRun = catchThrowable(() -> plan(router()).build().dryRun());
    assertThat(dryRun).isInstanceOf(BlueGreenException.class);
    SwitchResult aborted = plan(router()).build().execute();
    assertThat(aborted.outcome()).as(aborted.summary()).isEqualTo(Outcome.ABORTED);
    assertNoLeaks("a proxy's 502 and 401 pages", retried, dryRun, aborted);
  }

  @Test
  void readsAnswered401FailTheDryRunAndThePlanWithoutLeaking() {
    answer("GET", "/2013-04-01/hostedzone/[^/]+", 401, "InvalidClientTokenId");
    answer("GET", RRSET, 401, "InvalidClientTokenId");
    Throwable dryRun = catchThrowable(() -> plan(router()).build().dryRun());
    assertThat(dryRun).isInstanceOf(BlueGreenException.class);
    SwitchResult result = plan(router()).build().execute();
    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertNoLeaks("401 on the reads", dryRun, result);
  }

  @Test
  void theHealthCheckGateFailingWithEchoedCredentialsLeaksNothing() {
    answer("GET", "/2013-04-01/healthcheck/.*", 403, "AccessDenied");
    HealthCheckGate gate = HealthCheckGate.of(client, HEALTH_CHECK);
    GateContext ctx = GateContext.builder().planName("p").routeId("r").phase(GateContext.Phase.STAGE).stage(1, 1)
        .from(BLUE).to(GREEN).split(TrafficSplit.allTo(BLUE)).now(Instant.EPOCH).build();
    GateResult r = gate.check(ctx);
    assertThat(r.isHealthy()).isFalse();
    SwitchResult result = plan(router()).gate(gate).build().execute();
    assertThat(result.outcome()).as("a refused read of the gate's health check stops the plan before its first write: " + result.summary())
        .isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("failed its preflight");
    assertNoLeaks("403 on GetHealthCheckStatus", r, result, gate);
  }

  private void assertNoLeaks(String where, Object... things) {
    canaries.check(where, things);
    canaries.check(where + ": events", events.events());
    canaries.checkLogs(logs);
    assertThat(logs.lines("io.bluegreen", Level.DEBUG)).as("DEBUG lines of bluegreen were captured").isNotEmpty();
    canaries.assertNoLeaks();
  }
}
