package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.GateResult;
import io.bluegreen.core.LockUnavailableException;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two pipelines (two clients, two LeaseLocks: two machines) switch the same Service: exactly one runs. */
class LeaseRaceEndToEndTest {

  private final MockCluster cluster = MockCluster.start();
  private final VirtualClock lockClock = VirtualClock.create();

  @AfterEach
  void stop() {
    cluster.close();
  }

  private SwitchPlan plan(String owner, io.bluegreen.core.HealthGate gate, RecordingListener events) {
    ServiceSelectorRouter router = ServiceSelectorRouter.builder(cluster.newClient()).service(SERVICE)
        .environments(Fixtures.BLUE, Fixtures.GREEN).build();
    LeaseLock lock = LeaseLock.builder(cluster.newClient()).namespace("default").leaseDuration(Duration.ofSeconds(60))
        .clock(lockClock).build();
    VirtualClock clock = VirtualClock.create();
    return Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(2)), clock, events)
        .lock(lock).owner(owner).gate(gate).build();
  }

  @Test
  void aSecondPlanStartedWhileTheFirstHoldsTheLeaseIsAbortedNamingTheHolder() {
    Fixtures.serviceScene(cluster, 2, 0);
    AtomicReference<SwitchResult> second = new AtomicReference<>();
    RecordingListener secondEvents = new RecordingListener();
    SwitchPlan planB = plan("pipeline-B@build-2", ScriptedGate.healthy(), secondEvents);
    // pipeline B starts while A bakes its stage
    SwitchPlan planA = plan("pipeline-A@build-1", ScriptedGate.of("starts-B", ctx -> {
      if (second.get() == null) {
        second.set(planB.execute());
      }
      return GateResult.healthy();
    }), new RecordingListener());
    int mark = cluster.requestCount();

    SwitchResult first = planA.execute();

    assertThat(first.outcome()).as(first.summary()).isEqualTo(Outcome.COMPLETED);
    SwitchResult b = second.get();
    assertThat(b.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(b.reason()).contains("route k8s/service/default/app-service is locked by pipeline-A@build-1");
    assertThat(b.cause()).get().isInstanceOf(LockUnavailableException.class);
    assertThat(b.writes()).isZero();
    assertThat(secondEvents.ofType(SwitchEvent.SnapshotTaken.class)).as("B never read the route").isEmpty();
    // the only Service write is A's; the Lease was created by A and released at the end
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).extracting(Object::toString)
        .filteredOn(s -> s.contains("/services/")).containsExactly("PUT /api/v1/namespaces/default/services/app-service");
    assertThat(cluster.client().leases().inNamespace("default").withName(LeaseLock.leaseName(first.routeId())).get()
        .getSpec().getHolderIdentity()).isNull();
  }

  @Test
  void twoPlansStartedTogetherOnTwoThreadsExactlyOneRuns() throws Exception {
    Fixtures.serviceScene(cluster, 2, 0);
    CountDownLatch loserDone = new CountDownLatch(1);
    // whichever plan holds the lease waits in its gate until the other one has given up, so the two overlap for sure
    ScriptedGate waitForLoser = ScriptedGate.of("wait-for-loser", ctx -> {
      try {
        return loserDone.await(20, TimeUnit.SECONDS) ? GateResult.healthy() : GateResult.unhealthy("the other plan never finished");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return GateResult.unhealthy("interrupted");
      }
    });
    List<SwitchPlan> plans = List.of(plan("pipeline-A", waitForLoser, new RecordingListener()),
        plan("pipeline-B", waitForLoser, new RecordingListener()));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CyclicBarrier start = new CyclicBarrier(2);
      List<Future<SwitchResult>> futures = new ArrayList<>();
      for (SwitchPlan p : plans) {
        futures.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          SwitchResult r = p.execute();
          if (r.outcome() == Outcome.ABORTED) {
            loserDone.countDown();
          }
          return r;
        }));
      }
      List<SwitchResult> results = new ArrayList<>();
      for (Future<SwitchResult> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(results).extracting(SwitchResult::outcome).containsExactlyInAnyOrder(Outcome.COMPLETED, Outcome.ABORTED);
      SwitchResult winner = results.stream().filter(SwitchResult::isSuccess).findFirst().orElseThrow();
      SwitchResult loser = results.stream().filter(r -> !r.isSuccess()).findFirst().orElseThrow();
      String winnerOwner = winner == results.get(0) ? "pipeline-A" : "pipeline-B";
      assertThat(loser.reason()).contains("is locked by " + winnerOwner);
      assertThat(loser.writes()).isZero();
      assertThat(cluster.getService(SERVICE).getSpec().getSelector()).containsEntry("version", "green");
    } finally {
      pool.shutdownNow();
    }
  }
}
