package io.bluegreen.k8s;

import io.bluegreen.k8s.support.ClusterFixture;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.OutOfBand;
import io.bluegreen.testkit.RouterContractTest;

/** {@link IngressBackendRouter} passes the router TCK against the fabric8 CRUD mock server,
 * with another writer that edits the object with the fabric8 client directly. */
class IngressBackendRouterContractTest extends RouterContractTest {
  @Override
  protected RouterFixture createFixture() {
    return ClusterFixture.of(Fixtures::ingressScene, OutOfBand::ingress, OutOfBand::ingressWithoutManagedBackends);
  }
}
