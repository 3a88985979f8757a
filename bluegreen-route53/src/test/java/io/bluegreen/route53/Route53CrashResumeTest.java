package io.bluegreen.route53;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.bluegreen.route53.support.Route53LockedPlan.BLUE;
import static io.bluegreen.route53.support.Route53LockedPlan.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.dynamodb.DynamoDbRouteLock;
import io.bluegreen.route53.support.FakeRoute53;
import io.bluegreen.route53.support.MotoRoute53;
import io.bluegreen.route53.support.Route53Clients;
import io.bluegreen.route53.support.Route53LockedPlan;
import io.bluegreen.testkit.ChildJvm;
import io.bluegreen.testkit.EvidenceLog;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * End to end on moto server: a Route 53 weighted-record plan 10/25/50/75/100, locked with a
 * {@link DynamoDbRouteLock}, runs in a child JVM in real time; the test kills it with SIGKILL — once
 * during the bake of stage 3 (after its change was INSYNC and read back), once while the stage-3
 * {@code ChangeResourceRecordSets} is in flight (it reached moto, its reply is held back by the
 * recording proxy in front of moto) — and runs the same plan again here. The re-run must be refused
 * while the dead process's lock item is valid (judged on an injected lock clock), take it over once
 * {@code expiresAt + margin} has passed, read the real weights, continue from them without
 * re-applying a stage, and release the lock. Every Route 53 request of both runs goes through the
 * proxy, which records it.
 *
 * <p>Real waits, all bounded: the child's start-up and its 1 s stage holds (a plan in another JVM runs
 * in real time), polled through its stdout with a 90 s limit; the records polled (30 s limit) until
 * the in-flight change has landed; and up to 10 s for the killed process to be reaped.
 */
class Route53CrashResumeTest {

  private static final String CHILD = "crashed-pipeline@runner-1";
  private static final String RESUMER = "resumed-pipeline@runner-2";
  private static final Duration CHILD_LIMIT = Duration.ofSeconds(90);
  private static final String RRSET = "/2013-04-01/hostedzone/[^/]+/rrset/?";

  private final URI moto = MotoRoute53.endpoint();
  private final Route53Client admin = Route53Clients.create(moto, null);
  private final MotoRoute53 zone = MotoRoute53.sharedZone(admin);
  private final String label = MotoRoute53.randomLabel();
  private final String name = zone.name(label);
  private final WireMockServer proxy = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final DynamoDbClient dynamo = Route53LockedPlan.dynamo(moto);
  private final String table = "bluegreen-locks-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
  private ChildJvm child;

