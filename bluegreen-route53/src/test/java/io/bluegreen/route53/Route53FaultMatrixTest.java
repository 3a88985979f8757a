package io.bluegreen.route53;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.RetryPolicy;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.route53.support.FakeRoute53;
import io.bluegreen.route53.support.Route53Clients;
import io.bluegreen.route53.support.SlowCallFault;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.FaultMatrix;
import io.bluegreen.testkit.FaultMatrix.Persistence;
import io.bluegreen.testkit.FaultMatrix.Point;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeResourceRecordSetsRequest;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsRequest;

/**
 * The fault matrix for {@link WeightedRecordRouter}: every fault Route 53 can throw at a client
 * (HTTP 500, HTTP 503, Throttling, PriorRequestNotComplete, a connection reset, a reply slower than
 * the client's call timeout), injected once or persistently at the plan's first
 * ListResourceRecordSets, at the ChangeResourceRecordSets of stage 2, and at the rollback's
 * ChangeResourceRecordSets, through the real SDK client (its own retries off, so every retry is the
 * engine's) against the scripted Route 53 ({@link FakeRoute53}). Each cell is asserted by
 * {@link FaultMatrix.Cell#check} and recorded when the whole cell has passed ({@link Evidence}).
 *
 * <p>Faults are WireMock stubs put in front of the fake (priority 1) that match only the requests
 * the cell targets: ListResourceRecordSets (the plan's first request to the records); the
 * ChangeResourceRecordSets whose batch sets stage 2's weights (api-blue 50, api-green 50); the one
 * setting the rollback's weights (api-blue 100, api-green 0, which no forward stage writes). ONCE is
 * a WireMock scenario that fails the first matching request and lets the rest through to the fake;
 * PERSISTENT fails every matching request. A faulted request never reaches the fake, so it changes
 * nothing; except in the extra "write landed" cells, where the ChangeBatch is applied and only its
 * reply is lost.
 *
 * <p>Timeouts without wall-clock luck: every call has a generous timeout ({@value #CALL_TIMEOUT_SECONDS} s)
 * except the calls a timeout cell targets, which the client marks ({@link SlowCallFault}) and gives
 * {@value #SHORT_TIMEOUT_MILLIS} ms; the fake answers only marked calls late ({@value #LATE_REPLY_MILLIS} ms).
 * Every cell also checks that the fault was served as often as the retry policy allows, that the plan
 * retried exactly the faulted call, and that the fake's records end where the result says traffic is.
 */
@Evidence(backend = "WireMock: a hand-written Route 53 fake (FakeRoute53), through the real AWS SDK client")
class Route53FaultMatrixTest {

  private static final String ROUTER = "WeightedRecordRouter";
  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final String NAME = "api.example.com.";
  private static final String BLUE_ID = "api-blue";
  private static final String GREEN_ID = "api-green";
  private static final String RRSET = "/2013-04-01/hostedzone/[^/]+/rrset/?";

  private static final Map<String, Long> STAGE_2 = Map.of(BLUE_ID, 50L, GREEN_ID, 50L);
  private static final Map<String, Long> ALL_BLUE = Map.of(BLUE_ID, 100L, GREEN_ID, 0L);

  /** The client's per-call timeout (SDK apiCallTimeout): no ordinary call comes near it, however loaded the machine. */
  static final int CALL_TIMEOUT_SECONDS = 30;
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(CALL_TIMEOUT_SECONDS);
  /** The timeout of the calls a timeout cell targets (marked by {@link SlowCallFault}). */
  static final int SHORT_TIMEOUT_MILLIS = 500;
  /** How late the fake answers a marked call: well past its short timeout. */
  static final int LATE_REPLY_MILLIS = 3000;

  private static final RetryPolicy FORWARD_RETRY = RetryPolicy.defaults();
  private static final RetryPolicy ROLLBACK_RETRY = RetryPolicy.rollbackDefaults();

