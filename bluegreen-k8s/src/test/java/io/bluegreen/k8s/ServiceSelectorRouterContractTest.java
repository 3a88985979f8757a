package io.bluegreen.k8s;

import io.bluegreen.k8s.support.ClusterFixture;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.OutOfBand;
import io.bluegreen.testkit.RouterContractTest;

/** {@link ServiceSelectorRouter} passes the router TCK against the fabric8 CRUD mock server,
 * with another writer that edits the object with the fabric8 client directly. */
class ServiceSelectorRouterContractTest extends RouterContractTest {
  @Override
  protected RouterFixture createFixture() {
    return ClusterFixture.of(cluster -> Fixtures.serviceScene(cluster, 2, 0), OutOfBand::serviceSelector, OutOfBand::serviceWithoutSelectorValue);
  }
}
