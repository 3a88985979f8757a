package io.bluegreen.k8s;

import io.bluegreen.k8s.support.ClusterFixture;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.OutOfBand;
import io.bluegreen.testkit.RouterContractTest;

/** {@link HttpRouteRouter} passes the router TCK (weighted splits included) against the fabric8 CRUD mock server,
 * with another writer that edits the object with the fabric8 client directly. */
class HttpRouteRouterContractTest extends RouterContractTest {
  @Override
  protected RouterFixture createFixture() {
    return ClusterFixture.of(Fixtures::routeScene, OutOfBand::httpRoute, OutOfBand::httpRouteWithoutWeights);
  }
}
