package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.CrashResumeChild.BLUE;
import static io.bluegreen.k8s.support.CrashResumeChild.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.k8s.support.CrashResumeChild;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end: a plan runs in a child JVM against the mock API server of this JVM (CRUD mode, on
 * 127.0.0.1) with an HttpRouteRouter, the staged schedule 10/25/50/75/100 in real time, and a
 * {@link LeaseLock}; the test kills it with SIGKILL during the bake of stage 3 (blue=50 green=50), then
 * runs the same plan again here. The second run must find the Lease the dead process still holds and
 * take it over only once it has expired (judged on an injected clock: no wall-clock wait for the
 * expiry), read the real split and continue from it without re-applying a stage at or below it, and
 * end where it was asked to: COMPLETED at green=100, or, with {@code rollbackTo(all on blue)} and a gate
 * that fails, ROLLED_BACK to all-blue. Every write is checked on the mock server's request log.
 *
 * <p>{@link #aPlanKilledDuringAWriteIsResumedFromWhatTheServerHolds} kills the child instead while its
 * stage-3 write is in flight: the server holds the PUT (after applying it, or without applying it) until
 * the child is dead, so the dead plan never learnt whether its write landed; the resumed plan must
 * continue from whatever the server holds.
 *
 * <p>Real waits here, all bounded: the child's start-up and its 1 s stage holds (the plan in the child
 * runs in real time, since nothing in this JVM can drive a clock in another one), polled through its
 * stdout with a 90 s limit; and waiting up to 10 s for the killed process to be reaped. The child is
 * killed in {@link #killChild()} whatever happens.
 */
@Evidence(backend = "fabric8 kubernetes-server-mock (CRUD mode); the first plan runs in a child JVM killed with SIGKILL")
class CrashResumeTest {

  private static final String ROUTE_PATH = "/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/" + Fixtures.ROUTE;
  private static final String CHILD_OWNER = "crashed-pipeline@build-1";
  private static final String RESUMER = "resumed-pipeline@build-2";
  private static final Duration CHILD_LIMIT = Duration.ofSeconds(90);
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final MockCluster cluster = MockCluster.start();
  private Process child;

  @AfterEach
  void killChild() throws InterruptedException {
    try {
      if (child != null && child.isAlive()) {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      cluster.close();
    }
  }

  /** A system clock that can be moved to any instant: stands in for the passing of the lease duration. */
  private static final class MovableClock extends Clock {
    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    void setTo(Instant when) {
      offset.set(Duration.between(Instant.now(), when));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset.get());
    }
  }

  /** What the crash left behind. */
  private record Crash(TrafficSplit found, Instant killedAt, Instant leaseExpiry) {
  }

  @Test
  void aPlanKilledMidStageIsResumedFromTheSplitItLeftAndCompletes() throws Exception {
    Crash crash = crashChildInStage3();
    MovableClock lockClock = new MovableClock();
    Duration takeover = refusedUntilExpiry(crash, lockClock);

    int mark = cluster.requestCount();
    RecordingListener events = new RecordingListener();
    VirtualClock clock = VirtualClock.create();
    SwitchResult result = CrashResumeChild.plan(cluster.newClient(), lock(lockClock), RESUMER)
        .listener(events).defaultLogging(false).time(clock)
        .build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(result.trafficNow()).contains(TrafficSplit.allTo(GREEN, BLUE));
    assertThat(result.isTrafficNowVerified()).isTrue();
    assertThat(result.snapshot()).contains(crash.found());
    assertThat(events.ofType(SwitchEvent.Notice.class)).extracting(SwitchEvent.Notice::message)
        .contains("resuming: blue=50 green=50 is already in place; stages 1-3 are behind it, continuing with stage 4");
    assertThat(events.ofType(SwitchEvent.StageStarted.class)).extracting(SwitchEvent.StageStarted::stageNumber).containsExactly(4, 5);
    List<Integer> resumedWrites = greenWeightsWritten(cluster.requestsSince(mark));
    assertThat(resumedWrites).as("no stage at or below the split found is written again").containsExactly(75, 100);
    assertThat(greenWeightsWritten(cluster.requests())).as("every route write, child and resumer: weights never go back")
        .containsExactly(10, 25, 50, 75, 100);
    assertThat(result.writes()).isEqualTo(2);
    assertLeaseTakenOverAndReleased();

    String how = "CrashResumeTest (bluegreen-k8s): HTTPRoute plan 10/25/50/75/100 in a child JVM, SIGKILL during the bake of stage 3"
        + " (after its write was verified), same plan re-run";
    EvidenceLog.figure("crash-resume: split found after SIGKILL in the bake of stage 3 of 5 (its write verified)", crash.found().toString(), how);
    EvidenceLog.figure("crash-resume: route writes after resume", resumedWrites.size() + " (green " + join(resumedWrites)
        + "; all route writes " + join(greenWeightsWritten(cluster.requests())) + ")", how);
    EvidenceLog.figure("crash-resume: Lease of the dead process taken over", String.format(Locale.ROOT,
        "only after expiry (leaseDuration %d s); refused 0.5 s before expiry; no wall-clock wait (injected lock clock)",
        CrashResumeChild.LEASE_DURATION.toSeconds()), String.format(Locale.ROOT, "expiry %.1f s after the kill", takeover.toMillis() / 1000.0),
        how);
    EvidenceLog.figure("crash-resume: outcome after resume", result.summary(), how);
  }

  @Test
  void aPlanKilledMidStageIsRolledBackToAllBlueWhenAskedAndAGateFails() throws Exception {
    Crash crash = crashChildInStage3();
    MovableClock lockClock = new MovableClock();
    refusedUntilExpiry(crash, lockClock);

    int mark = cluster.requestCount();
    RecordingListener events = new RecordingListener();
    VirtualClock clock = VirtualClock.create();
    SwitchResult result = CrashResumeChild.plan(cluster.newClient(), lock(lockClock), RESUMER)
        .rollbackTo(TrafficSplit.of(BLUE, 100, GREEN, 0))
        .gate(ScriptedGate.unhealthyDuringStage(4, "green error rate 9%").named("green-errors"))
        .listener(events).defaultLogging(false).time(clock)
        .build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.trafficNow()).contains(TrafficSplit.allTo(BLUE, GREEN));
    assertThat(result.isTrafficNowVerified()).isTrue();
    assertThat(result.failedStage()).contains(4);
    assertThat(events.ofType(SwitchEvent.Notice.class)).extracting(SwitchEvent.Notice::message)
        .anySatisfy(m -> assertThat(m).startsWith("resuming: blue=50 green=50 is already in place"));
    assertThat(events.ofType(SwitchEvent.RollbackStarted.class)).singleElement()
        .satisfies(r -> assertThat(r.target()).isEqualTo(TrafficSplit.of(BLUE, 100, GREEN, 0)));
    List<Integer> resumedWrites = greenWeightsWritten(cluster.requestsSince(mark));
    assertThat(resumedWrites).as("stage 4, then the rollback to all-blue (not to the 50/50 snapshot)").containsExactly(75, 0);
    assertThat(scene().getSpec().getRules().get(0).getBackendRefs()).extracting(HTTPBackendRef::getWeight).containsExactly(100, 0);
    assertLeaseTakenOverAndReleased();

    String how = "CrashResumeTest (bluegreen-k8s): SIGKILL during the bake of stage 3 (after its write was verified), re-run with"
        + " rollbackTo(blue=100) and a gate failing in stage 4";
    EvidenceLog.figure("crash-resume with rollbackTo all-blue: split found after SIGKILL", crash.found().toString(), how);
    EvidenceLog.figure("crash-resume with rollbackTo all-blue: route writes after resume", resumedWrites.size() + " (green "
        + join(resumedWrites) + ")", how);
    EvidenceLog.figure("crash-resume with rollbackTo all-blue: outcome", result.summary(), how);
  }

  @ParameterizedTest(name = "the stage-3 write {0} the server")
  @ValueSource(strings = {"reached", "never reached"})
  void aPlanKilledDuringAWriteIsResumedFromWhatTheServerHolds(String reached) throws Exception {
    boolean landed = reached.equals("reached");
    Crash crash = crashChildDuringStage3Write(landed);
    MovableClock lockClock = new MovableClock();
    refusedUntilExpiry(crash, lockClock);

    int mark = cluster.requestCount();
    RecordingListener events = new RecordingListener();
    VirtualClock clock = VirtualClock.create();
    SwitchResult result = CrashResumeChild.plan(cluster.newClient(), lock(lockClock), RESUMER)
        .listener(events).defaultLogging(false).time(clock)
        .build().execute();

    TrafficSplit expectedFound = landed ? TrafficSplit.of(BLUE, 50, GREEN, 50) : TrafficSplit.of(BLUE, 75, GREEN, 25);
    List<Integer> expectedWrites = landed ? List.of(75, 100) : List.of(50, 75, 100);
    assertThat(crash.found()).as("what the server holds after the kill").isEqualTo(expectedFound);
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(result.trafficNow()).contains(TrafficSplit.allTo(GREEN, BLUE));
    assertThat(result.isTrafficNowVerified()).isTrue();
    assertThat(result.snapshot()).contains(expectedFound);
    List<Integer> resumedWrites = greenWeightsWritten(cluster.requestsSince(mark));
    assertThat(resumedWrites).as("the resumed plan continues from what the server holds").containsExactlyElementsOf(expectedWrites);
    assertLeaseTakenOverAndReleased();

    String how = "CrashResumeTest (bluegreen-k8s): SIGKILL while the server held the child's stage-3 PUT, which it had "
        + (landed ? "applied" : "not applied") + "; same plan re-run";
    String what = "crash-resume during an in-flight write that " + (landed ? "landed" : "did not land");
    EvidenceLog.figure(what + ": split found after SIGKILL", crash.found().toString(), how);
    EvidenceLog.figure(what + ": route writes after resume", resumedWrites.size() + " (green " + join(resumedWrites) + ")", how);
    EvidenceLog.figure(what + ": outcome after resume", result.summary(), how);
  }

  // ---------------------------------------------------------------------------------------------
  // the crash

  /**
   * Starts the child and kills it while the server holds its stage-3 PUT: applied to the store first when
   * {@code landed}, never applied otherwise; the reply is released (to a dead process) only after the kill.
   */
  private Crash crashChildDuringStage3Write(boolean landed) throws Exception {
    cluster.environmentService("app-blue", "blue", 2);
    cluster.environmentService("app-green", "green", 2);
    cluster.httpRoute(Fixtures.ROUTE, "app-blue", 100, "app-green", 0);
    CountDownLatch inFlight = new CountDownLatch(1);
    CountDownLatch killed = new CountDownLatch(1);
    cluster.intercept((request, store) -> {
      if (!request.method().equals("PUT") || !request.resourcePath().equals(ROUTE_PATH) || greenWeight(request) != 50) {
        return null;
      }
      MockResponse reply = landed ? store.get() : new MockResponse().setResponseCode(504);
      inFlight.countDown();
      try {
        killed.await(CHILD_LIMIT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return reply;
    });
    try {
      BlockingQueue<String> lines = startChild();
      assertThat(inFlight.await(CHILD_LIMIT.toSeconds(), TimeUnit.SECONDS)).as("the child's stage-3 write reached the server: "
          + lines).isTrue();
      Instant killedAt = sigkillChild();
      assertThat(lines).as("the child never saw stage 3 verified").noneMatch(l -> l.startsWith("STAGE_VERIFIED 3"));
      killed.countDown();
      cluster.intercept(null);
      TrafficSplit found = CrashResumeChild.router(cluster.client()).current();
      Lease lease = storedLease();
      assertThat(lease.getSpec().getHolderIdentity()).as("the dead process still holds the Lease").isEqualTo(CHILD_OWNER);
      Instant expiry = lease.getSpec().getRenewTime().toInstant().plusSeconds(lease.getSpec().getLeaseDurationSeconds());
      return new Crash(found, killedAt, expiry);
    } finally {
      killed.countDown();
      cluster.intercept(null);
    }
  }

  /** @return when the child was killed: SIGKILL on Linux, so no shutdown hook, no finally, no Lease release */
  private Instant sigkillChild() throws InterruptedException {
    Instant killedAt = Instant.now();
    child.destroyForcibly();
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("the child is gone").isTrue();
    assertThat(child.exitValue()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
    return killedAt;
  }

  private static int greenWeight(MockCluster.Request put) {
    return JSON.unmarshal(put.body(), HTTPRoute.class).getSpec().getRules().get(0).getBackendRefs().stream()
        .filter(b -> b.getName().equals("app-green")).findFirst().orElseThrow().getWeight();
  }

  private Crash crashChildInStage3() throws Exception {
    cluster.environmentService("app-blue", "blue", 2);
    cluster.environmentService("app-green", "green", 2);
    cluster.httpRoute(Fixtures.ROUTE, "app-blue", 100, "app-green", 0);

    BlockingQueue<String> lines = startChild();
    awaitLine(lines, "STAGE_VERIFIED " + CrashResumeChild.KILLED_IN_STAGE + " ");
    Instant killedAt = sigkillChild();
    assertThat(lines).as("the child never finished").noneMatch(l -> l.startsWith("FINISHED"));

    TrafficSplit found = CrashResumeChild.router(cluster.client()).current();
    assertThat(found).as("the split the dead plan left").isEqualTo(TrafficSplit.of(BLUE, 50, GREEN, 50));
    Lease lease = storedLease();
    assertThat(lease.getSpec().getHolderIdentity()).as("the dead process still holds the Lease").isEqualTo(CHILD_OWNER);
    Instant expiry = lease.getSpec().getRenewTime().toInstant().plusSeconds(lease.getSpec().getLeaseDurationSeconds());
    assertThat(expiry).as("the Lease is still live when the resumer starts").isAfter(Instant.now());
    return new Crash(found, killedAt, expiry);
  }

  private BlockingQueue<String> startChild() throws IOException {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    File log = new File("target/crash-resume-child-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        CrashResumeChild.class.getName(), cluster.url(), CHILD_OWNER)
        .redirectError(ProcessBuilder.Redirect.to(log));
    child = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the child was killed
      }
    }, "crash-resume-child-stdout");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  /** Waits (bounded, see the class comment) for the child to print a line starting with {@code prefix}. */
  private void awaitLine(BlockingQueue<String> lines, String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + CHILD_LIMIT.toNanos();
    List<String> seen = new ArrayList<>();
    while (true) {
      String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line != null) {
        seen.add(line);
        if (line.startsWith(prefix)) {
          return;
        }
        assertThat(line).as("the child ended before stage " + CrashResumeChild.KILLED_IN_STAGE + ": " + seen).doesNotStartWith("FINISHED");
      } else if (System.nanoTime() >= deadline || !child.isAlive()) {
        throw new AssertionError("the child did not print \"" + prefix + "\" within " + CHILD_LIMIT + " (alive: " + child.isAlive()
            + "); it printed " + seen + "; see its log under bluegreen-k8s/target/crash-resume-child-*.log");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the Lease

  private LeaseLock lock(Clock clock) {
    return LeaseLock.builder(cluster.newClient()).namespace(MockCluster.NS).leaseDuration(CrashResumeChild.LEASE_DURATION).clock(clock)
        .build();
  }

  /**
   * Runs the plan with the lock's clock just before the dead process's Lease expires (refused: ABORTED,
   * naming the holder, nothing read or written on the route), then moves the clock just past the
   * expiry for the real re-run.
   *
   * @return how long after the kill the Lease expired
   */
  private Duration refusedUntilExpiry(Crash crash, MovableClock lockClock) {
    for (Instant at : List.of(Instant.now(), crash.leaseExpiry().minusMillis(500))) {
      lockClock.setTo(at);
      int mark = cluster.requestCount();
      SwitchResult refused = CrashResumeChild.plan(cluster.newClient(), lock(lockClock), RESUMER).defaultLogging(false).build().execute();
      assertThat(refused.outcome()).as(refused.summary()).isEqualTo(Outcome.ABORTED);
      assertThat(refused.reason()).contains("is locked by " + CHILD_OWNER);
      assertThat(cluster.requestsSince(mark)).as("a refused plan does not touch the route").noneMatch(r -> r.resourcePath().equals(ROUTE_PATH));
      assertThat(storedLease().getSpec().getHolderIdentity()).isEqualTo(CHILD_OWNER);
    }
    lockClock.setTo(crash.leaseExpiry().plusMillis(1));
    return Duration.between(crash.killedAt(), crash.leaseExpiry());
  }

  private void assertLeaseTakenOverAndReleased() {
    Lease lease = storedLease();
    assertThat(lease.getSpec().getLeaseTransitions()).as("one takeover, from the dead process").isEqualTo(1);
    assertThat(lease.getSpec().getHolderIdentity()).as("released when the resumed plan ended").isNull();
    List<String> leaseWrites = cluster.requests().stream().filter(r -> r.isWrite() && r.resourcePath().contains("/leases"))
        .map(r -> r.method() + " " + JSON.unmarshal(r.body(), Lease.class).getSpec().getHolderIdentity()).toList();
    assertThat(leaseWrites).as("created by the child, taken over by the resumer, released").startsWith("POST " + CHILD_OWNER)
        .contains("PUT " + RESUMER).endsWith("PUT null");
  }

  private Lease storedLease() {
    String name = LeaseLock.leaseName(CrashResumeChild.router(cluster.client()).routeId());
    return cluster.client().leases().inNamespace(MockCluster.NS).withName(name).get();
  }

  // ---------------------------------------------------------------------------------------------
  // the route

  private HTTPRoute scene() {
    return cluster.getHttpRoute(Fixtures.ROUTE);
  }

  /** @return green's weight in each PUT of the HTTPRoute among {@code requests}, in order */
  private static List<Integer> greenWeightsWritten(List<MockCluster.Request> requests) {
    return requests.stream().filter(r -> r.method().equals("PUT") && r.resourcePath().equals(ROUTE_PATH))
        .map(r -> JSON.unmarshal(r.body(), HTTPRoute.class).getSpec().getRules().get(0).getBackendRefs().stream()
            .filter(b -> b.getName().equals("app-green")).findFirst().orElseThrow().getWeight())
        .toList();
  }

  private static String join(List<Integer> weights) {
    return String.join(", ", weights.stream().map(String::valueOf).toList());
  }
}
