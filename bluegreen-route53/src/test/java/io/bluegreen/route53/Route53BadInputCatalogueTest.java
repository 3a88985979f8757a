package io.bluegreen.route53;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.route53.gate.HealthCheckGate;
import io.bluegreen.route53.support.FakeRoute53;
import io.bluegreen.route53.support.RequestCounter;
import io.bluegreen.route53.support.Route53Clients;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * Every invalid input to bluegreen-route53's public API ({@link WeightedRecordRouter},
 * {@link WeightedRecord}, {@link ChangeBatchLimits}, {@link HealthCheckGate}, and a plan built on
 * the router) is rejected with an {@link InvalidConfigurationException} whose message names the
 * problem and says what to pass instead, before any request reaches Route 53. The client points at
 * a scripted Route 53 on WireMock and counts every request the SDK sends; after each case both must
 * be zero. Each case that passed is recorded for docs/RELIABILITY.md ({@link Evidence}).
 */
@Evidence(backend = "WireMock: a hand-written Route 53 fake (FakeRoute53), counting every request the SDK sends")
class Route53BadInputCatalogueTest {

  private static final String MODULE = "bluegreen-route53";
  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final Environment TEAL = Environment.of("teal");
  private static final String ZONE = "Z0123456789ABCDEFGHIJ";
  private static final String HEALTH_CHECK = "2b1d6f3e-0c7a-4c55-9f0e-4d2a8b6c1e90";

  private static FakeRoute53 fake;
  private static RequestCounter counter;
  private static Route53Client client;

  @BeforeAll
  static void start() {
    fake = FakeRoute53.start("example.com");
    counter = new RequestCounter();
    client = Route53Clients.create(fake.endpoint(), counter);
  }

  @AfterAll
  static void stop() {
    client.close();
    fake.close();
  }

  /** One invalid input: what it is, how it is passed, and what the message must say. */
  record Case(String input, ThrowingCallable call, List<String> mustSay) {
    @Override
    public String toString() {
      return input;
    }
  }

  private static Case bad(String input, ThrowingCallable call, String... mustSay) {
    return new Case(input, call, List.of(mustSay));
  }

  private static Map<Environment, String> ids(String prefix) {
    Map<Environment, String> m = new LinkedHashMap<>();
    m.put(BLUE, prefix + "-blue");
    m.put(GREEN, prefix + "-green");
    return m;
  }

  private static WeightedRecordRouter.Builder router() {
    return WeightedRecordRouter.builder(client).hostedZoneId(ZONE);
  }

  private static WeightedRecordRouter validRouter() {
    return router().record("api.example.com", "A", ids("api")).build();
  }

