package io.bluegreen.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.bluegreen.aws.support.AlbLockedPlan.BLUE;
import static io.bluegreen.aws.support.AlbLockedPlan.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.bluegreen.aws.support.AlbLockedPlan;
import io.bluegreen.aws.support.MotoAlb;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.dynamodb.DynamoDbRouteLock;
import io.bluegreen.testkit.ChildJvm;
import io.bluegreen.testkit.EvidenceLog;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * End to end on moto server: an ALB listener plan 10/25/50/75/100, locked with a
 * {@link DynamoDbRouteLock}, runs in a child JVM in real time; the test kills it with SIGKILL — once
 * during the bake of stage 3 (after its write was verified), once while the stage-3
 * {@code ModifyListener} is in flight (it reached moto, its reply is held back by the recording
 * proxy in front of moto) — and runs the same plan again here. The re-run must be refused while the
 * dead process's lock item is valid (judged on an injected lock clock: no wall-clock wait for the
 * expiry), take it over once {@code expiresAt + margin} has passed, read the real split, continue
 * from it without re-applying a stage, and release the lock. Every ELB request of both runs goes
 * through a WireMock proxy that records it with the runner's name.
 *
 * <p>Real waits, all bounded: the child's start-up and its 1 s stage holds (a plan in another JVM runs
 * in real time), polled through its stdout with a 90 s limit; moto's listener polled (30 s limit)
 * until the in-flight write has landed; and up to 10 s for the killed process to be reaped.
 */
class AlbCrashResumeTest {

  private static final String CHILD = "crashed-pipeline@runner-1";
  private static final String RESUMER = "resumed-pipeline@runner-2";
  private static final Duration CHILD_LIMIT = Duration.ofSeconds(90);

  private final MotoAlb alb = MotoAlb.create(MotoAlb.options());
  private final WireMockServer proxy = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final DynamoDbClient dynamo = AlbLockedPlan.dynamo(alb.endpoint);
  private final String table = "bluegreen-locks-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
  private ChildJvm child;

