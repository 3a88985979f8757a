package io.bluegreen.route53;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.PreflightReport;
import io.bluegreen.core.RetryPolicy;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.Verification;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.route53.support.FakeRoute53;
import io.bluegreen.route53.support.RequestCounter;
import io.bluegreen.route53.support.Route53Clients;
import io.bluegreen.route53.support.SlowCallFault;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.Route53Client;
import io.bluegreen.route53.support.MotoRoute53;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ChangeResourceRecordSetsRequest;

/**
 * The router against a scripted Route 53 on WireMock: what moto cannot show (PENDING changes,
 * throttling, PriorRequestNotComplete, TTLs and exact weights on rollback), through the real SDK
 * client with its own retries off, so every retry seen is the engine's.
 */
class WeightedRecordRouterWireMockTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final String NAME = "api.example.com.";
  private static final String RRSET = "/2013-04-01/hostedzone/[^/]+/rrset/?";
  private static final String GET_CHANGE = "/2013-04-01/change/.*";

  private FakeRoute53 fake;
  private RequestCounter counter;
  private Route53Client client;

  @BeforeEach
  void start() {
    fake = FakeRoute53.start("example.com");
    counter = new RequestCounter();
    client = Route53Clients.create(fake.endpoint(), counter);
  }

  @AfterEach
  void stop() {
    client.close();
    fake.close();
  }

  private void records(long blueWeight, long greenWeight, long ttl) {
    fake.addRecord("record-a-simple.xml", Map.of("name", NAME, "setId", "api-blue", "weight", "" + blueWeight, "ttl", "" + ttl,
        "value1", "192.0.2.10"));
    fake.addRecord("record-a-simple.xml", Map.of("name", NAME, "setId", "api-green", "weight", "" + greenWeight, "ttl", "" + ttl,
        "value1", "192.0.2.20"));
  }

  private static Map<Environment, String> ids(String prefix) {
    Map<Environment, String> m = new LinkedHashMap<>();
    m.put(BLUE, prefix + "-blue");
    m.put(GREEN, prefix + "-green");
    return m;
  }

  private WeightedRecordRouter router() {
    return WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID).record(NAME, "A", ids("api")).build();
  }

  private static SwitchPlan.Builder plan(WeightedRecordRouter router, StageSchedule schedule, VirtualClock clock, HealthGate gate) {
    return SwitchPlan.builder().name("wiremock").router(router).from(BLUE).to(GREEN).schedule(schedule).gate(gate)
        .gateInterval(Duration.ofSeconds(10)).lock(new InProcessRouteLock()).time(clock)
        .retry(RetryPolicy.builder().maxAttempts(4).build());
  }

  /** @return the Weight values of each ChangeResourceRecordSets request, in order, as "blue/green" */
  private List<String> writtenWeights() {
    Pattern p = Pattern.compile("<SetIdentifier>api-(blue|green)</SetIdentifier><Weight>(\\d+)</Weight>");
    return fake.changeRequestBodies().stream().map(body -> {
      Map<String, String> w = new LinkedHashMap<>();
      Matcher m = p.matcher(body);
      while (m.find()) {
        w.put(m.group(1), m.group(2));
      }
      return w.get("blue") + "/" + w.get("green");
    }).toList();
  }

  @Test
  void verifyIsPendingWhileTheChangeIsPendingAndNeverLoopsItself() {
    records(100, 0, 60);
    WeightedRecordRouter router = router();
    TrafficSplit target = TrafficSplit.allTo(GREEN, BLUE);
    router.apply(target);
    fake.answerGetChange("PENDING");
    int before = fake.count("GET", GET_CHANGE);

    Verification v = router.verify(target);

    assertThat(v.status()).isEqualTo(Verification.Status.PENDING);
    assertThat(v.detail()).matches("change C\\d+ is PENDING");
    assertThat(fake.count("GET", GET_CHANGE) - before).as("one GetChange per verify call, no loop").isEqualTo(1);
    assertThat(router.verify(target).isVerified()).isTrue();
  }

  @Test
  void getChangePendingTwiceThenInsyncMakesThePlanWaitThenProceed() {
    records(100, 0, 60);
    fake.answerGetChange("PENDING", "PENDING");
    VirtualClock clock = VirtualClock.create();

    SwitchResult result = plan(router(), StageSchedule.allAtOnce(), clock, ScriptedGate.healthy())
        .waitForClientConvergence(false).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(fake.count("GET", GET_CHANGE)).as("PENDING, PENDING, INSYNC").isEqualTo(3);
    SwitchEvent.StageVerified verified = result.events(SwitchEvent.StageVerified.class).get(0);
    // the first GetChange answers the write itself (its WriteResult is PENDING); the plan then polls
    // verify with backoff: PENDING at once, INSYNC 200 ms later
    assertThat(verified.took()).as("the plan waited with backoff (200 ms) before INSYNC")
        .isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(fake.weight(NAME, "api-green")).isEqualTo(100);
    assertThat(fake.weight(NAME, "api-blue")).isZero();
  }

  @Test
  void throttlingIsRetriedByThePlanThenSucceeds() {
    records(100, 0, 60);
    fake.failNext("POST", RRSET, 400, "Throttling", "Rate exceeded", 1);

    SwitchResult result = plan(router(), StageSchedule.allAtOnce(), VirtualClock.create(), ScriptedGate.healthy())
        .waitForClientConvergence(false).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(fake.writes()).as("one throttled write, one that landed").isEqualTo(2);
    assertThat(result.events(SwitchEvent.RetryScheduled.class)).singleElement()
        .satisfies(r -> assertThat(r.error()).contains("Throttling").contains("Rate exceeded"));
    assertThat(fake.weight(NAME, "api-green")).isEqualTo(100);
  }

  @Test
  void priorRequestNotCompleteIsRetriedByThePlanThenSucceeds() {
    records(100, 0, 60);
    fake.failNext("POST", RRSET, 400, "PriorRequestNotComplete",
        "The request was rejected because Route 53 was still processing a prior request.", 2);

    SwitchResult result = plan(router(), StageSchedule.allAtOnce(), VirtualClock.create(), ScriptedGate.healthy())
        .waitForClientConvergence(false).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(fake.writes()).isEqualTo(3);
    assertThat(result.events(SwitchEvent.RetryScheduled.class)).hasSize(2)
        .allSatisfy(r -> assertThat(r.error()).contains("PriorRequestNotComplete"));
    assertThat(fake.weight(NAME, "api-green")).isEqualTo(100);
  }

  @Test
  void throttlingOnReadsIsTransientToo() {
    records(100, 0, 60);
    fake.failNext("GET", RRSET, 400, "Throttling", "Rate exceeded", 1);
    WeightedRecordRouter router = router();

    assertThatThrownBy(router::current).isInstanceOfSatisfying(RouterException.class,
        e -> assertThat(e.isTransient()).isTrue());
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE));
  }

  @Test
  void serverErrorsAreTransient() {
    records(100, 0, 60);
    fake.failNext("GET", RRSET, 503, "ServiceUnavailable", "try again", 1);
    assertThatThrownBy(router()::current).isInstanceOfSatisfying(RouterException.class, e -> {
      assertThat(e.isTransient()).isTrue();
      assertThat(e.getMessage()).contains("ServiceUnavailable").contains("503");
    });
  }

  /**
   * Only the first ChangeResourceRecordSets gets a short (400 ms) timeout, and only it is answered late
   * (3 s): every other call keeps 30 s, which no loaded machine comes near (a 400 ms timeout on every
   * call once timed out an ordinary read).
   */
  private static SlowCallFault firstWriteTimesOut() {
    return new SlowCallFault(r -> r instanceof ChangeResourceRecordSetsRequest, true, Duration.ofMillis(400));
  }

  /** Route 53 applies the first write marked by {@link #firstWriteTimesOut()}, but replies after the client gave up. */
  private void theFirstMarkedWriteLandsButAnswersLate() {
    fake.wireMock().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
        com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching(RRSET)).atPriority(1)
        .withHeader(SlowCallFault.HEADER, com.github.tomakehurst.wiremock.client.WireMock.equalTo("1"))
        .inScenario("late").whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED).willSetStateTo("spent")
        .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withTransformers("route53-fake").withFixedDelay(3000)));
  }

  @Test
  void aWriteThatLandsButAnswersAfterTheCallTimeoutIsWrittenAgainWhenRetriedSoThatItsInsyncCanBeAwaited() {
    records(100, 0, 60);
    assertThat(router().current()).as("warm-up: load the SDK before calls with a 400 ms timeout").isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    // Route 53 applies the write, but its reply (with the change id) comes after the client gave up
    theFirstMarkedWriteLandsButAnswersLate();
    try (Route53Client impatient = Route53Clients.createWith(fake.endpoint(), Duration.ofSeconds(30), firstWriteTimesOut())) {
      WeightedRecordRouter router = WeightedRecordRouter.builder(impatient).hostedZoneId(FakeRoute53.ZONE_ID)
          .record(NAME, "A", ids("api")).build();
      TrafficSplit target = TrafficSplit.allTo(GREEN, BLUE);

      assertThatThrownBy(() -> router.apply(target)).isInstanceOfSatisfying(RouterException.class, e -> {
        assertThat(e.isTransient()).isTrue();
        assertThat(e.getMessage()).contains("ChangeResourceRecordSets").contains("timed out");
      });
      assertThat(fake.weight(NAME, "api-green")).as("the write landed all the same").isEqualTo(100);
      fake.answerGetChange("PENDING");

      router.apply(target); // the retry: the records already read as the target

      assertThat(writtenWeights()).as("written again, unchanged, to get a change id").containsExactly("0/100", "0/100");
      assertThat(router.verify(target).status()).as("the new change is PENDING").isEqualTo(Verification.Status.PENDING);
      assertThat(router.verify(target).isVerified()).isTrue();
      assertThat(fake.count("GET", GET_CHANGE)).isEqualTo(2);

      router.apply(target);
      assertThat(fake.writes()).as("once answered, an apply of the split in place writes nothing").isEqualTo(2);
    }
  }

  @Test
  void aWriteThatTimesOutWithoutLandingIsWrittenOnceWhenRetried() {
    records(100, 0, 60);
    assertThat(router().current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    fake.wireMock().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
        com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching(RRSET)).atPriority(1)
        .withHeader(SlowCallFault.HEADER, com.github.tomakehurst.wiremock.client.WireMock.equalTo("1"))
        .inScenario("late").whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED).willSetStateTo("spent")
        .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200).withFixedDelay(3000)));
    try (Route53Client impatient = Route53Clients.createWith(fake.endpoint(), Duration.ofSeconds(30), firstWriteTimesOut())) {
      WeightedRecordRouter router = WeightedRecordRouter.builder(impatient).hostedZoneId(FakeRoute53.ZONE_ID)
          .record(NAME, "A", ids("api")).build();
      TrafficSplit target = TrafficSplit.allTo(GREEN, BLUE);

      assertThatThrownBy(() -> router.apply(target)).isInstanceOf(RouterException.class);
      assertThat(fake.weight(NAME, "api-green")).isZero();
      router.apply(target);
      router.apply(target);

      assertThat(fake.writes()).as("the lost write, then one that landed; nothing after").isEqualTo(2);
      assertThat(router.verify(target).isVerified()).isTrue();
    }
  }

  @Test
  void anHtmlErrorPageFromAProxyIsReportedAsSuchNotAsARoute53ErrorCode() {
    records(100, 0, 60);
    fake.wireMock().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
        com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching(RRSET)).atPriority(1)
        .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(502).withHeader("Content-Type", "text/html")
            .withBody("<html>\n<head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1></body>\n</html>")));

    assertThatThrownBy(router()::current).isInstanceOfSatisfying(RouterException.class, e -> {
      assertThat(e.isTransient()).isTrue();
      assertThat(e.getMessage()).contains("failed: HTTP 502: the reply is not a Route 53 error document")
          .contains("<title>502 Bad Gateway</title>").doesNotContain("failed: html");
    });
  }

  @Test
  void invalidChangeBatchFailsFastWithTheAwsMessageAndNothingChanges() {
    records(100, 0, 60);
    fake.failNext("POST", RRSET, 400, "InvalidChangeBatch", "[RRSet with DNS name api.example.com. is not permitted]", 1);

    SwitchResult result = plan(router(), StageSchedule.allAtOnce(), VirtualClock.create(), ScriptedGate.healthy())
        .build().execute();

    // the batch was refused and the records read back as found: nothing changed, nothing to roll back
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("nothing changed");
    assertThat(result.writes()).isZero();
    assertThat(fake.writes()).as("no retry of a permanent failure; no rollback write").isEqualTo(1);
    assertThat(result.events(SwitchEvent.RetryScheduled.class)).isEmpty();
    assertThat(result.reason()).contains("InvalidChangeBatch").contains("is not permitted");
    assertThat(fake.weight(NAME, "api-blue")).isEqualTo(100);
  }

  @Test
  void theOlderInvalidChangeBatchFormatStillYieldsTheCodeAndMessages() {
    records(100, 0, 60);
    fake.wireMock().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
        com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching(RRSET)).atPriority(1)
        .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(400).withHeader("Content-Type", "text/xml")
            .withBody(FakeRoute53.template("invalid-change-batch-legacy.xml"))));

    assertThatThrownBy(() -> router().apply(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOfSatisfying(RouterException.class, e -> {
      assertThat(e.isTransient()).isFalse();
      assertThat(e.getMessage()).contains("InvalidChangeBatch").contains("but it was not found");
    });
  }

  @Test
  void noSuchHostedZoneFailsFast() {
    records(100, 0, 60);
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId("/hostedzone/Z9MISSING")
        .record(NAME, "A", ids("api")).build();

    SwitchResult result = plan(router, StageSchedule.allAtOnce(), VirtualClock.create(), ScriptedGate.healthy()).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("NoSuchHostedZone").contains("Z9MISSING").contains("hostedZoneId");
    assertThat(counter.count("ListResourceRecordSets")).as("no retry").isEqualTo(1);
    assertThat(fake.writes()).isZero();
  }

  @Test
  void aTtlOf60sMakesTheFinalBakeAtLeast60s() {
    records(100, 0, 60);
    WeightedRecordRouter router = router();
    assertThat(router.maxTtl()).isEqualTo(Duration.ofSeconds(60));
    VirtualClock clock = VirtualClock.create();

    SwitchResult result = plan(router, StageSchedule.targetWeights(Duration.ofSeconds(10), 50, 100), clock, ScriptedGate.healthy())
        .build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(result.events(SwitchEvent.PreflightPassed.class).get(0).clientConvergence()).isEqualTo(Duration.ofSeconds(60));
    Instant verified = result.events(SwitchEvent.StageVerified.class).get(1).at();
    Instant completed = result.events(SwitchEvent.StageCompleted.class).get(1).at();
    assertThat(Duration.between(verified, completed)).as("final bake").isGreaterThanOrEqualTo(Duration.ofSeconds(60));
    Instant firstVerified = result.events(SwitchEvent.StageVerified.class).get(0).at();
    Instant firstCompleted = result.events(SwitchEvent.StageCompleted.class).get(0).at();
    assertThat(Duration.between(firstVerified, firstCompleted)).as("earlier stages keep their hold").isLessThan(Duration.ofSeconds(60));
    assertThat(result.clientsFollowBy()).contains(verified.plusSeconds(60));
    assertThat(result.events(SwitchEvent.Notice.class)).anySatisfy(n -> assertThat(n.message()).contains("TTL").contains("60s"));
  }

  @Test
  void theFinalBakeFollowsTheHoldWhenClientConvergenceIsNotAwaited() {
    records(100, 0, 60);
    SwitchResult result = plan(router(), StageSchedule.targetWeights(Duration.ofSeconds(10), 50, 100), VirtualClock.create(),
        ScriptedGate.healthy()).waitForClientConvergence(false).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    Instant verified = result.events(SwitchEvent.StageVerified.class).get(1).at();
    Instant completed = result.events(SwitchEvent.StageCompleted.class).get(1).at();
    assertThat(Duration.between(verified, completed)).isLessThan(Duration.ofSeconds(60));
    assertThat(result.clientsFollowBy()).as("still reported").contains(verified.plusSeconds(60));
  }

  @Test
  void aliasRecordsCountAsTheConfiguredAliasTtl() {
    fake.addRecord("record-alias.xml", Map.of("name", NAME, "setId", "api-blue", "weight", "100", "target", "blue-lb.example.net."));
    fake.addRecord("record-alias.xml", Map.of("name", NAME, "setId", "api-green", "weight", "0", "target", "green-lb.example.net."));
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID)
        .record(NAME, "A", ids("api")).aliasTtl(Duration.ofSeconds(45)).build();

    PreflightReport report = router.preflight(TrafficSplit.allTo(GREEN, BLUE));

    assertThat(report.clientConvergence()).isEqualTo(Duration.ofSeconds(45));
    assertThat(report.notices()).anySatisfy(n -> assertThat(n).contains("alias").contains("45s"));
  }

  @Test
  void aGateFailureAtStage2RollsBackToTheExactPriorWeights() {
    records(200, 55, 60); // read as blue=78 green=22: not plain percents
    WeightedRecordRouter router = router();
    assertThat(router.current()).isEqualTo(TrafficSplit.of(BLUE, 78, GREEN, 22));

    SwitchResult result = plan(router, StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 75, 100), VirtualClock.create(),
        ScriptedGate.unhealthyDuringStage(2, "green error rate 9%")).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.failedStage()).contains(2);
    assertThat(writtenWeights()).containsExactly("50/50", "25/75", "200/55");
    assertThat(fake.weight(NAME, "api-blue")).isEqualTo(200);
    assertThat(fake.weight(NAME, "api-green")).isEqualTo(55);
    assertThat(result.trafficNow()).contains(TrafficSplit.of(BLUE, 78, GREEN, 22));
    assertThat(result.isTrafficNowVerified()).isTrue();
  }

  @Test
  void aWriteFailureAtStage2RollsBackToTheExactPriorWeights() {
    records(100, 0, 60);
    fake.failAfter(1, "POST", RRSET, 400, "InvalidChangeBatch", "[Tried to upsert a record that was modified]", 1);

    SwitchResult result = plan(router(), StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 50, 100), VirtualClock.create(),
        ScriptedGate.healthy()).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.failedStage()).contains(2);
    assertThat(writtenWeights()).as("stage 1, failed stage 2, rollback").containsExactly("90/10", "50/50", "100/0");
    assertThat(fake.weight(NAME, "api-blue")).isEqualTo(100);
    assertThat(fake.weight(NAME, "api-green")).isZero();
    assertThat(result.trafficNow()).contains(TrafficSplit.allTo(BLUE));
  }

  @Test
  void everyNonWeightFieldIsKeptByteForByteThroughASwitchAndARollback() throws Exception {
    String hc = "2b1d6f3e-0c7a-4c55-9f0e-4d2a8b6c1e90";
    String alias = "alias.example.com.";
    fake.addRecord("record-a.xml", Map.of("name", NAME, "setId", "api-blue", "weight", "100", "ttl", "300",
        "value1", "192.0.2.10", "value2", "192.0.2.11", "healthCheckId", "0d9e6a8c-59a5-4a0c-a3ee-2f04d9d4b7c1"));
    fake.addRecord("record-a.xml", Map.of("name", NAME, "setId", "api-green", "weight", "0", "ttl", "300",
        "value1", "192.0.2.20", "value2", "192.0.2.21", "healthCheckId", hc));
    fake.addRecord("record-alias.xml", Map.of("name", alias, "setId", "alias-blue", "weight", "100", "target", "blue-lb.example.net."));
    fake.addRecord("record-alias.xml", Map.of("name", alias, "setId", "alias-green", "weight", "0", "target", "green-lb.example.net."));
    fake.healthCheck(hc, "Success: HTTP Status Code 200, OK", "Success: HTTP Status Code 200, OK");
    fake.healthCheck("0d9e6a8c-59a5-4a0c-a3ee-2f04d9d4b7c1", "Success: HTTP Status Code 200, OK");
    Map<String, String> before = new LinkedHashMap<>();
    for (String[] r : new String[][] {{NAME, "api-blue"}, {NAME, "api-green"}, {alias, "alias-blue"}, {alias, "alias-green"}}) {
      before.put(r[0] + r[1], fake.recordXml(r[0], r[1]));
    }
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID)
        .record(NAME, "A", ids("api")).record(alias, "A", ids("alias")).build();

    SwitchResult switched = plan(router, StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100), VirtualClock.create(),
        ScriptedGate.healthy()).build().execute();
    assertThat(switched.outcome()).as(switched.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(fake.writes()).as("both groups in one request per stage").isEqualTo(2);
    assertSameExceptWeight(before);

    VirtualClock clock = VirtualClock.create();
    SwitchResult back = SwitchPlan.builder().router(router).from(GREEN).to(BLUE).schedule(StageSchedule.allAtOnce())
        .gate(ScriptedGate.unhealthyDuringStage(1, "blue broke")).lock(new InProcessRouteLock())
        .time(clock).build().execute();
    assertThat(back.outcome()).as(back.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(fake.weight(NAME, "api-green")).isEqualTo(100);
    assertSameExceptWeight(before);
  }

  private void assertSameExceptWeight(Map<String, String> before) {
    for (var e : before.entrySet()) {
      String name = e.getKey().startsWith(NAME) ? NAME : "alias.example.com.";
      String setId = e.getKey().substring(name.length());
      String now = fake.recordXml(name, setId);
      assertThat(withoutWeight(now)).as("record " + setId + " except Weight, byte for byte").isEqualTo(withoutWeight(e.getValue()));
    }
  }

  private static String withoutWeight(String xml) {
    return xml.replaceAll("<Weight>\\d+</Weight>", "<Weight/>");
  }

  @Test
  void followsNextRecordIdentifierAcrossPages() {
    // an unmapped weight-0 record first: the page of 2 ends inside the group
    fake.addRecord("record-a-simple.xml", Map.of("name", NAME, "setId", "api-spare", "weight", "0", "ttl", "60", "value1", "192.0.2.99"));
    records(30, 70, 60);
    fake.addRecord("record-a-simple.xml", Map.of("name", "zzz.example.com.", "setId", "other", "weight", "1", "ttl", "60", "value1", "192.0.2.1"));

    assertThat(router().current()).isEqualTo(TrafficSplit.of(BLUE, 30, GREEN, 70));

    var lists = fake.wireMock().getAllServeEvents().stream().map(e -> e.getRequest())
        .filter(r -> r.getMethod().getName().equals("GET") && r.getUrl().contains("/rrset")).toList();
    assertThat(lists).hasSize(2);
    assertThat(lists).anySatisfy(r -> assertThat(r.queryParameter("identifier").firstValue()).isEqualTo("api-green"));
  }

  @Test
  void anUnmappedWeightedRecordWithWeightMakesTheSplitUnknowable() {
    records(100, 0, 60);
    fake.addRecord("record-a-simple.xml", Map.of("name", NAME, "setId", "api-canary", "weight", "5", "ttl", "60", "value1", "192.0.2.5"));
    assertThatThrownBy(router()::current).isInstanceOfSatisfying(RouterException.class, e -> {
      assertThat(e.isTransient()).isFalse();
      assertThat(e.getMessage()).contains("api-canary").contains("weight 5").contains("map it");
    });
  }

  @Test
  void allZeroWeightsReadAsAnEqualSpreadAndAreNeverWritten() {
    records(0, 0, 60);
    WeightedRecordRouter router = router();
    assertThat(router.current()).as("Route 53 spreads all-zero weights equally").isEqualTo(TrafficSplit.of(BLUE, 50, GREEN, 50));

    router.apply(TrafficSplit.allTo(GREEN, BLUE));

    assertThat(writtenWeights()).containsExactly("0/100");
  }

  @Test
  void preflightRejectsAnUnhealthyTargetHealthCheckAndWritesNothing() {
    String hc = "2b1d6f3e-0c7a-4c55-9f0e-4d2a8b6c1e90";
    fake.addRecord("record-a-simple.xml", Map.of("name", NAME, "setId", "api-blue", "weight", "100", "ttl", "60", "value1", "192.0.2.10"));
    fake.addRecord("record-a.xml", Map.of("name", NAME, "setId", "api-green", "weight", "0", "ttl", "60",
        "value1", "192.0.2.20", "value2", "192.0.2.21", "healthCheckId", hc));
    fake.healthCheck(hc, "Failure: HTTP Status Code 503, Service Unavailable", "Failure: Connection timed out",
        "Success: HTTP Status Code 200, OK");

    SwitchResult result = plan(router(), StageSchedule.allAtOnce(), VirtualClock.create(), ScriptedGate.healthy()).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains(hc).contains("1/3").contains("api-green").contains("Nothing was written");
    assertThat(fake.writes()).isZero();
  }

  @Test
  void preflightChecksTheZoneAndEveryRecordWithoutWriting() {
    fake.addRecord("record-a-simple.xml", Map.of("name", NAME, "setId", "api-blue", "weight", "100", "ttl", "60", "value1", "192.0.2.10"));
    WeightedRecordRouter missingGreen = router();
    assertThatThrownBy(() -> missingGreen.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("api-green").hasMessageContaining("create that weighted record");

    WeightedRecordRouter otherZone = WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID)
        .record("api.example.org", "A", ids("api")).build();
    assertThatThrownBy(() -> otherZone.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("api.example.org. is not inside zone");

    WeightedRecordRouter noZone = WeightedRecordRouter.builder(client).hostedZoneId("Z9MISSING").record(NAME, "A", ids("api")).build();
    assertThatThrownBy(() -> noZone.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("Z9MISSING does not exist");
    assertThat(fake.writes()).isZero();
  }

  @Test
  void aMultiRequestWriteIsVerifiedOnEveryChangeId() {
    fake.addRecord("record-a-simple.xml", Map.of("name", "a.example.com.", "setId", "a-blue", "weight", "100", "ttl", "60", "value1", "192.0.2.1"));
    fake.addRecord("record-a-simple.xml", Map.of("name", "a.example.com.", "setId", "a-green", "weight", "0", "ttl", "60", "value1", "192.0.2.2"));
    fake.addRecord("record-a-simple.xml", Map.of("name", "b.example.com.", "setId", "b-blue", "weight", "100", "ttl", "60", "value1", "192.0.2.3"));
    fake.addRecord("record-a-simple.xml", Map.of("name", "b.example.com.", "setId", "b-green", "weight", "0", "ttl", "60", "value1", "192.0.2.4"));
    fake.addRecord("record-a-simple.xml", Map.of("name", "c.example.com.", "setId", "c-blue", "weight", "100", "ttl", "60", "value1", "192.0.2.5"));
    fake.addRecord("record-a-simple.xml", Map.of("name", "c.example.com.", "setId", "c-green", "weight", "0", "ttl", "60", "value1", "192.0.2.6"));
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID)
        .record("a.example.com", "A", ids("a")).record("b.example.com", "A", ids("b")).record("c.example.com", "A", ids("c"))
        .changeBatchLimits(ChangeBatchLimits.builder().maxResourceRecordElements(4).build()) // one group per request
        .build();
    TrafficSplit target = TrafficSplit.allTo(GREEN, BLUE);

    router.apply(target);
    assertThat(fake.writes()).isEqualTo(3);
    fake.answerGetChange("INSYNC", "PENDING");

    Verification first = router.verify(target);
    assertThat(first.status()).isEqualTo(Verification.Status.PENDING);
    assertThat(first.detail()).contains("C00000002 is PENDING").contains("2 of 3 requests not yet INSYNC");
    Verification second = router.verify(target);
    assertThat(second.isVerified()).isTrue();
    List<String> asked = fake.wireMock().getAllServeEvents().stream().map(e -> e.getRequest().getUrl())
        .filter(u -> u.startsWith("/2013-04-01/change/")).toList();
    assertThat(asked).containsExactlyInAnyOrder("/2013-04-01/change/C00000001", "/2013-04-01/change/C00000002",
        "/2013-04-01/change/C00000002", "/2013-04-01/change/C00000003");
  }

  // -------------------------------------------------------------------------------------------
  // conditionalWrites(true): FakeRoute53 does not compare a DELETE with the records, so Route 53's
  // refusal is scripted with its own error; another writer's change is made through a client of its own

  private static final String DELETE_MISMATCH = "Tried to delete resource record set [name='api.example.com.', type='A',"
      + " set-identifier='api-blue'] but the values provided do not match the current values";

  private WeightedRecordRouter conditionalRouter() {
    return WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID).record(NAME, "A", ids("api"))
        .conditionalWrites(true).endpointEnforcesExactDeletes(true).build();
  }

  /** Another writer, UPSERTing both records of api.example.com. */
  private void otherWriter(long blueWeight, long greenWeight, long ttl) {
    try (Route53Client other = Route53Clients.create(fake.endpoint(), null)) {
      other.changeResourceRecordSets(r -> r.hostedZoneId(FakeRoute53.ZONE_ID).changeBatch(b -> b.changes(
          Change.builder().action(ChangeAction.UPSERT)
              .resourceRecordSet(MotoRoute53.aRecord(NAME, "api-blue", blueWeight, ttl, null, "192.0.2.10")).build(),
          Change.builder().action(ChangeAction.UPSERT)
              .resourceRecordSet(MotoRoute53.aRecord(NAME, "api-green", greenWeight, ttl, null, "192.0.2.20")).build())));
    }
  }

  private List<String> requestLog() {
    List<String> log = new java.util.ArrayList<>(fake.wireMock().getAllServeEvents().stream()
        .map(e -> e.getRequest().getMethod().getName() + " " + e.getRequest().getUrl().split("\\?")[0]).toList());
    java.util.Collections.reverse(log); // WireMock lists the newest first
    return log;
  }

  @Test
  void aConditionalWriteGoesOutFirstAsADeleteOfTheRecordsAsReadAndACreate() {
    records(100, 0, 60);
    WeightedRecordRouter router = conditionalRouter();
    assertThat(router.capabilities().writeGuard()).isEqualTo(io.bluegreen.core.WriteGuard.CONDITIONAL);
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    fake.answerGetChange("PENDING");
    int before = fake.requests();

    io.bluegreen.core.WriteResult result = router.applyIfUnchanged(TrafficSplit.allTo(BLUE, GREEN), TrafficSplit.allTo(GREEN, BLUE),
        io.bluegreen.core.WritePurpose.ROLLBACK);

    assertThat(requestLog().subList(before, fake.requests())).as("no read before the write; the write answered PENDING: GetChange")
        .containsExactly("POST /2013-04-01/hostedzone/" + FakeRoute53.ZONE_ID + "/rrset/", "GET /2013-04-01/change/C00000001");
    assertThat(result.written()).isTrue();
    assertThat(result.verification().status()).isEqualTo(Verification.Status.PENDING);
    String body = fake.changeRequestBodies().get(0);
    assertThat(body).doesNotContain("UPSERT");
    assertThat(body.replaceAll("\\s", "")).contains("<Action>DELETE</Action><ResourceRecordSet><Name>api.example.com.</Name><Type>A</Type>"
        + "<SetIdentifier>api-blue</SetIdentifier><Weight>100</Weight><TTL>60</TTL>")
        .contains("<Action>CREATE</Action><ResourceRecordSet><Name>api.example.com.</Name><Type>A</Type>"
        + "<SetIdentifier>api-blue</SetIdentifier><Weight>0</Weight><TTL>60</TTL>");
    assertThat(router.verify(TrafficSplit.allTo(GREEN, BLUE)).isVerified()).as("INSYNC, then one read").isTrue();
    assertThat(fake.count("GET", RRSET)).as("the read before the write (current()) and the one after INSYNC").isEqualTo(2);
  }

  @Test
  void aRefusedConditionalWriteIsReadOnceAndIsDriftWhenAnotherWriterMovedTheWeights() {
    records(100, 0, 60);
    fake.answerGetChange("INSYNC");
    WeightedRecordRouter router = conditionalRouter();
    SwitchResult result = plan(router, StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100), VirtualClock.create(),
        ScriptedGate.healthy()).listener(e -> {
          if (e instanceof SwitchEvent.StageStarted s && s.stageNumber() == 2) {
            otherWriter(70, 30, 60); // between the plan's last read and its write
            fake.failNext("POST", RRSET, 400, "InvalidChangeBatch", DELETE_MISMATCH, 1);
          }
        }).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    SwitchEvent.DriftDetected drift = result.events(SwitchEvent.DriftDetected.class).get(0);
    assertThat(drift.actual()).contains(TrafficSplit.of(BLUE, 70, GREEN, 30));
    assertThat(fake.weight(NAME, "api-blue")).as("nothing written over the other writer").isEqualTo(70);
    assertThat(fake.weight(NAME, "api-green")).isEqualTo(30);
    List<String> log = requestLog();
    int refused = log.lastIndexOf("POST /2013-04-01/hostedzone/" + FakeRoute53.ZONE_ID + "/rrset/");
    assertThat(log.subList(refused + 1, log.size())).as("after the refusal: one read, no write")
        .containsExactly("GET /2013-04-01/hostedzone/" + FakeRoute53.ZONE_ID + "/rrset");
  }

  @Test
  void aRefusedConditionalWriteThatFindsTheTargetInPlaceWritesNothing() {
    records(100, 0, 60);
    WeightedRecordRouter router = conditionalRouter();
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    otherWriter(0, 100, 60);
    fake.failNext("POST", RRSET, 400, "InvalidChangeBatch", DELETE_MISMATCH, 1);

    io.bluegreen.core.WriteResult result = router.applyIfUnchanged(TrafficSplit.allTo(BLUE, GREEN), TrafficSplit.allTo(GREEN, BLUE),
        io.bluegreen.core.WritePurpose.STAGE);

    assertThat(result.written()).isFalse();
    assertThat(result.verification().isVerified()).isTrue();
    assertThat(fake.writes()).as("the refused request, nothing after it").isEqualTo(2); // 2 = the other writer's and ours
  }

  @Test
  void aRefusedConditionalWriteThatFindsTheWeightsAsHeldWritesAgainFromTheRecordsJustRead() {
    records(100, 0, 60);
    WeightedRecordRouter router = conditionalRouter();
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    otherWriter(100, 0, 300); // the TTL changed, not the weights
    fake.failNext("POST", RRSET, 400, "InvalidChangeBatch", DELETE_MISMATCH, 1);

    io.bluegreen.core.WriteResult result = router.applyIfUnchanged(TrafficSplit.allTo(BLUE, GREEN), TrafficSplit.allTo(GREEN, BLUE),
        io.bluegreen.core.WritePurpose.STAGE);

    assertThat(result.written()).isTrue();
    List<String> bodies = fake.changeRequestBodies();
    assertThat(bodies).hasSize(3); // the other writer's, the refused one, the one from the fresh read
    assertThat(bodies.get(2).replaceAll("\\s", "")).contains("<Action>DELETE</Action><ResourceRecordSet><Name>api.example.com.</Name>"
        + "<Type>A</Type><SetIdentifier>api-blue</SetIdentifier><Weight>100</Weight><TTL>300</TTL>");
    assertThat(fake.weight(NAME, "api-green")).isEqualTo(100);
    assertThat(fake.recordXml(NAME, "api-green")).contains("<TTL>300</TTL>");
  }

  @Test
  void anotherInvalidChangeBatchIsNotAGuardRefusal() {
    records(100, 0, 60);
    WeightedRecordRouter router = conditionalRouter();
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    fake.failNext("POST", RRSET, 400, "InvalidChangeBatch", "[RRSet with DNS name api.example.com. is not permitted]", 1);
    int reads = fake.count("GET", RRSET);

    assertThatThrownBy(() -> router.applyIfUnchanged(TrafficSplit.allTo(BLUE, GREEN), TrafficSplit.allTo(GREEN, BLUE),
        io.bluegreen.core.WritePurpose.STAGE)).isInstanceOfSatisfying(RouterException.class, e -> {
          assertThat(e.isTransient()).isFalse();
          assertThat(e.getMessage()).contains("InvalidChangeBatch").contains("is not permitted");
        });
    assertThat(fake.count("GET", RRSET)).as("no re-read: not a refused DELETE").isEqualTo(reads);
  }

  @Test
  void aRefusalAfterEarlierRequestsLandedIsDriftWithThePartlyMovedFleetReadBack() {
    for (String g : List.of("a", "b", "c")) {
      fake.addRecord("record-a-simple.xml", Map.of("name", g + ".example.com.", "setId", g + "-blue", "weight", "100", "ttl", "60",
          "value1", "192.0.2.1"));
      fake.addRecord("record-a-simple.xml", Map.of("name", g + ".example.com.", "setId", g + "-green", "weight", "0", "ttl", "60",
          "value1", "192.0.2.2"));
    }
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID)
        .record("a.example.com", "A", ids("a")).record("b.example.com", "A", ids("b")).record("c.example.com", "A", ids("c"))
        .changeBatchLimits(ChangeBatchLimits.builder().maxResourceRecordElements(4).build()) // one group per request
        .conditionalWrites(true).endpointEnforcesExactDeletes(true).build();
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    try (Route53Client other = Route53Clients.create(fake.endpoint(), null)) {
      other.changeResourceRecordSets(r -> r.hostedZoneId(FakeRoute53.ZONE_ID).changeBatch(b -> b.changes(
          Change.builder().action(ChangeAction.UPSERT)
              .resourceRecordSet(MotoRoute53.aRecord("b.example.com.", "b-blue", 70, 60, null, "192.0.2.1")).build(),
          Change.builder().action(ChangeAction.UPSERT)
              .resourceRecordSet(MotoRoute53.aRecord("b.example.com.", "b-green", 30, 60, null, "192.0.2.2")).build())));
    }
    fake.failAfter(1, "POST", RRSET, 400, "InvalidChangeBatch", DELETE_MISMATCH.replace("api", "b"), 1);

    assertThatThrownBy(() -> router.applyIfUnchanged(TrafficSplit.allTo(BLUE, GREEN), TrafficSplit.allTo(GREEN, BLUE),
        io.bluegreen.core.WritePurpose.STAGE)).isInstanceOfSatisfying(io.bluegreen.core.DriftDetectedException.class, e ->
            assertThat(e.actual()).contains(TrafficSplit.of(BLUE, 70, GREEN, 30)));
    assertThat(fake.weight("a.example.com.", "a-green")).as("the first request landed").isEqualTo(100);
    assertThat(fake.weight("b.example.com.", "b-green")).as("the other writer's weights stay").isEqualTo(30);
    assertThat(fake.weight("c.example.com.", "c-green")).as("not written after the refusal").isZero();
    assertThat(fake.writes()).as("the other writer's, a's, b's refused; none for c").isEqualTo(3);
  }

  @Test
  void aConditionalWriteThatLandsButGetsNoAnswerIsWrittenAgainUnchangedWhenRetried() {
    records(100, 0, 60);
    assertThat(router().current()).as("warm-up: load the SDK before calls with a 400 ms timeout").isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    theFirstMarkedWriteLandsButAnswersLate();
    try (Route53Client impatient = Route53Clients.createWith(fake.endpoint(), Duration.ofSeconds(30), firstWriteTimesOut())) {
      WeightedRecordRouter router = WeightedRecordRouter.builder(impatient).hostedZoneId(FakeRoute53.ZONE_ID)
          .record(NAME, "A", ids("api")).conditionalWrites(true).endpointEnforcesExactDeletes(true).build();
      TrafficSplit from = TrafficSplit.allTo(BLUE, GREEN);
      TrafficSplit target = TrafficSplit.allTo(GREEN, BLUE);
      assertThat(router.current()).isEqualTo(from);

      assertThatThrownBy(() -> router.applyIfUnchanged(from, target, io.bluegreen.core.WritePurpose.STAGE))
          .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.isTransient()).isTrue());
      assertThat(fake.weight(NAME, "api-green")).as("the write landed all the same").isEqualTo(100);
      fake.answerGetChange("INSYNC");

      // the engine's retry: it reads the route, finds the target, and asks again from there
      assertThat(router.current()).isEqualTo(target);
      io.bluegreen.core.WriteResult retry = router.applyIfUnchanged(target, target, io.bluegreen.core.WritePurpose.STAGE);

      assertThat(retry.written()).as("written again, unchanged, to get a change id to wait for").isTrue();
      assertThat(writtenWeights()).containsExactly("0/100", "0/100");
      assertThat(fake.changeRequestBodies().get(1)).contains("DELETE").contains("CREATE");
      assertThat(retry.verification().isVerified()).isTrue();
    }
  }

  @Test
  void aGroupThatCannotBeWrittenConditionallyInOneRequestIsRefusedBeforeAnyWrite() {
    records(100, 0, 60);
    // 2 x 2 values of 10 characters, counted once for the DELETE and once for the CREATE: 40 characters > 30
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID).record(NAME, "A", ids("api"))
        .changeBatchLimits(ChangeBatchLimits.builder().maxValueCharacters(30).build()).conditionalWrites(true).endpointEnforcesExactDeletes(true).build();

    assertThatThrownBy(() -> router.preflight(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("as a conditional write (a DELETE and a CREATE per record) does not fit in one request")
        .hasMessageContaining("conditionalWrites(false)");
    assertThatThrownBy(() -> router.applyIfUnchanged(TrafficSplit.allTo(BLUE, GREEN), TrafficSplit.allTo(GREEN, BLUE),
        io.bluegreen.core.WritePurpose.STAGE)).isInstanceOfSatisfying(RouterException.class, e -> {
          assertThat(e.isTransient()).isFalse();
          assertThat(e.getMessage()).contains("cannot be written in one request; nothing was written");
        });
    assertThat(fake.writes()).isZero();
  }
}
