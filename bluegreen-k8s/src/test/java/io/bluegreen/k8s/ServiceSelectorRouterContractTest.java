package io.bluegreen.k8s;

import io.bluegreen.k8s.support.ClusterFixture;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.testkit.RouterContractTest;

/** {@link ServiceSelectorRouter} passes the router TCK against the fabric8 CRUD mock server. */
class ServiceSelectorRouterContractTest extends RouterContractTest {
  @Override
  protected RouterFixture createFixture() {
    return ClusterFixture.of(cluster -> Fixtures.serviceScene(cluster, 2, 0));
  }
}