  AlbCrashResumeTest() {
    proxy.start();
    proxy.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(alb.endpoint.toString())));
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
      alb.close();
    }
  }

  /** What the crash left behind. */
  private record Crash(TrafficSplit found, long childToken, Instant expiresAt, Instant killedAt) {
  }

  @Test
  void killedAfterAVerifiedStageIsResumedFromTheSplitItLeft() throws Exception {
    child = startChild();
    long token = token(child.awaitLine("LOCKED ", CHILD_LIMIT));
    child.awaitLine("STAGE_VERIFIED " + AlbLockedPlan.KILLED_IN_STAGE + " ", CHILD_LIMIT);
    Crash crash = kill(token);
    assertThat(crash.found()).isEqualTo(TrafficSplit.of(BLUE, 50, GREEN, 50));
    resumeAndCheck(crash, "SIGKILL during the bake of stage 3 (after its verified write)");
  }

  @Test
  void killedWhileAWriteIsInFlightIsResumedWithoutWritingThatStageAgain() throws Exception {
    // the stage-3 write (50/50) reaches moto, but its reply is held back: the child dies waiting for it
    proxy.stubFor(post(anyUrl()).atPriority(1).withRequestBody(containing("Action=ModifyListener"))
        .withRequestBody(containing("Weight=50")).willReturn(aResponse().proxiedFrom(alb.endpoint.toString()).withFixedDelay(120_000)));
    child = startChild();
    long token = token(child.awaitLine("LOCKED ", CHILD_LIMIT));
    child.awaitLine("STAGE_STARTED " + AlbLockedPlan.KILLED_IN_STAGE, CHILD_LIMIT);
    awaitListenerAt(TrafficSplit.of(BLUE, 50, GREEN, 50));
    assertThat(child.isAlive()).isTrue();
    Crash crash = kill(token);
    assertThat(child.lines()).as("the write never returned to the child").noneMatch(l -> l.startsWith("STAGE_VERIFIED 3"));
    assertThat(crash.found()).as("the in-flight write had landed").isEqualTo(TrafficSplit.of(BLUE, 50, GREEN, 50));
    resumeAndCheck(crash, "SIGKILL while the stage-3 ModifyListener was in flight (landed, reply held back)");
  }

  // ---------------------------------------------------------------------------------------------

  private ChildJvm startChild() {
    return ChildJvm.start("alb-crash-child", AlbLockedPlan.class, "crash", proxy.baseUrl(), alb.endpoint.toString(), table,
        alb.listenerArn, alb.blueTg, alb.greenTg, "child", CHILD);
  }

  private static long token(String lockedLine) {
    return Long.parseLong(lockedLine.substring("LOCKED ".length()).trim());
  }

  private Crash kill(long token) throws InterruptedException {
    Instant killedAt = Instant.now();
    assertThat(child.kill()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
    assertThat(child.lines()).as("the child never finished").noneMatch(l -> l.startsWith("FINISHED"));
    TrafficSplit found = router(alb.admin).current();
    Map<String, AttributeValue> item = lockItem();
    assertThat(item.get("owner").s()).as("the dead process still holds the lock").isEqualTo(CHILD);
    assertThat(item.get("version").n()).isEqualTo(Long.toString(token));
    Instant expiresAt = Instant.parse(item.get("expiresAt").s());
    assertThat(expiresAt.plus(AlbLockedPlan.MARGIN)).as("still valid when the resumer starts").isAfter(Instant.now());
    return new Crash(found, token, expiresAt, killedAt);
  }

  private void awaitListenerAt(TrafficSplit split) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    AlbListenerRouter reader = router(alb.admin);
    while (!reader.current().equals(split)) {
      assertThat(System.nanoTime()).as("the listener never showed " + split + "; the child printed " + child.lines()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private void resumeAndCheck(Crash crash, String how) {
    Instant takeover = crash.expiresAt().plus(AlbLockedPlan.MARGIN);

    // refused while the dead process's lock is valid (the lock's clock stopped at `at`): ABORTED naming it,
    // nothing read or written on the listener
    for (Instant at : List.of(Instant.now(), takeover.minusMillis(1))) {
      int mark = requests().size();
      SwitchResult refused = resumer(InstantSource.fixed(at)).defaultLogging(false).time(VirtualClock.create()).build().execute();
      assertThat(refused.outcome()).as(refused.summary()).isEqualTo(Outcome.ABORTED);
      assertThat(refused.reason()).contains("is locked by " + CHILD + " (DynamoDB table " + table + ", version " + crash.childToken());
      assertThat(requests().subList(mark, requests().size())).as("a refused plan does not touch the listener").isEmpty();
      assertThat(lockItem().get("owner").s()).isEqualTo(CHILD);
    }

    // taken over once expiry + margin has passed on the lock's clock (a real clock moved on to the takeover instant)
    Duration ahead = Duration.between(Instant.now(), takeover);
    InstantSource lockTime = () -> Instant.now().plus(ahead);
    int mark = requests().size();
    RecordingListener events = new RecordingListener();
    SwitchResult result = resumer(lockTime).listener(events).defaultLogging(false).time(VirtualClock.create()).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(result.trafficNow()).contains(TrafficSplit.allTo(GREEN, BLUE));
    assertThat(result.isTrafficNowVerified()).isTrue();
    assertThat(result.snapshot()).contains(crash.found());
    assertThat(events.ofType(SwitchEvent.Notice.class)).extracting(SwitchEvent.Notice::message)
        .contains("resuming: blue=50 green=50 is already in place; stages 1-3 are behind it, continuing with stage 4");
    assertThat(events.ofType(SwitchEvent.StageStarted.class)).extracting(SwitchEvent.StageStarted::stageNumber).containsExactly(4, 5);
    assertThat(events.ofType(SwitchEvent.LockAcquired.class)).singleElement()
        .satisfies(e -> assertThat(e.fencingToken()).as("fencing token: the child's + 1").hasValue(crash.childToken() + 1));
    List<Integer> resumed = greenWeightsWritten(requests().subList(mark, requests().size()));
    assertThat(resumed).as("no stage at or below the split found is written again").containsExactly(75, 100);
    assertThat(greenWeightsWritten(requests())).as("every listener write, child and resumer: weights never go back")
        .containsExactly(10, 25, 50, 75, 100);
    assertThat(lockItem()).as("released when the resumed plan ended; the fencing counter kept").doesNotContainKey("owner")
        .satisfies(i -> assertThat(i.get("version").n()).isEqualTo(Long.toString(crash.childToken() + 1)));

    String test = "AlbCrashResumeTest (bluegreen-aws, moto): ALB listener 10/25/50/75/100 in a child JVM, DynamoDbRouteLock; " + how;
    EvidenceLog.figure("ALB crash-resume (" + how + "): split found", crash.found().toString(), test);
    EvidenceLog.figure("ALB crash-resume (" + how + "): listener writes after resume", resumed.size() + " (green " + resumed
        + "; all writes " + greenWeightsWritten(requests()) + ")", test);
    EvidenceLog.figure("ALB crash-resume (" + how + "): DynamoDB lock of the dead process taken over", String.format(Locale.ROOT,
        "only after expiry + %d s margin, %.1f s after the kill (lease %d s); refused 1 ms before; no wall-clock wait (injected lock"
            + " clock); fencing token %d -> %d", AlbLockedPlan.MARGIN.toSeconds(), Duration.between(crash.killedAt(), takeover).toMillis()
            / 1000.0, AlbLockedPlan.LEASE.toSeconds(), crash.childToken(), crash.childToken() + 1), test);
    EvidenceLog.figure("ALB crash-resume (" + how + "): outcome", result.summary(), test);
  }

  private SwitchPlan.Builder resumer(InstantSource lockTime) {
    ElasticLoadBalancingV2Client elb = AlbLockedPlan.elb(URI.create(proxy.baseUrl()), "resumer");
    return AlbLockedPlan.plan(elb, alb.listenerArn, alb.blueTg, alb.greenTg, AlbLockedPlan.lock(dynamo, table, lockTime), RESUMER,
        AlbLockedPlan.CRASH_SCHEDULE);
  }

  private AlbListenerRouter router(ElasticLoadBalancingV2Client elb) {
    return AlbListenerRouter.builder(elb).listenerArn(alb.listenerArn).environment(BLUE, alb.blueTg).environment(GREEN, alb.greenTg)
        .build();
  }

  private Map<String, AttributeValue> lockItem() {
    String route = router(alb.admin).routeId();
    return dynamo.getItem(r -> r.tableName(table).consistentRead(true)
        .key(Map.of(DynamoDbRouteLock.PARTITION_KEY, AttributeValue.fromS(route)))).item();
  }

  /** @return every ELB request the proxy received, child's and resumer's, in the order received */
  private List<LoggedRequest> requests() {
    return proxy.findAll(anyRequestedFor(anyUrl()));
  }

  private static boolean isWrite(LoggedRequest r) {
    return r.getBodyAsString().contains("Action=ModifyListener");
  }

  /** @return green's weight in each ModifyListener among {@code requests}, in order */
  private List<Integer> greenWeightsWritten(List<LoggedRequest> requests) {
    List<Integer> weights = new ArrayList<>();
    for (LoggedRequest r : requests) {
      if (!isWrite(r)) {
        continue;
      }
      Map<String, String> form = form(r.getBodyAsString());
      String arnKey = form.entrySet().stream().filter(e -> e.getKey().endsWith(".TargetGroupArn") && e.getValue().equals(alb.greenTg))
          .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("no green target group in " + form));
      weights.add(Integer.parseInt(form.get(arnKey.replace(".TargetGroupArn", ".Weight"))));
    }
    return Collections.unmodifiableList(weights);
  }

  private static Map<String, String> form(String body) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }
}