  private static List<Case> catalogue() {
    String label64 = "a".repeat(64);
    String longName = ("a".repeat(60) + ".").repeat(4) + "example.com"; // 255 characters
    Map<Environment, String> withTeal = new LinkedHashMap<>(ids("b"));
    withTeal.put(TEAL, "b-teal");
    List<Case> cases = new ArrayList<>();

    // hosted zone ids
    cases.add(bad("hosted zone id: the zone's name \"example.com\" instead of its id",
        () -> router().hostedZoneId("example.com"), "looks like the zone's name", "pass its id"));
    cases.add(bad("hosted zone id in lower case \"/hostedzone/z0123456789abc\"",
        () -> router().hostedZoneId("/hostedzone/z0123456789abc"), "is invalid (zone ids are upper case)", "1 to 32 capital letters and digits"));
    cases.add(bad("hosted zone id longer than 32 characters",
        () -> router().hostedZoneId("Z" + "A".repeat(32)), "is invalid", "such as Z0123456789ABCDEFGHIJ"));
    cases.add(bad("hosted zone id blank (\"  \")", () -> router().hostedZoneId("  "), "hostedZoneId is blank", "pass a non-empty value"));
    cases.add(bad("hosted zone id never set", () -> WeightedRecordRouter.builder(client).record("api.example.com", "A", ids("api")).build(),
        "hostedZoneId is not set", "pass the id of the zone"));

    // record names
    cases.add(bad("record name of 255 characters (DNS allows 253 without the final dot)",
        () -> router().record(longName, "A", ids("api")), "255 characters long", "at most 255 octets"));
    cases.add(bad("record name with a 64-character label", () -> router().record(label64 + ".example.com", "A", ids("api")),
        "a label of 64 characters", "at most 63 characters"));
    cases.add(bad("record name with an empty label \"api..example.com\"", () -> router().record("api..example.com", "A", ids("api")),
        "empty label", "use a DNS name such as api.example.com"));
    cases.add(bad("record name with a label starting with '-' \"-api.example.com\"",
        () -> router().record("-api.example.com", "A", ids("api")), "invalid label \"-api\"", "not starting or ending with '-'"));
    cases.add(bad("record name with a space \"my api.example.com\"", () -> router().record("my api.example.com", "A", ids("api")),
        "invalid label \"my api\"", "letters, digits, '-' or '_'"));
    cases.add(bad("wildcard not in the first label \"api.*.example.com\"", () -> router().record("api.*.example.com", "A", ids("api")),
        "invalid label \"*\"", "'*' only as the whole first label"));
    cases.add(bad("wildcard as part of a label \"*api.example.com\"", () -> router().record("*api.example.com", "A", ids("api")),
        "invalid label \"*api\"", "'*' only as the whole first label"));
    cases.add(bad("record name \".\" (the root, nothing to switch)", () -> router().record(".", "A", ids("api")),
        "is empty", "use a DNS name"));
    cases.add(bad("record name null", () -> WeightedRecord.builder().name(null).type("A").build(), "record name is null", "pass a value"));

    // record types
    cases.add(bad("record type SOA (belongs to the zone)", () -> router().record("api.example.com", "SOA", ids("api")),
        "cannot be switched with weights", "use one of A, AAAA, CNAME"));
    cases.add(bad("record type NS (belongs to the zone)", () -> router().record("api.example.com", "NS", ids("api")),
        "cannot be switched with weights", "use one of A, AAAA, CNAME"));
    cases.add(bad("unknown record type \"AAAAA\"", () -> router().record("api.example.com", "AAAAA", ids("api")),
        "record type \"AAAAA\" cannot be switched", "use one of"));
    cases.add(bad("record without a type", () -> WeightedRecord.builder().name("api.example.com").setIdentifier(BLUE, "api-blue")
        .setIdentifier(GREEN, "api-green").build(), "has no type", "e.g. .type(\"A\")"));

    // SetIdentifiers and environment mappings
    cases.add(bad("SetIdentifier empty (\"\")", () -> router().record(r -> r.name("api.example.com").type("A")
        .setIdentifier(BLUE, "").setIdentifier(GREEN, "api-green")), "is 0 characters long", "1 to 128 characters"));
    cases.add(bad("SetIdentifier of 129 characters", () -> router().record(r -> r.name("api.example.com").type("A")
        .setIdentifier(BLUE, "b".repeat(129)).setIdentifier(GREEN, "api-green")), "is 129 characters long", "1 to 128 characters"));
    cases.add(bad("SetIdentifier with a newline \"api\\nblue\"", () -> router().record(r -> r.name("api.example.com").type("A")
        .setIdentifier(BLUE, "api\nblue").setIdentifier(GREEN, "api-green")), "control character", "exactly as Route 53 shows it"));
    cases.add(bad("SetIdentifier null", () -> router().record(r -> r.name("api.example.com").type("A")
        .setIdentifier(BLUE, null)), "SetIdentifier of blue is null", "pass a value"));
    cases.add(bad("two environments mapped to the same SetIdentifier", () -> router().record(r -> r.name("api.example.com").type("A")
        .setIdentifier(BLUE, "api").setIdentifier(GREEN, "api")), "maps both blue and green to SetIdentifier \"api\"",
        "give each environment its own weighted record"));
    cases.add(bad("one environment mapped twice", () -> router().record(r -> r.name("api.example.com").type("A")
        .setIdentifier(BLUE, "api-blue").setIdentifier(BLUE, "api-blue-2")), "environment blue is mapped twice",
        "give each environment one SetIdentifier"));
    cases.add(bad("record mapping a single environment", () -> router().record("api.example.com", "A", Map.of(BLUE, "api-blue")),
        "maps 1 environment(s)", "map at least two environments"));
    cases.add(bad("null environment in a mapping", () -> router().record(r -> r.name("api.example.com").type("A")
        .setIdentifier(null, "api-blue")), "environment is null", "pass a value"));

    // the router as a whole
    cases.add(bad("router without any record", () -> router().build(), "no record to switch", "add one with .record("));
    cases.add(bad("fleet whose record groups map different environments (blue/green vs blue/green/teal)",
        () -> router().record("a.example.com", "A", ids("a")).record("b.example.com", "A", withTeal).build(),
        "maps environments", "every record of one router must map the same environments"));
    cases.add(bad("the same record listed twice (\"api.example.com\" and \"API.example.com.\")",
        () -> router().record("api.example.com", "A", ids("api")).record("API.example.com.", "A", ids("api")).build(),
        "is listed twice", "list each name and type once"));
    cases.add(bad("null Route53Client", () -> WeightedRecordRouter.builder(null), "route53 client is null", "Route53Client.create()"));
    cases.add(bad("negative alias TTL (-1 s)", () -> router().aliasTtl(Duration.ofSeconds(-1)), "aliasTtl is negative",
        "pass zero or a positive duration"));
    cases.add(bad("null alias TTL", () -> router().aliasTtl(null), "aliasTtl is null", "pass a value"));
    cases.add(bad("healthyCheckerShare 1.0 (no share can be more than all checkers)", () -> router().healthyCheckerShare(1.0),
        "healthyCheckerShare 1.0 is out of range", "up to but not including 1.0"));
    cases.add(bad("healthyCheckerShare -0.1", () -> router().healthyCheckerShare(-0.1), "out of range", "use 0.0"));
    cases.add(bad("healthyCheckerShare NaN", () -> router().healthyCheckerShare(Double.NaN), "NaN is out of range", "use 0.0"));
    cases.add(bad("blank route id", () -> router().routeId(" "), "routeId is blank", "pass a non-empty value"));
    cases.add(bad("ChangeBatchLimits with 1 ResourceRecord element (an UPSERT counts 2)",
        () -> ChangeBatchLimits.builder().maxResourceRecordElements(1), "too small", "use 2 or more"));
    cases.add(bad("ChangeBatchLimits with 0 value characters", () -> ChangeBatchLimits.builder().maxValueCharacters(0), "is invalid",
        "use 1 or more"));
    cases.add(bad("ChangeBatchLimits with 0 changes per request", () -> ChangeBatchLimits.builder().maxChanges(0), "is invalid",
        "use 1 or more"));
    cases.add(bad("null ChangeBatchLimits", () -> router().changeBatchLimits(null), "changeBatchLimits is null", "pass a value"));

    // splits and plans on a valid router
    cases.add(bad("apply() of a split naming an environment the router does not map (teal)",
        () -> validRouter().apply(TrafficSplit.of(BLUE, 50, TEAL, 50)), "environment teal is not routed by",
        "add it to the router's environment mapping"));
    cases.add(bad("plan from blue to an environment the router does not map (teal)", () -> SwitchPlan.builder().router(validRouter())
        .from(BLUE).to(TEAL).schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100)).lock(new InProcessRouteLock()).build(),
        "environment teal is not routed by", "map it in the router's configuration"));

    // HealthCheckGate
    cases.add(bad("health check id that is not a UUID (\"green-health\")", () -> HealthCheckGate.of(client, "green-health"),
        "health check id \"green-health\" is invalid", "a UUID such as"));
    cases.add(bad("health check id with a missing group (\"2b1d6f3e-0c7a-4c55-4d2a8b6c1e90\")",
        () -> HealthCheckGate.of(client, "2b1d6f3e-0c7a-4c55-4d2a8b6c1e90"), "is invalid", "a UUID such as"));
    cases.add(bad("health check id null", () -> HealthCheckGate.of(client, null), "healthCheckId is null", "pass a value"));
    cases.add(bad("HealthCheckGate with a null Route53Client", () -> HealthCheckGate.of(null, HEALTH_CHECK), "route53 client is null",
        "Route53Client.create()"));
    cases.add(bad("HealthCheckGate healthyShare 1.5", () -> HealthCheckGate.builder(client, HEALTH_CHECK).healthyShare(1.5),
        "healthyShare 1.5 is out of range", "up to but not including 1.0"));
    cases.add(bad("HealthCheckGate healthyShare -0.5", () -> HealthCheckGate.builder(client, HEALTH_CHECK).healthyShare(-0.5),
        "healthyShare -0.5 is out of range", "use 0.0"));
    cases.add(bad("HealthCheckGate blank name", () -> HealthCheckGate.builder(client, HEALTH_CHECK).name(""), "HealthCheckGate name is blank",
        "pass a non-empty value"));
    return cases;
  }

  static Stream<Case> cases() {
    return catalogue().stream();
  }

  @Test
  void theCasesAreDistinctAndEnough() {
    List<Case> cases = catalogue();
    assertThat(cases.stream().map(Case::input).distinct()).as("distinct cases").hasSameSizeAs(cases).hasSizeGreaterThanOrEqualTo(12);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyBadInputIsRejectedBeforeAnyRequest(Case c) {
    long backendBefore = fake.requests();
    long sentBefore = counter.total();
    Throwable thrown = catchThrowable(c.call());
    long backendSeen = fake.requests() - backendBefore;
    long sent = counter.total() - sentBefore;

    assertThat(thrown).as(c.input()).isInstanceOf(InvalidConfigurationException.class);
    assertThat(thrown.getMessage()).as(c.input()).contains(c.mustSay());
    assertThat(backendSeen).as("requests that reached the fake Route 53 for " + c.input()).isZero();
    assertThat(sent).as("requests the SDK sent for " + c.input()).isZero();
    EvidenceLog.badInput(MODULE, c.input(), thrown.getMessage(), Math.max(backendSeen, sent));
  }
}
