package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static io.bluegreen.k8s.support.Fixtures.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.DriftDetectedException;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchExecution;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TimeSource;
import io.bluegreen.core.TrafficObservation;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.k8s.gate.EndpointsReadyGate;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.OutOfBand;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's "what was seen", point by point, on the fabric8 mock server: each test describes what a
 * new user saw before and asserts what a plan says now.
 */
class TruthOnTheMockServerTest {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final MockCluster cluster = MockCluster.start();
  private final VirtualClock clock = VirtualClock.create();
  private final RecordingListener events = new RecordingListener();

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static TrafficSplit all(io.bluegreen.core.Environment e) {
    return TrafficSplit.allTo(e, e.equals(BLUE) ? GREEN : BLUE);
  }

  /** A gate that runs {@code action} once, {@code offset} into stage {@code stage}'s bake (on the plan's thread). */
  private static ScriptedGate during(int stage, Duration offset, Runnable action) {
    AtomicBoolean done = new AtomicBoolean();
    return ScriptedGate.of("operator", ctx -> {
      if (ctx.stageNumber().orElse(0) == stage && !ctx.now().isBefore(ctx.phaseStartedAt().plus(offset)) && done.compareAndSet(false, true)) {
        action.run();
      }
      return GateResult.healthy();
    });
  }

  // 1. drift during the last stage's bake

