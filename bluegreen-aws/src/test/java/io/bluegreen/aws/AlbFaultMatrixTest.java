package io.bluegreen.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static io.bluegreen.aws.support.FakeElb.BLUE;
import static io.bluegreen.aws.support.FakeElb.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.bluegreen.aws.support.AwsClients;
import io.bluegreen.aws.support.FakeElb;
import io.bluegreen.aws.support.RequestCounter;
import io.bluegreen.aws.support.SlowCallFault;
import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.RetryPolicy;
import io.bluegreen.core.Router;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.FaultMatrix;
import io.bluegreen.testkit.FaultMatrix.Persistence;
import io.bluegreen.testkit.FaultMatrix.Point;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DescribeListenersRequest;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DescribeRulesRequest;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ModifyListenerRequest;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ModifyRuleRequest;

/**
 * The fault matrix for both ALB routers: every fault ELBv2 can throw at a client (5xx, both throttling
 * codes, a connection reset, a reply slower than the call timeout), injected once or persistently at
 * the plan's first read, at the write of stage 2, and at the rollback write, through the real SDK
 * client against the scripted ELBv2 endpoint ({@link FakeElb}). Each cell is asserted by
 * {@link FaultMatrix.Cell#check} and recorded when the whole cell has passed ({@link Evidence}).
 *
 * <p>Faults are WireMock stubs put in front of the fake (priority 1) that match only the request the
 * cell targets: the first {@code DescribeListeners}/{@code DescribeRules}; the {@code Modify*} sending
 * stage 2's weights (blue=50 green=50); the {@code Modify*} sending the rollback's weights (blue=100
 * green=0, which no forward stage sends). ONCE is a WireMock scenario that answers the first matching
 * request and then lets the rest through to the fake; PERSISTENT answers every matching request. A
 * faulted request never reaches the fake, so it changes nothing; except in the extra "write landed"
 * cells, where the stage or rollback write is applied by the fake and only its reply is lost.
 *
 * <p>Timeouts without wall-clock luck: every call has a generous timeout ({@value #CALL_TIMEOUT_SECONDS} s)
 * except the calls a timeout cell targets, which the client marks ({@link SlowCallFault}) and gives
 * {@value #SHORT_TIMEOUT_MILLIS} ms; the fake answers only marked calls late ({@value #LATE_REPLY_MILLIS} ms).
 * Every cell also checks that the fault was really served, as often as the retry policy allows, and
 * that the fake's listener or rule ends where the result says traffic is.
 */
@Evidence(backend = "WireMock: a hand-written ELBv2 fake (FakeElb), through the real AWS SDK client")
class AlbFaultMatrixTest {

  private static final Environment BLUE_ENV = Environment.of("blue");
  private static final Environment GREEN_ENV = Environment.of("green");
  private static final Map<String, Integer> ALL_BLUE = Map.of(BLUE, 100, GREEN, 0);
  private static final Map<String, Integer> STAGE_2 = Map.of(BLUE, 50, GREEN, 50);
  private static final Map<String, Integer> ALL_GREEN = Map.of(BLUE, 0, GREEN, 100);

  /** The routers' per-call timeout: no ordinary call comes near it, however loaded the machine. */
  static final int CALL_TIMEOUT_SECONDS = 30;
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(CALL_TIMEOUT_SECONDS);
  /** The timeout of the calls a timeout cell targets (marked by {@link SlowCallFault}). */
  static final int SHORT_TIMEOUT_MILLIS = 500;
  /** How late the fake answers a marked call: well past its short timeout. */
  static final int LATE_REPLY_MILLIS = 3000;

  private static final RetryPolicy FORWARD_RETRY = RetryPolicy.defaults();
  private static final RetryPolicy ROLLBACK_RETRY = RetryPolicy.rollbackDefaults();

  /** The two ALB routers, with the operations they read and write with. */
  enum RouterKind {
    LISTENER("AlbListenerRouter", "DescribeListeners", "ModifyListener"),
    RULE("AlbRuleRouter", "DescribeRules", "ModifyRule");

    final String routerName;
    final String readAction;
    final String writeAction;

    RouterKind(String routerName, String readAction, String writeAction) {
      this.routerName = routerName;
      this.readAction = readAction;
      this.writeAction = writeAction;
    }

