package io.bluegreen.route53;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.route53.support.RequestCounter;
import io.bluegreen.route53.support.Route53Clients;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.Route53Client;

/** Every bad input is rejected when the router is built, before any AWS call. */
class WeightedRecordRouterBuilderTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final Environment TEAL = Environment.of("teal");

  // nothing listens on port 9 of 127.0.0.1: any call would fail, and the counter would see it
  private final RequestCounter counter = new RequestCounter();
  private final Route53Client client = Route53Clients.create(URI.create("http://127.0.0.1:9"), counter);

  @AfterEach
  void noCallWasMade() {
    assertThat(counter.total()).isZero();
    client.close();
  }

  private static Map<Environment, String> ids() {
    Map<Environment, String> m = new LinkedHashMap<>();
    m.put(BLUE, "api-blue");
    m.put(GREEN, "api-green");
    return m;
  }

  @Test
  void buildsAValidRouterWithoutCallingAws() {
    WeightedRecordRouter router = WeightedRecordRouter.builder(client).hostedZoneId("/hostedzone/Z0123456789ABC")
        .record("API.example.com", "a", ids()).aliasTtl(Duration.ofSeconds(30)).build();
    assertThat(router.hostedZoneId()).isEqualTo("Z0123456789ABC");
    assertThat(router.routeId()).isEqualTo("route53/Z0123456789ABC/api.example.com./A");
    assertThat(router.environments()).containsExactly(BLUE, GREEN);
    assertThat(router.capabilities().isWeighted()).isTrue();
    assertThat(router.capabilities().maxEnvironments()).isEqualTo(2);
    router.validate(TrafficSplit.of(BLUE, 90, GREEN, 10));
    assertThatThrownBy(() -> router.apply(TrafficSplit.of(BLUE, 50, TEAL, 50))).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("teal");
  }

  @Test
  void fleetsGetAStableRouteIdFromTheirRecords() {
    WeightedRecordRouter a = WeightedRecordRouter.builder(client).hostedZoneId("Z1")
        .record("a.example.com", "A", ids()).record("b.example.com", "A", ids()).build();
    WeightedRecordRouter b = WeightedRecordRouter.builder(client).hostedZoneId("Z1")
        .record("b.example.com", "A", ids()).record("a.example.com", "A", ids()).build();
    assertThat(a.routeId()).isEqualTo(b.routeId()).startsWith("route53/Z1/2-records-");
    assertThat(WeightedRecordRouter.builder(client).hostedZoneId("Z1").record("a.example.com", "A", ids()).routeId("my-route")
        .build().routeId()).isEqualTo("my-route");
  }

  @Test
  void rejectsBadInputWithMessagesThatSayWhatToFix() {
    assertThatThrownBy(() -> WeightedRecordRouter.builder(null)).hasMessageContaining("Route53Client.create()");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).record("a.example.com", "A", ids()).build())
        .hasMessageContaining("hostedZoneId is not set");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("example.com"))
        .hasMessageContaining("looks like the zone's name");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("Z1").build()).hasMessageContaining("no record to switch");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("Z1").record("a..example.com", "A", ids()))
        .hasMessageContaining("empty label");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("Z1").record("a.example.com", "SOA", ids()))
        .hasMessageContaining("cannot be switched with weights");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("Z1")
        .record("a.example.com", "A", Map.of(BLUE, "only-one"))).hasMessageContaining("at least two environments");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("Z1")
        .record(r -> r.name("a.example.com").type("A").setIdentifier(BLUE, "same").setIdentifier(GREEN, "same")))
        .hasMessageContaining("maps both blue and green to SetIdentifier \"same\"");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("Z1")
        .record(r -> r.name("a.example.com").type("A").setIdentifier(BLUE, "").setIdentifier(GREEN, "g")))
        .hasMessageContaining("1 to 128 characters");
    Map<Environment, String> withTeal = new LinkedHashMap<>(ids());
    withTeal.put(TEAL, "api-teal");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("Z1")
        .record("a.example.com", "A", ids()).record("b.example.com", "A", withTeal).build())
        .hasMessageContaining("must map the same environments");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("Z1")
        .record("a.example.com", "A", ids()).record("A.example.com.", "A", ids()).build()).hasMessageContaining("listed twice");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).healthyCheckerShare(1.0)).hasMessageContaining("out of range");
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).aliasTtl(Duration.ofSeconds(-1))).hasMessageContaining("negative");
    assertThatThrownBy(() -> ChangeBatchLimits.builder().maxResourceRecordElements(1)).hasMessageContaining("counts 2");
  }

  @Test
  void conditionalWritesAreOptInAndRefuseLimitsThatWouldSplitAGroup() {
    WeightedRecordRouter plain = WeightedRecordRouter.builder(client).hostedZoneId("Z1").record("a.example.com", "A", ids()).build();
    assertThat(plain.conditionalWrites()).isFalse();
    assertThat(plain.capabilities().writeGuard()).isEqualTo(WriteGuard.READ_THEN_WRITE);
    WeightedRecordRouter conditional = WeightedRecordRouter.builder(client).hostedZoneId("Z1").record("a.example.com", "A", ids())
        .conditionalWrites(true).endpointEnforcesExactDeletes(true).build();
    assertThat(conditional.capabilities().writeGuard()).isEqualTo(WriteGuard.CONDITIONAL);
    // a group of two records is 4 changes (a DELETE and a CREATE each) that must go in one request
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("Z1").record("a.example.com", "A", ids())
        .changeBatchLimits(ChangeBatchLimits.builder().maxChanges(3).build()).conditionalWrites(true)
        .endpointEnforcesExactDeletes(true).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("4 changes (a DELETE and a CREATE per record) in one request")
        .hasMessageContaining("raise maxChanges and maxResourceRecordElements to at least 4, or use conditionalWrites(false)");
    WeightedRecordRouter.builder(client).hostedZoneId("Z1").record("a.example.com", "A", ids())
        .changeBatchLimits(ChangeBatchLimits.builder().maxChanges(3).build()).build(); // UPSERTs: 2 changes, fine
  }

  @Test
  void conditionalWritesAreRefusedOnAnEndpointThatIsNotRoute53UnlessItIsSaidToCheckDeletes() {
    // this client's endpoint override is 127.0.0.1:9, as a moto or another emulator's would be
    assertThatThrownBy(() -> WeightedRecordRouter.builder(client).hostedZoneId("Z1").record("a.example.com", "A", ids())
        .conditionalWrites(true).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("points at 127.0.0.1:9, not at Route 53")
        .hasMessageContaining("moto 5.2.5 deletes a weighted record by its SetIdentifier")
        .hasMessageContaining("Build the router without conditionalWrites(true)")
        .hasMessageContaining("endpointEnforcesExactDeletes(true)");
    assertThat(counter.total()).isZero();
    // the default mode is safe on any endpoint, and the acknowledgement alone changes nothing
    assertThat(WeightedRecordRouter.builder(client).hostedZoneId("Z1").record("a.example.com", "A", ids())
        .endpointEnforcesExactDeletes(true).build().capabilities().writeGuard()).isEqualTo(WriteGuard.READ_THEN_WRITE);
    // Route 53's own endpoints, overridden or not, need no acknowledgement
    for (String aws : new String[] {"https://route53.amazonaws.com", "https://route53.amazonaws.com.cn", "https://route53-fips.amazonaws.com"}) {
      try (Route53Client atAws = Route53Clients.create(URI.create(aws), new RequestCounter())) {
        assertThat(WeightedRecordRouter.builder(atAws).hostedZoneId("Z1").record("a.example.com", "A", ids())
            .conditionalWrites(true).build().capabilities().writeGuard()).as(aws).isEqualTo(WriteGuard.CONDITIONAL);
      }
    }
    try (Route53Client noOverride = Route53Client.builder().region(software.amazon.awssdk.regions.Region.AWS_GLOBAL)
        .credentialsProvider(software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider.create()).build()) {
      assertThat(WeightedRecordRouter.builder(noOverride).hostedZoneId("Z1").record("a.example.com", "A", ids())
          .conditionalWrites(true).build().conditionalWrites()).isTrue();
    }
  }
}