  /** What the endpoint does to a faulted request, and what the plan's retry event must say about it. */
  enum Route53Fault {
    HTTP_500("HTTP 500 (InternalFailure)", "InternalFailure") {
      @Override
      ResponseDefinitionBuilder response() {
        return FakeRoute53.error(500, "InternalFailure", "We encountered an internal error. Please try again.");
      }
    },
    HTTP_503("HTTP 503 (ServiceUnavailable)", "ServiceUnavailable") {
      @Override
      ResponseDefinitionBuilder response() {
        return FakeRoute53.error(503, "ServiceUnavailable", "The service is unavailable. Please try again later.");
      }
    },
    THROTTLING("Throttling (HTTP 400)", "Throttling") {
      @Override
      ResponseDefinitionBuilder response() {
        return FakeRoute53.error(400, "Throttling", "Rate exceeded");
      }
    },
    PRIOR_REQUEST_NOT_COMPLETE("PriorRequestNotComplete (HTTP 400)", "PriorRequestNotComplete") {
      @Override
      ResponseDefinitionBuilder response() {
        return FakeRoute53.error(400, "PriorRequestNotComplete",
            "The request was rejected because Route 53 was still processing a prior request.");
      }
    },
    CONNECTION_RESET("connection reset by peer", "could not reach Route 53") {
      @Override
      ResponseDefinitionBuilder response() {
        return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
      }
    },
    READ_TIMEOUT("read timeout (reply after " + LATE_REPLY_MILLIS + " ms, call timeout " + SHORT_TIMEOUT_MILLIS + " ms)",
        "timed out") {
      @Override
      ResponseDefinitionBuilder response() {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withFixedDelay(LATE_REPLY_MILLIS);
      }
    },
    /** Not a matrix fault: the ChangeBatch is applied by the fake and its reply comes too late. ONCE, at a write only. */
    WRITE_LANDED("reply lost after the write landed (reply after " + LATE_REPLY_MILLIS + " ms, call timeout " + SHORT_TIMEOUT_MILLIS
        + " ms)", "timed out") {
      @Override
      ResponseDefinitionBuilder response() {
        return aResponse().withTransformers("route53-fake").withFixedDelay(LATE_REPLY_MILLIS);
      }
    };

    final String label;
    final String retryMentions;

    Route53Fault(String label, String retryMentions) {
      this.label = label;
      this.retryMentions = retryMentions;
    }

    abstract ResponseDefinitionBuilder response();