    Router router(ElasticLoadBalancingV2Client client, Duration callTimeout) {
      return switch (this) {
        case LISTENER -> AlbListenerRouter.builder(client).listenerArn(FakeElb.LISTENER).environment(BLUE_ENV, BLUE)
            .environment(GREEN_ENV, GREEN).callTimeout(callTimeout).build();
        case RULE -> AlbRuleRouter.builder(client).ruleArn(FakeElb.RULE).environment(BLUE_ENV, BLUE)
            .environment(GREEN_ENV, GREEN).callTimeout(callTimeout).build();
      };
    }

    Map<String, String> actions(FakeElb elb) {
      return this == LISTENER ? elb.actions() : elb.ruleActions();
    }

    Map<String, String> initialActions(FakeElb elb) {
      return this == LISTENER ? elb.initialActions() : elb.initialRuleActions();
    }

    Map<String, Integer> weights(FakeElb elb) {
      return this == LISTENER ? elb.weights() : elb.ruleWeights();
    }

    @Override
    public String toString() {
      return routerName;
    }
  }

  /** What the endpoint does to a faulted request, and what the plan's retry event must say about it. */
  enum ElbFault {
    HTTP_500("HTTP 500 (InternalFailure)", "InternalFailure") {
      @Override
      ResponseDefinitionBuilder response() {
        return FakeElb.awsError(500, "InternalFailure");
      }
    },
    HTTP_503("HTTP 503 (ServiceUnavailable)", "ServiceUnavailable") {
      @Override
      ResponseDefinitionBuilder response() {
        return FakeElb.awsError(503, "ServiceUnavailable");
      }
    },
    THROTTLING_EXCEPTION("ThrottlingException (HTTP 400)", "ThrottlingException") {
      @Override
      ResponseDefinitionBuilder response() {
        return FakeElb.awsError(400, "ThrottlingException");
      }
    },
    THROTTLING("Throttling (HTTP 400)", "Throttling") {
      @Override
      ResponseDefinitionBuilder response() {
        return FakeElb.awsError(400, "Throttling");
      }
    },
    CONNECTION_RESET("connection reset by peer", "could not reach the endpoint") {
      @Override
      ResponseDefinitionBuilder response() {
        return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
      }
    },
    READ_TIMEOUT("read timeout (reply after " + LATE_REPLY_MILLIS + " ms, call timeout " + SHORT_TIMEOUT_MILLIS + " ms)", "timed out") {
      @Override
      ResponseDefinitionBuilder response() {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withFixedDelay(LATE_REPLY_MILLIS);
      }
    },
    /** Not a matrix fault: the write is applied by the fake and its reply comes too late. ONCE, at a write only. */
    WRITE_LANDED("reply lost after the write landed (reply after " + LATE_REPLY_MILLIS + " ms, call timeout " + SHORT_TIMEOUT_MILLIS
        + " ms)", "timed out") {
      @Override
      ResponseDefinitionBuilder response() {
        return aResponse().withTransformers("fake-elb").withFixedDelay(LATE_REPLY_MILLIS);
      }
    };

    final String label;
    final String retryMentions;

    ElbFault(String label, String retryMentions) {
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
    for (RouterKind router : RouterKind.values()) {
      for (ElbFault fault : ElbFault.values()) {
        if (fault == ElbFault.WRITE_LANDED) {
          cells.add(Arguments.of(router, fault, Point.STAGE_WRITE, Persistence.ONCE, Outcome.COMPLETED));
          cells.add(Arguments.of(router, fault, Point.ROLLBACK_WRITE, Persistence.ONCE, Outcome.ROLLED_BACK));
          continue;
        }
        for (Point point : Point.values()) {
          for (Persistence persistence : Persistence.values()) {
            cells.add(Arguments.of(router, fault, point, persistence, FaultMatrix.expected(point, persistence)));
          }
        }
      }
    }
    return cells.stream();
  }

  /**
   * One fake for all cells, reset before each: a fresh WireMock server per cell would wait, when it
   * stops, for the late replies of the timeout cells, which would double their time.
   */
  private static FakeElb elb;