  Route53CrashResumeTest() {
    zone.create(List.of(MotoRoute53.aRecord(name, label + "-blue", 100, 60, null, "192.0.2.10"),
        MotoRoute53.aRecord(name, label + "-green", 0, 60, null, "192.0.2.20")));
    proxy.start();
    proxy.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(moto.toString())));
    DynamoDbRouteLock.createTable(dynamo, table);
  }

  @AfterEach
  void stop() throws InterruptedException {
    try {
      if (child != null) {
        child.close();
      }
    } finally {
      proxy.stop();
      dynamo.close();
      admin.close();
    }
  }

  /** What the crash left behind. */
  private record Crash(TrafficSplit found, long childToken, Instant expiresAt, Instant killedAt) {
  }

  @Test
  void killedAfterAVerifiedStageIsResumedFromTheWeightsItLeft() throws Exception {
    child = startChild();
    long token = token(child.awaitLine("LOCKED ", CHILD_LIMIT));
    child.awaitLine("STAGE_VERIFIED " + Route53LockedPlan.KILLED_IN_STAGE + " ", CHILD_LIMIT);
    Crash crash = kill(token);
    assertThat(crash.found()).isEqualTo(TrafficSplit.of(BLUE, 50, GREEN, 50));
    resumeAndCheck(crash, "SIGKILL during the bake of stage 3 (after its change was INSYNC)");
  }

  @Test
  void killedWhileAChangeIsInFlightIsResumedWithoutWritingThatStageAgain() throws Exception {
    // the stage-3 change (50/50) reaches moto, but its reply is held back: the child dies waiting for it
    proxy.stubFor(post(urlPathMatching(RRSET)).atPriority(1).withRequestBody(containing("<Weight>50</Weight>"))
        .willReturn(aResponse().proxiedFrom(moto.toString()).withFixedDelay(120_000)));
    child = startChild();
    long token = token(child.awaitLine("LOCKED ", CHILD_LIMIT));
    child.awaitLine("STAGE_STARTED " + Route53LockedPlan.KILLED_IN_STAGE, CHILD_LIMIT);
    awaitRecordsAt(TrafficSplit.of(BLUE, 50, GREEN, 50));
    assertThat(child.isAlive()).isTrue();
    Crash crash = kill(token);
    assertThat(child.lines()).as("the change never returned to the child").noneMatch(l -> l.startsWith("STAGE_VERIFIED 3"));
    assertThat(crash.found()).as("the in-flight change had landed").isEqualTo(TrafficSplit.of(BLUE, 50, GREEN, 50));
    resumeAndCheck(crash, "SIGKILL while the stage-3 ChangeResourceRecordSets was in flight (landed, reply held back)");
  }

  // ---------------------------------------------------------------------------------------------

  private ChildJvm startChild() {
    return ChildJvm.start("route53-crash-child", Route53LockedPlan.class, proxy.baseUrl(), moto.toString(), table, zone.zoneId(), name,
        label, CHILD);
  }

  private static long token(String lockedLine) {
    return Long.parseLong(lockedLine.substring("LOCKED ".length()).trim());
  }

  private WeightedRecordRouter router(Route53Client client) {
    return Route53LockedPlan.router(client, zone.zoneId(), name, label);
  }

  private Crash kill(long token) throws InterruptedException {
    Instant killedAt = Instant.now();
    assertThat(child.kill()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
    assertThat(child.lines()).as("the child never finished").noneMatch(l -> l.startsWith("FINISHED"));
    TrafficSplit found = router(admin).current();
    Map<String, AttributeValue> item = lockItem();
    assertThat(item.get("owner").s()).as("the dead process still holds the lock").isEqualTo(CHILD);
    assertThat(item.get("version").n()).isEqualTo(Long.toString(token));
    Instant expiresAt = Instant.parse(item.get("expiresAt").s());
    assertThat(expiresAt.plus(Route53LockedPlan.MARGIN)).as("still valid when the resumer starts").isAfter(Instant.now());
    return new Crash(found, token, expiresAt, killedAt);
  }

  private void awaitRecordsAt(TrafficSplit split) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    WeightedRecordRouter reader = router(admin);
    while (!reader.current().equals(split)) {
      assertThat(System.nanoTime()).as("the records never showed " + split + "; the child printed " + child.lines()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private void resumeAndCheck(Crash crash, String how) {
    Instant takeover = crash.expiresAt().plus(Route53LockedPlan.MARGIN);
    try (Route53Client route53 = Route53Clients.create(URI.create(proxy.baseUrl()), null)) {
      // refused while the dead process's lock is valid (the lock's clock stopped at `at`): nothing read or written on Route 53
      for (Instant at : List.of(Instant.now(), takeover.minusMillis(1))) {
        int mark = requests().size();
        SwitchResult refused = Route53LockedPlan.plan(router(route53), Route53LockedPlan.lock(dynamo, table, InstantSource.fixed(at)), RESUMER)
            .defaultLogging(false).time(VirtualClock.create()).build().execute();
        assertThat(refused.outcome()).as(refused.summary()).isEqualTo(Outcome.ABORTED);
        assertThat(refused.reason()).contains("is locked by " + CHILD + " (DynamoDB table " + table + ", version " + crash.childToken());
        assertThat(requests().subList(mark, requests().size())).as("a refused plan does not touch Route 53").isEmpty();
      }

      // taken over once expiry + margin has passed on the lock's clock (a real clock moved on to the takeover instant)
      Duration ahead = Duration.between(Instant.now(), takeover);
      int mark = requests().size();
      RecordingListener events = new RecordingListener();
      SwitchResult result = Route53LockedPlan.plan(router(route53), Route53LockedPlan.lock(dynamo, table, () -> Instant.now().plus(ahead)),
          RESUMER).listener(events).defaultLogging(false).time(VirtualClock.create()).build().execute();

      assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      assertThat(result.trafficNow()).contains(TrafficSplit.allTo(GREEN, BLUE));
      assertThat(result.isTrafficNowVerified()).isTrue();
      assertThat(result.snapshot()).contains(crash.found());
      assertThat(events.ofType(SwitchEvent.Notice.class)).extracting(SwitchEvent.Notice::message)
          .contains("resuming: blue=50 green=50 is already in place; stages 1-3 are behind it, continuing with stage 4");
      assertThat(events.ofType(SwitchEvent.StageStarted.class)).extracting(SwitchEvent.StageStarted::stageNumber).containsExactly(4, 5);
      assertThat(events.ofType(SwitchEvent.LockAcquired.class)).singleElement()
          .satisfies(e -> assertThat(e.fencingToken()).as("fencing token: the child's + 1").hasValue(crash.childToken() + 1));
      List<Long> resumed = greenWeightsWritten(requests().subList(mark, requests().size()));
      assertThat(resumed).as("no stage at or below the weights found is written again").containsExactly(75L, 100L);
      assertThat(greenWeightsWritten(requests())).as("every change, child and resumer: weights never go back")
          .containsExactly(10L, 25L, 50L, 75L, 100L);
      assertThat(lockItem()).as("released when the resumed plan ended; the fencing counter kept").doesNotContainKey("owner")
          .satisfies(i -> assertThat(i.get("version").n()).isEqualTo(Long.toString(crash.childToken() + 1)));

      String test = "Route53CrashResumeTest (bluegreen-route53, moto): weighted records 10/25/50/75/100 in a child JVM,"
          + " DynamoDbRouteLock; " + how;
      EvidenceLog.figure("Route 53 crash-resume (" + how + "): weights found", crash.found().toString(), test);
      EvidenceLog.figure("Route 53 crash-resume (" + how + "): changes after resume", resumed.size() + " (green " + resumed
          + "; all changes " + greenWeightsWritten(requests()) + ")", test);
      EvidenceLog.figure("Route 53 crash-resume (" + how + "): DynamoDB lock of the dead process taken over", String.format(Locale.ROOT,
          "only after expiry + %d s margin, %.1f s after the kill (lease %d s); refused 1 ms before; no wall-clock wait (injected lock"
              + " clock); fencing token %d -> %d", Route53LockedPlan.MARGIN.toSeconds(),
          Duration.between(crash.killedAt(), takeover).toMillis() / 1000.0, Route53LockedPlan.LEASE.toSeconds(), crash.childToken(),
          crash.childToken() + 1), test);
      EvidenceLog.figure("Route 53 crash-resume (" + how + "): outcome", result.summary(), test);
    }
  }

  private Map<String, AttributeValue> lockItem() {
    String route = router(admin).routeId();
    return dynamo.getItem(r -> r.tableName(table).consistentRead(true)
        .key(Map.of(DynamoDbRouteLock.PARTITION_KEY, AttributeValue.fromS(route)))).item();
  }

  /** @return every Route 53 request the proxy received, child's and resumer's, in the order received */
  private List<LoggedRequest> requests() {
    return proxy.findAll(anyRequestedFor(anyUrl()));
  }

  /** @return green's weight in each ChangeResourceRecordSets among {@code requests}, in order */
  private List<Long> greenWeightsWritten(List<LoggedRequest> requests) {
    List<Long> weights = new ArrayList<>();
    for (LoggedRequest r : requests) {
      if (!r.getMethod().getName().equals("POST") || !r.getUrl().matches(RRSET)) {
        continue;
      }
      NodeList sets = FakeRoute53.parse(r.getBodyAsString()).getElementsByTagName("ResourceRecordSet");
      for (int i = 0; i < sets.getLength(); i++) {
        Element set = (Element) sets.item(i);
        if ((label + "-green").equals(FakeRoute53.text(set, "SetIdentifier"))) {
          weights.add(Long.parseLong(FakeRoute53.text(set, "Weight")));
        }
      }
    }
    return weights;
  }
}