    /** @return whether the client marks the targeted calls and gives them the short timeout */
    boolean slowReply() {
      return this == READ_TIMEOUT || this == WRITE_LANDED;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  static Stream<Arguments> cells() {
    List<Arguments> cells = new ArrayList<>();
    for (Route53Fault fault : Route53Fault.values()) {
      if (fault == Route53Fault.WRITE_LANDED) {
        cells.add(Arguments.of(fault, Point.STAGE_WRITE, Persistence.ONCE, Outcome.COMPLETED));
        cells.add(Arguments.of(fault, Point.ROLLBACK_WRITE, Persistence.ONCE, Outcome.ROLLED_BACK));
        continue;
      }
      for (Point point : Point.values()) {
        for (Persistence persistence : Persistence.values()) {
          cells.add(Arguments.of(fault, point, persistence, FaultMatrix.expected(point, persistence)));
        }
      }
    }
    return cells.stream();
  }

  @BeforeAll
  static void warmUp() {
    // load the SDK and WireMock classes once, so that the first cell's calls are not slowed past the small call timeout
    try (FakeRoute53 fake = records(FakeRoute53.start("example.com"));
        Route53Client client = Route53Clients.create(fake.endpoint(), null, Duration.ofSeconds(10))) {
      WeightedRecordRouter router = router(client);
      router.apply(TrafficSplit.of(BLUE, 99, GREEN, 1));
      router.apply(TrafficSplit.allTo(BLUE, GREEN));
      assertThat(router.verify(TrafficSplit.allTo(BLUE, GREEN)).isVerified()).isTrue();
      assertThat(weights(fake)).isEqualTo(ALL_BLUE);
    }
  }

  @ParameterizedTest(name = "{0} at {1}, {2} → {3}")
  @MethodSource("cells")
  void cell(Route53Fault fault, Point point, Persistence persistence, Outcome expected) {
    SlowCallFault slow = new SlowCallFault(targets(point), persistence == Persistence.ONCE, Duration.ofMillis(SHORT_TIMEOUT_MILLIS));
    try (FakeRoute53 fake = records(FakeRoute53.start("example.com"));
        Route53Client client = fault.slowReply() ? Route53Clients.createWith(fake.endpoint(), CALL_TIMEOUT, slow)
            : Route53Clients.create(fake.endpoint(), null, CALL_TIMEOUT)) {
      StubMapping stub = inject(fake, fault, point, persistence);
      VirtualClock clock = VirtualClock.create();
      SwitchPlan plan = SwitchPlan.builder()
          .name(ROUTER + " " + fault.name() + " " + point + " " + persistence)
          .router(router(client)).from(BLUE).to(GREEN)
          .schedule(StageSchedule.targetWeights(Duration.ofMinutes(2), 10, 50, 100))
          .gate(point == Point.ROLLBACK_WRITE ? ScriptedGate.unhealthyDuringStage(2, "green 5xx rate 12%") : ScriptedGate.healthy())
          .gateInterval(Duration.ofSeconds(30))
          .retry(FORWARD_RETRY).rollbackRetry(ROLLBACK_RETRY)
          .lock(new InProcessRouteLock()).defaultLogging(false)
          .time(clock)
          .build();

      SwitchResult result = plan.execute();
      boolean interruptLeaked = Thread.interrupted();

      assertThat(interruptLeaked).as("the plan must not leave the test thread interrupted: " + result.summary()).isFalse();
      assertFaultWasServed(fake, stub, fault, point, persistence, result);
      if (fault == Route53Fault.WRITE_LANDED) {
        Map<String, Long> landed = point == Point.STAGE_WRITE ? STAGE_2 : ALL_BLUE;
        assertThat(fake.wireMock().getAllServeEvents().stream()
            .filter(e -> e.getStubMapping() != null && stub.getId().equals(e.getStubMapping().getId()))
            .map(e -> weightsSent(e.getRequest().getBodyAsString())))
            .as("the ChangeBatch whose reply was lost carried " + landed + " and reached the fake").containsExactly(landed);
      }
      FaultMatrix.Cell cell = FaultMatrix.cell(ROUTER, fault.label, point, persistence).retries(FORWARD_RETRY, ROLLBACK_RETRY);
      (fault == Route53Fault.WRITE_LANDED ? cell.writeLanded() : cell).check(result);
      assertRecordsAreWhereTheResultSays(fake, result);
    }
  }

  /** The SDK calls a cell targets, as {@link #inject} matches them on the wire. */
  private static Predicate<SdkRequest> targets(Point point) {
    Map<String, Long> written = point == Point.STAGE_WRITE ? STAGE_2 : ALL_BLUE;
    return request -> switch (point) {
      case FIRST_READ -> request instanceof ListResourceRecordSetsRequest;
      case STAGE_WRITE, ROLLBACK_WRITE -> request instanceof ChangeResourceRecordSetsRequest c && written.equals(weights(c));
    };
  }

  private static Map<String, Long> weights(ChangeResourceRecordSetsRequest request) {
    Map<String, Long> weights = new LinkedHashMap<>();
    request.changeBatch().changes().forEach(c -> weights.put(c.resourceRecordSet().setIdentifier(), c.resourceRecordSet().weight()));
    return weights;
  }

  // ---------------------------------------------------------------------------------------------
  // set-up and injecting

  private static FakeRoute53 records(FakeRoute53 fake) {
    fake.addRecord("record-a-simple.xml", Map.of("name", NAME, "setId", BLUE_ID, "weight", "100", "ttl", "60", "value1", "192.0.2.10"));
    fake.addRecord("record-a-simple.xml", Map.of("name", NAME, "setId", GREEN_ID, "weight", "0", "ttl", "60", "value1", "192.0.2.20"));
    return fake;
  }

  private static WeightedRecordRouter router(Route53Client client) {
    Map<Environment, String> ids = new LinkedHashMap<>();
    ids.put(BLUE, BLUE_ID);
    ids.put(GREEN, GREEN_ID);
    return WeightedRecordRouter.builder(client).hostedZoneId(FakeRoute53.ZONE_ID).record(NAME, "A", ids).build();
  }

  private static StubMapping inject(FakeRoute53 fake, Route53Fault fault, Point point, Persistence persistence) {
    MappingBuilder mapping = switch (point) {
      case FIRST_READ -> request("GET", urlPathMatching(RRSET));
      case STAGE_WRITE -> writing(STAGE_2::equals);
      case ROLLBACK_WRITE -> writing(ALL_BLUE::equals);
    };
    mapping = mapping.atPriority(1);
    if (fault.slowReply()) {
      // the client marked the targeted calls (once or every one) and gave them the short timeout
      return fake.wireMock().stubFor(mapping.withHeader(SlowCallFault.HEADER, equalTo("1")).willReturn(fault.response()));
    }
    if (persistence == Persistence.ONCE) {
      mapping = mapping.inScenario("fault").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("spent");
    }
    return fake.wireMock().stubFor(mapping.willReturn(fault.response()));
  }

  /** A ChangeResourceRecordSets whose batch sets these weights (by SetIdentifier). */
  private static MappingBuilder writing(Predicate<Map<String, Long>> weights) {
    return request("POST", urlPathMatching(RRSET))
        .andMatching(request -> MatchResult.of(weights.test(weightsSent(request.getBodyAsString()))));
  }

  /** @return SetIdentifier to Weight of every record set in a ChangeResourceRecordSets body */
  private static Map<String, Long> weightsSent(String body) {
    Map<String, Long> weights = new LinkedHashMap<>();
    NodeList sets = FakeRoute53.parse(body).getElementsByTagName("ResourceRecordSet");
    for (int i = 0; i < sets.getLength(); i++) {
      Element set = (Element) sets.item(i);
      String weight = FakeRoute53.text(set, "Weight");
      weights.put(FakeRoute53.text(set, "SetIdentifier"), weight == null ? null : Long.parseLong(weight));
    }
    return weights;
  }

  private static Map<String, Long> weights(FakeRoute53 fake) {
    return Map.of(BLUE_ID, fake.weight(NAME, BLUE_ID), GREEN_ID, fake.weight(NAME, GREEN_ID));
  }

  // ---------------------------------------------------------------------------------------------
  // checking

  /** The fault was served to the requests the cell targets, once or on every attempt the retry policy allows. */
  private static void assertFaultWasServed(FakeRoute53 fake, StubMapping stub, Route53Fault fault, Point point, Persistence persistence,
      SwitchResult result) {
    long served = fake.wireMock().getAllServeEvents().stream()
        .filter(e -> e.getStubMapping() != null && stub.getId().equals(e.getStubMapping().getId())).count();
    int attempts = point == Point.ROLLBACK_WRITE ? ROLLBACK_RETRY.maxAttempts() : FORWARD_RETRY.maxAttempts();
    String operation = switch (point) {
      case FIRST_READ -> "read the current split";
      case STAGE_WRITE -> "apply " + TrafficSplit.between(BLUE, GREEN, 50);
      case ROLLBACK_WRITE -> "rollback to " + TrafficSplit.between(BLUE, GREEN, 0);
    };
    String call = point == Point.FIRST_READ ? "ListResourceRecordSets" : "ChangeResourceRecordSets";
    List<SwitchEvent.RetryScheduled> retries = result.events(SwitchEvent.RetryScheduled.class).stream()
        .filter(r -> r.operation().equals(operation)).toList();
    String why = fault + " at " + point + " " + persistence + ": " + result.summary() + "; retries "
        + result.events(SwitchEvent.RetryScheduled.class);
    assertThat(served).as("requests the fault stub answered; " + why).isEqualTo(persistence == Persistence.ONCE ? 1 : attempts);
    assertThat(retries).as("retries of \"" + operation + "\"; " + why).hasSize(persistence == Persistence.ONCE ? 1 : attempts - 1)
        .allSatisfy(r -> assertThat(r.error()).contains(fault.retryMentions).contains(call));
    assertThat(result.events(SwitchEvent.RetryScheduled.class)).as("no retry but the injected fault's; " + why).hasSameSizeAs(retries);
  }

  /** The fake's records hold what the result says: the target, the prior weights, or the split last read. */
  private static void assertRecordsAreWhereTheResultSays(FakeRoute53 fake, SwitchResult result) {
    switch (result.outcome()) {
      case COMPLETED -> assertThat(weights(fake)).as(result.summary()).isEqualTo(Map.of(BLUE_ID, 0L, GREEN_ID, 100L));
      case ROLLED_BACK -> assertThat(weights(fake)).as(result.summary()).isEqualTo(ALL_BLUE);
      case ROLLBACK_FAILED -> {
        assertThat(result.trafficNow()).as(result.summary()).contains(TrafficSplit.between(BLUE, GREEN, 50));
        assertThat(weights(fake)).as(result.summary()).isEqualTo(STAGE_2);
      }
      case ABORTED -> {
        assertThat(fake.writes()).as("no write after an abort at the first read; " + result.summary()).isZero();
        assertThat(weights(fake)).as(result.summary()).isEqualTo(ALL_BLUE);
      }
      default -> throw new IllegalStateException(result.outcome().name());
    }
    for (String id : List.of(BLUE_ID, GREEN_ID)) {
      Element record = FakeRoute53.parse(fake.recordXml(NAME, id));
      assertThat(FakeRoute53.text(record, "TTL")).as("TTL of " + id + " untouched; " + result.summary()).isEqualTo("60");
      assertThat(record.getElementsByTagName("Value").item(0).getTextContent()).as("value of " + id + " untouched")
          .isEqualTo(id.equals(BLUE_ID) ? "192.0.2.10" : "192.0.2.20");
    }
  }
}