  @BeforeAll
  static void startAndWarmUp() {
    elb = FakeElb.start();
    // load the SDK and WireMock classes once, so that the first cell's calls are not slowed past the small call timeout
    try (ElasticLoadBalancingV2Client client = elb.client()) {
      for (RouterKind kind : RouterKind.values()) {
        Router router = kind.router(client, Duration.ofSeconds(10));
        router.apply(TrafficSplit.of(BLUE_ENV, 99, GREEN_ENV, 1));
        router.apply(TrafficSplit.allTo(BLUE_ENV, GREEN_ENV));
        assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE_ENV, GREEN_ENV));
      }
    }
  }

  @AfterAll
  static void stop() {
    elb.close();
  }

  @DisplayName("fault matrix:")
  @ParameterizedTest(name = "{0} · {1} · at {2} · {3} → {4}")
  @MethodSource("cells")
  void cell(RouterKind kind, ElbFault fault, Point point, Persistence persistence, Outcome expected) {
    elb.reset();
    RequestCounter requests = new RequestCounter();
    SlowCallFault slow = new SlowCallFault(targets(kind, point), persistence == Persistence.ONCE, Duration.ofMillis(SHORT_TIMEOUT_MILLIS));
    try (ElasticLoadBalancingV2Client client = fault.slowReply() ? AwsClients.elbWith(elb.endpoint(), requests, slow)
        : AwsClients.elb(elb.endpoint(), requests)) {
      assertThat(kind.weights(elb)).isEqualTo(ALL_BLUE);
      StubMapping stub = inject(kind, fault, point, persistence);
      VirtualClock clock = VirtualClock.create();
      SwitchPlan plan = SwitchPlan.builder()
          .name(kind + " " + fault.name() + " " + point + " " + persistence)
          .router(kind.router(client, CALL_TIMEOUT)).from(BLUE_ENV).to(GREEN_ENV)
          .schedule(StageSchedule.targetWeights(Duration.ofMinutes(2), 10, 50, 100))
          .gate(point == Point.ROLLBACK_WRITE ? ScriptedGate.unhealthyDuringStage(2, "5xx rate 12%") : ScriptedGate.healthy())
          .gateInterval(Duration.ofSeconds(30))
          .retry(FORWARD_RETRY).rollbackRetry(ROLLBACK_RETRY)
          .waitForClientConvergence(false)
          .lock(new InProcessRouteLock()).defaultLogging(false)
          .time(clock)
          .build();

      SwitchResult result = plan.execute();
      boolean interruptLeaked = Thread.interrupted();

      assertThat(interruptLeaked).as("the plan must not leave the test thread interrupted: " + result.summary()).isFalse();
      assertFaultWasServed(kind, stub, fault, point, persistence, result);
      if (fault == ElbFault.WRITE_LANDED) {
        Map<String, Integer> landed = point == Point.STAGE_WRITE ? STAGE_2 : ALL_BLUE;
        assertThat(elb.server().getAllServeEvents().stream().filter(e -> e.getStubMapping() != null && stub.getId().equals(e.getStubMapping().getId()))
            .map(e -> FakeElb.forwardWeightsSent(FakeElb.form(e.getRequest().getBodyAsString()))))
            .as("the write whose reply was lost carried " + landed + " and reached the fake").containsExactly(landed);
      }
      FaultMatrix.Cell cell = FaultMatrix.cell(kind.routerName, fault.label, point, persistence).retries(FORWARD_RETRY, ROLLBACK_RETRY);
      (fault == ElbFault.WRITE_LANDED ? cell.writeLanded() : cell).check(result);
      assertBackendIsWhereTheResultSays(kind, requests, result);
    }
  }

  /** The SDK calls a cell targets, as {@link #inject} matches them on the wire. */
  private static Predicate<SdkRequest> targets(RouterKind kind, Point point) {
    Map<String, Integer> written = point == Point.STAGE_WRITE ? STAGE_2 : ALL_BLUE;
    return request -> switch (point) {
      case FIRST_READ -> kind == RouterKind.LISTENER ? request instanceof DescribeListenersRequest : request instanceof DescribeRulesRequest;
      case STAGE_WRITE, ROLLBACK_WRITE -> (request instanceof ModifyListenerRequest m && written.equals(forwardWeights(m.defaultActions())))
          || (request instanceof ModifyRuleRequest r && written.equals(forwardWeights(r.actions())));
    };
  }

  private static Map<String, Integer> forwardWeights(List<Action> actions) {
    Map<String, Integer> weights = new java.util.LinkedHashMap<>();
    for (Action action : actions) {
      if (action.forwardConfig() != null) {
        action.forwardConfig().targetGroups().forEach(tg -> weights.put(tg.targetGroupArn(), tg.weight()));
      }
    }
    return weights;
  }

  // ---------------------------------------------------------------------------------------------
  // injecting

  private static StubMapping inject(RouterKind kind, ElbFault fault, Point point, Persistence persistence) {
    String action = point == Point.FIRST_READ ? kind.readAction : kind.writeAction;
    Predicate<Map<String, Integer>> weights = switch (point) {
      case FIRST_READ -> w -> true;
      case STAGE_WRITE -> STAGE_2::equals;
      case ROLLBACK_WRITE -> ALL_BLUE::equals;
    };
    MappingBuilder mapping = post(anyUrl()).atPriority(1)
        .withFormParam("Action", equalTo(action))
        .andMatching(request -> MatchResult.of(weights.test(FakeElb.forwardWeightsSent(FakeElb.form(request.getBodyAsString())))));
    if (fault.slowReply()) {
      // the client marked the targeted calls (once or every one) and gave them the short timeout
      return elb.server().stubFor(mapping.withHeader(SlowCallFault.HEADER, equalTo("1")).willReturn(fault.response()));
    }
    if (persistence == Persistence.ONCE) {
      mapping = mapping.inScenario("fault").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("spent");
    }
    return elb.server().stubFor(mapping.willReturn(fault.response()));
  }

  // ---------------------------------------------------------------------------------------------
  // checking

  /** The fault was served to the request the cell targets, once or on every attempt the retry policy allows. */
  private static void assertFaultWasServed(RouterKind kind, StubMapping stub, ElbFault fault, Point point, Persistence persistence,
      SwitchResult result) {
    long served = elb.server().getAllServeEvents().stream()
        .filter(e -> e.getStubMapping() != null && stub.getId().equals(e.getStubMapping().getId())).count();
    int attempts = point == Point.ROLLBACK_WRITE ? ROLLBACK_RETRY.maxAttempts() : FORWARD_RETRY.maxAttempts();
    String operation = switch (point) {
      case FIRST_READ -> "read the current split";
      case STAGE_WRITE -> "apply " + TrafficSplit.between(BLUE_ENV, GREEN_ENV, 50);
      case ROLLBACK_WRITE -> "rollback to " + TrafficSplit.between(BLUE_ENV, GREEN_ENV, 0);
    };
    List<SwitchEvent.RetryScheduled> retries = result.events(SwitchEvent.RetryScheduled.class).stream()
        .filter(r -> r.operation().equals(operation)).toList();
    String why = fault + " at " + point + " " + persistence + ": " + result.summary() + "; retries " + result.events(SwitchEvent.RetryScheduled.class);
    assertThat(served).as("requests the fault stub answered; " + why).isEqualTo(persistence == Persistence.ONCE ? 1 : attempts);
    assertThat(retries).as("retries of \"" + operation + "\"; " + why).hasSize(persistence == Persistence.ONCE ? 1 : attempts - 1)
        .allSatisfy(r -> assertThat(r.error()).contains(fault.retryMentions).contains(point == Point.FIRST_READ ? kind.readAction : kind.writeAction));
    assertThat(result.events(SwitchEvent.RetryScheduled.class)).as("no retry but the injected fault's; " + why).hasSameSizeAs(retries);
  }

  /** The fake's listener or rule holds what the result says: the target, the exact prior actions, or the split last read. */
  private static void assertBackendIsWhereTheResultSays(RouterKind kind, RequestCounter requests, SwitchResult result) {
    long writes = requests.count(kind.writeAction);
    switch (result.outcome()) {
      case COMPLETED -> assertThat(kind.weights(elb)).as(result.summary()).isEqualTo(ALL_GREEN);
      case ROLLED_BACK -> assertThat(kind.actions(elb)).as("every action and field back as it was; " + result.summary())
          .isEqualTo(kind.initialActions(elb));
      case ROLLBACK_FAILED -> {
        assertThat(result.trafficNow()).as(result.summary()).contains(TrafficSplit.between(BLUE_ENV, GREEN_ENV, 50));
        assertThat(kind.weights(elb)).as(result.summary()).isEqualTo(STAGE_2);
      }
      case ABORTED -> {
        assertThat(writes).as("no write after an abort at the first read; " + result.summary()).isZero();
        assertThat(kind.actions(elb)).isEqualTo(kind.initialActions(elb));
      }
      default -> throw new IllegalStateException(result.outcome().name());
    }
  }
}
