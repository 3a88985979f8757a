package io.bluegreen.k8s.lock;

import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.testkit.RouteLockContractTest;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * {@link LeaseLock} passes the lock kit on the fabric8 mock API server (CRUD mode): two clients are two
 * machines, the kit's virtual clock judges expiry, and the kit runs the renewals. The thief rewrites
 * the Lease's holder with a plain update, as another process (or {@code kubectl edit}) would. The
 * outage answers every Lease request with HTTP 500, as an API server that has lost etcd does.
 */
class LeaseLockContractTest extends RouteLockContractTest {

  private static final Duration LEASE = Duration.ofSeconds(30);

  @Override
  protected LockFixture createFixture() {
    MockCluster cluster = MockCluster.start();
    return LockFixture.builder(lock(cluster)).contender(lock(cluster))
        .leaseDuration(LEASE)
        .thief((route, owner) -> {
          Lease lease = cluster.client().leases().inNamespace(MockCluster.NS).withName(LeaseLock.leaseName(route)).get();
          lease.getSpec().setHolderIdentity(owner);
          lease.getSpec().setAcquireTime(ZonedDateTime.ofInstant(clock().instant(), ZoneOffset.UTC));
          lease.getSpec().setRenewTime(ZonedDateTime.ofInstant(clock().instant(), ZoneOffset.UTC));
          cluster.client().leases().inNamespace(MockCluster.NS).resource(lease).update();
        })
        .outage(() -> cluster.intercept((request, store) -> request.resourcePath().contains("/leases")
            ? new MockResponse().setResponseCode(500).setBody("{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":500}")
            : null))
        .onClose(cluster)
        .build();
  }

  private LeaseLock lock(MockCluster cluster) {
    return LeaseLock.builder(cluster.newClient()).namespace(MockCluster.NS).leaseDuration(LEASE).clock(clock()).scheduler(heartbeat())
        .build();
  }
}