  @Test
  void aServicePutBackOnBlueDuringTheFinalBakeEndsAbortedNotCompleted() throws Exception {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    SwitchResult r = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(10)), clock, events)
        .gate(during(1, Duration.ofMinutes(3), () -> write(OutOfBand.serviceSelector(cluster), all(BLUE)))).build().execute();
    // before: COMPLETED ... traffic now blue=0 green=100 (verified), while the Service selected blue
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(r.events(SwitchEvent.DriftDetected.class)).singleElement().satisfies(d -> assertThat(d.actual()).contains(all(BLUE)));
    assertThat(r.trafficNow()).contains(all(BLUE));
    assertThat(cluster.getService(SERVICE).getSpec().getSelector()).containsEntry("version", "blue");
  }

  @Test
  void anHttpRoutePutBackTo100To0DuringTheFinalBakeIsNoticedWithinAGateIntervalAndLeftAlone() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    int[] writesAtDrift = {-1};
    SwitchResult r = Plans.plan(router, StageSchedule.targetWeights(Duration.ofMinutes(5), 50, 100), clock, events)
        .gate(during(2, Duration.ofMinutes(2), () -> {
          write(OutOfBand.httpRoute(cluster), TrafficSplit.of(BLUE, 100, GREEN, 0));
          writesAtDrift[0] = (int) cluster.writeCount();
        })).build().execute();
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(r.trafficNow()).contains(TrafficSplit.of(BLUE, 100, GREEN, 0));
    assertThat(cluster.writeCount()).as("no write after the drift").isEqualTo(writesAtDrift[0]);
    SwitchEvent.DriftDetected drift = r.events(SwitchEvent.DriftDetected.class).get(0);
    SwitchEvent.StageVerified verified = r.events(SwitchEvent.StageVerified.class).get(1);
    assertThat(Duration.between(verified.at(), drift.at())).isLessThanOrEqualTo(Duration.ofMinutes(2).plusSeconds(10));
  }

  // 2. drift to a state no environment maps to

  @Test
  void aSelectorOnVersionRedBeforeTheFirstWriteIsDriftDescribedAsSuch() throws Exception {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    OutOfBand.serviceSelector(cluster).writeUnmapped();
    SwitchResult r = Plans.plan(router, StageSchedule.allAtOnce(), clock, events).build().execute();
    // before: ABORTED with a plain read failure, no DriftDetected event, trafficNow the stale blue=100
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.cause()).get().isInstanceOf(DriftDetectedException.class);
    assertThat(r.events(SwitchEvent.DriftDetected.class)).singleElement().satisfies(d -> assertThat(d.found()).contains("selector version=red"));
    assertThat(r.trafficNow()).isEmpty();
    assertThat(r.traffic().unmappedState()).contains("selector version=red");
    assertThat(r.summary()).contains("traffic now in a state no environment maps to (selector version=red)");
  }

  @Test
  void allHttpRouteWeightMovedToAppRedDuringABakeIsDriftAndNotRolledBackOver() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    SwitchResult r = Plans.plan(router, StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 100), clock, events)
        .gate(during(1, Duration.ofMinutes(1), () -> unmapped(OutOfBand.httpRoute(cluster)))).build().execute();
    // before: ROLLBACK_FAILED "restore it by hand", trafficNow the stale blue=90 green=10
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(r.events(SwitchEvent.DriftDetected.class)).singleElement().satisfies(d -> assertThat(d.found()).contains("app-red=100"));
    assertThat(r.events(SwitchEvent.RollbackStarted.class)).isEmpty();
    assertThat(r.trafficNow()).isEmpty();
    assertThat(r.traffic().kind()).isEqualTo(TrafficObservation.Kind.UNMAPPED);
    assertThat(cluster.getHttpRoute(Fixtures.ROUTE).getSpec().getRules().get(0).getBackendRefs())
        .anySatisfy(ref -> assertThat(ref.getName() + "=" + ref.getWeight()).isEqualTo("app-red=100"));
  }

  // 3. one time source; approvals on virtual time

  @Test
  @SuppressWarnings("deprecation")
  void aVirtualClockWithTheRealSleeperIsRefusedAtBuild() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    int before = cluster.requestCount();
    // before: built, then spun (13 million sleeps in 2 s) on any plan with a bake
    assertThatThrownBy(() -> SwitchPlan.builder().router(router).from(BLUE).to(GREEN).clock(clock).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("time(...)");
    assertThatThrownBy(() -> SwitchPlan.builder().router(router).from(BLUE).to(GREEN).clock(clock).sleeper(VirtualClock.create()).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("not the same object");
    assertThat(cluster.requestCount()).isEqualTo(before);
  }

  @Test
  void anApprovalFromAnotherThreadOnVirtualTimeWins() throws Exception {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    CountDownLatch waiting = new CountDownLatch(1);
    SwitchExecution run = Plans.plan(router, StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100)
            .withApprovalBefore(2, Duration.ofSeconds(30)), clock, events)
        .listener(e -> {
          if (e instanceof SwitchEvent.ApprovalRequested) {
            waiting.countDown();
          }
        }).build().start();
    assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(run.approve()).as("before: the 30 virtual seconds had passed in microseconds").isTrue();
    SwitchResult r = run.await(Duration.ofSeconds(20));
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
  }

  // 4. a refused write is not a change

  @Test
  void a403OnTheOnlyWriteEndsAbortedSayingNothingChanged() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    cluster.intercept((request, store) -> request.method().equals("PUT") && request.path().contains("/services/" + SERVICE)
        ? status(403, "Forbidden", "services \"app-service\" is forbidden: User cannot update resource") : null);
    SwitchResult r = Plans.plan(router, StageSchedule.allAtOnce(), clock, events).build().execute();
    // before: ROLLED_BACK ... restored blue=100 green=0, writes() = 1
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("HTTP 403").contains("nothing changed").contains("still holds blue=100 green=0 as found");
    assertThat(r.writes()).isZero();
    assertThat(r.writeAttempts()).isEqualTo(1);
    assertThat(r.events(SwitchEvent.RollbackStarted.class)).isEmpty();
  }

  @Test
  void aWriteRetriedAfterA503IsOneWriteOfTwoAttempts() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    AtomicBoolean failed = new AtomicBoolean();
    cluster.intercept((request, store) -> request.method().equals("PUT") && failed.compareAndSet(false, true)
        ? status(503, "ServiceUnavailable", "etcd leader changed") : null);
    SwitchResult r = Plans.plan(router, StageSchedule.allAtOnce(), clock, events).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(r.summary()).startsWith("COMPLETED: blue -> green in 1 write (2 attempts)"); // before: "in 2 writes"
    assertThat(r.writes()).isEqualTo(1);
  }

  // 5. an interrupt inside a gate's HTTP call

  @Test
  void anInterruptInsideTheEndpointsGatesCallIsReportedAsAnInterrupt() throws Exception {
    // the gate's second EndpointSlice read is its first check during stage 1 (the first is its preflight)
    SwitchResult r = interruptedAtEndpointSliceRead(2);
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ROLLED_BACK);
    // before: "gate endpoints-ready(default/app-service) UNHEALTHY during stage 1/1: ... was interrupted", blaming green
    assertThat(r.reason()).startsWith("interrupted while checking gate endpoints-ready(default/app-service)").doesNotContain("UNHEALTHY");
    assertThat(cluster.getService(SERVICE).getSpec().getSelector()).containsEntry("version", "blue");
  }

  @Test
  void anInterruptInsideTheEndpointsGatesPreflightIsReportedAsAnInterruptWithNothingWritten() throws Exception {
    SwitchResult r = interruptedAtEndpointSliceRead(1);
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).startsWith("interrupted while checking gate endpoints-ready(default/app-service) before the first write")
        .doesNotContain("failed its preflight");
    assertThat(r.writes()).isZero();
    assertThat(MockCluster.writes(cluster.requestsSince(0))).as("nothing but the test's own set-up written")
        .noneMatch(w -> w.toString().startsWith("PUT") || w.toString().startsWith("PATCH"));
    assertThat(cluster.getService(SERVICE).getSpec().getSelector()).containsEntry("version", "blue");
  }

  private SwitchResult interruptedAtEndpointSliceRead(int n) throws Exception {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    AtomicReference<Thread> planThread = new AtomicReference<>();
    AtomicInteger reads = new AtomicInteger();
    cluster.intercept((request, store) -> {
      if (request.path().contains("endpointslices") && reads.incrementAndGet() == n) {
        planThread.get().interrupt(); // e.g. the pipeline was cancelled while the gate waited for the API server
      }
      return null;
    });
    SwitchPlan plan = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(5)), clock, events)
        .gate(EndpointsReadyGate.forService(cluster.client(), MockCluster.NS, SERVICE).build()).build();
    AtomicReference<SwitchResult> result = new AtomicReference<>();
    AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
    Thread t = new Thread(() -> {
      result.set(plan.execute());
      stillInterrupted.set(Thread.currentThread().isInterrupted());
    });
    planThread.set(t);
    t.start();
    t.join(30_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(reads.get()).isGreaterThanOrEqualTo(n);
    assertThat(stillInterrupted.get()).as("the interrupt flag is left set for the caller").isTrue();
    return result.get();
  }


  // 6. readiness within gateGrace

  @Test
  void aGreenThatBecomesReady30sLaterWithinA2MinuteGraceIsSwitchedTo() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 0, 2); // two green Pods, not ready yet
    TimeSource time = runAt(clock, clock.instant().plusSeconds(30), () -> markReady("app-green-unready"));
    SwitchResult r = Plans.plan(router, StageSchedule.allAtOnce(), clock, events).time(time).gateGrace(Duration.ofMinutes(2))
        .build().execute();
    // before: ABORTED at once by the router's readiness preflight, never switched
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(cluster.getService(SERVICE).getSpec().getSelector()).containsEntry("version", "green");
    assertThat(Duration.between(r.startedAt(), r.events(SwitchEvent.StageApplied.class).get(0).at()))
        .isBetween(Duration.ofSeconds(30), Duration.ofSeconds(40));
  }

  @Test
  void aGreenThatIsNotReadyWithinTheGraceIsRefusedNamingWhatIsNotReady() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 0, 2);
    SwitchResult r = Plans.plan(router, StageSchedule.allAtOnce(), clock, events).gateGrace(Duration.ofMinutes(2)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("not ready within the gate grace of PT2M")
        .contains("would select app=myapp,version=green").contains("none of the 2 Pods with those labels is ready");
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMinutes(2));
    assertThat(r.writeAttempts()).isZero();
    // 8. said once
    assertThat(r.summary()).containsOnlyOnce("nothing was written");
  }

  @Test
  void aMissingServiceStillAbortsAtOnce() {
    IngressBackendRouter router = Fixtures.ingressScene(cluster);
    cluster.client().services().inNamespace(MockCluster.NS).withName("app-green").delete();
    SwitchResult r = Plans.plan(router, StageSchedule.allAtOnce(), clock, events).gateGrace(Duration.ofMinutes(2)).build().execute();
    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("app-green").contains("not found");
    assertThat(clock.elapsed()).isZero();
  }

  // 8. wording: default owners

  @Test
  void plansWithDefaultNamesGetTheirOwnLockIdentities() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    LeaseLock lock = LeaseLock.builder(cluster.client()).namespace(MockCluster.NS).clock(clock).build();
    SwitchResult first = SwitchPlan.builder().router(router).from(BLUE).to(GREEN).lock(lock).time(clock).build().execute();
    SwitchResult second = SwitchPlan.builder().router(router).from(GREEN).to(BLUE).lock(lock).time(clock).build().execute();
    String a = first.events(SwitchEvent.LockAcquired.class).get(0).owner();
    String b = second.events(SwitchEvent.LockAcquired.class).get(0).owner();
    assertThat(a).startsWith("blue->green@").matches(".*/[0-9a-f]{6}");
    assertThat(b).startsWith("green->blue@").matches(".*/[0-9a-f]{6}");
    SwitchResult third = SwitchPlan.builder().router(router).from(BLUE).to(GREEN).lock(lock).time(clock).build().execute();
    assertThat(third.events(SwitchEvent.LockAcquired.class).get(0).owner()).isNotEqualTo(a);
  }

  // ------------------------------------------------------------------------------------ helpers

  private static void write(io.bluegreen.testkit.RouterContractTest.OutOfBandWriter writer, TrafficSplit split) {
    try {
      writer.write(split);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void unmapped(io.bluegreen.testkit.RouterContractTest.OutOfBandWriter writer) {
    try {
      writer.writeUnmapped();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static MockResponse status(int code, String reason, String message) {
    return new MockResponse().setResponseCode(code).addHeader("Content-Type", "application/json").setBody(JSON.asJson(new StatusBuilder()
        .withKind("Status").withApiVersion("v1").withStatus("Failure").withCode(code).withReason(reason).withMessage(message).build()));
  }

  /** Marks the Pods whose name starts with {@code prefix} Ready, as the kubelet does once their probes pass. */
  private void markReady(String prefix) {
    for (Pod pod : cluster.client().pods().inNamespace(MockCluster.NS).list().getItems()) {
      if (pod.getMetadata().getName().startsWith(prefix)) {
        pod.getStatus().getConditions().forEach(c -> c.setStatus("True"));
        cluster.client().pods().inNamespace(MockCluster.NS).resource(pod).update();
      }
    }
  }

  /** The virtual clock, running {@code action} once (on the sleeping thread) when its time reaches {@code at}. */
  private static TimeSource runAt(VirtualClock clock, Instant at, Runnable action) {
    AtomicBoolean done = new AtomicBoolean();
    return new TimeSource() {
      @Override
      public Instant instant() {
        return clock.instant();
      }

      @Override
      public void sleep(Duration duration) throws InterruptedException {
        clock.sleep(duration);
        if (!clock.instant().isBefore(at) && done.compareAndSet(false, true)) {
          action.run();
        }
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return clock.withZone(zone);
      }
    };
  }
}
