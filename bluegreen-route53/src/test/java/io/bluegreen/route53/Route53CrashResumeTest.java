package io.bluegreen.route53;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.bluegreen.core.Router;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.dynamodb.DynamoDbRouteLock;
import io.bluegreen.route53.support.FakeRoute53;
import io.bluegreen.route53.support.MotoRoute53;
import io.bluegreen.route53.support.Route53Clients;
import io.bluegreen.route53.support.Route53LockedPlan;
import io.bluegreen.testkit.ChildJvm;
import io.bluegreen.testkit.CrashResumeContractTest;
import io.bluegreen.testkit.Evidence;
import java.net.URI;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * The crash-resume kit for a Route 53 weighted-record plan locked with a {@link DynamoDbRouteLock}, on
 * moto server: the child runs {@link Route53LockedPlan}; every Route 53 request of the child and of
 * the re-run goes through a WireMock proxy in front of moto, which records it (and, for the in-flight
 * case, holds back the reply to the stage-3 {@code ChangeResourceRecordSets} after moto applied it).
 * {@link Route53ConditionalCrashResumeTest} runs it with the router built with conditionalWrites(true).
 */
@Evidence(backend = "moto server 5.2.5 (Route 53, DynamoDB) behind a recording WireMock proxy;"
    + " the first plan runs in a child JVM killed with SIGKILL")
class Route53CrashResumeTest extends CrashResumeContractTest {

  private static final String RRSET = "/2013-04-01/hostedzone/[^/]+/rrset/?";

  private final URI moto = MotoRoute53.endpoint();
  private final Route53Client admin = Route53Clients.create(moto, null);
  private final MotoRoute53 zone = MotoRoute53.sharedZone(admin);
  private final String label = MotoRoute53.randomLabel();
  private final String name = zone.name(label);
  private final WireMockServer proxy = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final Route53Client viaProxy;
  private final DynamoDbClient dynamo = Route53LockedPlan.dynamo(moto);
  private final String table = "bluegreen-locks-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);

  Route53CrashResumeTest() {
    zone.create(List.of(MotoRoute53.aRecord(name, label + "-blue", 100, 60, null, "192.0.2.10"),
        MotoRoute53.aRecord(name, label + "-green", 0, 60, null, "192.0.2.20")));
    proxy.start();
    proxy.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(moto.toString())));
    viaProxy = Route53Clients.create(URI.create(proxy.baseUrl()), null);
    DynamoDbRouteLock.createTable(dynamo, table);
  }

  /** @return whether every run's router is built with conditionalWrites(true) */
  protected boolean conditionalWrites() {
    return false;
  }

  @AfterEach
  void stop() {
    proxy.stop();
    viaProxy.close();
    dynamo.close();
    admin.close();
  }

  @Override
  protected ChildJvm startChild() {
    return ChildJvm.start("route53-crash-child", Route53LockedPlan.class, proxy.baseUrl(), moto.toString(), table, zone.zoneId(), name,
        label, CHILD, conditionalWrites() ? "conditional" : "upsert");
  }

  @Override
  protected SwitchPlan.Builder resumer(InstantSource lockTime) {
    return Route53LockedPlan.plan(Route53LockedPlan.router(viaProxy, zone.zoneId(), name, label, conditionalWrites()),
        Route53LockedPlan.lock(dynamo, table, lockTime), RESUMER);
  }

  @Override
  protected Router reader() {
    return Route53LockedPlan.router(admin, zone.zoneId(), name, label);
  }

  @Override
  protected LockState lockState() {
    return Route53LockedPlan.lockState(dynamo, table, reader().routeId());
  }

  @Override
  protected int routeRequests() {
    return requests().size();
  }

  @Override
  protected List<Integer> greenWeightsWrittenSince(int fromRequest) {
    List<Integer> weights = new ArrayList<>();
    List<LoggedRequest> all = requests();
    for (LoggedRequest r : all.subList(fromRequest, all.size())) {
      if (!r.getMethod().getName().equals("POST") || !r.getUrl().matches(RRSET)) {
        continue;
      }
      NodeList changes = FakeRoute53.parse(r.getBodyAsString()).getElementsByTagName("Change");
      for (int i = 0; i < changes.getLength(); i++) {
        Element change = (Element) changes.item(i);
        Element set = (Element) change.getElementsByTagName("ResourceRecordSet").item(0);
        // a conditional write DELETEs the record as it was: only what it CREATEs (or UPSERTs) is written
        if ((label + "-green").equals(FakeRoute53.text(set, "SetIdentifier")) && !"DELETE".equals(FakeRoute53.text(change, "Action"))) {
          weights.add(Integer.parseInt(FakeRoute53.text(set, "Weight")));
        }
      }
    }
    return weights;
  }

  @Override
  protected void holdBackTheReplyToTheHalfWayWrite() {
    // the write of 50/50: an UPSERT or a CREATE with weight 50 (the stage after it DELETEs the records at 50)
    proxy.stubFor(post(urlPathMatching(RRSET)).atPriority(1)
        .withRequestBody(matching("(?s).*<Action>(UPSERT|CREATE)</Action><ResourceRecordSet>(?:(?!</ResourceRecordSet>).)*"
            + "<Weight>50</Weight>.*"))
        .willReturn(aResponse().proxiedFrom(moto.toString()).withFixedDelay(120_000)));
  }

  @Override
  protected String what() {
    return "Route 53 weighted records (moto, DynamoDbRouteLock)";
  }

  /** @return every Route 53 request the proxy received, child's and re-run's, in the order received */
  private List<LoggedRequest> requests() {
    return proxy.findAll(anyRequestedFor(anyUrl()));
  }
}
