package io.bluegreen.k8s.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.LockUnavailableException;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.testkit.ManualScheduler;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaseLockTest {

  private static final String ROUTE = "k8s/service/default/app-service";
  private static final String NAME = LeaseLock.leaseName(ROUTE);

  private final MockCluster cluster = MockCluster.start();
  private final VirtualClock clock = VirtualClock.create();
  private final ManualScheduler scheduler = new ManualScheduler();

  @AfterEach
  void stop() {
    cluster.close();
  }

  private LeaseLock lock(KubernetesClient client) {
    return LeaseLock.builder(client).namespace("default").leaseDuration(Duration.ofSeconds(30)).clock(clock).scheduler(scheduler).build();
  }

  private Lease stored() {
    return cluster.client().leases().inNamespace("default").withName(NAME).get();
  }

  @Test
  void theFirstPlanCreatesTheLeaseAndTheSecondFailsFastNamingTheHolder() {
    LeaseLock machineA = lock(cluster.client());
    LeaseLock machineB = lock(cluster.newClient());

    RouteLock.Lease a = machineA.acquire(ROUTE, "pipeline-A@build-1");

    Lease lease = stored();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("pipeline-A@build-1");
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(30);
    assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(clock.instant());
    assertThat(lease.getMetadata().getAnnotations()).containsEntry(LeaseLock.ROUTE_ANNOTATION, ROUTE);
    assertThat(a.isHeld()).isTrue();
    assertThat(scheduler.liveTasks()).singleElement().satisfies(t -> assertThat(t.periodMillis()).isEqualTo(10_000));

    assertThatThrownBy(() -> machineB.acquire(ROUTE, "pipeline-B@build-2"))
        .isInstanceOf(LockUnavailableException.class)
        .hasMessageContaining("route " + ROUTE + " is locked by pipeline-A@build-1 (Lease default/" + NAME
            + ", since 2026-01-01T00:00:00Z, expires at 2026-01-01T00:00:30Z unless renewed)")
        .satisfies(e -> assertThat(((LockUnavailableException) e).holder()).contains("pipeline-A@build-1"));

    a.close();
    assertThat(a.isHeld()).isFalse();
    assertThat(stored().getSpec().getHolderIdentity()).isNull();
    assertThat(scheduler.liveTasks()).isEmpty();

    RouteLock.Lease b = machineB.acquire(ROUTE, "pipeline-B@build-2");
    assertThat(stored().getSpec().getHolderIdentity()).isEqualTo("pipeline-B@build-2");
    assertThat(stored().getSpec().getLeaseTransitions()).isEqualTo(1);
    b.close();
    a.close(); // idempotent
  }

  @Test
  void renewalKeepsTheLeaseAliveAndOnlyAnExpiredLeaseIsTakenOver() {
    LeaseLock machineA = lock(cluster.client());
    LeaseLock machineB = lock(cluster.newClient());
    RouteLock.Lease a = machineA.acquire(ROUTE, "pipeline-A");

    clock.advance(Duration.ofSeconds(20));
    scheduler.runPeriodicTasks();
    assertThat(stored().getSpec().getRenewTime().toInstant()).isEqualTo(Instant.parse("2026-01-01T00:00:20Z"));
    clock.advance(Duration.ofSeconds(25)); // 45 s after acquiring, 25 s after the renewal
    assertThat(a.isHeld()).isTrue();
    assertThatThrownBy(() -> machineB.acquire(ROUTE, "pipeline-B")).isInstanceOf(LockUnavailableException.class);

    clock.advance(Duration.ofSeconds(10)); // 35 s without renewal: expired
    assertThat(a.isHeld()).isFalse();
    RouteLock.Lease b = machineB.acquire(ROUTE, "pipeline-B");
    assertThat(stored().getSpec().getHolderIdentity()).isEqualTo("pipeline-B");
    assertThat(stored().getSpec().getLeaseTransitions()).isEqualTo(1);

    // A's lease ran out: its late renewal gives up without a request (and could not overwrite B anyway)
    long writes = cluster.writeCount();
    scheduler.runPeriodicTasks(); // runs A's renewal (B's renews too)
    assertThat(stored().getSpec().getHolderIdentity()).isEqualTo("pipeline-B");
    assertThat(a.isHeld()).isFalse();
    assertThat(a.lossReason()).hasValueSatisfying(r -> assertThat(r).contains("was not renewed within its 30 s since 2026-01-01T00:00:20Z"));
    a.close();
    assertThat(stored().getSpec().getHolderIdentity()).as("A's close must not release B's lease").isEqualTo("pipeline-B");
    assertThat(b.isHeld()).isTrue();
    assertThat(cluster.writeCount() - writes).as("B's renewal only: a lease that ran out is not renewed").isEqualTo(1);
    b.close();
  }

  @Test
  void theSameOwnerNameCannotTakeALiveLeaseEither() {
    LeaseLock machineA = lock(cluster.client());
    RouteLock.Lease first = machineA.acquire(ROUTE, "nightly");
    assertThatThrownBy(() -> lock(cluster.newClient()).acquire(ROUTE, "nightly"))
        .isInstanceOf(LockUnavailableException.class).hasMessageContaining("is locked by nightly");
    first.close();
  }

  @Test
  void aCreateThatLosesTheRaceReportsTheWinner() {
    RouteLock.Lease winner = lock(cluster.client()).acquire(ROUTE, "pipeline-A");
    String path = "/apis/coordination.k8s.io/v1/namespaces/default/leases/" + NAME;
    cluster.expect().get().withPath(path).andReturn(404, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(404).build()).once();
    int mark = cluster.requestCount();

    assertThatThrownBy(() -> lock(cluster.newClient()).acquire(ROUTE, "pipeline-B"))
        .isInstanceOf(LockUnavailableException.class)
        .hasMessageContaining("is locked by pipeline-A");
    assertThat(cluster.requestsSince(mark)).as("besides the SelfSubjectAccessReview asking for update").filteredOn(r -> !r.isAccessReview())
        .extracting(MockCluster.Request::method).containsExactly("GET", "POST", "GET");
    winner.close();
  }

  @Test
  void twoMachinesRacingExactlyOneWins() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CyclicBarrier start = new CyclicBarrier(2);
      List<Future<RouteLock.Lease>> results = new ArrayList<>();
      for (String owner : List.of("pipeline-A", "pipeline-B")) {
        LeaseLock lock = lock(cluster.newClient());
        results.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return lock.acquire(ROUTE, owner);
        }));
      }
      List<RouteLock.Lease> won = new ArrayList<>();
      List<Throwable> lost = new ArrayList<>();
      for (Future<RouteLock.Lease> f : results) {
        try {
          won.add(f.get(20, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
          lost.add(e.getCause());
        }
      }
      assertThat(won).hasSize(1);
      assertThat(lost).singleElement().isInstanceOf(LockUnavailableException.class)
          .satisfies(e -> assertThat(((LockUnavailableException) e).holder()).contains(won.get(0).owner()));
      assertThat(stored().getSpec().getHolderIdentity()).isEqualTo(won.get(0).owner());
      won.get(0).close();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theDefaultRenewalThreadStopsOnClose() throws Exception {
    LeaseLock lock = LeaseLock.builder(cluster.client()).namespace("default").clock(clock).build();
    RouteLock.Lease lease = lock.acquire(ROUTE, "pipeline-A");
    Thread renewal = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("bluegreen-lease-" + NAME))
        .findFirst().orElseThrow();
    assertThat(renewal.isDaemon()).isTrue();
    lease.close();
    renewal.join(10_000);
    assertThat(renewal.isAlive()).isFalse();
  }

  @Test
  void leaseNamesAreValidDistinctAndBounded() {
    assertThat(NAME).matches("bluegreen-k8s-service-default-app-service-[0-9a-f]{10}");
    String longId = "k8s/httproute/" + "a".repeat(63) + "/" + "b".repeat(253);
    for (String id : List.of(longId, "K8s/Service/Default/APP", "x", "///", "route/ümlaut/ä")) {
      assertThat(LeaseLock.leaseName(id)).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    }
    assertThat(LeaseLock.leaseName("k8s/service/a_b/c")).isNotEqualTo(LeaseLock.leaseName("k8s/service/a-b/c"));
    assertThat(LeaseLock.leaseName(longId)).isNotEqualTo(LeaseLock.leaseName(longId + "x"));
  }

  @Test
  void badConfigurationIsRejectedBeforeAnyRequest() {
    int before = cluster.requestCount();
    assertThatThrownBy(() -> LeaseLock.builder(cluster.client()).namespace("Deploy_Locks"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Kubernetes namespace name");
    assertThatThrownBy(() -> LeaseLock.builder(cluster.client()).leaseDuration(Duration.ofMillis(1500)))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("whole seconds");
    assertThatThrownBy(() -> LeaseLock.builder(cluster.client()).leaseDuration(Duration.ofSeconds(10)).renewInterval(Duration.ofSeconds(10)).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("shorter than leaseDuration");
    assertThatThrownBy(() -> lock(cluster.client()).acquire(" ", "me")).isInstanceOf(InvalidConfigurationException.class);
    assertThat(cluster.requestCount()).isEqualTo(before);
  }
}
